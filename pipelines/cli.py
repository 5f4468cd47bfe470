"""The `fiu-screen` command line (DESIGN §6)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections import Counter
from typing import Optional, Sequence

from pipelines import warm
from pipelines.inputs import UsageError, check_business_date, check_countries, countries_in_scope, discover_files
from pipelines.local_mode import worker_processes
from watchlists.errors import WatchlistError
from watchlists.matcher import DEFAULT_THRESHOLD

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


class _QuietBeamImport(logging.Filter):
    """Beam warns at import that the optional GCP client libraries are absent; we use none."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "apitools not found" not in record.getMessage()


def _configure_logging() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(_QuietBeamImport())


def _date(text: str) -> str:
    try:
        return check_business_date(text)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fiu-screen", description="Screen transactions against watchlists.")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="the nightly screening run for one business date (extra flags go to Beam)")
    run.add_argument("--input-root", required=True)
    run.add_argument("--output-root", required=True)
    run.add_argument("--business-date", required=True, type=_date)
    run.add_argument("--watchlist", dest="watchlists", action="append", required=True, metavar="SPEC")
    run.add_argument("--country", "--countries", dest="country_args", action="append", default=[], metavar="CC")
    run.add_argument("--config", help="TOML settings (threshold, fius, match_workers)")
    run.add_argument("--threshold", type=float, help=f"name-match score that fires (default {DEFAULT_THRESHOLD:g})")
    run.add_argument("--ground-truth", help="generator truth CSV: report recall of planted hits")
    run.add_argument("--suppressions", metavar="DIR", help="reviewed false positives: <DIR>/<CC>.csv (party_key, "
                     "entry_id, reviewer, reason, until); still written, with status = suppressed")
    run.add_argument("--encrypt", action="store_true",
                     help="encrypt each country's Parquet files with its FIU's key (Parquet modular encryption)")
    run.add_argument("--encryption-keys", metavar="FILE", help='JSON {"NL": "<base64 key>", ...}; or FIU_SCREEN_KEY_<CC>')
    run.add_argument("--accept-list-change", action="store_true",
                     help="proceed although a list shrank by more than max_entry_drop (recorded in the manifest)")

    match = sub.add_parser("match-names", help="screen a CSV of names (query_id, name[, country][, entity_type])")
    match.add_argument("--watchlist", dest="watchlists", action="append", required=True, metavar="SPEC")
    match.add_argument("--input", required=True)
    match.add_argument("--output", required=True, help="out.csv or out.parquet")
    match.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)

    ev = sub.add_parser("evaluate", help="precision, recall and F1 per variant kind on labelled cases, threshold curve")
    ev.add_argument("--watchlist", dest="watchlists", action="append", required=True, metavar="SPEC")
    ev.add_argument("--cases", required=True, help="CSV: query_id, name, kind, expected[, split, country, ...]")
    ev.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    ev.add_argument("--split", help="only the cases of this split (dev, test)")
    ev.add_argument("--show-errors", action="store_true", help="list every missed and false alert")

    gen = sub.add_parser("generate", help="synthetic feeds with planted hits and a ground truth")
    gen.add_argument("--output-root", required=True)
    gen.add_argument("--business-date", required=True, type=_date)
    gen.add_argument("--countries", default="BE,DE,FR,IT,ES,NL")
    gen.add_argument("--transactions", type=int, default=10_000)
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("--watchlist", dest="watchlists", action="append", required=True, metavar="SPEC")
    gen.add_argument("--gzip", action="store_true", help="write .gz feed files")

    wl = sub.add_parser("watchlist", help="watchlist tools")
    wl_sub = wl.add_subparsers(dest="wl_command", required=True)
    inspect = wl_sub.add_parser("inspect", help="counts by type and source, and the version")
    inspect.add_argument("spec")

    goaml = sub.add_parser("export-goaml", help="a country's alerts of one date as goAML XML (BE, DE, NL) or CSV")
    goaml.add_argument("--output-root", required=True)
    goaml.add_argument("--country", required=True, metavar="CC")
    goaml.add_argument("--business-date", required=True, type=_date)
    goaml.add_argument("--output", required=True, help="FILE.xml (goAML) or FILE.csv")
    goaml.add_argument("--format", choices=["xml", "csv"], help="default: xml for BE, DE, NL; csv for the others")
    goaml.add_argument("--rentity-id", type=int, default=1, help="reporting entity id the FIU assigned (default 1)")
    goaml.add_argument("--report-code", default="STR", help="goAML report type (default STR)")
    goaml.add_argument("--submission-date", help="YYYY-MM-DDTHH:MM:SS (default: now, UTC)")

    rescreen = sub.add_parser("rescreen", help="screen stored parties of the last N days against changed list entries")
    rescreen.add_argument("--output-root", required=True)
    rescreen.add_argument("--watchlist", dest="watchlists", action="append", required=True, metavar="SPEC")
    rescreen.add_argument("--days", type=int, required=True)
    rescreen.add_argument("--business-date", type=_date, help="last day of the window (default: the latest run)")
    rescreen.add_argument("--country", "--countries", dest="country_args", action="append", default=[], metavar="CC")
    rescreen.add_argument("--threshold", type=float, help="default: the threshold each run recorded")
    rescreen.add_argument("--suppressions", metavar="DIR", help="suppression files <DIR>/<CC>.csv")

    status = sub.add_parser("status", help="each country's manifest status for one business date")
    status.add_argument("--output-root", required=True)
    status.add_argument("--business-date", required=True, type=_date)
    status.add_argument("--country", "--countries", dest="country_args", action="append", default=[], metavar="CC")
    status.add_argument("--json", action="store_true", help="one JSON object per country and line")
    return parser


def _start_workers_early(args: argparse.Namespace, beam_args: Sequence[str]) -> None:
    """A run on the default runner (no Beam arguments) over feeds large enough for one worker
    process per core (`local_mode`) has its worker template (`pipelines.warm`) started now,
    before it imports Beam: the template was ready 0.4-0.6 s sooner at 1M transactions. The
    countries are those in the input folder or asked for (a config file's list is read later:
    where it differs, the run starts the template it needs instead)."""
    if beam_args or not warm.supported():
        return
    input_day = os.path.join(args.input_root, args.business_date)
    try:
        files = [f for country in countries_in_scope(input_day, args.countries)
                 for f in discover_files(input_day, country, args.business_date)[0]]  # fmt: skip
        size = sum(os.path.getsize(f.path) for f in files)
    except OSError:
        return  # the run reports it
    warm.start_early(worker_processes(size))


def main(argv: Optional[Sequence[str]] = None) -> int:
    from transforms import gc_policy

    gc_policy.limit_arenas()  # before Beam starts its threads and worker processes
    gc_policy.arrow_on_malloc()
    _configure_logging()
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "run":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        if args.command == "run":
            args.countries = check_countries(args.country_args)
            _start_workers_early(args, extra)
            try:
                from pipelines import nightly

                return nightly.run(args, extra)
            finally:
                warm.discard_early()
        if args.command == "match-names":
            return _match_names(args)
        if args.command == "evaluate":
            from pipelines.evaluate import evaluate_command

            return evaluate_command(args)
        if args.command == "generate":
            return _generate(args)
        if args.command == "export-goaml":
            from pipelines.cli_analyst import export_command

            return export_command(args)
        if args.command == "rescreen":
            from pipelines.cli_analyst import rescreen_command

            return rescreen_command(args)
        if args.command == "status":
            from pipelines.cli_analyst import status_command

            return status_command(args)
        return _inspect(args.spec)
    except UsageError as exc:
        print(f"fiu-screen {args.command}: {exc}", file=sys.stderr)
        return 2


def _load(specs: Sequence[str]):
    from watchlists.spec import load_watchlists

    try:
        return load_watchlists(specs)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _match_names(args: argparse.Namespace) -> int:
    from pipelines.match_names import run_match_names

    if not 0 < args.threshold <= 100:
        raise UsageError(f"--threshold must be in (0, 100], got {args.threshold}")
    try:
        lists = _load(args.watchlists)
        count = run_match_names(lists, args.input, args.output, args.threshold)
    except WatchlistError as exc:
        print(f"fiu-screen match-names: FATAL {exc}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    print(f"{count} match(es) written to {args.output}")
    return 0


def _generate(args: argparse.Namespace) -> int:
    from pipelines.generate import generate

    countries = check_countries([args.countries])
    if args.transactions < 1:
        raise UsageError("--transactions must be at least 1")
    try:
        lists = _load(args.watchlists)
    except WatchlistError as exc:
        print(f"fiu-screen generate: FATAL {exc}", file=sys.stderr)
        return 1
    entries = [e for wl in lists for e in wl.entries]
    summary = generate(args.output_root, args.business_date, countries, args.transactions, args.seed, entries,
                       compress=args.gzip)  # fmt: skip
    per_country = ", ".join(f"{c} {n}" for c, n in summary.transactions.items())
    planted = ", ".join(f"{k} {n}" for k, n in summary.planted.items())
    print(f"generated {sum(summary.transactions.values())} transactions ({per_country}) in {len(summary.files) - 1} "
          f"files under {os.path.join(args.output_root, args.business_date)}")
    print(f"planted hits: {planted}; ground truth: {summary.truth_path}")
    return 0


def _inspect(spec: str) -> int:
    try:
        (wl,) = _load([spec])
    except WatchlistError as exc:
        print(f"fiu-screen watchlist inspect: {exc}", file=sys.stderr)
        return 1
    types = Counter(e.entity_type for e in wl.entries)
    ids = Counter(i.kind for e in wl.entries for i in e.identifiers)
    weak = sum(1 for e in wl.entries for a in e.aliases if a.weak)
    strong = sum(1 for e in wl.entries for a in e.aliases if not a.weak)
    print(f"spec:        {wl.spec}\nformat:      {wl.format}\nversion:     {wl.version}\nentries:     {len(wl.entries)}")
    print("by type:     " + ", ".join(f"{k} {v}" for k, v in sorted(types.items())))
    print("by source:   " + ", ".join(f"{k} {v}" for k, v in sorted(Counter(e.list_source for e in wl.entries).items())))
    print(f"names:       {len(wl.entries)} primary, {strong} strong aliases, {weak} weak aliases")
    print("identifiers: " + (", ".join(f"{k} {v}" for k, v in sorted(ids.items())) or "none"))
    return 0


def entry() -> None:
    """`fiu-screen` and `python -m pipelines`: `main`, then the process ends at once with its
    exit code. After a run the interpreter's own teardown, freeing every object the run made
    (the lists, Beam, gRPC's C core), took 0.3-0.4 s with nothing left to do: every output is
    written, closed and committed, the staging folder is gone and every worker has exited.
    Logging and the standard streams are flushed first. An exception (or argparse's SystemExit)
    ends the process the usual way."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more reaches it anyway
            pass
    logging.shutdown()
    os._exit(code)


if __name__ == "__main__":
    entry()
