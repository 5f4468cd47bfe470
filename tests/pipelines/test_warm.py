"""pipelines.warm: a run's local worker processes come from one template process that did their
imports beside the run's start; Beam's runner is unchanged, and nothing depends on the template."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from pipelines import warm
from pipelines.nightly import beam_options
from pipelines.runners import template_workers
from tests.pipelines import warm_job

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
pytestmark = pytest.mark.skipif(not warm.supported(), reason="templates are started on Linux only")


def _job(tmp_path, mode: str) -> tuple[list[dict], dict]:
    """Run warm_job in a subprocess (a hung worker fails here, on the timeout): its rows, and
    the line about the template."""
    out = tmp_path / "rows.jsonl"
    subprocess.run([sys.executable, "-m", "tests.pipelines.warm_job", str(out), mode], cwd=ROOT, check=True,
                   timeout=240)  # fmt: skip
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    return lines[:-1], lines[-1]


def test_every_worker_comes_from_the_template(tmp_path):
    rows, template = _job(tmp_path, "template")
    assert sorted(r["x"] for r in rows) == list(range(warm_job.ELEMENTS))  # as Beam's own workers give it
    assert all(r["prepared"] for r in rows)
    # the template is the last worker itself; the others are its forks (so still in the run's process tree)
    assert {r["pid"] == template["template"] or r["ppid"] == template["template"] for r in rows} == {True}
    assert template["exit"] == 0 and template["failed"] is None


def test_without_a_template_the_workers_are_beams_own(tmp_path):
    rows, template = _job(tmp_path, "no-template")
    assert sorted(r["x"] for r in rows) == list(range(warm_job.ELEMENTS))
    assert not any(r["prepared"] for r in rows)
    assert not any(template["template"] in (r["pid"], r["ppid"]) for r in rows)
    assert template["exit"] == 0  # it waited for workers that never came, and left when told


@pytest.mark.skipif(os.getuid() != 0, reason="needs root, to connect as another user")
def test_another_users_process_gets_no_worker(tmp_path):
    """Abstract socket names are visible to every local user: the template takes workers only
    from its own user's processes, and the run's workers still all come from it."""
    rows, template = _job(tmp_path, "intruder")
    # it connected and was hung up on (closed, or reset as its request went unread): not taken
    assert template["intruder"] == "reply:" or "reset by peer" in template["intruder"]
    assert sorted(r["x"] for r in rows) == list(range(warm_job.ELEMENTS))
    assert all(r["prepared"] for r in rows)


def test_a_failing_worker_fails_the_run_and_leaves_no_process(tmp_path):
    rows, template = _job(tmp_path, "fail")
    assert "planted failure" in template["failed"]
    assert template["exit"] is not None  # the template (a worker) has exited


def test_a_template_the_run_never_used_exits_when_closed(tmp_path):
    rows, template = _job(tmp_path, "unused")
    assert rows == [] and template["exit"] == 0


def test_only_the_local_multi_process_run_starts_one(tmp_path):
    big = 1 << 40
    assert template_workers(beam_options(["--direct_running_mode=multi_processing", "--direct_num_workers=2"])) == 2
    assert template_workers(beam_options([], big)) == (os.cpu_count() if (os.cpu_count() or 1) > 1 else 0)
    assert template_workers(beam_options([])) == 0  # small input: in-process
    assert template_workers(beam_options(["--runner=PortableRunner"], big)) == 0


def test_the_switch_turns_it_off(monkeypatch):
    monkeypatch.setenv(warm.SWITCH, "0")
    assert not warm.supported()
    assert template_workers(beam_options(["--direct_running_mode=multi_processing", "--direct_num_workers=2"])) == 0


def test_attach_is_small():
    """The command Beam launches per worker imports nothing heavy before it hands over."""
    code = "import sys, pipelines.warm; print(sorted(m for m in ('apache_beam', 'pandas', 'great_expectations', 'grpc') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_template_that_cannot_start_leaves_the_workers_to_beam(monkeypatch):
    def refuse(self, count):
        raise OSError("no Unix sockets here")

    monkeypatch.setattr(warm.WarmWorkers, "__init__", refuse)
    with warm.for_run(2) as template:
        assert template is None and warm.active() is None
    with warm.for_run(0) as template:
        assert template is None


def test_an_early_template_is_the_one_a_run_for_as_many_workers_takes():
    warm.start_early(2)
    early = warm._EARLY[-1]
    with warm.for_run(2) as template:
        assert template is early and warm.active() is early and not warm._EARLY
    assert early.returncode == 0  # never asked for a worker: it exits when closed


@pytest.mark.parametrize("wanted", [0, 3])
def test_an_early_template_a_run_does_not_take_is_stopped(wanted):
    warm.start_early(2)
    early = warm._EARLY[-1]
    with warm.for_run(wanted) as template:
        assert template is not early and early.returncode is not None and not warm._EARLY
        assert (template is None) == (wanted == 0)


def test_nothing_starts_early_for_no_workers_and_a_discarded_one_ends():
    warm.start_early(0)
    assert not warm._EARLY
    warm.start_early(2)
    early = warm._EARLY[-1]
    warm.discard_early()
    assert early.returncode is not None and not warm._EARLY


def test_the_command_line_starts_one_only_for_a_default_run_over_large_feeds(tmp_path, monkeypatch):
    import argparse

    from pipelines import cli, local_mode

    day = tmp_path / "2026-11-27" / "NL" / "bank"
    day.mkdir(parents=True)
    (day / "payments.csv").write_bytes(b"x" * 1000)
    args = argparse.Namespace(input_root=str(tmp_path), business_date="2026-11-27", countries=[])
    started = []
    monkeypatch.setattr(warm, "start_early", started.append)
    cli._start_workers_early(args, [])
    monkeypatch.setattr(local_mode, "MULTI_PROCESS_MIN_BYTES", 1000)
    cli._start_workers_early(args, ["--direct_running_mode=in_memory"])  # Beam arguments: the run decides
    cli._start_workers_early(argparse.Namespace(**{**vars(args), "countries": ["BE"]}), [])  # nothing of BE's
    cli._start_workers_early(args, [])
    cores = os.cpu_count() or 1
    assert started == [0, 0, cores if cores > 1 else 0]
