"""How many threads and processes this process may use: its CPU set, and a worker's share of it."""

from __future__ import annotations

import os

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "RAYON_NUM_THREADS")  # the last: the tokenizers package (the accurate extra)


def usable_cores() -> int:
    """The cores this process may run on: its CPU set (a container's share), not the host's count."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def process_threads() -> int:
    """The threads a slow encoder may take in this process: the share of the cores ``init_worker`` gave
    it (``OMP_NUM_THREADS``), else every usable core (one process analyses alone)."""
    try:
        share = int(os.environ.get("OMP_NUM_THREADS", ""))
    except ValueError:
        share = 0
    return share if share > 0 else usable_cores()
