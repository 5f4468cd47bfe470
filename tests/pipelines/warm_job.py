"""A small pipeline on the local DirectRunner with two worker processes, for test_warm.py (run
as a subprocess, so that a hung worker fails the test on a timeout instead of hanging it).

    python -m tests.pipelines.warm_job OUT MODE   (MODE: template | no-template | fail | unused | intruder)

OUT gets one JSON line per element: the element, and the pid, parent pid and `warm.prepared()`
of the worker that processed it; then the template's pid and exit code as the last line.
"""

from __future__ import annotations

import json
import os
import socket
import sys

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from pipelines import warm

WORKERS = 2
ELEMENTS = 60


class _Where(beam.DoFn):
    def __init__(self, fail: bool) -> None:
        self._fail = fail

    def process(self, x: int):  # type: ignore[override]
        if self._fail and x == 7:
            raise ValueError("planted failure")
        yield json.dumps({"x": x, "pid": os.getpid(), "ppid": os.getppid(), "prepared": warm.prepared()})


def _as_another_user(name: str) -> str:
    """What a process of user `nobody` gets when it asks the template for a worker, as the
    `attach` command does (root only: a forked child gives up its user)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            os.setgid(65534)
            os.setuid(65534)
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            conn.connect("\0" + name)
            conn.sendall(json.dumps({"CONTROL_API_SERVICE_DESCRIPTOR": "url: 'localhost:1'"}).encode() + b"\n")
            reply = conn.makefile("rb").readline()
            os.write(write, b"reply:" + reply)
        except OSError as exc:
            os.write(write, f"error:{exc}".encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read, "rb") as f:
        return f.read().decode()


def main(out: str, mode: str) -> int:
    options = PipelineOptions(["--runner=pipelines.runners.DirectRunner", "--direct_running_mode=multi_processing",
                               f"--direct_num_workers={WORKERS}"])  # fmt: skip
    template = warm.WarmWorkers(WORKERS)
    if mode == "no-template":
        template.name = "nobody-listens-here"  # as if the template had died: the workers are Beam's own
    failed, intruder = None, None
    with template:
        if mode == "intruder":
            intruder = _as_another_user(template.name)
        if mode != "unused":
            try:
                with beam.Pipeline(options=options) as p:
                    rows = (p | beam.Create(range(ELEMENTS)) | beam.Reshuffle()
                            | beam.ParDo(_Where(mode == "fail")))  # fmt: skip
                    rows | beam.io.WriteToText(out, shard_name_template="")
            except Exception as exc:  # noqa: BLE001 - what the test checks for
                failed = str(exc)
    with open(out, "a", encoding="utf-8") as f:
        f.write(json.dumps({"template": template.pid, "exit": template.returncode, "failed": failed,
                            "intruder": intruder}) + "\n")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
