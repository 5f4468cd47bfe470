"""Side by side on the dev set: this project's matcher and nomenklatura's logic-v2.

    make bench-quality        # installs nomenklatura into .venv/bench, then runs this script there

Both score the same cases (tests/fixtures/devset/cases.csv) against the same lists, name cases
only (identifiers are exact lookups for both). logic-v2 (`LogicV2.compare`, what OpenSanctions'
yente uses) compares FollowTheMoney entities; it has no index of its own, so each query is
compared with the union of two candidate sets: this project's index at threshold 50 and the ten
best rapidfuzz token-set ratios over all listed names (folded with anyascii). The query entity
gets the candidate's schema (Vessel, Company/Organization, Person), so a schema mismatch never
costs logic-v2 a match it would otherwise make. Its scores (0–1) are shown ×100; its default
threshold 0.70 is 70 on that scale.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from typing import Optional, Sequence

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
from anyascii import anyascii  # noqa: E402
from rapidfuzz import fuzz, process  # noqa: E402

from pipelines.evaluate import Case, count, read_cases, report, screen_cases  # noqa: E402
from watchlists.matcher import DEFAULT_THRESHOLD, Match, Matcher  # noqa: E402
from watchlists.spec import load_watchlists  # noqa: E402

LISTS = ["coalition:watchlists/data/coalition.csv", "ofac-xml:watchlists/data/ofac/sdn_advanced.xml.bz2"]
SCHEMA = {"vessel": "Vessel", "person": "Person", "aircraft": "Airplane", "organization": "Organization"}
LOGIC_V2_THRESHOLD = 70.0
CURVE_V2 = (50.0, 60.0, 65.0, 70.0, 75.0, 80.0, 85.0, 90.0, 95.0)
TOP_FUZZY = 10


def _fold(text: str) -> str:
    return " ".join(anyascii(text).lower().split())


class LogicV2Screen:
    """logic-v2 over candidate pairs, with the same Match records as the project's matcher."""

    def __init__(self, matcher: Matcher) -> None:
        from followthemoney import model
        from nomenklatura.matching import LogicV2, ScoringConfig

        self._model, self._logic, self._config = model, LogicV2, ScoringConfig.defaults()
        self._matcher = matcher
        self._names = [(idx, name) for idx, name, _ in matcher._choice_owner]  # strong names, as the index holds them
        self._folded = [_fold(name) for _, name in self._names]
        self._entities: dict[int, object] = {}

    def _entity(self, schema: str, name: str, ident: str):
        entity = self._model.make_entity(schema)
        entity.id = ident
        entity.add("name", name)
        return entity

    def _fuzzy_top(self, names: Sequence[str]) -> list[set[int]]:
        out = []
        for start in range(0, len(names), 128):
            chunk = [_fold(n) for n in names[start : start + 128]]
            scores = process.cdist(chunk, self._folded, scorer=fuzz.token_set_ratio, dtype=np.uint8, workers=-1)
            for row in scores:
                out.append(set(np.argpartition(-row, TOP_FUZZY)[:TOP_FUZZY].tolist()))
        return out

    def screen(self, cases: Sequence[Case]) -> list[tuple[Case, list[Match]]]:
        named = [c.query.name or "" for c in cases]
        fuzzy = self._fuzzy_top(named)
        index = self._matcher._index
        from watchlists.normalize import name_key

        results = []
        for case, name, top in zip(cases, named, fuzzy):
            key = name_key(name)
            pool = set(top) | (set(index.candidates(key, 50.0)) if key is not None and len(key.core) >= 4 else set())
            best: dict[int, tuple[float, str]] = {}
            for pos in pool:
                idx, listed_name = self._names[pos]
                entry = self._matcher._listed[idx].entry
                schema = SCHEMA.get(entry.entity_type, "LegalEntity")
                query = self._entity(schema, name, f"q-{case.query_id}-{schema}")
                result = self._entity(schema, listed_name, f"r-{pos}")
                score = 100.0 * self._logic.compare(query, result, self._config).score
                if score > best.get(idx, (-1.0, ""))[0]:
                    best[idx] = (score, listed_name)
            matches = []
            for idx, (score, listed_name) in best.items():
                entry, version = self._matcher._listed[idx]
                matches.append(Match(entry.entry_id, entry.list_source, listed_name, entry.entity_type, "name",
                                     round(score, 1), "logic-v2", name, version))  # fmt: skip
            results.append((case, matches))
        return results


def _cell(kind: str, c) -> str:
    if kind.startswith("neg_"):
        return f"{c.fp} false alert(s) in {c.n}"
    return f"{c.precision:.3f} / {c.recall:.3f} / {c.f1:.3f}"


def _summary(rows: dict[str, dict[str, object]]) -> str:
    lines = ["| kind | ours: P / R / F1 | logic-v2: P / R / F1 |", "|---|---|---|"]
    for kind in sorted(rows, key=lambda k: (k.startswith("**"), k.startswith("neg_"), k)):
        lines.append(f"| {kind} | {_cell(kind, rows[kind]['ours'])} | {_cell(kind, rows[kind]['logic-v2'])} |")
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--watchlist", dest="watchlists", action="append", metavar="SPEC")
    parser.add_argument("--cases", default="tests/fixtures/devset/cases.csv")
    parser.add_argument("--split", help="only the cases of this split (dev, test)")
    args = parser.parse_args(argv)
    lists = load_watchlists(args.watchlists or LISTS)
    cases = [c for c in read_cases(args.cases) if c.query.name and not c.kind.startswith(("id_", "text_"))
             and (args.split is None or c.split == args.split)]  # fmt: skip
    matcher = Matcher(lists, threshold=min(DEFAULT_THRESHOLD, 70.0))
    t0 = time.perf_counter()
    ours = screen_cases(matcher, cases)
    t1 = time.perf_counter()
    theirs = LogicV2Screen(matcher).screen(cases)
    t2 = time.perf_counter()
    print(f"# fiu-screen matcher (threshold {DEFAULT_THRESHOLD:g}), {len(cases)} name cases, {t1 - t0:.1f} s\n")
    print(report(ours, DEFAULT_THRESHOLD))
    print(f"\n# nomenklatura logic-v2 (threshold 0.70 = {LOGIC_V2_THRESHOLD:g}), same cases, {t2 - t1:.1f} s\n")
    print(report(theirs, LOGIC_V2_THRESHOLD, curve=CURVE_V2))
    rows: dict[str, dict[str, object]] = defaultdict(dict)
    for label, results, threshold in (("ours", ours, DEFAULT_THRESHOLD), ("logic-v2", theirs, LOGIC_V2_THRESHOLD)):
        by_kind: dict[str, list] = defaultdict(list)
        for r in results:
            by_kind[r[0].kind].append(r)
        by_kind["**all names**"] = list(results)
        for kind, group in by_kind.items():
            rows[kind][label] = count(group, threshold)
    print("\n# side by side, each at its default threshold\n")
    print(_summary(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
