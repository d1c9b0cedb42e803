"""The official SemEval-2025 Task 10 subtask-2 measure: samples-F1 over coarse and fine labels."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

from narrascope.ingest.annotations import iter_tsv, split_labels
from narrascope.schema.taxonomy import Taxonomy


def sample_f1(gold: set[str], pred: set[str]) -> float:
    """F1 of one document's label set (both empty counts as a perfect match)."""
    if not gold and not pred:
        return 1.0
    hit = len(gold & pred)
    if hit == 0:
        return 0.0
    precision, recall = hit / len(pred), hit / len(gold)
    return 2 * precision * recall / (precision + recall)


def samples_f1(gold: Iterable[Iterable[str]], pred: Iterable[Iterable[str]], allowed: frozenset[str] | None = None) -> float:
    scores = []
    for g, p in zip(gold, pred, strict=True):
        gs, ps = set(g), set(p)
        if allowed is not None:
            gs &= allowed
            ps &= allowed
        scores.append(sample_f1(gs, ps))
    return float(np.mean(scores)) if scores else 0.0


def read_submission(path: str | Path) -> dict[str, tuple[list[str], list[str]]]:
    """``article_id<TAB>narratives;...<TAB>subnarratives;...`` lines (gold or predictions)."""
    return {
        cols[0]: (split_labels(cols[1]), split_labels(cols[2]))
        for _, cols in iter_tsv(path, 3, strict=True, what="article_id, narratives, subnarratives")
    }


def evaluate_narratives(
    gold: Mapping[str, tuple[list[str], list[str]]],
    pred: Mapping[str, tuple[list[str], list[str]]],
    taxonomy: Taxonomy | None = None,
) -> dict[str, float]:
    """Samples-F1 averaged over the GOLD documents; a document missing from ``pred`` scores 0.

    Labels outside the official lists are ignored, as in the task's scorer.
    """
    taxonomy = taxonomy or Taxonomy.default()
    ids = sorted(gold)
    empty: tuple[list[str], list[str]] = ([], [])
    coarse = samples_f1([gold[i][0] for i in ids], [pred.get(i, empty)[0] for i in ids], taxonomy.official_narratives)
    fine = samples_f1([gold[i][1] for i in ids], [pred.get(i, empty)[1] for i in ids], taxonomy.official_subnarratives)
    return {"f1_coarse": coarse, "f1_fine": fine, "n_documents": len(ids),
            "n_missing": sum(1 for i in ids if i not in pred)}
