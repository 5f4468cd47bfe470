"""Staging folders and atomic replacement of output partitions.

A run writes everything under `<output-root>/.staging/<run>/`; only when the whole pipeline
has succeeded is each partition folder renamed into place. Replacing an existing partition
moves the old one into `<output-root>/.trash/` first, so a crash between the two renames
leaves the old partition recoverable: `recover_and_clean` restores it at the next start.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
import signal
import uuid
from typing import Any

STAGING = ".staging"
TRASH = ".trash"
_TARGET = "target.txt"
_TMP = ".tmp-"


def new_staging_dir(output_root: str, run_id: str) -> str:
    path = os.path.join(output_root, STAGING, f"{run_id}-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    os.makedirs(path)
    return path


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_and_clean(output_root: str) -> list[str]:
    """Undo what a crashed run left: restore partitions caught mid-swap, drop stale staging."""
    done = []
    trash = os.path.join(output_root, TRASH)
    for name in sorted(os.listdir(trash)) if os.path.isdir(trash) else []:
        item = os.path.join(trash, name)
        target_file = os.path.join(item, _TARGET)
        data = os.path.join(item, "data")
        if os.path.exists(target_file) and os.path.isdir(data):
            with open(target_file, encoding="utf-8") as f:
                target = f.read()
            if not os.path.exists(target):
                os.makedirs(os.path.dirname(target), exist_ok=True)
                os.rename(data, target)
                done.append(f"restored {target}")
        shutil.rmtree(item, ignore_errors=True)
    json_folders = [os.path.join(output_root, d) for d in ("manifests", "watchlists")]
    for base, _, names in (w for folder in json_folders for w in os.walk(folder)):
        for name in names:  # temporary files of atomic JSON writes whose writer died
            if name.startswith(".") and _TMP in name:
                pid = name.rsplit(_TMP, 1)[1]
                if pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)):
                    os.remove(os.path.join(base, name))
                    done.append(f"removed stale temporary {name}")
    staging = os.path.join(output_root, STAGING)
    for name in sorted(os.listdir(staging)) if os.path.isdir(staging) else []:
        parts = name.split("-")
        pid = int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else -1
        if pid != os.getpid() and not _pid_alive(pid):
            shutil.rmtree(os.path.join(staging, name), ignore_errors=True)
            done.append(f"removed stale staging {name}")
    return done


def _exchange(a: str, b: str) -> bool:
    """Swap two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    global _RENAMEAT2
    if _RENAMEAT2 is None:
        try:
            func = ctypes.CDLL(None, use_errno=True).renameat2
            func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
            _RENAMEAT2 = func
        except (AttributeError, OSError):
            _RENAMEAT2 = False
    if not _RENAMEAT2:
        return False
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False  # the filesystem cannot exchange: fall back to two renames
    raise OSError(err, os.strerror(err), b)


_RENAMEAT2 = None
_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def replace_dir(staged: str, final: str, output_root: str) -> None:
    """Put the folder `staged` at `final`, replacing what was there, by renames only.

    Where the filesystem can exchange two paths atomically, readers always see either the
    old or the new partition. Elsewhere the old one is moved aside first; a crash between
    the two renames leaves it in .trash, from where `recover_and_clean` restores it.
    """
    os.makedirs(os.path.dirname(final), exist_ok=True)
    if not os.path.exists(final):
        os.rename(staged, final)
        return
    if _exchange(staged, final):
        crashpoint("swap")
        shutil.rmtree(staged, ignore_errors=True)  # now the old partition; stale staging if we die here
        return
    item = os.path.join(output_root, TRASH, uuid.uuid4().hex)
    os.makedirs(item)
    with open(os.path.join(item, _TARGET), "w", encoding="utf-8") as f:
        f.write(final)
    os.rename(final, os.path.join(item, "data"))
    crashpoint("swap")
    os.rename(staged, final)
    shutil.rmtree(item, ignore_errors=True)


def write_json_atomic(path: str, obj: Any) -> None:
    """Write JSON to a temporary file beside `path`, fsync, then rename over it."""
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    tmp = os.path.join(folder, f".{os.path.basename(path)}{_TMP}{os.getpid()}")  # hidden from *.json globs
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, sort_keys=False, ensure_ascii=False)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    crashpoint("json")
    os.replace(tmp, path)


CRASH_ENV = "FIU_SCREEN_CRASH_AT"
_crash_counts: dict[str, int] = {}


def crashpoint(name: str) -> None:
    """Fault injection for the crash-safety test: SIGKILL this process at a named point.

    `FIU_SCREEN_CRASH_AT=swap:3` kills at the third call of crashpoint("swap"); unset in
    production, where this costs one dictionary update.
    """
    _crash_counts[name] = _crash_counts.get(name, 0) + 1
    wanted = os.environ.get(CRASH_ENV)
    if wanted and wanted in (name, f"{name}:{_crash_counts[name]}"):
        os.kill(os.getpid(), signal.SIGKILL)
