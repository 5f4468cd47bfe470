"""Names per second of the matcher against the full bundled OFAC list (and the coalition list).

    .venv/bin/python eval/bench_names.py [--names 50000] [--workers 2] [--threshold 88]

The names are what a day of feeds brings: distinct party names of the six countries from the
feed generator (people and companies), with one in twenty a disguised listed name (case, typo,
legal form, word order, vessel prefix). The index is built once; the timing covers matching
only (normalisation, candidate generation, scoring), first on one process, then split over
`--workers` processes forked after the index is built (as the Beam workers each hold one).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from typing import Optional

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.measure import names_per_second  # noqa: E402
from pipelines.generate_hits import name_variants, usable_name  # noqa: E402
from pipelines.generate_names import COUNTRY_PROFILES, PROFILES, company_name, person_name  # noqa: E402
from watchlists.matcher import DEFAULT_THRESHOLD, Matcher  # noqa: E402
from watchlists.spec import load_watchlists  # noqa: E402

LISTS = ["coalition:watchlists/data/coalition.csv", "ofac-xml:watchlists/data/ofac/sdn_advanced.xml.bz2"]


def feed_names(n: int, entries: list, seed: int = 11) -> list[str]:
    """`n` distinct names: generator parties, and one in twenty a listed name in disguise."""
    rng = random.Random(seed)
    listed = [e for e in entries if e.entity_type in ("organization", "vessel") and usable_name(e.name)]
    countries = sorted(COUNTRY_PROFILES)
    out: dict[str, None] = {}
    while len(out) < n:
        if rng.random() < 0.05:
            entry = rng.choice(listed)
            variants = name_variants(rng, entry.name, entry.entity_type)
            out[rng.choice(sorted(variants.values()))] = None
            continue
        profile = PROFILES[rng.choice(COUNTRY_PROFILES[rng.choice(countries)])]
        name = company_name(rng, profile) if rng.random() < 0.6 else person_name(rng, profile)
        if rng.random() < 0.3:
            name = f"{name} {rng.randrange(1, 999)}" if rng.random() < 0.5 else name.upper()
        out[name] = None
    return list(out)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--names", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    lists = load_watchlists(LISTS)
    t1 = time.perf_counter()
    c1 = time.process_time()
    matcher = Matcher(lists, threshold=args.threshold)
    t2 = time.perf_counter()
    entries = [e for wl in lists for e in wl.entries]
    names = feed_names(args.names, entries)
    print(f"lists: {len(entries)} entries read in {t1 - t0:.1f} s; index built in {t2 - t1:.1f} s "
          f"({time.process_time() - c1:.1f} s CPU)")
    print(f"load average before matching: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    t3 = time.perf_counter()
    c3 = time.process_time()
    hits = sum(len(h) for h in matcher.match_names(names))
    t4 = time.perf_counter()
    cpu = time.process_time() - c3
    print(f"1 process:  {len(names)} distinct names in {t4 - t3:.2f} s = {len(names) / (t4 - t3):,.0f} names/s "
          f"wall, {len(names) / cpu:,.0f} names/s per CPU second ({hits} matches at threshold {args.threshold:g})")
    if args.workers > 1:
        names2 = feed_names(args.names, entries, seed=12)  # fresh names: no warm caches
        rate, hits, cpu = names_per_second(matcher, names2, args.workers)
        print(f"{args.workers} processes: {len(names2)} distinct names = {rate:,.0f} names/s wall; {cpu:.2f} CPU s "
              f"in all = {args.workers * len(names2) / cpu:,.0f} names/s if each process had its core ({hits} matches)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
