"""The nightly run: options → read → screen → write partitions → commit; nothing else.

Exit codes (DESIGN §6): 0 all feeds screened; 3 some file or country failed, the rest was
written; 2 usage or configuration error; 1 fatal, nothing written.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
import time
from typing import Any, Optional, Sequence, TextIO

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from pipelines import report_charts, warm
from pipelines.commit import crashpoint, new_staging_dir, recover_and_clean, replace_dir, write_json_atomic
from pipelines.config import RunConfig, encryption_keys
from pipelines.inputs import FileDigests, UsageError, countries_in_scope, discover_files, fingerprint
from pipelines.liststate import guard_lists, save_list_state
from pipelines.lock import OutputBusy, writer_lock
from pipelines.manifest import build_manifest, file_entries, manifest_path, parquet_rows, planted_recall, summary_table
from pipelines.report import build_report
from pipelines.rescreen import write_list_snapshot
from pipelines.runners import (
    local_defaults,
    local_workers,
    runner_args,
    runner_unavailable,
    template_workers,
    unknown_flags,
)
from schemas.arrow import ALERT_SCHEMA, QUARANTINE_SCHEMA
from schemas.countries import fiu_for
from schemas.lookback import PARTY_SCHEMA, PartyRow
from schemas.records import Alert, FileStats, QuarantineRow
from schemas.version import PIPELINE_VERSION
from transforms.feeds import FeedFile
from transforms.parties import RunInfo, alert_sort_key
from transforms.party_store import BuildPartyStore, party_sort_key
from transforms.read import ReadFeeds
from transforms.screen import ScreenParties, save_lists
from transforms.suppress import (
    ApplySuppressions,
    SuppressionError,
    SuppressionIndex,
    load_suppressions,
    status_counts,
    suppression_path,
)
from transforms.write import (
    PART_FILE,
    PartitionSpec,
    WritePartitions,
    WritePartitionTables,
    country_encryption,
    partition_dir,
    write_parquet,
)
from watchlists.errors import WatchlistError
from watchlists.spec import Watchlist, load_watchlists

EXIT_OK, EXIT_FATAL, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3
PARTITION_KINDS = ("alerts", "quarantine", "parties")  # written per country and date, swapped in together


def beam_options(beam_args: Sequence[str], input_bytes: int = 0) -> PipelineOptions:
    """Beam options as given, with the runner defaults of pipelines.runners: the local DirectRunner
    (no download), in one process, or one worker process per core when the feeds are large."""
    return PipelineOptions(runner_args(beam_args, local_defaults(input_bytes)), save_main_session=False)


def _quarantine_key(q: QuarantineRow) -> tuple:
    return (q.source_file, q.source_row)


def _quarantine_extra(run: RunInfo) -> dict[str, str]:
    return {"run_id": run.run_id, "pipeline_version": run.pipeline_version}


def build_pipeline(p: beam.Pipeline, files: list[FeedFile], staging: str, lists_path: str, cfg: RunConfig, run: RunInfo,
                   business_date: str, keys: Optional[dict[str, str]] = None,
                   suppressions: Optional[SuppressionIndex] = None, lanes: Optional[int] = None) -> None:  # fmt: skip
    """The Beam graph: files → rows → screening → partition files + file stats in staging.
    `lanes`: how many groups of about equal size the files are read in (one per local worker)."""
    read = p | "ReadFeeds" >> ReadFeeds(files, reports_dir=os.path.join(staging, "reports"), lanes=lanes)
    alerts = read.blocks | "ScreenParties" >> ScreenParties(lists_path, cfg.threshold, run, cfg.match_workers,
                                                            os.path.join(staging, "blocks"), keys)  # fmt: skip
    if suppressions is not None and len(suppressions):
        alerts = alerts | "ApplySuppressions" >> ApplySuppressions(suppressions)
    (read.blocks
     | "BuildPartyStore" >> BuildPartyStore(os.path.join(staging, "occurrences"), keys)
     | "WriteParties" >> WritePartitionTables(
            PartitionSpec(staging, "parties", business_date, PartyRow, PARTY_SCHEMA, party_sort_key, keys=keys)))  # fmt: skip
    alerts | "WriteAlerts" >> WritePartitions(
        PartitionSpec(staging, "alerts", business_date, Alert, ALERT_SCHEMA, alert_sort_key, keys=keys))
    read.quarantine | "WriteQuarantine" >> WritePartitions(
        PartitionSpec(staging, "quarantine", business_date, QuarantineRow, QUARANTINE_SCHEMA, _quarantine_key,
                      _quarantine_extra(run), keys))  # fmt: skip
    stats_path = os.path.join(staging, "stats", "files")
    (read.stats
     | "StatsAsJson" >> beam.Map(lambda s: json.dumps(s._asdict(), sort_keys=True))
     | "WriteStats" >> beam.io.WriteToText(stats_path, file_name_suffix=".txt"))  # fmt: skip


def read_stats(staging: str) -> dict[tuple[str, str], FileStats]:
    out = {}
    folder = os.path.join(staging, "stats")
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    s = FileStats(**json.loads(line))
                    out[(s.country, s.source_file)] = s
    return out


def run(args: Any, beam_args: Sequence[str], out: Optional[TextIO] = None, err: Optional[TextIO] = None) -> int:
    """Run the nightly screening for one business date; returns the exit code."""
    out, err = out or sys.stdout, err or sys.stderr
    t0 = time.monotonic()
    try:
        cfg = RunConfig.load(args.config, threshold=args.threshold)
        if not os.path.isdir(args.input_root):
            raise UsageError(f"--input-root {args.input_root!r} is not a folder")
        beam_options(beam_args)  # bad Beam flags are a usage error before anything is read
        unknown = unknown_flags(beam_args)
        if unknown:
            raise UsageError(f"unknown option(s): {', '.join(unknown)} (see fiu-screen run --help)")
        if why := runner_unavailable(beam_args):
            raise UsageError(why)
    except UsageError as exc:
        print(f"fiu-screen run: {exc}", file=err)
        return EXIT_USAGE
    try:
        with writer_lock(args.output_root):
            return _screen(args, beam_args, cfg, t0, out, err)
    except OutputBusy as exc:
        print(f"fiu-screen run: FATAL {exc}; nothing written", file=err)
        return EXIT_FATAL


def _screen(args: Any, beam_args: Sequence[str], cfg: RunConfig, t0: float, out: TextIO, err: TextIO) -> int:
    """`run` past its usage checks, with the output root held (`pipelines.lock`)."""
    business_date, requested = args.business_date, args.countries
    input_day = os.path.join(args.input_root, business_date)
    countries = countries_in_scope(input_day, requested, cfg.countries)
    found = {country: discover_files(input_day, country, business_date) for country in countries}
    files: list[FeedFile] = [f for country in countries for f in found[country][0]]
    try:
        input_bytes = sum(os.path.getsize(f.path) for f in files)
    except OSError as exc:
        print(f"fiu-screen run: FATAL {exc}; nothing written", file=err)
        return EXIT_FATAL
    options = beam_options(beam_args, input_bytes)  # one process per core when large
    with warm.for_run(template_workers(options)):  # the workers' imports beside the run's own start
        return _screen_files(args, cfg, t0, out, err, countries, found, files, options)


def _screen_files(args: Any, cfg: RunConfig, t0: float, out: TextIO, err: TextIO, countries: list[str],
                  found: dict[str, tuple[list[FeedFile], list[str]]], files: list[FeedFile],
                  options: PipelineOptions) -> int:  # fmt: skip
    """`_screen` for the files found, with Beam's `options`."""
    business_date, timings = args.business_date, {}
    digests = FileDigests(files)  # hashed for the run id while the lists load
    try:
        lists = load_watchlists(args.watchlists)
    except (WatchlistError, ValueError) as exc:
        print(f"fiu-screen run: FATAL {exc}; nothing written", file=err)
        return EXIT_FATAL
    timings["load_watchlists"] = time.monotonic() - t0
    accepted = guard_lists(args.output_root, lists, cfg.pins, cfg.max_entry_drop, args.accept_list_change, err)
    if accepted is None:
        return EXIT_FATAL
    crashpoint("lists-loaded")

    ignored: dict[str, list[str]] = {}  # per country: entries that are not bank/ or crypto/ folders
    for country in countries:
        ignored[country] = found[country][1]
        for name in ignored[country]:
            print(f"warning: {country}/{name} is not a bank/ or crypto/ folder; not read", file=err)
    try:
        keys = encryption_keys(args.encrypt, args.encryption_keys, countries)
        suppressions = load_suppressions(args.suppressions, countries, business_date)
    except (UsageError, SuppressionError) as exc:
        print(f"fiu-screen run: {exc}", file=err)
        return EXIT_USAGE
    run_id = fingerprint(digests, business_date, ",".join(countries), PIPELINE_VERSION, str(cfg.threshold),
                         *(wl.version for wl in lists), *_suppression_files(args.suppressions, countries))  # fmt: skip
    run_info = RunInfo(run_id, PIPELINE_VERSION, tuple(sorted(cfg.fius.items())))

    os.makedirs(args.output_root, exist_ok=True)
    for note in recover_and_clean(args.output_root):
        print(f"recovered: {note}", file=err)
    staging = new_staging_dir(args.output_root, run_id)
    crashpoint("staging-created")
    try:
        lists_path = os.path.join(staging, "lists.bin")
        save_lists(lists, lists_path)
        t1 = time.monotonic()
        # the report's charts get their imports and fonts while the workers start (`warm_up`)
        charts = threading.Thread(target=report_charts.warm_up, name="report-warm-up", daemon=True)
        charts.start()
        with beam.Pipeline(options=options) as p:
            build_pipeline(p, files, staging, lists_path, cfg, run_info, business_date, keys, suppressions,
                           local_workers(options))  # fmt: skip
        timings["pipeline"] = time.monotonic() - t1
        crashpoint("pipeline-done")
        extra = {"accepted_list_changes": accepted} if accepted else {}
        manifests = commit(args.output_root, staging, countries, files, lists, cfg, run_info, business_date, timings,
                           extra, keys, ignored)  # fmt: skip
        save_list_state(args.output_root, lists, business_date)
        for wl in lists:  # what `fiu-screen rescreen` compares the next list versions with
            write_list_snapshot(args.output_root, wl)
    except Exception as exc:  # noqa: BLE001 - any failure before the commit is fatal and writes nothing
        print(f"fiu-screen run: FATAL {type(exc).__name__}: {exc}; nothing written", file=err)
        shutil.rmtree(staging, ignore_errors=True)
        return EXIT_FATAL
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    # the staging folder (every block and occurrence file of the run) goes while the report is drawn,
    # and is gone before the run returns
    cleanup = threading.Thread(target=shutil.rmtree, args=(staging, True), name="staging-cleanup")
    cleanup.start()
    charts.join()
    try:
        return _finish(args, manifests, countries, keys, run_id, t0, out, err)
    finally:
        cleanup.join()


def _finish(args: Any, manifests: list[dict[str, Any]], countries: list[str], keys: Optional[dict[str, str]],
            run_id: str, t0: float, out: TextIO, err: TextIO) -> int:  # fmt: skip
    """What a committed run prints: the summary, the report, the planted hits found, where things are."""
    business_date = args.business_date
    input_day = os.path.join(args.input_root, business_date)
    print(summary_table(manifests), file=out)
    report = _build_report(args.output_root, business_date, err)
    truth = args.ground_truth or os.path.join(input_day, "ground_truth.csv")
    if truth and os.path.exists(truth) and not keys:
        _print_recall(truth, args.output_root, business_date, countries, out)
    print(f"\nalerts:     {os.path.join(args.output_root, 'alerts')}", file=out)
    print(f"quarantine: {os.path.join(args.output_root, 'quarantine')}", file=out)
    print(f"manifests:  {os.path.join(args.output_root, 'manifests', f'business_date={business_date}')}", file=out)
    if report:
        print(f"report:     {report}", file=out)
    print(f"load with:  pandas.read_parquet({os.path.join(args.output_root, 'alerts')!r}, "
          f"filters=[('country', '==', 'NL')])", file=out)  # fmt: skip
    print(f"run {run_id} took {time.monotonic() - t0:.1f}s", file=out)
    return EXIT_OK if all(m["status"] == "ok" for m in manifests) else EXIT_PARTIAL


def commit(output_root: str, staging: str, countries: list[str], files: list[FeedFile], lists: Sequence[Watchlist],
           cfg: RunConfig, run: RunInfo, business_date: str, timings: dict[str, float],
           extra: dict[str, Any], keys: Optional[dict[str, str]] = None,
           ignored: Optional[dict[str, list[str]]] = None) -> list[dict[str, Any]]:  # fmt: skip
    """Reconcile, then move each country's partitions and manifest into place."""
    stats = read_stats(staging)
    manifests = []
    for country in countries:  # reconcile every country before anything is moved
        mine = [f for f in files if f.context.country == country]
        entries = file_entries(mine, stats)
        empty = (("alerts", Alert, ALERT_SCHEMA, None), ("quarantine", QuarantineRow, QUARANTINE_SCHEMA, _quarantine_extra(run)),
                 ("parties", PartyRow, PARTY_SCHEMA, None))
        for kind, record, schema, constants in empty:  # a country with nothing to report still gets its partitions
            folder = partition_dir(staging, kind, country, business_date)
            if not os.path.exists(os.path.join(folder, PART_FILE)):
                write_parquet(os.path.join(folder, PART_FILE), [], record, schema, constants,
                              country_encryption(keys, country, schema))  # fmt: skip
        alerts_dir = partition_dir(staging, "alerts", country, business_date)
        alerts = parquet_rows(alerts_dir)
        suppressed = status_counts(alerts_dir).get("suppressed", 0) if not keys else None
        quarantined = parquet_rows(partition_dir(staging, "quarantine", country, business_date))
        expected = sum(e["rows_quarantined"] for e in entries) + sum(1 for e in entries if e["status"] != "ok")
        if quarantined != expected:
            raise RuntimeError(f"reconciliation failed for {country}: {quarantined} quarantine records written, "
                               f"{expected} expected from the file counts")  # fmt: skip
        manifests.append(build_manifest(country, fiu_for(country, cfg.fius), business_date, run.run_id,
                                        run.pipeline_version, cfg.threshold, lists, entries, alerts, quarantined,
                                        dict(timings), {**extra, "ignored": (ignored or {}).get(country, []),
                                                        "finished_at": _utc_now()}))  # fmt: skip
        manifests[-1]["totals"]["alerts_suppressed"] = suppressed  # still written, with status = suppressed
    for country, manifest in zip(countries, manifests):
        for kind in PARTITION_KINDS:
            replace_dir(partition_dir(staging, kind, country, business_date),
                        partition_dir(output_root, kind, country, business_date), output_root)  # fmt: skip
        staged_reports = os.path.join(staging, "reports", f"country={country}")
        os.makedirs(staged_reports, exist_ok=True)  # a country without files still replaces old reports
        replace_dir(staged_reports, os.path.join(output_root, "reports", f"business_date={business_date}",
                                                 f"country={country}"), output_root)  # fmt: skip
        write_json_atomic(manifest_path(output_root, country, business_date), manifest)
        crashpoint("country-committed")
    return manifests


def _build_report(output_root: str, business_date: str, err: TextIO) -> Optional[str]:
    """The static HTML run report; a report that fails to build is a warning, not a failed run."""
    try:
        return build_report(output_root, business_date)
    except Exception as exc:  # noqa: BLE001 - the alerts are written; the report is a convenience
        print(f"warning: run report not written: {type(exc).__name__}: {exc}", file=err)
        return None


def _suppression_files(folder: Optional[str], countries: Sequence[str]) -> list[str]:
    """The suppression files' contents, so that a changed review changes the run id."""
    out = []
    for country in countries:
        path = suppression_path(folder, country) if folder else None
        if path and os.path.exists(path):
            with open(path, encoding="utf-8", errors="replace") as f:
                out.append(f"{country}:{f.read()}")
    return out


def _utc_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _print_recall(truth: str, output_root: str, business_date: str, countries: list[str], out) -> None:
    recall = planted_recall(truth, output_root, business_date, countries)
    if not recall:
        return
    found = sum(f for f, _ in recall.values())
    total = sum(t for _, t in recall.values())
    parts = ", ".join(f"{kind} {f}/{t}" for kind, (f, t) in sorted(recall.items()))
    print(f"\nplanted hits found (generator ground truth): {found}/{total} = {found / total:.3f}  ({parts})", file=out)
