"""Run a pipeline in worker processes: the model is loaded once per worker, order is kept."""

from __future__ import annotations

import multiprocessing as mp
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from narrascope.components.base import minibatches
from narrascope.errors import ModelError
from narrascope.schema import Document
from narrascope.threads import THREAD_VARIABLES, process_threads, usable_cores  # noqa: F401  (re-exported)


class PipelineSpec(Protocol):
    """What a worker receives: something that builds its pipeline (``narrascope.pipeline.PipelineConfig``)."""

    def build(self) -> Any: ...


_worker_pipeline: Any = None  # the worker's own Pipeline


def init_worker(config: PipelineSpec, blas_threads: int = 0) -> None:
    """Build the worker's pipeline; with ``blas_threads``, cap its BLAS and OpenMP threads (its share
    of the cores: a worker per core whose BLAS spins a thread per core oversubscribes the machine)."""
    global _worker_pipeline
    if blas_threads:  # the libraries loaded from here on (scikit-learn's OpenMP, SciPy's BLAS) read these
        for variable in THREAD_VARIABLES:
            os.environ[variable] = str(blas_threads)
    _worker_pipeline = config.build()
    if blas_threads:  # those loaded before
        from threadpoolctl import threadpool_limits

        threadpool_limits(blas_threads)


def run_chunk(docs: list[Document]) -> list[Document]:
    assert _worker_pipeline is not None
    out = list(_worker_pipeline.pipe(docs, batch_size=len(docs)))
    for doc in out:
        doc.vectors = {}  # working arrays stay in the worker
    return out


def pipe_in_processes(config: PipelineSpec, docs: Iterable[Document], batch_size: int,
                      n_process: int) -> Iterator[Document]:
    """Like ``Pipeline.pipe`` but spread over ``n_process`` spawned processes (fork-safe).

    Each worker builds the pipeline from ``config`` once; the calling
    process never needs to load the model itself.
    """
    with process_pool(config, n_process) as pool:
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


def process_pool(config: PipelineSpec, n_process: int) -> ProcessPoolExecutor:
    """``n_process`` spawned workers, each building the pipeline of ``config`` once; a worker that dies
    breaks the pool (an error), where ``multiprocessing.Pool`` would restart it forever."""
    blas_threads = max(1, usable_cores() // max(1, n_process))
    return ProcessPoolExecutor(n_process, mp_context=mp.get_context("spawn"), initializer=init_worker,
                               initargs=(config, blas_threads))
