"""Run a pipeline in worker processes: the model is loaded once per worker, order is kept."""

from __future__ import annotations

import multiprocessing as mp
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from narrascope.components.base import minibatches
from narrascope.schema import Document

_worker_pipeline: Any = None  # the worker's own Pipeline


def _init_worker(model_path: str | None, names: list[str]) -> None:
    global _worker_pipeline
    from narrascope.pipeline import build_pipeline

    _worker_pipeline = build_pipeline(model_path, narratives="narratives" in names, roles="roles" in names,
                                      ner="ner" in names, persuasion="persuasion" in names,
                                      explain="explain" in names)


def _run_chunk(docs: list[Document]) -> list[Document]:
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
    context = mp.get_context("spawn")
    path = str(model_path) if model_path else None
    with context.Pool(n_process, initializer=_init_worker, initargs=(path, names)) as pool:
        # bounded look-ahead (Pool.imap would read the whole input): at most two
        # chunks per worker are in flight, so memory does not grow with the input
        pending: deque = deque()
        for chunk in minibatches(docs, batch_size):
            pending.append(pool.apply_async(_run_chunk, (chunk,)))
            if len(pending) >= 2 * n_process:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()
