"""The worker processes' garbage-collector settings (in a fresh interpreter: they are per process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc, json
from transforms import gc_policy
default = gc.get_threshold()
gc_policy.relax()
relaxed, frozen = gc.get_threshold(), gc.get_freeze_count()
gc.set_threshold(1000, 10, 10)
gc_policy.relax()  # once per process: a second call changes nothing
again = gc.get_threshold()
class Node: pass
a, b = Node(), Node(); a.other, b.other = b, a; del a, b  # a cycle made after the freeze
collected = gc.collect()
print(json.dumps({"default": default, "relaxed": relaxed, "frozen": frozen, "again": again, "collected": collected}))
"""


def test_relax_makes_young_collections_rarer_freezes_what_is_alive_and_still_collects_cycles():
    from transforms.gc_policy import YOUNG_THRESHOLD

    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["default"][0] < YOUNG_THRESHOLD
    assert seen["relaxed"] == [YOUNG_THRESHOLD, *seen["default"][1:]]
    assert seen["frozen"] > 1000  # the modules imported so far are out of the collector's walks
    assert seen["again"] == [1000, 10, 10]
    assert seen["collected"] >= 2


TRIM_PROBE = """
import json
import os
from transforms import gc_policy
def rss():
    return int(open('/proc/self/statm').read().split()[1]) * 4096 >> 20
blocks = [bytes(2048) for _ in range(100_000)]  # 200 MB in glibc's heap (too big for pymalloc)
kept = blocks[99::100]  # one in a hundred stays: the heap cannot shrink from its top alone
del blocks
before = rss()
gc_policy.give_back()
print(json.dumps({"trim": gc_policy._TRIM is not None, "before": before, "after": rss()}))
"""


def test_give_back_returns_freed_heap_memory_to_the_system():
    out = subprocess.run([sys.executable, "-c", TRIM_PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["trim"], "glibc's malloc_trim was not found"
    assert seen["before"] - seen["after"] > 100, seen  # MiB handed back


ARENA_PROBE = """
import ctypes, json, os, subprocess, sys, tempfile, threading
from transforms import gc_policy
if sys.argv[1] == "limit":
    gc_policy.limit_arenas(2)
libc = ctypes.CDLL("libc.so.6")
libc.fopen.restype = ctypes.c_void_p
libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
libc.fclose.argtypes = [ctypes.c_void_p]
start, held = threading.Barrier(8), []
def work():
    start.wait()  # all eight allocate at the same time: glibc hands out an arena per contended thread
    held.append([bytearray(4096) for _ in range(3000)])
threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
path = tempfile.mktemp()
f = libc.fopen(path.encode(), b"w"); libc.malloc_info(0, f); libc.fclose(f)
heaps = open(path).read().count("<heap nr=")
os.unlink(path)
child = subprocess.run([sys.executable, "-c", "import os; print(os.environ.get('MALLOC_ARENA_MAX'))"],
                       capture_output=True, text=True).stdout.strip()
print(json.dumps({"heaps": heaps, "child": child}))
"""


def _arenas(mode: str, env: dict[str, str]) -> dict:
    clean = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    out = subprocess.run([sys.executable, "-c", ARENA_PROBE, mode], cwd=ROOT, capture_output=True, text=True,
                         check=True, env={**clean, **env})  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_limit_arenas_caps_glibc_arenas_here_and_in_the_processes_started_from_here():
    unlimited, limited = _arenas("none", {}), _arenas("limit", {})
    assert unlimited["heaps"] > 2, unlimited  # without the cap, contended threads get arenas of their own
    assert limited["heaps"] <= 2, limited
    assert (unlimited["child"], limited["child"]) == ("None", "2")


def test_limit_arenas_leaves_the_operators_setting_alone():
    assert _arenas("limit", {"MALLOC_ARENA_MAX": "4"})["child"] == "4"


POOL_PROBE = """
import json, subprocess, sys
from transforms import gc_policy
gc_policy.arrow_on_malloc()
import pyarrow as pa
child = subprocess.run([sys.executable, "-c", "import pyarrow as pa; print(pa.default_memory_pool().backend_name)"],
                       capture_output=True, text=True, check=True).stdout.strip()
print(json.dumps({"here": pa.default_memory_pool().backend_name, "child": child}))
"""


def _pools(env: dict[str, str]) -> dict:
    clean = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    out = subprocess.run([sys.executable, "-c", POOL_PROBE], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**clean, **env})  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_arrow_on_malloc_here_and_in_the_processes_started_from_here():
    assert _pools({}) == {"here": "system", "child": "system"}


def test_arrow_on_malloc_leaves_the_operators_pool_alone():
    assert _pools({"ARROW_DEFAULT_MEMORY_POOL": "mimalloc"}) == {"here": "mimalloc", "child": "mimalloc"}


PAUSE_PROBE = """
import gc, json, threading
from transforms import gc_policy
seen = {}
with gc_policy.paused():
    seen["inside"] = gc.isenabled()
    with gc_policy.paused():  # another file read at the same time
        pass
    seen["after_inner"] = gc.isenabled()
seen["after"] = gc.isenabled()
gc.disable()
with gc_policy.paused():
    pass
seen["off_stays_off"] = not gc.isenabled()
gc.enable()
inside, go = threading.Event(), threading.Event()
def reader():
    with gc_policy.paused():
        inside.set()
        go.wait()
t = threading.Thread(target=reader); t.start(); inside.wait()
with gc_policy.paused():
    pass
seen["other_thread_inside"] = gc.isenabled()
go.set(); t.join()
seen["all_left"] = gc.isenabled()
try:
    with gc_policy.paused():
        raise ValueError("a file that fails")
except ValueError:
    pass
seen["after_error"] = gc.isenabled()
print(json.dumps(seen))
"""


def test_paused_stops_collections_until_the_last_reader_leaves_and_restores_the_collector():
    out = subprocess.run([sys.executable, "-c", PAUSE_PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen == {"inside": False, "after_inner": False, "after": True, "off_stays_off": True,
                    "other_thread_inside": False, "all_left": True, "after_error": True}


FREEZE_PROBE = """
import gc, json, weakref
from transforms import gc_policy
class Node: pass
gc.collect()
frozen = gc.get_freeze_count()
with gc_policy.paused():
    kept = [Node() for _ in range(1000)]  # a row cache: alive after the pause
    a, b = Node(), Node(); a.other, b.other = b, a  # a cycle, garbage once the names go
    inside = weakref.ref(a)
    del a, b
walked = {id(o) for o in gc.get_objects()}
c, d = Node(), Node(); c.other, d.other = d, c  # the same cycle made after the pause
outside = weakref.ref(c)
del c, d
gc.collect()
print(json.dumps({"frozen": gc.get_freeze_count() - frozen, "kept_walked": sum(id(o) in walked for o in kept),
                  "inside_collected": inside() is None, "outside_collected": outside() is None}))
"""


def test_what_a_pause_leaves_alive_is_frozen_and_its_cycles_are_kept():
    out = subprocess.run([sys.executable, "-c", FREEZE_PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["frozen"] >= 1000  # the cache's objects, out of every later collection's walk
    assert seen["kept_walked"] == 0
    assert not seen["inside_collected"]  # the price: a cycle made inside a pause stays
    assert seen["outside_collected"]


def test_a_file_is_read_with_the_collector_paused(monkeypatch):
    import gc

    from transforms import read

    states = []

    def parse(feed, window, reports_dir):
        states.append(gc.isenabled())
        yield "stats"

    monkeypatch.setattr(read, "parse_file", parse)
    fn = read._ParseFileFn(read.DateWindow(), None)
    assert gc.isenabled()
    assert len(list(fn.process(None))) == 1
    assert states == [False] and gc.isenabled()
