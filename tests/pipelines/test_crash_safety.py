"""SIGKILL the run at many points: what existed stays readable, a rerun gives the same alerts.

Each kill runs `python -m pipelines run` in a fresh process over an output root that holds
an older run of every partition. Named points (`FIU_SCREEN_CRASH_AT`, see
pipelines/commit.py) cover every stage of the commit — before the pipeline, after it,
between partition swaps, before and after each manifest — and timed kills land during
start-up and the Beam pipeline. After each kill every partition must be the old one or
the new one, whole and readable; a rerun must then write exactly the uninterrupted alerts.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pyarrow.parquet as pq
import pytest

from tests.conftest import FIXTURES

E2E = os.path.join(FIXTURES, "e2e")
DATE = "2026-11-27"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NAMED = (["lists-loaded", "staging-created", "pipeline-done"] + [f"swap:{i}" for i in (1, 2, 5, 8, 11, 12)]
         + [f"json:{i}" for i in range(1, 7)] + [f"country-committed:{i}" for i in range(1, 7)])  # fmt: skip
TIMED = [0.4, 0.9, 1.4, 1.9]  # seconds after start: imports, list loading, the Beam pipeline


def _cmd(out, *extra):
    return [sys.executable, "-m", "pipelines", "run", "--input-root", os.path.join(E2E, "input"),
            "--output-root", str(out), "--business-date", DATE,
            "--watchlist", f"coalition:{os.path.join(E2E, 'coalition.csv')}", *extra]  # fmt: skip


def _run(out, *extra, crash_at=None, kill_after=None):
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false"}
    env.pop("FIU_SCREEN_CRASH_AT", None)
    if crash_at:
        env["FIU_SCREEN_CRASH_AT"] = crash_at
    proc = subprocess.Popen(_cmd(out, *extra), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if kill_after is not None:
        try:
            proc.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
    _, stderr = proc.communicate(timeout=120)
    _LAST_STDERR[str(out)] = stderr.decode(errors="replace")[-2000:]
    return proc.returncode


_LAST_STDERR: dict[str, str] = {}


def _partitions(root):
    """{partition or manifest path: bytes}; staging and trash folders are not partitions."""
    out = {}
    for base, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if name.startswith("."):
                continue  # a temporary file of an atomic write, never read as output
            path = os.path.join(base, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, root)] = f.read()
    return out


def _run_id(manifest_bytes):
    return json.loads(manifest_bytes)["run_id"]


@pytest.fixture(scope="module")
def states(tmp_path_factory):
    """An older run (another threshold, so every file differs) and the uninterrupted new run."""
    base = tmp_path_factory.mktemp("crash")
    old, new = base / "old", base / "new"
    assert _run(old, "--threshold", "95") == 3
    assert _run(new) == 3
    return base, _partitions(old), _partitions(new)


def _check_after_kill(out, old, new):
    now = _partitions(out)
    assert set(now) >= set(old), f"partitions disappeared: {sorted(set(old) - set(now))}"
    for path, data in now.items():
        if path.endswith(".parquet"):
            pq.read_table(os.path.join(out, path))  # readable
            assert data in (old.get(path), new.get(path)), f"{path} is neither the old nor the new file"
        elif path.startswith("manifests"):
            assert _run_id(data) in (_run_id(old[path]), _run_id(new[path])), path


def _kill_and_rerun(base, old, new, label, crash_at=None, kill_after=None):
    out = base / f"k-{label.replace(':', '_')}"
    shutil.copytree(base / "old", out)
    code = _run(out, crash_at=crash_at, kill_after=kill_after)
    if crash_at:
        assert code == -signal.SIGKILL, f"{label}: the run was not killed (exit {code}): {_LAST_STDERR[str(out)]}"
    _check_after_kill(out, old, new)
    assert _run(out) == 3, f"{label}: rerun failed: {_LAST_STDERR[str(out)]}"
    after = _partitions(out)
    for path in new:
        if path.startswith(("alerts", "quarantine")):
            assert after[path] == new[path], f"{label}: {path} differs from the uninterrupted run"
    assert not os.listdir(out / ".staging"), f"{label}: staging left behind"
    leftovers = [n for _, _, ns in os.walk(out) for n in ns if ".tmp-" in n]
    assert not leftovers, f"{label}: temporary files left behind: {leftovers}"
    return label


def test_sigkill_at_many_points_never_leaves_a_half_written_partition(states):
    base, old, new = states
    jobs = [(p, p, None) for p in NAMED] + [(f"t{t}", None, t) for t in TIMED]
    assert len(jobs) >= 20
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(lambda j: _kill_and_rerun(base, old, new, *j), jobs))
    assert len(done) == len(jobs)


def test_rerun_is_idempotent(states):
    base, _, new = states
    out = base / "again"
    shutil.copytree(base / "new", out)
    assert _run(out) == 3
    after = _partitions(out)
    alerts = {p: d for p, d in new.items() if p.startswith("alerts")}
    assert alerts and {p: d for p, d in after.items() if p.startswith("alerts")} == alerts
