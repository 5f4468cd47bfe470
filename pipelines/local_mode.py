"""How a run lays itself out on this machine when no runner is chosen: in its own process, or
one worker process per core (the DirectRunner's multi-process mode) when the feeds are large.
Beam-free: the command line decides it before it imports Beam (`pipelines.warm.start_early`)."""

from __future__ import annotations

import os
from typing import Optional

# From this much feed data on, one worker process per core pays for its start-up. Measured on
# 2 cores before the files were read in balanced lanes: 36 MB of feeds 0.97x, 141 MB 1.23x,
# 352 MB 1.31x the in-process run's speed (balanced lanes took the 352 MB run from 331 s to 217 s).
MULTI_PROCESS_MIN_BYTES = 64 << 20


def worker_processes(input_bytes: int, cores: Optional[int] = None) -> int:
    """How many worker processes a default local run over `input_bytes` of feeds starts: one per
    core from MULTI_PROCESS_MIN_BYTES on (given two cores or more), else 0 (it runs in its own)."""
    cores = cores or os.cpu_count() or 1
    return cores if input_bytes >= MULTI_PROCESS_MIN_BYTES and cores >= 2 else 0
