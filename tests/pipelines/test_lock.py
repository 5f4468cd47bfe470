"""One writer per output root: `run` and `rescreen` refuse to start while another holds it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from pipelines.cli import main
from pipelines.lock import LOCK_FILE, OutputBusy, writer_lock
from tests.pipelines.test_cli_run import DATE, E2E, _run

HOLD = "from pipelines.lock import writer_lock\nimport sys, time\nwith writer_lock(sys.argv[1]):\n" \
       "    print('held', flush=True)\n    time.sleep(120)\n"  # fmt: skip


@pytest.fixture
def held(tmp_path):
    """The output root tmp_path/o, held by another process (killed afterwards), and that process."""
    out = tmp_path / "o"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield out, holder
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()


def test_a_second_writer_is_refused_at_once_and_told_who_holds_the_root(held):
    out, holder = held
    with pytest.raises(OutputBusy, match=rf"is writing to .*: pid {holder.pid} \(.*python.*-c"):
        with writer_lock(str(out)):
            pass


def test_the_lock_is_dropped_with_its_holder_even_when_killed(held):
    """The kernel drops the lock with its process: a run killed mid-way never blocks the next."""
    out, holder = held
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with writer_lock(str(out)):
        pass


def test_run_exits_1_and_writes_nothing_while_another_writer_holds_the_root(held, capsys):
    out, holder = held
    assert _run(out) == 1
    err = capsys.readouterr().err
    assert f"is writing to {str(out)!r}: pid {holder.pid}" in err and "nothing written" in err
    assert sorted(os.listdir(out)) == [LOCK_FILE]


def test_rescreen_exits_1_while_a_run_holds_the_root(tmp_path, capsys):
    out = tmp_path / "o"
    assert _run(out, "--country", "NL") == 0
    files = lambda: {str(p): p.stat().st_mtime_ns for p in out.rglob("*")}  # noqa: E731
    before = files()
    with writer_lock(str(out)):  # this process holds it, as a run would
        code = main(["rescreen", "--output-root", str(out), "--days", "1",
                     "--watchlist", f"coalition:{os.path.join(E2E, 'coalition.csv')}"])  # fmt: skip
    assert code == 1
    assert f"pid {os.getpid()}" in capsys.readouterr().err
    assert files() == before
    assert _run(out, "--country", "NL") == 0  # free again once the holder is done


def test_status_says_who_is_writing_without_standing_in_its_way(held, capsys):
    out, holder = held
    assert main(["status", "--output-root", str(out), "--business-date", DATE]) == 3  # no manifest yet
    assert f"is writing to {str(out)!r} now: pid {holder.pid}" in capsys.readouterr().err
    with pytest.raises(OutputBusy):  # status took no lock: the writer still holds it
        with writer_lock(str(out)):
            pass
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    main(["status", "--output-root", str(out), "--business-date", DATE])
    assert "is writing" not in capsys.readouterr().err
