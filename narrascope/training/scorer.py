"""Official SemEval-2025 Task 10 measures: subtask 2 samples-F1 (narratives), subtask 1 EMR (roles)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

from narrascope.ingest.annotations import RoleAnnotation, iter_tsv, split_labels
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


def evaluate_roles(gold: list[RoleAnnotation], pred: list[RoleAnnotation]) -> dict[str, float]:
    """Subtask-1 measures over the GOLD mentions, matched by (article_id, start, end).

    ``emr``: exact match ratio of the fine-role sets; ``main_role_accuracy``. A gold
    mention without a prediction counts as wrong (``n_missing``); predictions for
    mentions not in the gold are counted in ``n_unmatched`` and otherwise ignored.
    """
    by_key = {p.key: p for p in pred}
    exact = main = missing = 0
    for g in gold:
        p = by_key.get(g.key)
        if p is None:
            missing += 1
            continue
        exact += set(p.fine_roles) == set(g.fine_roles)
        main += p.main_role == g.main_role
    n = len(gold)
    gold_keys = {g.key for g in gold}
    return {
        "emr": exact / n if n else 0.0,
        "main_role_accuracy": main / n if n else 0.0,
        "n_mentions": n,
        "n_missing": missing,
        "n_unmatched": sum(1 for p in pred if p.key not in gold_keys),
    }
