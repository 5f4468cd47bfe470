"""`fiu-screen evaluate`: precision, recall and F1 of the matcher on a labelled set of cases.

A case is one party as a feed would carry it (a name, an identifier, a remittance text) and
the list entries that should fire for it (`expected`, `list_source:entry_id` separated by
`|`; empty for a negative). The cases are screened once with the pipeline's own `Matcher` at
the lowest threshold of the curve, so every threshold is read off the same run.

Counting, per case: a positive whose expected entry fired is a true positive, otherwise a
false negative; a negative with any alert, and a positive whose alerts are all for other
entries, is a false positive. Alerts on further entries besides the expected one are counted
separately (`extra`), since lists hold the same name under several entries.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from typing import Iterable, NamedTuple, Optional, Sequence

from watchlists.identifiers import (
    find_imos,
    normalize_bic,
    normalize_crypto_address,
    normalize_iban,
    normalize_imo,
    normalize_lei,
)
from watchlists.matcher import DEFAULT_THRESHOLD, Match, Matcher, PartyQuery
from watchlists.spec import Watchlist

CURVE = (70.0, 75.0, 80.0, 82.0, 84.0, 86.0, 88.0, 90.0, 92.0, 95.0)
_MMSI_DIGITS = 9


class Case(NamedTuple):
    query_id: str
    kind: str
    expected: frozenset[str]  # "list_source:entry_id" (or a bare entry_id)
    query: PartyQuery
    split: str = ""


class Counts(NamedTuple):
    n: int
    tp: int
    fp: int
    fn: int
    extra: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def parse_identifier(raw: str) -> tuple[tuple[str, str], ...]:
    """The (kind, canonical value) pairs a raw identifier can be: IMO, MMSI, LEI, IBAN, BIC, crypto."""
    text = raw.strip()
    if not text:
        return ()
    out = []
    imo = normalize_imo(text) or next(find_imos(text), None)
    if imo:
        out.append(("imo", imo))
    digits = text.replace(" ", "")
    if digits.isdigit() and len(digits) == _MMSI_DIGITS:
        out.append(("mmsi", digits))
    for kind, norm in (("lei", normalize_lei), ("iban", normalize_iban), ("bic", normalize_bic)):
        value = norm(text)
        if value:
            out.append((kind, value))
    if not out:
        address = normalize_crypto_address(text)
        if address:
            out.append(("crypto_address", address))
    return tuple(out)


def read_cases(path: str) -> list[Case]:
    """Cases from CSV: query_id, name, kind, expected[, split, country, entity_type, identifier, text]."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        header = [h.strip().lower() for h in reader.fieldnames or []]
        missing = {"query_id", "name", "kind", "expected"} - set(header)
        if missing:
            raise ValueError(f"{path}: missing column(s) {sorted(missing)}; need query_id, name, kind, expected")
        reader.fieldnames = header
        cases = []
        for raw in reader:
            row = {k: (v or "").strip() for k, v in raw.items() if k}
            query = PartyQuery(name=row.get("name") or None, identifiers=parse_identifier(row.get("identifier", "")),
                               text=row.get("text") or None, country=row.get("country") or None,
                               entity_type=row.get("entity_type") or None)  # fmt: skip
            expected = frozenset(e.strip() for e in row.get("expected", "").split("|") if e.strip())
            cases.append(
                Case(row.get("query_id", ""), row.get("kind") or "unlabelled", expected, query, row.get("split", ""))
            )
        return cases


def _fired(match: Match, expected: frozenset[str]) -> bool:
    return f"{match.list_source}:{match.entry_id}" in expected or match.entry_id in expected


def count(results: Iterable[tuple[Case, Sequence[Match]]], threshold: float) -> Counts:
    n = tp = fp = fn = extra = 0
    for case, matches in results:
        n += 1
        alerts = [m for m in matches if m.score >= threshold]
        right = [m for m in alerts if _fired(m, case.expected)]
        if case.expected:
            tp += bool(right)
            fn += not right
            fp += bool(alerts) and not right
            extra += len(alerts) - len(right) if right else 0
        else:
            fp += bool(alerts)
    return Counts(n, tp, fp, fn, extra)


def screen_cases(matcher: Matcher, cases: Sequence[Case], batch: int = 4096) -> list[tuple[Case, list[Match]]]:
    out: list[tuple[Case, list[Match]]] = []
    for start in range(0, len(cases), batch):
        chunk = cases[start : start + batch]
        out.extend(zip(chunk, matcher.screen([c.query for c in chunk])))
    return out


def _row(label: str, c: Counts) -> str:
    return f"| {label} | {c.n} | {c.tp} | {c.fp} | {c.fn} | {c.precision:.3f} | {c.recall:.3f} | {c.f1:.3f} |"


def report(results: Sequence[tuple[Case, Sequence[Match]]], threshold: float,
           curve: Sequence[float] = CURVE) -> str:  # fmt: skip
    """Markdown tables: per variant kind at the threshold, then the curve over name cases."""
    by_kind: dict[str, list[tuple[Case, Sequence[Match]]]] = defaultdict(list)
    for case, matches in results:
        by_kind[case.kind].append((case, matches))
    lines = [f"Per variant kind at threshold {threshold:g}:", "",
             "| kind | cases | TP | FP | FN | precision | recall | F1 |", "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for kind in sorted(by_kind, key=lambda k: (k.startswith(("neg_", "id_", "text_")), k)):
        lines.append(_row(kind, count(by_kind[kind], threshold)))
    names = [r for r in results if not r[0].kind.startswith(("id_", "text_"))]
    ids = [r for r in results if r[0].kind.startswith(("id_", "text_"))]
    lines.append(_row("**names**", count(names, threshold)))
    if ids:
        lines.append(_row("**identifiers and text**", count(ids, threshold)))
    total = count(results, threshold)
    lines += [_row("**all**", total), "", f"alerts on further entries besides the expected one: {total.extra}", "",
              "Threshold curve (name cases):", "",
              "| threshold | precision | recall | F1 | FP | FN |", "|---|---|---|---|---|---|"]  # fmt: skip
    for t in curve:
        c = count(names, t)
        mark = " ←" if t == threshold else ""
        lines.append(f"| {t:g}{mark} | {c.precision:.3f} | {c.recall:.3f} | {c.f1:.3f} | {c.fp} | {c.fn} |")
    return "\n".join(lines)


def misses(results: Sequence[tuple[Case, Sequence[Match]]], threshold: float) -> list[str]:
    """One line per wrong case (for --show-errors): what was expected and what fired."""
    out = []
    for case, matches in results:
        alerts = [m for m in matches if m.score >= threshold]
        right = any(_fired(m, case.expected) for m in alerts)
        if (case.expected and right) or (not case.expected and not alerts):
            continue
        what = "FN" if case.expected and not alerts else "FP"
        shown = case.query.name or case.query.text or ",".join(v for _, v in case.query.identifiers)
        best = "; ".join(f"{m.entry_id} {m.matched_name!r} {m.score:g}" for m in alerts[:3])
        near = max((m for m in matches if _fired(m, case.expected)), key=lambda m: m.score, default=None)
        near_text = f" (expected scored {near.score:g})" if near is not None and not right else ""
        out.append(f"{what} {case.kind:22} {case.query_id} {shown!r} → {best or '-'}{near_text}")
    return out


def run_evaluate(lists: Sequence[Watchlist], cases_path: str, threshold: float = DEFAULT_THRESHOLD,
                 split: Optional[str] = None, show_errors: bool = False, workers: int = 1) -> str:  # fmt: skip
    """Screen the cases and return the printed report."""
    cases = [c for c in read_cases(cases_path) if split is None or c.split == split]
    if not cases:
        raise ValueError(f"{cases_path}: no cases" + (f" in split {split!r}" if split else ""))
    low = min(min(CURVE), threshold)
    matcher = Matcher(lists, threshold=low, workers=workers)
    results = screen_cases(matcher, cases)
    text = report(results, threshold)
    recall = candidate_recall(matcher, cases)
    if recall is not None:
        text += f"\n\ncandidate recall (expected entry among the scored candidates, name cases): {recall:.4f}"
    if show_errors:
        text += "\n\n" + "\n".join(misses(results, threshold))
    return text


def candidate_recall(matcher: Matcher, cases: Sequence[Case]) -> Optional[float]:
    """Share of positive name cases whose expected entry the index proposes for scoring."""
    named = [c for c in cases if c.expected and c.query.name and not c.kind.startswith(("id_", "text_"))]
    if not named or not hasattr(matcher, "candidate_entries"):
        return None
    found = matcher.candidate_entries([c.query.name for c in named])  # type: ignore[misc]
    hit = sum(1 for c, got in zip(named, found) if c.expected & got or {e.split(":", 1)[-1] for e in got} & c.expected)
    return hit / len(named)


def evaluate_command(args: argparse.Namespace) -> int:
    """`fiu-screen evaluate`: 0 printed, 1 a list failed to load, 2 usage error."""
    from pipelines.inputs import UsageError
    from watchlists.errors import WatchlistError
    from watchlists.spec import load_watchlists

    if not 0 < args.threshold <= 100:
        raise UsageError(f"--threshold must be in (0, 100], got {args.threshold}")
    try:
        lists = load_watchlists(args.watchlists)
        text = run_evaluate(lists, args.cases, args.threshold, split=args.split, show_errors=args.show_errors)
    except WatchlistError as exc:
        print(f"fiu-screen evaluate: FATAL {exc}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    print(text)
    return 0
