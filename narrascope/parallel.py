"""Run a pipeline in worker processes, in input order: forked from a process that built it once
(Linux), or spawned, each worker building its own."""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from narrascope.components.base import minibatches
from narrascope.errors import WorkerError
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
        _thread_variables(blas_threads)
    _worker_pipeline = config.build()
    if blas_threads:  # those loaded before
        _limit_loaded(blas_threads)


def _thread_variables(blas_threads: int) -> None:
    """What BLAS and OpenMP libraries loaded from now on read as their number of threads."""
    for variable in THREAD_VARIABLES:
        os.environ[variable] = str(blas_threads)


def _limit_loaded(blas_threads: int) -> None:
    """Cap the threads of the BLAS and OpenMP libraries loaded already."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(blas_threads)


def _share(n_process: int) -> int:
    """A worker's share of the usable cores (at least one thread)."""
    return max(1, usable_cores() // max(1, n_process))


def run_chunk_with_vectors(docs: list[Document]) -> list[Document]:
    """The chunk analysed, sentence vectors included (``discover`` reads claims from them)."""
    assert _worker_pipeline is not None
    return list(_worker_pipeline.pipe(docs, batch_size=len(docs)))


def run_chunk(docs: list[Document]) -> list[Document]:
    out = run_chunk_with_vectors(docs)
    for doc in out:
        doc.vectors = {}  # working arrays stay in the worker
    return out


def run_chunk_lines(docs: list[Document]) -> list[str]:
    """The chunk analysed, as JSONL lines: written here, in parallel, and a few strings to send back
    instead of whole Documents (unpickling those was a second's work per 300 articles for the parent)."""
    from narrascope.report.jsonl import document_line

    return [document_line(doc) for doc in run_chunk(docs)]


def run_chunk_rows(docs: list[Document]) -> list[dict]:
    """The chunk analysed, as ``batch``'s output rows (``batch.rows.document_row``, keyed by each
    Document's ``meta["record"]``): made here, in parallel, instead of in the parent."""
    from narrascope.batch.rows import document_row

    return [document_row(doc, doc.meta["record"]) for doc in run_chunk(docs)]


# what workers send back for each article: ``send`` of ``pipe_in_processes``
TASKS = {"documents": run_chunk, "documents with vectors": run_chunk_with_vectors,
         "lines": run_chunk_lines, "rows": run_chunk_rows}


def pipe_in_processes(config: PipelineSpec, docs: Iterable[Document], batch_size: int,
                      n_process: int, pool: ProcessPoolExecutor | None = None,
                      send: str = "documents") -> Iterator[Any]:
    """Like ``Pipeline.pipe`` but spread over ``n_process`` worker processes. ``send``: what comes back
    for each article: its Document without its working arrays (``"documents"``), or with its sentence
    vectors (``"documents with vectors"``), its JSONL line (``"lines"``: ``report.jsonl.document_line``)
    or its row of ``batch``'s output (``"rows"``: ``run_chunk_rows``).

    The workers come from ``start_workers`` (forked with the pipeline built here once, where that is
    safe; else spawned, each building it from ``config``), or are ``pool``, which the stream then
    shuts down when it ends. The workers start as this is called, not at the first document.
    """
    pool = pool or start_workers(config, n_process)
    return _pipe(pool, docs, batch_size, n_process, TASKS[send])


def _pipe(pool: ProcessPoolExecutor, docs: Iterable[Document], batch_size: int, n_process: int,
          task: Any = run_chunk) -> Iterator[Any]:
    global _worker_pipeline
    with pool:
        # bounded look-ahead (Executor.map would read the whole input): at most two
        # chunks per worker are in flight, so memory does not grow with the input
        pending: deque = deque()
        try:
            for chunk in minibatches(docs, batch_size):
                pending.append(pool.submit(task, chunk))
                if len(pending) >= 2 * n_process:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
        except BrokenProcessPool:
            raise WorkerError("a worker process died (out of memory, or the model failed to load in it); "
                              "run with one worker (--workers 1) to see the cause") from None
        finally:
            _worker_pipeline = None  # what forked workers were given (not touched before: its pages stay shared)


def can_fork(wait: float = 0.2) -> bool:
    """Whether worker processes may be forked from this one: on Linux, while it runs a single Python
    thread (a thread holding a lock at the fork would leave the lock held forever in the child).
    Threads that are ending (a spinner just stopped) are given up to ``wait`` seconds.

    Threads that native libraries start are not seen here: callers fork only from a process that
    has read inputs and loaded models and done nothing else (``analyze``, ``batch``). One that has
    analysed articles (lingua, an OpenMP encoder) or holds a DuckDB connection spawns its workers.
    """
    if sys.platform != "linux" or "fork" not in mp.get_all_start_methods():
        return False
    deadline = time.monotonic() + wait
    while threading.active_count() > 1 and time.monotonic() < deadline:
        time.sleep(0.005)
    return threading.active_count() == 1


def start_workers(config: PipelineSpec, n_process: int, pipeline: Any = None) -> ProcessPoolExecutor:
    """``n_process`` workers for ``config``'s pipeline (see ``can_fork`` for who may call this).

    Where ``can_fork``, the pipeline (``pipeline``, else ``config.build()``) is built here once, its
    encoder loaded, and the workers are forked from this process before this returns: they share the
    model's pages instead of each holding a copy. Elsewhere they are spawned (``process_pool``) and
    build their own at their first task. A model that fails to load here raises its own error. A given
    ``pipeline`` has its models loaded first, an encoder loading in a thread waited for: a live thread
    rules forking out.
    """
    if pipeline is not None:
        load_models(pipeline)  # its encoder may be loading in a thread, which must end before the fork
    if not can_fork():
        return process_pool(config, n_process)
    global _worker_pipeline
    pool = None
    try:
        _worker_pipeline = pipeline if pipeline is not None else config.build()
        load_models(_worker_pipeline)
        gc.collect()  # nothing left for the workers' collectors to free, then
        gc.freeze()  # the model's objects move out of the collector's reach: its passes do not copy their pages
        pool = ProcessPoolExecutor(n_process, mp_context=mp.get_context("fork"), initializer=init_forked,
                                   initargs=(_share(n_process),))
        # a forking pool starts all its workers at the first task: now, while this process has one thread
        pool.submit(int).result()
    except BaseException as exc:
        _worker_pipeline = None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        if isinstance(exc, BrokenProcessPool):
            raise WorkerError("a worker process died as it started (out of memory?); run with one worker "
                              "(--workers 1) to see the cause") from None
        raise
    finally:
        gc.unfreeze()
    return pool


def load_models(pipeline: Any) -> None:
    """Load what the pipeline's components load on first use (the sentence encoder: numpy arrays, safe
    to share with forked workers), waiting for any load already running in a thread."""
    for component in getattr(pipeline, "components", ()):
        load = getattr(component, "load", None)
        if callable(load):
            load()


def init_forked(blas_threads: int) -> None:
    """A forked worker: it already holds the pipeline; cap its BLAS and OpenMP threads to its share."""
    _thread_variables(blas_threads)
    _limit_loaded(blas_threads)


def process_pool(config: PipelineSpec, n_process: int) -> ProcessPoolExecutor:
    """``n_process`` spawned workers, each building the pipeline of ``config`` once; a worker that dies
    breaks the pool (an error), where ``multiprocessing.Pool`` would restart it forever."""
    return ProcessPoolExecutor(n_process, mp_context=mp.get_context("spawn"), initializer=init_worker,
                               initargs=(config, _share(n_process)))
