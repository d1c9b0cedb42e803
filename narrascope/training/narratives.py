"""Fit, tune and cross-validate the narrative model on SemEval-format data."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from narrascope.components.narratives import NarrativeModel, document_features_input
from narrascope.heads.decision import HierarchyDecoder
from narrascope.heads.multilabel import MultiLabelLogistic
from narrascope.heads.tfidf import TfidfFeaturizer
from narrascope.schema.taxonomy import OTHER, Taxonomy
from narrascope.training.data import NarrativeExample
from narrascope.training.scorer import samples_f1

SEED = 0
THRESHOLD_GRID = np.round(np.arange(0.2, 0.86, 0.05), 2)


@dataclass(frozen=True)
class NarrativeTrainingConfig:
    """One place for every training choice (the recipe), stored in meta.json."""

    C: float = 4.0
    embedding_weight: float = 1.0
    word_features: int = 30000
    char_features: int = 60000
    inner_folds: int = 5
    # how the inner folds that choose thresholds and calibration are cut: "topic" (story clusters within each
    # language, training.splits: what holds on new news) or "random" (stratified; overstates by 0.04-0.1)
    inner_split: str = "topic"
    seed: int = SEED


@dataclass
class PreparedData:
    """Per-example inputs of the model: cleaned text and mean sentence vector."""

    texts: list[str]
    vectors: np.ndarray
    languages: np.ndarray
    gold: list[tuple[list[str], list[str]]]


def prepare(examples: Sequence[NarrativeExample], pipeline_docs: Callable, dim: int) -> PreparedData:
    """Run the pre-processing components (``pipeline_docs``) and collect model inputs."""
    docs = pipeline_docs([ex.doc for ex in examples])
    pairs = [document_features_input(d, dim) for d in docs]
    return PreparedData(
        texts=[t for t, _ in pairs],
        vectors=np.stack([v for _, v in pairs]) if pairs else np.zeros((0, dim), np.float32),
        languages=np.array([ex.language for ex in examples]),
        gold=[(ex.narratives, ex.subnarratives) for ex in examples],
    )


def label_space(taxonomy: Taxonomy) -> tuple[list[str], list[str], list[str]]:
    coarse = list(taxonomy.narratives)
    fine = list(taxonomy.subnarratives) + list(taxonomy.unofficial_subnarratives)
    return coarse, fine, [taxonomy.parent(f) for f in fine]


def label_matrices(gold: Sequence[tuple[list[str], list[str]]], coarse: list[str], fine: list[str]) -> tuple[np.ndarray, np.ndarray]:
    ci = {c: i for i, c in enumerate(coarse)}
    fi = {f: i for i, f in enumerate(fine)}
    Yc = np.zeros((len(gold), len(coarse)), dtype=np.int8)
    Yf = np.zeros((len(gold), len(fine)), dtype=np.int8)
    for row, (narr, sub) in enumerate(gold):
        for n in narr:
            if n in ci:
                Yc[row, ci[n]] = 1
        for s in sub:
            if s in fi:
                Yf[row, fi[s]] = 1
    return Yc, Yf


def stratification_keys(data: PreparedData) -> list[str]:
    """Language + topic of the first gold narrative: keeps folds balanced."""
    keys = []
    for lang, (narr, _) in zip(data.languages, data.gold, strict=True):
        topic = OTHER if not narr or narr[0] == OTHER else narr[0].split(":", 1)[0]
        keys.append(f"{lang}-{topic}")
    return keys


def folds(data: PreparedData, n_splits: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import StratifiedKFold

    keys = stratification_keys(data)
    counts = {k: keys.count(k) for k in set(keys)}
    keys = [k if counts[k] >= n_splits else k.split("-")[0] for k in keys]
    skf = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return list(skf.split(np.zeros(len(keys)), keys))


def topic_split(data: PreparedData, n_splits: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(train, test)`` index pairs whose test sets are whole story clusters (``training.splits``: the
    articles' words, clustered within each language); a fold no cluster fell into is left out."""
    from narrascope.training.splits import text_topic_vectors, topic_folds

    fold = topic_folds(text_topic_vectors(data.texts, seed=seed), n_splits, seed, languages=list(data.languages))
    return [(np.where(fold != k)[0], np.where(fold == k)[0]) for k in range(n_splits) if (fold == k).any()]


def fit_heads(data: PreparedData, index: np.ndarray, config: NarrativeTrainingConfig, taxonomy: Taxonomy,
              coarse_threshold: float = 0.5, fine_threshold: float = 0.5) -> NarrativeModel:
    coarse, fine, parents = label_space(taxonomy)
    texts = [data.texts[i] for i in index]
    featurizer = TfidfFeaturizer(config.word_features, config.char_features).fit(texts)
    decoder = HierarchyDecoder(tuple(coarse), tuple(fine), tuple(parents), coarse_threshold, fine_threshold)
    model = NarrativeModel(featurizer, MultiLabelLogistic(), MultiLabelLogistic(), decoder,
                           embedding_dim=data.vectors.shape[1], embedding_weight=config.embedding_weight)
    X = model.features(texts, data.vectors[index])
    Yc, Yf = label_matrices([data.gold[i] for i in index], coarse, fine)
    model.coarse = MultiLabelLogistic(C=config.C).fit(X, Yc)
    model.fine = MultiLabelLogistic(C=config.C).fit(X, Yf)
    return model


def predict_proba(model: NarrativeModel, data: PreparedData, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    X = model.features([data.texts[i] for i in index], data.vectors[index])
    return model.predict_proba(X)


def score(decoder: HierarchyDecoder, Pc: np.ndarray, Pf: np.ndarray, gold: Sequence[tuple[list[str], list[str]]],
          taxonomy: Taxonomy) -> tuple[float, float]:
    pred = decoder.decode_many(Pc, Pf)
    coarse = samples_f1([g[0] for g in gold], [p[0] for p in pred], taxonomy.official_narratives)
    fine = samples_f1([g[1] for g in gold], [p[1] for p in pred], taxonomy.official_subnarratives)
    return coarse, fine


def tune_thresholds(Pc: np.ndarray, Pf: np.ndarray, gold: Sequence[tuple[list[str], list[str]]],
                    taxonomy: Taxonomy) -> tuple[float, float]:
    """The global (coarse, fine) thresholds that maximise coarse F1 + fine F1."""
    coarse, fine, parents = label_space(taxonomy)
    best = (-1.0, 0.5, 0.5)
    for tc, tf in itertools.product(THRESHOLD_GRID, THRESHOLD_GRID):
        dec = HierarchyDecoder(tuple(coarse), tuple(fine), tuple(parents), float(tc), float(tf))
        c, f = score(dec, Pc, Pf, gold, taxonomy)
        if c + f > best[0] + 1e-9:
            best = (c + f, float(tc), float(tf))
    return best[1], best[2]


def platt(P: np.ndarray, Y: np.ndarray) -> list[float]:
    """Platt scaling ``sigmoid(a * logit(p) + b)`` fitted on out-of-fold probabilities."""
    from sklearn.linear_model import LogisticRegression

    p = np.clip(P.ravel(), 1e-6, 1 - 1e-6)
    logit = np.log(p / (1 - p)).reshape(-1, 1)
    y = Y.ravel()
    if y.min() == y.max():
        return [1.0, 0.0]
    lr = LogisticRegression(C=100.0).fit(logit, y)
    return [float(lr.coef_[0, 0]), float(lr.intercept_[0])]


def fit_narrative_model(data: PreparedData, index: np.ndarray, config: NarrativeTrainingConfig,
                        taxonomy: Taxonomy, progress: Callable[[str], None] | None = None) -> tuple[NarrativeModel, dict]:
    """Inner CV on ``index`` -> thresholds and calibration; then fit on all of ``index``."""
    coarse, fine, _ = label_space(taxonomy)
    sub = PreparedData([data.texts[i] for i in index], data.vectors[index], data.languages[index],
                       [data.gold[i] for i in index])
    Pc = np.zeros((len(index), len(coarse)))
    Pf = np.zeros((len(index), len(fine)))
    inner = folds(sub, config.inner_folds, config.seed) if config.inner_split == "random" else \
        topic_split(sub, config.inner_folds, config.seed)
    for k, (tr, te) in enumerate(inner):
        if progress:
            progress(f"inner fold {k + 1}/{len(inner)}")
        model = fit_heads(sub, tr, config, taxonomy)
        Pc[te], Pf[te] = predict_proba(model, sub, te)
    tc, tf = tune_thresholds(Pc, Pf, sub.gold, taxonomy)
    Yc, Yf = label_matrices(sub.gold, coarse, fine)
    calibration = {"coarse": platt(Pc, Yc), "fine": platt(Pf, Yf)}
    decoder = HierarchyDecoder(tuple(coarse), tuple(fine), tuple(label_space(taxonomy)[2]), tc, tf)
    oof = per_language_scores(decoder, Pc, Pf, sub, taxonomy)
    if progress:
        progress("final fit")
    model = fit_heads(sub, np.arange(len(index)), config, taxonomy, tc, tf)
    model.calibration = calibration
    return model, {"thresholds": {"coarse": tc, "fine": tf}, "inner_cv": oof}


def per_language_scores(decoder: HierarchyDecoder, Pc: np.ndarray, Pf: np.ndarray, data: PreparedData,
                        taxonomy: Taxonomy) -> dict[str, dict[str, float]]:
    """Coarse/fine F1 per language, on all documents and on those whose gold is not ``Other``."""
    out: dict[str, dict[str, float]] = {}
    for lang in sorted(set(data.languages.tolist())):
        idx = np.where(data.languages == lang)[0]
        not_other = np.array([i for i in idx if data.gold[i][0] != [OTHER]], dtype=int)
        c, f = score(decoder, Pc[idx], Pf[idx], [data.gold[i] for i in idx], taxonomy)
        row = {"n": len(idx), "f1_coarse": round(c, 4), "f1_fine": round(f, 4), "n_not_other": len(not_other)}
        if len(not_other):
            c2, f2 = score(decoder, Pc[not_other], Pf[not_other], [data.gold[i] for i in not_other], taxonomy)
            row.update({"f1_coarse_not_other": round(c2, 4), "f1_fine_not_other": round(f2, 4)})
        out[lang] = row
    return out
