"""The analyst and ops subcommands of `fiu-screen`: export-goaml, rescreen, status.

Exit codes follow `run`: 0 done; 1 fatal (a list that does not load, an export that fails its
schema check); 2 usage; 3 partial (rescreen: a date without a party store; status: a country
not ok or not run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time

from pipelines.inputs import UsageError, check_countries

EXIT_OK, EXIT_FATAL = 0, 1


def export_command(args: argparse.Namespace) -> int:
    out, err = sys.stdout, sys.stderr
    from pipelines.export_csv import export_csv
    from pipelines.goaml import GOAML_COUNTRIES, GoamlSettings, export_goaml, validate

    (country,) = check_countries([args.country])
    fmt = args.format or ("xml" if country in GOAML_COUNTRIES else "csv")
    if fmt == "xml" and country not in GOAML_COUNTRIES:
        raise UsageError(f"{country}'s FIU does not take goAML ({', '.join(GOAML_COUNTRIES)} do): use --format csv")
    if args.rentity_id < 1:
        raise UsageError("--rentity-id must be a positive integer (goAML rentity_id >= 1)")
    if args.submission_date:
        try:
            dt.datetime.strptime(args.submission_date, "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            raise UsageError(f"--submission-date must be YYYY-MM-DDTHH:MM:SS, got {args.submission_date!r}") from None
    if not os.path.isdir(os.path.join(args.output_root, "alerts")):
        raise UsageError(f"--output-root {args.output_root!r} has no alerts/ folder")
    if fmt == "csv":
        rows = export_csv(args.output_root, country, args.business_date, args.output)
        print(f"{rows} alert(s) of {country} {args.business_date} written to {args.output} (CSV)", file=out)
        return EXIT_OK
    settings = GoamlSettings(args.rentity_id, args.report_code, "E", "EUR", args.submission_date)
    count, skipped = export_goaml(args.output_root, country, args.business_date, args.output, settings)
    if skipped:
        print(f"note: {skipped} lookback alert(s) have no amount (the party store keeps none) and are not in the "
              f"goAML report; rerun {country} {args.business_date} with the new list to report them", file=err)  # fmt: skip
    if count == 0:
        print(f"no alerts to report for {country} {args.business_date}; nothing written", file=out)
        return EXIT_OK
    try:
        problems = validate(args.output)
    except ImportError:
        problems = None
    if problems:
        print(f"fiu-screen export-goaml: FATAL {args.output} fails the goAML schema check:", file=err)
        for line in problems[:20]:
            print(f"  {line}", file=err)
        os.replace(args.output, args.output + ".invalid")
        return EXIT_FATAL
    checked = "valid against" if problems == [] else "not checked (lxml missing) against"
    print(f"{count} transaction(s) of {country} {args.business_date} written to {args.output} (goAML 4.0, "
          f"rentity_id {args.rentity_id}; {checked} schemas/goaml/goaml_4.0_subset.xsd)", file=out)  # fmt: skip
    return EXIT_OK


def rescreen_command(args: argparse.Namespace) -> int:
    from pipelines.lock import OutputBusy, writer_lock
    from pipelines.rescreen import exit_code, rescreen, summary
    from transforms.suppress import SuppressionError
    from watchlists.errors import WatchlistError
    from watchlists.spec import load_watchlists

    countries = check_countries(args.country_args)
    if args.days < 1:
        raise UsageError("--days must be at least 1")
    if args.threshold is not None and not 0 < args.threshold <= 100:
        raise UsageError(f"--threshold must be in (0, 100], got {args.threshold}")
    if not os.path.isdir(os.path.join(args.output_root, "manifests")):
        raise UsageError(f"--output-root {args.output_root!r} has no manifests/ folder")
    out, err = sys.stdout, sys.stderr
    t0 = time.monotonic()
    try:
        lists = load_watchlists(args.watchlists)
    except (WatchlistError, ValueError) as exc:
        print(f"fiu-screen rescreen: FATAL {exc}; nothing written", file=err)
        return EXIT_FATAL
    try:
        with writer_lock(args.output_root):
            outcomes = rescreen(args.output_root, lists, args.days, args.business_date, args.threshold,
                                args.suppressions, countries)  # fmt: skip
    except OutputBusy as exc:
        print(f"fiu-screen rescreen: FATAL {exc}; nothing written", file=err)
        return EXIT_FATAL
    except SuppressionError as exc:
        raise UsageError(str(exc)) from None
    print(summary(outcomes, time.monotonic() - t0), file=out)
    return exit_code(outcomes, err)


def status_command(args: argparse.Namespace) -> int:
    from pipelines.lock import current_writer
    from pipelines.status import print_status, status_rows

    countries = check_countries(args.country_args)
    writer = current_writer(args.output_root)
    if writer:
        print(f"note: a run or rescreen is writing to {args.output_root!r} now: {writer}", file=sys.stderr)
    return print_status(status_rows(args.output_root, args.business_date, countries or None), sys.stdout, args.json)
