"""One writer per output root at a time.

`fiu-screen run` and `fiu-screen rescreen` both replace partitions, rewrite manifests and
update the list state under an output root. Each partition swap is atomic, but two writers at
once (the nightly run and an ops rerun of one country, or a rescreen) could leave one
country's alerts from one and its party store from the other, or lose one's list-state update.
So each takes an exclusive `flock` on `<output-root>/.lock` for its whole run; a second one
fails at once (exit 1, nothing written) and says which process holds it (from /proc/locks).
The kernel drops the lock when its holder exits or is killed: a crashed run never leaves a
stale lock behind. The file is written once, when it is created, and never changes after
(a rerun of one country changes that country's partition and nothing else). Readers
(analysts' notebooks, `status`, `export-goaml`) take no lock: what they read is swapped in
whole; `status` says who is writing, if anyone (`current_writer`).
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from typing import Iterator, Optional

LOCK_FILE = ".lock"
_NOTE = b"fiu-screen run and rescreen hold an exclusive flock on this file while they write here.\n"


class OutputBusy(Exception):
    """Another writer holds the output root."""


def holder(fd: int) -> Optional[str]:
    """The process holding a flock on the file open as `fd`: its pid and command line, from
    /proc/locks (matched by inode number); None where that cannot be told."""
    inode = f":{os.fstat(fd).st_ino}"
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as f:
            for line in f:
                fields = line.split()  # "1: FLOCK  ADVISORY  WRITE 4711 fd:00:123456 0 EOF"
                if "FLOCK" in fields and len(fields) > 5 and fields[5].endswith(inode) and "->" not in fields:
                    pid = fields[4]
                    with open(f"/proc/{pid}/cmdline", "rb") as cmd:
                        command = cmd.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
                    return f"pid {pid} ({command[:200]})"
    except (OSError, IndexError):
        pass
    return None


def current_writer(output_root: str) -> Optional[str]:
    """Who is writing to the output root now (`holder`), or None; takes no lock itself, so it
    never stands in a writer's way."""
    try:
        fd = os.open(os.path.join(output_root, LOCK_FILE), os.O_RDONLY)
    except OSError:
        return None  # never written to by this version, or not readable
    try:
        return holder(fd)
    finally:
        os.close(fd)


@contextmanager
def writer_lock(output_root: str) -> Iterator[None]:
    """Hold `<output-root>/.lock` (created, with the output root, if missing) while the block
    runs; OutputBusy at once if another process holds it."""
    os.makedirs(output_root, exist_ok=True)
    fd = os.open(os.path.join(output_root, LOCK_FILE), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            by = holder(fd) or "another process"
            raise OutputBusy(f"another fiu-screen run or rescreen is writing to {output_root!r}: {by}; "
                             "try again when it has finished") from None  # fmt: skip
        if os.fstat(fd).st_size == 0:
            os.write(fd, _NOTE)
        yield
    finally:
        os.close(fd)  # releases the lock
