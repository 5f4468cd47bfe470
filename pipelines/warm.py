"""Worker processes made ready while the run starts (the local DirectRunner's multi-process mode).

Beam starts each local worker process when the pipeline starts, as a fresh Python
(`python -m apache_beam.runners.worker.sdk_worker_main`): each imported Beam, this project's
transforms and great-expectations and built its GX context (~3.5 s of CPU each) while the
other core was just as busy, and the run's own start (lists, run id, the Beam graph) had kept
one core idle before that.

`WarmWorkers` starts one process ("the template") at the run's start that does that
preparation once, beside the runner's own start; the command line starts it first thing
(`start_early`), before the run imports Beam, when it can tell that the run will want one.
Beam then launches, instead of a worker, a small command (`attach`) that hands its environment
(where the runner listens) to the template over a Unix socket and waits: the template forks a
copy of itself for each worker but the last, and becomes the last itself; each runs Beam's own
worker main with that environment and reports its exit code back to the command Beam waits
on. So Beam's runner and its workers are Beam's; only where a worker's imports happen changes.

Nothing depends on it: a command that finds no template (none started, it failed, or it has
handed out every worker) becomes Beam's plain worker (exec). A template whose run ends before
its pipeline does exits when the run closes its pipe. Both ends check that the other runs as
the same user (abstract socket names are visible to every local user). Linux only (abstract
Unix socket names, SO_PEERCRED, fork); elsewhere nothing is started.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import select
import shlex
import socket
import struct
import subprocess
import sys
import threading
from typing import Any, ContextManager, Optional

BEAM_WORKER = "apache_beam.runners.worker.sdk_worker_main"
_TAKEN = b"taken\n"
_ACTIVE: list["WarmWorkers"] = []  # the run's template, while it is open (`active`)
_PREPARED: list[bool] = []  # whether this process is (a copy of) a template that has prepared
_EARLY: list["WarmWorkers"] = []  # a template started before the run knew it would take it (`start_early`)


SWITCH = "FIU_SCREEN_WARM_WORKERS"  # "0": Beam starts its workers itself, as before


def supported() -> bool:
    """Whether runs here start a template: on Linux, unless the switch says no."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and os.environ.get(SWITCH, "1") != "0"


class WarmWorkers:
    """The template process for `count` workers of this run; `command` is the worker command
    for Beam. Use as a context manager: while open, `active()` returns it."""

    def __init__(self, count: int) -> None:
        if count < 1:
            raise ValueError(f"count must be at least 1, got {count}")
        self.count = count
        self.name = f"fiu-screen-{os.getpid()}-{secrets.token_hex(6)}"
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind("\0" + self.name)
            listener.listen(count)
            self._process = subprocess.Popen(
                [sys.executable, "-m", __name__, "serve", str(count), str(listener.fileno())],
                stdin=subprocess.PIPE, pass_fds=(listener.fileno(),),
            )  # fmt: skip
        finally:
            listener.close()  # the template holds it now; if it dies, `attach` finds no one

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def returncode(self) -> Optional[int]:
        """The template's exit code once it has exited (after the context), else None."""
        return self._process.poll()

    @property
    def command(self) -> str:
        return f"{shlex.quote(sys.executable)} -m {__name__} attach {self.name}"

    def close(self) -> None:
        """Tell the template the run needs no more workers; it exits unless it is one."""
        if self._process.stdin and not self._process.stdin.closed:
            self._process.stdin.close()
        if _ACTIVE and _ACTIVE[-1] is self:
            _ACTIVE.pop()

    def stop(self) -> None:
        """End a template no run will take workers from, at once (it may still be preparing)."""
        self.close()
        self._process.kill()
        self._process.wait()

    def __enter__(self) -> "WarmWorkers":
        _ACTIVE.append(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


def start_early(count: int) -> None:
    """Start the template for `count` workers now (none for 0), before the run imports Beam and
    loads its lists, for the run's `for_run` to take: its preparation then overlaps all of the
    run's start, not only what follows the lists. Nothing is started, and nothing said, when
    it cannot start: `for_run` tries again."""
    if count and supported() and not _EARLY:
        try:
            _EARLY.append(WarmWorkers(count))
        except OSError:
            pass


def discard_early() -> None:
    """Stop a template `start_early` started that no run took (the run ended before it, or
    wanted another)."""
    while _EARLY:
        _EARLY.pop().stop()


def for_run(count: int) -> ContextManager[Any]:
    """The run's template for `count` workers, or none (`count` 0, or it could not be started:
    Beam then starts its workers itself); the one `start_early` started when it is for as many."""
    if _EARLY and _EARLY[-1].count == count:
        return _EARLY.pop()
    discard_early()
    if not count:
        return contextlib.nullcontext()
    try:
        return WarmWorkers(count)
    except OSError as exc:
        logging.getLogger(__name__).warning("worker template not started (%s); Beam starts the workers itself", exc)
        return contextlib.nullcontext()


def active() -> Optional[WarmWorkers]:
    """The open `WarmWorkers` of this process's run, if any."""
    return _ACTIVE[-1] if _ACTIVE else None


# --- the command Beam launches --------------------------------------------------------------


def attach(name: str) -> int:
    """Hand this process's environment to the template and return the worker's exit code; or,
    when no template takes it, become Beam's plain worker."""
    try:
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect("\0" + name)
        if not same_user(conn):  # the name was taken by someone else's process: not ours to tell where the runner is
            raise ConnectionRefusedError("the template's name is held by another user's process")
        conn.sendall(json.dumps(dict(os.environ)).encode() + b"\n")
        replies = conn.makefile("rb")
        if replies.readline() != _TAKEN:
            raise ConnectionError("the template did not take this worker")
    except OSError:
        os.execv(sys.executable, [sys.executable, "-m", BEAM_WORKER])
    code = replies.readline().strip()
    return int(code) if code.lstrip(b"-").isdigit() else 1


# --- the template ---------------------------------------------------------------------------


def prepare() -> None:
    """What every worker of a screening run does first: import Beam's worker and this
    project's transforms, build the GX context, and move what is alive now out of the
    collector's walks (which also keeps the forked copies' pages shared)."""
    from apache_beam.runners.worker import sdk_worker_main  # noqa: F401

    from transforms import gc_policy, party_store, read, screen, write  # noqa: F401
    from transforms.validate import runtime

    runtime()
    gc_policy.relax()
    _PREPARED.append(True)


def prepared() -> bool:
    """Whether this process is a template's worker (its preparation done before it was one)."""
    return bool(_PREPARED)


def serve(count: int, fd: int) -> None:
    """Prepare, then take `count` workers from `attach` commands: fork for each but the last,
    become the last. Returns (to exit) when the run closes stdin before that."""
    listener = socket.socket(fileno=fd)
    prepare()
    if threading.active_count() > 1:
        count = 1  # forking a process with threads is unsafe: only this process becomes a worker
    children: list[int] = []
    while True:
        ready, _, _ = select.select([listener, sys.stdin], [], [])
        if sys.stdin in ready and not sys.stdin.buffer.read1(1):
            return
        if listener not in ready:
            continue
        conn, _ = listener.accept()
        env = _environment(conn)
        if env is None:
            conn.close()
            continue
        if count == 1:
            listener.close()
            _work(conn, env, children)
        pid = os.fork()
        if pid == 0:
            listener.close()
            _work(conn, env, [])
        children.append(pid)
        conn.close()
        count -= 1


def same_user(conn: socket.socket) -> bool:
    """Whether the process at the other end of a Unix socket runs as this process's user.
    Abstract socket names are visible to every local user: another user's process must not get
    a worker (it would tell it which runner to take code from) nor be told where the runner is."""
    _, uid, _ = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
    return uid == os.getuid()


def _environment(conn: socket.socket) -> Optional[dict[str, str]]:
    """The environment an `attach` command sent, or None for a connection that is not one
    (another user's process, or no well-formed environment)."""
    if not same_user(conn):
        return None
    try:
        env = json.loads(conn.makefile("rb").readline())
    except (OSError, ValueError):
        return None
    ok = isinstance(env, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in env.items())
    return env if ok and "CONTROL_API_SERVICE_DESCRIPTOR" in env else None


def _work(conn: socket.socket, env: dict[str, str], children: list[int]) -> None:
    """Run Beam's worker main with the attached command's environment, report its exit code,
    and exit once the workers forked from this process have; never returns."""
    code = 1
    try:
        os.environ.clear()
        os.environ.update(env)
        conn.sendall(_TAKEN)
        from apache_beam.runners.worker import sdk_worker_main

        sdk_worker_main.main([])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - Beam's main logged it; the exit code says it
        code = 1
    finally:
        try:
            conn.sendall(f"{code}\n".encode())
        except OSError:
            pass
        conn.close()
        sys.stdout.flush()
        sys.stderr.flush()
        for pid in children:  # exits after them, so they stay in the run's process tree; but reports
            os.waitpid(pid, 0)  # first: the runner stops each worker only after the one before it
        os._exit(code)


def main(argv: list[str]) -> int:
    if argv[:1] == ["attach"] and len(argv) == 2:
        return attach(argv[1])
    if argv[:1] == ["serve"] and len(argv) == 3:
        serve(int(argv[1]), int(argv[2]))
        return 0
    print("usage: python -m pipelines.warm attach NAME | serve COUNT FD", file=sys.stderr)
    return 2


if __name__ == "__main__":  # the module's state (`prepared`) is pipelines.warm's, not __main__'s
    from pipelines import warm

    sys.exit(warm.main(sys.argv[1:]))
