"""The genre head: its features, fit and out-of-fold predictions, scored on shift-aware splits and
refitted inside a persuasion model.

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

import numpy as np

from narrascope.components.persuasion import GENRE_FEATURES, genre_features
from narrascope.persuasion.model import GENRES
from narrascope.training.persuasion_data import PersuasionDataset, PersuasionTrainingConfig, document_vector
from narrascope.training.splits import (
    language_folds,
    macro_f1_of,
    random_folds,
    reweighted_confusion,
    text_topic_vectors,
    topic_folds,
)

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
    from narrascope.errors import DataNotFoundError, TooFewExamplesError, UsageError
    from narrascope.persuasion.model import PersuasionModel
    from narrascope.training.data import require_examples
    from narrascope.training.persuasion_data import load_persuasion_dataset
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


def genre_matrix(dataset: PersuasionDataset, rows: Sequence[int], profiles: dict[int, np.ndarray] | None,
                 dim: int, names: tuple[str, ...]) -> np.ndarray:
    out = []
    for i in rows:
        a = dataset.articles[i]
        profile = profiles[i] if profiles is not None else None
        out.append(genre_features(names, a.doc.text, a.language, document_vector(a.doc, dim), profile))
    return np.stack(out)


def fit_genre(X: np.ndarray, y: np.ndarray, config: PersuasionTrainingConfig) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression with softened class balancing: ``(coef, intercept)`` over all 3 genres."""
    from sklearn.linear_model import LogisticRegression

    counts = np.bincount(y, minlength=len(GENRES)).astype(float)
    weights = (len(y) / (len(GENRES) * np.maximum(counts, 1))) ** config.genre_balance
    lr = LogisticRegression(C=config.C_genre, max_iter=3000).fit(X, y, sample_weight=weights[y])
    coef = np.zeros((len(GENRES), X.shape[1]), np.float32)
    intercept = np.full(len(GENRES), -30.0, np.float32)  # a genre absent from training is never predicted
    if len(lr.classes_) == 2:
        coef[lr.classes_[1]], intercept[lr.classes_[1]] = lr.coef_[0], lr.intercept_[0]
        intercept[lr.classes_[0]] = 0.0
    else:
        coef[lr.classes_] = lr.coef_
        intercept[lr.classes_] = lr.intercept_
    return coef, intercept


def predict_genre(coef: np.ndarray, intercept: np.ndarray, X: np.ndarray) -> np.ndarray:
    return np.argmax(X @ coef.T + intercept, axis=1)


def genre_out_of_fold(dataset: PersuasionDataset, fold_of: np.ndarray, profiles: dict[int, np.ndarray] | None,
                      config: PersuasionTrainingConfig, dim: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(rows, gold, out-of-fold predictions)`` of the genre head over the article folds ``fold_of``."""
    unknown = set(config.genre_features) - set(GENRE_FEATURES)
    if unknown:
        raise ValueError(f"PersuasionTrainingConfig.genre_features: expected names from {GENRE_FEATURES}, "
                         f"got {sorted(unknown)}")
    rows = np.array(dataset.with_genre(), dtype=int)
    X = genre_matrix(dataset, rows, profiles, dim, config.genre_features) if len(rows) else np.zeros((0, 1))
    y = genre_labels(dataset, rows)
    return rows, y, genre_predictions(X, y, fold_of[rows], config)


def genre_labels(dataset: PersuasionDataset, rows: Sequence[int]) -> np.ndarray:
    return np.array([GENRES.index(dataset.articles[i].genre) for i in rows], dtype=int)


def genre_predictions(X: np.ndarray, y: np.ndarray, fold_of: np.ndarray, config: PersuasionTrainingConfig
                      ) -> np.ndarray:
    """Out-of-fold genre predictions for the rows of ``X``, the folds given by ``fold_of`` (one per row: any
    fold ids, e.g. article folds, story clusters or languages)."""
    pred = np.zeros(len(y), dtype=int)
    for k in np.unique(fold_of):
        tr, te = fold_of != k, fold_of == k
        seen = np.unique(y[tr])
        if len(seen) == 1:  # the other folds hold one genre only: that is all a head could learn
            pred[te] = seen[0]
        elif len(seen) > 1:
            coef, intercept = fit_genre(X[tr], y[tr], config)
            pred[te] = predict_genre(coef, intercept, X[te])
    return pred


def genre_macro_f1(gold: np.ndarray, pred: np.ndarray) -> float:
    """Macro-F1 (the official subtask-1 measure) of genre indices ``pred`` against ``gold``."""
    from narrascope.training.persuasion_scorer import macro_f1

    return macro_f1({str(j): GENRES[g] for j, g in enumerate(gold)}, {str(j): GENRES[p] for j, p in enumerate(pred)},
                    GENRES)["macro_f1"]


def balanced_macro_f1(gold: np.ndarray, pred: np.ndarray, seed: int, per_class: int = 100, draws: int = 50) -> float:
    """Macro-F1 on class-balanced resamples of out-of-fold predictions (mean over ``draws``).

    Each draw samples ``per_class`` items of every genre present, with replacement:
    what the classifier would score on a set where the genres are equally frequent.
    """
    rng = np.random.RandomState(seed)
    present = [c for c in range(len(GENRES)) if (gold == c).any()]
    scores = []
    for _ in range(draws):
        idx = np.concatenate([rng.choice(np.where(gold == c)[0], per_class) for c in present])
        scores.append(genre_macro_f1(gold[idx], pred[idx]))
    return float(np.mean(scores))
