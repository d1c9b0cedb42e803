"""``narrascope train technique-encoder``: SemEval-2023 Task 3 English paragraphs -> a fine-tuned technique
encoder folder (the ``accurate`` extra; ``narrascope.persuasion.encoder``)."""

from __future__ import annotations

import platform
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from narrascope import __version__
from narrascope.errors import DataNotFoundError
from narrascope.persuasion.encoder import EncoderTrainingConfig, TechniqueEncoder
from narrascope.persuasion.model import TECHNIQUES
from narrascope.threads import usable_cores
from narrascope.training.persuasion_data import load_persuasion_dataset, paragraph_data

LANGUAGES = ("en",)  # MiniLM-L6 reads English (its vocabulary is English, uncased)


def english_paragraphs(data: str | Path) -> tuple[list[str], np.ndarray, np.ndarray, str]:
    """The labelled English paragraphs under ``data``: texts, 0/1 labels, article index per row, data digest."""
    dataset = load_persuasion_dataset(data, LANGUAGES)
    rows = paragraph_data(dataset, 1)
    if not rows.texts:
        raise DataNotFoundError("no English paragraph labels (subtask 3) found; point --data at the SemEval-2023 "
                                "Task 3 train folder (with en/)", source=str(data))
    return rows.texts, rows.Y.astype(np.float32), rows.article, dataset.digest


def fit_encoder(texts: list[str], Y: np.ndarray, config: EncoderTrainingConfig,
                console: Console | None = None, description: str = "fine-tuning") -> TechniqueEncoder:
    """A ``TechniqueEncoder`` fitted on ``texts``/``Y`` with every core, with a progress bar on ``console``."""
    encoder = TechniqueEncoder(TECHNIQUES, config, LANGUAGES, threads=usable_cores())
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("loss {task.fields[loss]}"), console=console, disable=console is None) as bar:
        task = bar.add_task(description, total=None, loss="-")

        def progress(step: int, steps: int, loss: float) -> None:
            bar.update(task, completed=step, total=steps, loss=f"{loss:.3f}")

        encoder.fit(texts, Y, progress)
    return encoder


def train_technique_encoder(data: str | Path, out: str | Path, console: Console | None = None,
                            config: EncoderTrainingConfig | None = None) -> dict:
    """Fine-tune the technique encoder on every labelled English paragraph under ``data``; write it to ``out``."""
    import torch

    config = config or EncoderTrainingConfig()
    start = time.time()
    texts, Y, article, digest = english_paragraphs(data)
    if console:
        console.print(f"{len(texts)} labelled English paragraphs in {len(set(article.tolist()))} articles")
    encoder = fit_encoder(texts, Y, config, console)
    encoder.meta = {
        "narrascope_version": __version__,
        "trained_on": {"languages": list(LANGUAGES), "articles": len(set(article.tolist())), "paragraphs": len(texts),
                       "data_digest_sha256": digest},
        "python": platform.python_version(), "torch": torch.__version__,
        "train_seconds": round(time.time() - start, 1),
    }
    encoder.to_disk(out)
    return encoder.meta | {"config": asdict(config)}
