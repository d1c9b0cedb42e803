"""The genre head on its own: score it on shift-aware splits and refit it inside a persuasion model.

Genre (opinion / reporting / satire) is where random cross-validation misleads most:
the SemEval-2023 training articles are 76 % opinion (English 88 %), while a newswire
batch is mostly reporting, and the few satire articles share a handful of topics, so
topic words stand in for genre. ``genre_shift_report`` scores a head on random folds,
topic-cluster folds and leave-one-language-out, each also re-weighted to a
reporting-heavy mix (``REPORTING_HEAVY``) with the share of articles it calls satire.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from narrascope.persuasion.model import GENRES
from narrascope.training.splits import (
    language_folds,
    macro_f1_of,
    random_folds,
    reweighted_confusion,
    text_topic_vectors,
    topic_folds,
)

if TYPE_CHECKING:
    from narrascope.training.persuasion import PersuasionTrainingConfig

# opinion, reporting, satire: the mix of a reporting-heavy news batch (about two thirds reporting,
# a quarter opinion, one article in nine satire)
REPORTING_HEAVY = (0.25, 0.64, 0.11)
SCHEMES = ("random", "topic", "language")


def split_folds(scheme: str, texts: Sequence[str], languages: Sequence[str], k: int, seed: int) -> np.ndarray:
    """The fold of each row under ``scheme``: ``random`` k-fold, ``topic`` (story clusters of the ``texts``'
    words within each language), or one fold per ``language``."""
    if scheme == "random":
        return random_folds(len(languages), k, seed)
    if scheme == "topic":
        return topic_folds(text_topic_vectors(texts, seed=seed), k, seed, languages=languages)
    if scheme == "language":
        return language_folds(languages)[0]
    raise ValueError(f"unknown split scheme {scheme!r}; expected one of {SCHEMES}")


def score(gold: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    """Macro-F1 as the rows come, and re-weighted to ``REPORTING_HEAVY`` with the share it calls satire."""
    n = len(GENRES)
    as_is = reweighted_confusion(gold, pred, np.bincount(gold, minlength=n) / max(len(gold), 1), n)
    heavy = reweighted_confusion(gold, pred, REPORTING_HEAVY, n)
    satire = GENRES.index("satire")
    return {"macro_f1": round(macro_f1_of(as_is), 4),
            "reporting_heavy_macro_f1": round(macro_f1_of(heavy, [c for c in range(n) if (gold == c).any()]), 4),
            "reporting_heavy_satire_share": round(float(heavy[:, satire].sum() / max(heavy.sum(), 1e-12)), 4)}


def genre_shift_report(X: np.ndarray, y: np.ndarray, languages: Sequence[str], texts: Sequence[str],
                       config: PersuasionTrainingConfig, k: int = 5, seed: int = 0) -> dict:
    """Per split scheme (``SCHEMES``): each language's ``score`` and their mean (leave-one-language-out
    only when there are at least two languages)."""
    from narrascope.training.persuasion import genre_predictions

    langs = np.asarray(languages)
    report = {}
    for scheme in SCHEMES:
        if scheme == "language" and len(set(languages)) < 2:
            continue
        pred = genre_predictions(X, y, split_folds(scheme, texts, list(languages), k, seed), config)
        per = {lang: score(y[langs == lang], pred[langs == lang]) for lang in sorted(set(languages))}
        mean = {key: round(float(np.mean([row[key] for row in per.values()])), 4) for key in next(iter(per.values()))}
        report[scheme] = {"per_language": per, "mean": mean}
    return report


def refit_genre(data: str | Path, model_dir: str | Path, out: str | Path, languages: tuple[str, ...],
                features: tuple[str, ...], console=None) -> dict:
    """``narrascope train genre``: the persuasion model in ``model_dir`` with its genre head refitted on
    the SemEval-2023 T3 folders under ``data`` over ``features``, written to ``out`` (every other head
    unchanged); its meta records the shift-split scores."""
    from narrascope.components.persuasion import GENRE_FEATURES
    from narrascope.errors import DataNotFoundError, TooFewExamplesError, UsageError
    from narrascope.persuasion.model import PersuasionModel
    from narrascope.training.data import require_examples
    from narrascope.training.persuasion import (
        PersuasionTrainingConfig,
        fit_genre,
        genre_labels,
        genre_matrix,
        load_persuasion_dataset,
    )
    from narrascope.training.prepare import embed_documents

    unknown = set(features) - (set(GENRE_FEATURES) - {"techniques"})
    if unknown or not features:
        raise UsageError(f"--features: expected names from embedding, style, cues; got "
                         f"{', '.join(features) or 'none'}")
    start = time.time()
    model = PersuasionModel.from_disk(model_dir)
    base = model.meta.get("config", {})
    config = replace(PersuasionTrainingConfig(), genre_features=features,
                     **{key: base[key] for key in ("C_genre", "genre_balance", "seed") if key in base})
    dataset = load_persuasion_dataset(data, languages, lambda docs: embed_documents(docs, console))
    rows = dataset.with_genre()
    if not rows:
        raise DataNotFoundError("no article with a genre label (subtask 1) here; point --data at SemEval-2023 "
                                "Task 3 train folders", source=str(data))
    require_examples(len(rows), 2 * config.folds, "articles with a genre", data)
    X = genre_matrix(dataset, rows, None, model.embedding_dim, features)
    y = genre_labels(dataset, rows)
    if len(np.unique(y)) < 2:
        raise TooFewExamplesError(f"every article here has the genre {GENRES[int(y[0])]!r}; the head needs at least "
                                  "two genres to tell apart", source=str(data))
    report = genre_shift_report(X, y, [dataset.articles[i].language for i in rows],
                                [dataset.articles[i].doc.text for i in rows],
                                config, config.folds, config.seed)
    coef, intercept = fit_genre(X, y, config)
    model = replace(model, genre_coef=coef, genre_intercept=intercept, genre_features=features)
    model.meta = {**model.meta, "config": {**base, "genre_features": list(features)},
                  "genre_refit": {"config": asdict(config), "articles": len(rows), "data_digest_sha256": dataset.digest,
                                  "shift_metrics": report, "train_seconds": round(time.time() - start, 1)}}
    model.to_disk(out)
    return model.meta
