"""`fiu-screen run` end to end on a tiny input tree, through the real CLI and the Beam runner."""

import json
import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from pipelines.cli import main
from tests.conftest import FIXTURES

E2E = os.path.join(FIXTURES, "e2e")
DATE = "2026-11-27"
ALERT_COLUMNS = ["alert_id", "business_date", "country", "fiu", "source_type", "source_file", "source_row", "tx_id",
                 "tx_timestamp", "amount", "currency", "party_role", "party_name", "party_identifier", "entry_id",
                 "list_source", "matched_name", "entity_type", "match_type", "score", "explanation",
                 "watchlist_version", "pipeline_version", "run_id", "lookback", "status"]  # fmt: skip


def _run(out, *extra):
    return main(["run", "--input-root", os.path.join(E2E, "input"), "--output-root", str(out),
                 "--business-date", DATE, "--watchlist", f"coalition:{os.path.join(E2E, 'coalition.csv')}", *extra])  # fmt: skip


def _files(root):
    """Every output file with its bytes and mtime, hidden staging folders excluded."""
    out = {}
    for base, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            path = os.path.join(base, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, root)] = (f.read(), os.stat(path).st_mtime_ns)
    return out


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    code = _run(out)
    return out, code


def test_exit_code_is_partial_when_one_file_fails(first_run):
    _, code = first_run
    assert code == 3  # DE/bank/broken.xml is truncated XML


def test_alerts_load_with_one_line_of_pandas(first_run):
    out, _ = first_run
    nl = pd.read_parquet(out / "alerts", filters=[("country", "==", "NL")])
    assert list(nl.columns) == ALERT_COLUMNS
    assert set(nl["country"].astype(str)) == {"NL"}
    assert str(nl["tx_timestamp"].dtype) == "datetime64[us, UTC]"
    assert nl["score"].dtype == "float64" and nl["amount"].dtype == "float64"
    fired = {(r.tx_id, r.party_role, r.entry_id, r.match_type) for r in nl.itertuples()}
    assert fired == {("nl-1", "beneficiary", "T-001", "name"), ("nl-3", "remittance", "T-002", "imo")}
    assert all(nl["explanation"].str.len() > 20)


def test_crypto_address_in_other_letter_case_fires(first_run):
    out, _ = first_run
    be = pd.read_parquet(out / "alerts", filters=[("country", "==", "BE")])
    assert {(r.tx_id, r.entry_id, r.match_type) for r in be.itertuples()} == {("be-1", "T-003", "crypto_address")}


def test_gzip_feed_and_fuzzy_german_name(first_run):
    out, _ = first_run
    fr = pd.read_parquet(out / "alerts", filters=[("country", "==", "FR")])
    assert {(r.tx_id, r.entry_id) for r in fr.itertuples()} == {("fr-1", "T-004")}


def test_manifests_reconcile_and_name_the_failed_file(first_run):
    out, _ = first_run
    folder = out / "manifests" / f"business_date={DATE}"
    manifests = {p.name: json.loads(p.read_text()) for p in folder.iterdir()}
    assert set(manifests) == {f"country={c}.json" for c in ["BE", "DE", "ES", "FR", "IT", "NL"]}
    nl = manifests["country=NL.json"]
    assert nl["status"] == "ok" and nl["fiu"] == "FIU-NL"
    assert nl["files"] == [{"path": "bank/payments.csv", "format": "bank-csv", "rows_read": 4, "rows_screened": 3,
                            "rows_quarantined": 1, "status": "ok"}]  # fmt: skip
    assert nl["totals"]["alerts"] == 2
    assert nl["ignored"] == ["README.txt"]  # not a bank/ or crypto/ folder: listed, never silently skipped
    assert len(nl["watchlists"][0]["version"]) == 64
    de = manifests["country=DE.json"]
    assert de["status"] == "failed" and de["files"][0]["status"] == "failed"
    be = manifests["country=BE.json"]
    assert be["totals"] == {**be["totals"], "rows_read": 3, "rows_screened": 2, "rows_quarantined": 1}
    for m in manifests.values():
        for f in m["files"]:
            assert f["rows_read"] == f["rows_screened"] + f["rows_quarantined"]


def test_quarantine_keeps_raw_record_and_reason(first_run):
    out, _ = first_run
    q = pd.read_parquet(out / "quarantine")
    rows = {(str(r.country), r.source_file, r.source_row): r for r in q.itertuples()}
    assert "not-a-number" in rows[("NL", "bank/payments.csv", 4)].raw_record
    assert "amount" in rows[("NL", "bank/payments.csv", 4)].reason
    assert rows[("BE", "crypto/exchange.jsonl", 3)].raw_record == "this line is not json"
    assert "file could not be read" in rows[("DE", "bank/broken.xml", 0)].reason


def test_rerun_of_one_country_touches_only_its_partition(first_run, tmp_path):
    out, _ = first_run
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    before = _files(copy)
    assert _run(copy, "--country", "NL") == 0
    after = _files(copy)
    nl_paths = {p for p in after if "country=NL" in p}
    assert nl_paths and set(before) == set(after)
    for path in after:
        if path.startswith("reports"):
            continue  # the date's run report covers every country, so it is rebuilt with NL's new numbers
        if path not in nl_paths:
            assert after[path] == before[path], path  # same bytes and same mtime
    ids = lambda root: sorted(pd.read_parquet(root / "alerts", filters=[("country", "==", "NL")])["alert_id"])  # noqa: E731
    assert ids(copy) == ids(out)


def test_two_runs_give_identical_alert_files(first_run, tmp_path):
    out, _ = first_run
    _run(tmp_path)
    a = _files(out)
    b = _files(tmp_path)
    for path in a:
        if path.startswith("alerts"):
            assert a[path][0] == b[path][0], path


@pytest.mark.parametrize("args", [["--country", "../NL"], ["--country", "/etc"], ["--business-date", "2026-02-30"],
                                  ["--threshold", "0"]])  # fmt: skip
def test_usage_errors_exit_2_and_write_nothing(tmp_path, args):
    out = tmp_path / "o"
    base = ["run", "--input-root", os.path.join(E2E, "input"), "--output-root", str(out),
            "--watchlist", f"coalition:{os.path.join(E2E, 'coalition.csv')}"]  # fmt: skip
    if "--business-date" not in args:
        base += ["--business-date", DATE]
    try:
        code = main(base + args)
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    assert code == 2
    assert not (out / "alerts").exists()


@pytest.mark.parametrize("given, named", [(["--runer", "DaskRunner"], "--runer (did you mean --runner?)"),
                                          (["--contry", "NL"], "--contry"), (["--direct_num_worker=2"], "--direct_num_worker=2"),
                                          (["NL"], "NL")])  # fmt: skip
def test_an_unknown_option_is_a_usage_error_not_a_warning(tmp_path, capsys, given, named):
    """Beam only warns of a flag it does not know and runs on: a mistyped runner flag ran on the
    default runner, a mistyped country flag screened (and rewrote) every country."""
    out = tmp_path / "o"
    code = main(["run", "--input-root", os.path.join(E2E, "input"), "--output-root", str(out), "--business-date", DATE,
                 "--watchlist", f"coalition:{os.path.join(E2E, 'coalition.csv')}", *given])  # fmt: skip
    assert code == 2
    assert f"unknown option(s): {named}" in capsys.readouterr().err
    assert not out.exists()


def test_the_dask_runner_without_the_dask_extra_is_a_usage_error(tmp_path, capsys, monkeypatch):
    """dask is an extra: a plain install runs on the DirectRunner (it once failed on importing
    dask at start), and asking it for the DaskRunner says what to install."""
    from pipelines import runners

    monkeypatch.setattr(runners, "_installed", lambda module: False)
    out = tmp_path / "o"
    code = main(["run", "--input-root", os.path.join(E2E, "input"), "--output-root", str(out), "--business-date", DATE,
                 "--watchlist", f"coalition:{os.path.join(E2E, 'coalition.csv')}", "--runner", "DaskRunner"])  # fmt: skip
    assert code == 2
    assert "--runner DaskRunner needs dask.distributed: pip install" in capsys.readouterr().err
    assert not out.exists()
    assert runners.runner_unavailable([]) is None and runners.runner_unavailable(["--runner=direct"]) is None


def test_a_missing_watchlist_is_fatal_and_writes_nothing(tmp_path):
    out = tmp_path / "o"
    code = main(["run", "--input-root", os.path.join(E2E, "input"), "--output-root", str(out), "--business-date", DATE,
                 "--watchlist", "coalition:/nonexistent/list.csv"])  # fmt: skip
    assert code == 1
    assert not (out / "alerts").exists()


def test_beam_options_pass_through_and_multiprocess_output_is_identical(first_run, tmp_path):
    """Workers are fresh processes importing the installed package; the files must not differ."""
    out, _ = first_run
    code = _run(tmp_path, "--direct_running_mode=multi_processing", "--direct_num_workers=2")
    assert code == 3
    a, b = _files(out), _files(tmp_path)
    alert_files = [p for p in a if p.startswith(("alerts", "quarantine", "parties"))]
    assert alert_files
    for path in alert_files:
        assert a[path][0] == b[path][0], path


@pytest.mark.parametrize("given", [["--country", "nl"], ["--countries", "NL,be"], ["--country", "NL", "--country", "BE"]])
def test_country_flag_spellings_reach_the_run_not_beam(given, monkeypatch):
    """`--countries` (as `generate` spells it) once went to Beam as an unknown flag: every country ran."""
    import pipelines.nightly as nightly

    seen = {}
    monkeypatch.setattr(nightly, "run", lambda args, extra: seen.update(countries=args.countries, extra=extra) or 0)
    assert main(["run", "--input-root", "i", "--output-root", "o", "--business-date", DATE,
                 "--watchlist", "coalition:x.csv", *given]) == 0  # fmt: skip
    assert seen["extra"] == [] and seen["countries"] == [c.upper() for g in given[1::2] for c in g.split(",")]


def test_a_default_run_over_large_feeds_takes_the_template_the_command_line_started(first_run, tmp_path,
                                                                                    monkeypatch):  # fmt: skip
    """Started before the run imports Beam (`pipelines.warm.start_early`), taken by the run; the
    files are the in-process run's."""
    from pipelines import local_mode, nightly, warm

    if not warm.supported():
        pytest.skip("templates are started on Linux only")
    monkeypatch.setattr(local_mode, "MULTI_PROCESS_MIN_BYTES", 0)  # these feeds count as large
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    events = []
    made, taken = warm.WarmWorkers.__init__, warm.for_run

    def make(self, count):
        events.append(("started", count))
        made(self, count)

    def take(count):
        template = taken(count)
        events.append(("taken", type(template).__name__, count))
        return template

    monkeypatch.setattr(warm.WarmWorkers, "__init__", make)
    monkeypatch.setattr(warm, "for_run", take)
    monkeypatch.setattr(nightly, "run", lambda *a, _run=nightly.run: events.append(("run",)) or _run(*a))
    out, _ = first_run
    assert _run(tmp_path) == 3
    assert events == [("started", 2), ("run",), ("taken", "WarmWorkers", 2)] and not warm._EARLY
    a, b = _files(out), _files(tmp_path)
    partitions = [p for p in a if p.startswith(("alerts", "quarantine", "parties"))]
    assert partitions and all(a[p][0] == b[p][0] for p in partitions)


def test_the_command_ends_with_main_s_exit_code_and_all_its_output(tmp_path):
    """`python -m pipelines` (and the `fiu-screen` script) end the process straight after `main`
    (`cli.entry`): the exit code and everything printed, through pipes, are still there."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    cmd = [sys.executable, "-m", "pipelines", "run", "--input-root", os.path.join(E2E, "input"), "--output-root",
           str(tmp_path / "out"), "--business-date", DATE, "--watchlist", f"coalition:{os.path.join(E2E, 'coalition.csv')}"]  # fmt: skip
    done = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 3, done.stderr[-2000:]
    assert done.stdout.rstrip().splitlines()[-1].startswith("run ") and " took " in done.stdout
    bad = subprocess.run([*cmd, "--runnr=DirectRunner"], cwd=root, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "did you mean --runner?" in bad.stderr
