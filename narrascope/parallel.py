"""Run a pipeline in worker processes: the model is loaded once per worker, order is kept."""

from __future__ import annotations

import multiprocessing as mp
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from narrascope.components.base import minibatches
from narrascope.errors import ModelError
from narrascope.schema import Document

_worker_pipeline: Any = None  # the worker's own Pipeline


def init_worker(model_path: str | None, names: list[str], blas_threads: int = 0) -> None:
    """Build the worker's pipeline; with ``blas_threads``, cap its BLAS and OpenMP threads (its share
    of the cores: a worker per core whose BLAS spins a thread per core oversubscribes the machine)."""
    global _worker_pipeline
    if blas_threads:  # the libraries loaded from here on (scikit-learn's OpenMP, SciPy's BLAS) read these
        for variable in THREAD_VARIABLES:
            os.environ[variable] = str(blas_threads)
    from narrascope.pipeline import build_pipeline

    _worker_pipeline = build_pipeline(model_path, narratives="narratives" in names, roles="roles" in names,
                                      ner="ner" in names, persuasion="persuasion" in names,
                                      explain="explain" in names)
    if blas_threads:  # those loaded before
        from threadpoolctl import threadpool_limits

        threadpool_limits(blas_threads)


THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


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


def run_chunk(docs: list[Document]) -> list[Document]:
    assert _worker_pipeline is not None
    out = list(_worker_pipeline.pipe(docs, batch_size=len(docs)))
    for doc in out:
        doc.vectors = {}  # working arrays stay in the worker
    return out


def pipe_in_processes(model_path: str | Path | None, names: list[str], docs: Iterable[Document], batch_size: int,
                      n_process: int) -> Iterator[Document]:
    """Like ``Pipeline.pipe`` but spread over ``n_process`` spawned processes (fork-safe).

    Each worker builds the pipeline from ``model_path`` once; the calling
    process never needs to load the model itself.
    """
    with process_pool(model_path, names, n_process) as pool:
        # bounded look-ahead (Executor.map would read the whole input): at most two
        # chunks per worker are in flight, so memory does not grow with the input
        pending: deque = deque()
        try:
            for chunk in minibatches(docs, batch_size):
                pending.append(pool.submit(run_chunk, chunk))
                if len(pending) >= 2 * n_process:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
        except BrokenProcessPool:
            raise ModelError("a worker process died (out of memory, or the model failed to load in it); "
                             "run with one worker (--workers 1) to see the cause") from None


def process_pool(model_path: str | Path | None, names: list[str], n_process: int) -> ProcessPoolExecutor:
    """``n_process`` spawned workers, each building the pipeline once; a worker that dies breaks the pool
    (an error), where ``multiprocessing.Pool`` would restart it forever."""
    path = str(model_path) if model_path else None
    blas_threads = max(1, usable_cores() // max(1, n_process))
    return ProcessPoolExecutor(n_process, mp_context=mp.get_context("spawn"), initializer=init_worker,
                               initargs=(path, names, blas_threads))
