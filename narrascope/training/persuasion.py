"""Fit and cross-validate the persuasion model on SemEval-2023 Task 3 folders."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from narrascope.components.persuasion import paragraph_vectors
from narrascope.heads.multilabel import MultiLabelLogistic
from narrascope.heads.tfidf import TfidfFeaturizer
from narrascope.persuasion.model import FRAMES, GENRES, TECHNIQUES, PersuasionModel, SecondReader, genre_input
from narrascope.schema import Document
from narrascope.training.genre import (
    balanced_macro_f1,
    fit_genre,
    genre_labels,
    genre_macro_f1,
    genre_matrix,
    genre_out_of_fold,
    genre_predictions,
)
from narrascope.training.persuasion_data import (
    OutOfFold,
    ParagraphData,
    PersuasionDataset,
    PersuasionTrainingConfig,
    article_fold_of,
    document_vector,
    paragraph_data,
    warn_unlabelled,
)
from narrascope.training.persuasion_spans import fit_tagger, predict_spans, tune_spans

GRID = np.round(np.arange(0.2, 0.91, 0.025), 3)


def micro(Y: np.ndarray, P: np.ndarray) -> float:
    tp = float((Y.astype(bool) & P).sum())
    total = float(Y.sum() + P.sum())
    return 2 * tp / total if total else 0.0


def best_threshold(Y: np.ndarray, P: np.ndarray) -> tuple[float, float]:
    """The global threshold with the best micro-F1: ``(threshold, micro-F1)``."""
    scores = [(micro(Y, P >= t), float(t)) for t in GRID]
    f1, t = max(scores)
    return t, f1


# ---- technique heads ----------------------------------------------------------
def fit_paragraph_heads(data: ParagraphData, index: np.ndarray, config: PersuasionTrainingConfig
                        ) -> tuple[TfidfFeaturizer, MultiLabelLogistic, MultiLabelLogistic]:
    lexical_rows = index[np.isin(data.language[index], config.lexical_languages)]
    if not len(lexical_rows):  # none of its languages: the vocabulary, which the frames read, comes from all
        lexical_rows = index    # texts; the model then names no lexical language, so the head is never used
    featurizer = TfidfFeaturizer(config.word_features, config.char_features).fit(
        [data.texts[i] for i in lexical_rows])
    lexical = MultiLabelLogistic(C=config.C_lexical).fit(
        featurizer.transform([data.texts[i] for i in lexical_rows]), data.Y[lexical_rows])
    semantic = MultiLabelLogistic(C=config.C_semantic).fit(data.vectors[index], data.Y[index])
    return featurizer, lexical, semantic


def paragraph_probabilities(featurizer: TfidfFeaturizer, lexical: MultiLabelLogistic, semantic: MultiLabelLogistic,
                            data: ParagraphData, index: np.ndarray, lexical_languages: Sequence[str]
                            ) -> tuple[np.ndarray, np.ndarray]:
    """``(P_lexical, P_semantic)`` for ``index``; P_lexical is NaN where the language has no lexical head."""
    p_sem = semantic.predict_proba(data.vectors[index])
    p_lex = np.full_like(p_sem, np.nan)
    has = np.isin(data.language[index], lexical_languages)
    if has.any():
        p_lex[has] = lexical.predict_proba(featurizer.transform([data.texts[i] for i in index[has]]))
    return p_lex, p_sem


def mix_probabilities(p_lex: np.ndarray, p_sem: np.ndarray, mix: float) -> np.ndarray:
    return np.where(np.isnan(p_lex), p_sem, (1 - mix) * np.nan_to_num(p_lex) + mix * p_sem)


def tune_mix(Y: np.ndarray, p_lex: np.ndarray, p_sem: np.ndarray, has_lex: np.ndarray) -> tuple[float, float, float]:
    """``(mix, threshold, semantic_threshold)`` maximising out-of-fold micro-F1."""
    best = (-1.0, 0.5, 0.5)
    for mix in np.round(np.arange(0.0, 1.01, 0.1), 2):
        P = (1 - mix) * p_lex[has_lex] + mix * p_sem[has_lex]
        t, f1 = best_threshold(Y[has_lex], P)
        if f1 > best[0] + 1e-9:
            best = (f1, float(mix), t)
    semantic_threshold, _ = best_threshold(Y, p_sem)
    return best[1], best[2], semantic_threshold


def frame_matrix(featurizer: TfidfFeaturizer, dataset: PersuasionDataset, rows: Sequence[int], dim: int
                 ) -> sp.csr_matrix:
    texts = [dataset.articles[i].doc.text for i in rows]
    dense = np.stack([document_vector(dataset.articles[i].doc, dim) for i in rows])
    return sp.hstack([featurizer.transform(texts), sp.csr_matrix(dense)], format="csr")


def frame_labels(dataset: PersuasionDataset, rows: Sequence[int]) -> np.ndarray:
    return np.array([[f in (dataset.articles[i].frames or []) for f in FRAMES] for i in rows], dtype=np.int8)


def technique_profiles(dataset: PersuasionDataset, data: ParagraphData, P: np.ndarray, rows: Sequence[int],
                       fallback: Callable[[Document], np.ndarray]) -> dict[int, np.ndarray]:
    """Mean technique probability over each article's paragraphs (out-of-fold where the article has labels)."""
    by_article: dict[int, list[int]] = {}
    for r, a in enumerate(data.article):
        by_article.setdefault(int(a), []).append(r)
    out = {}
    for i in rows:
        members = by_article.get(i)
        out[i] = P[members].mean(axis=0) if members else fallback(dataset.articles[i].doc)
    return out


# ---- the whole recipe: out-of-fold predictions, tuning, final fit --------------------
def article_paragraphs(doc: Document, dim: int) -> tuple[list[str], np.ndarray]:
    from narrascope.components.persuasion import paragraph_offsets

    offsets = paragraph_offsets(doc)
    return [doc.text[s:e] for s, e in offsets], paragraph_vectors(doc, offsets, None, dim)


def out_of_fold(dataset: PersuasionDataset, data: ParagraphData, config: PersuasionTrainingConfig, dim: int,
                progress: Callable[[str], None] | None = None) -> OutOfFold:
    n_articles = len(dataset.articles)
    fold_of = article_fold_of(n_articles, config.folds, config.seed)
    p_lex = np.full(data.Y.shape, np.nan)
    p_sem = np.zeros(data.Y.shape)
    frames = np.full((n_articles, len(FRAMES)), np.nan)
    all_paragraphs: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    taggers, semantic_heads = [], []
    frame_rows = np.array(dataset.with_frames(), dtype=int)
    for k in range(config.folds):
        if progress:
            progress(f"fold {k + 1}/{config.folds}")
        train = np.where(fold_of[data.article] != k)[0]
        test = np.where(fold_of[data.article] == k)[0]
        featurizer, lexical, semantic = fit_paragraph_heads(data, train, config)
        p_lex[test], p_sem[test] = paragraph_probabilities(featurizer, lexical, semantic, data, test,
                                                           config.lexical_languages)
        taggers.append(fit_tagger(dataset, data, train, config))
        semantic_heads.append(semantic)
        for i in np.where(fold_of == k)[0]:
            a = dataset.articles[i]
            texts, vectors = article_paragraphs(a.doc, dim)
            sem = semantic.predict_proba(vectors) if texts else np.zeros((0, len(TECHNIQUES)))
            if texts and a.language in config.lexical_languages:
                lex = lexical.predict_proba(featurizer.transform(texts))
            else:
                lex = np.full_like(sem, np.nan)
            all_paragraphs[int(i)] = (lex, sem)
        tr_f = frame_rows[fold_of[frame_rows] != k]
        te_f = frame_rows[fold_of[frame_rows] == k]
        if len(tr_f) and len(te_f):
            head = MultiLabelLogistic(C=config.C_frames).fit(frame_matrix(featurizer, dataset, tr_f, dim),
                                                             frame_labels(dataset, tr_f))
            frames[te_f] = head.predict_proba(frame_matrix(featurizer, dataset, te_f, dim))
    return OutOfFold(fold_of, p_lex, p_sem, frames, all_paragraphs, taggers, semantic_heads)


@dataclass
class Tuned:
    mix: float
    technique_threshold: float
    semantic_threshold: float
    frame_threshold: float
    span_threshold: float = 0.5
    span_max_gap: int = 2
    span_sentence_techniques: tuple[str, ...] = ()


def chosen_techniques(oof: OutOfFold, tuned: Tuned) -> np.ndarray:
    """The out-of-fold paragraph labels of the tuned heads (boolean, paragraphs × techniques)."""
    P = mix_probabilities(oof.p_lex, oof.p_sem, tuned.mix)
    has_lex = ~np.isnan(oof.p_lex[:, 0])
    return np.where(has_lex[:, None], P >= tuned.technique_threshold, oof.p_sem >= tuned.semantic_threshold)


def tune(dataset: PersuasionDataset, data: ParagraphData, oof: OutOfFold, config: PersuasionTrainingConfig) -> Tuned:
    """Every decision scalar chosen on the out-of-fold predictions; the fold taggers in ``oof``
    are set to the tuned span decoding, so the report that follows scores what is shipped."""
    has_lex = ~np.isnan(oof.p_lex[:, 0])
    if has_lex.any():
        mix, threshold, semantic_threshold = tune_mix(data.Y, np.nan_to_num(oof.p_lex), oof.p_sem, has_lex)
    else:
        mix, threshold, semantic_threshold = 1.0, 0.5, best_threshold(data.Y, oof.p_sem)[0]
    rows = dataset.with_frames()
    frame_threshold = best_threshold(frame_labels(dataset, rows), oof.frames[rows])[0] if rows else 0.5
    tuned = Tuned(mix, threshold, semantic_threshold, frame_threshold)
    tuned.span_threshold, tuned.span_max_gap, tuned.span_sentence_techniques = tune_spans(
        dataset, data, oof, chosen_techniques(oof, tuned))
    for tagger in oof.taggers:
        tagger.threshold, tagger.max_gap = tuned.span_threshold, tuned.span_max_gap
    return tuned


def oof_profiles(dataset: PersuasionDataset, oof: OutOfFold, tuned: Tuned) -> dict[int, np.ndarray]:
    out = {}
    for i, (lex, sem) in oof.all_paragraphs.items():
        P = mix_probabilities(lex, sem, tuned.mix) if len(sem) else np.zeros((0, len(TECHNIQUES)))
        out[i] = P.mean(axis=0) if len(P) else np.zeros(len(TECHNIQUES))
    return out


def fit_persuasion_model(dataset: PersuasionDataset, config: PersuasionTrainingConfig, dim: int,
                         progress: Callable[[str], None] | None = None) -> tuple[PersuasionModel, dict]:
    """Out-of-fold tuning, then every head fitted on all the data."""
    warn_unlabelled(dataset)
    data = paragraph_data(dataset, dim)
    oof = out_of_fold(dataset, data, config, dim, progress)
    tuned = tune(dataset, data, oof, config)
    profiles = oof_profiles(dataset, oof, tuned)
    report = cv_report(dataset, data, oof, tuned, profiles, config, dim)
    if progress:
        progress("final fit")
    everything = np.arange(len(data.texts))
    featurizer, lexical, semantic = fit_paragraph_heads(data, everything, config)
    tagger = fit_tagger(dataset, data, everything, config)
    tagger.threshold, tagger.max_gap = tuned.span_threshold, tuned.span_max_gap
    frame_rows = dataset.with_frames()
    frames = MultiLabelLogistic(C=config.C_frames).fit(frame_matrix(featurizer, dataset, frame_rows, dim),
                                                       frame_labels(dataset, frame_rows))
    genre_rows = dataset.with_genre()
    coef, intercept = fit_genre(genre_matrix(dataset, genre_rows, profiles, dim, config.genre_features),
                                np.array([GENRES.index(dataset.articles[i].genre) for i in genre_rows]), config)
    present = set(data.language)
    model = PersuasionModel(featurizer, lexical, semantic, tagger, frames, coef, intercept,
                            tuple(x for x in config.lexical_languages if x in present), tuned.mix,
                            tuned.technique_threshold,
                            tuned.semantic_threshold, tuned.frame_threshold, embedding_dim=dim,
                            genre_features=tuple(config.genre_features),
                            span_languages=tuple(sorted({a.language for a in dataset.articles if a.spans})),
                            sentence_techniques=tuned.span_sentence_techniques)
    return model, report


def cv_report(dataset: PersuasionDataset, data: ParagraphData, oof: OutOfFold, tuned: Tuned,
              profiles: dict[int, np.ndarray], config: PersuasionTrainingConfig, dim: int) -> dict:
    """Per-language out-of-fold scores of every head (the numbers ``benchmarks/techniques_cv`` prints)."""
    from narrascope.training.persuasion_scorer import span_f1

    chosen = chosen_techniques(oof, tuned)
    genre_rows, y_genre, pred_genre = genre_out_of_fold(dataset, oof.fold_of, profiles, config, dim)
    report: dict[str, dict] = {}
    for lang in sorted({a.language for a in dataset.articles}):
        row: dict[str, float] = {}
        rows = np.where(data.language == lang)[0]
        if len(rows):
            row["paragraphs"] = len(rows)
            row["techniques_micro_f1"] = round(micro(data.Y[rows], chosen[rows]), 4)
            row["techniques_semantic_only_f1"] = round(micro(data.Y[rows], oof.p_sem[rows] >= tuned.semantic_threshold), 4)
            gold_spans: dict[int, list] = {}
            for i in set(data.article[rows].tolist()):
                gold_spans[i] = list(dataset.articles[i].spans)
            pred_spans: dict[int, list] = {i: [] for i in gold_spans}
            for k in range(config.folds):
                fold_rows = rows[oof.fold_of[data.article[rows]] == k]
                for art, tech, s, e in predict_spans(oof.taggers[k], data, fold_rows, chosen[fold_rows], dataset,
                                                     oof.semantic_heads[k], tuned.span_sentence_techniques):
                    pred_spans[art].append((tech, s, e))
            row["span_f1"] = round(span_f1(gold_spans, pred_spans)["span_f1"], 4)
        frame_rows = [i for i in dataset.with_frames() if dataset.articles[i].language == lang]
        if frame_rows:
            Yf = frame_labels(dataset, frame_rows)
            row["frames_micro_f1"] = round(micro(Yf, oof.frames[frame_rows] >= tuned.frame_threshold), 4)
        sel = np.array([dataset.articles[i].language == lang for i in genre_rows], dtype=bool)
        if sel.any():
            row["genre_macro_f1"] = round(genre_macro_f1(y_genre[sel], pred_genre[sel]), 4)
            row["genre_balanced_macro_f1"] = round(balanced_macro_f1(y_genre[sel], pred_genre[sel], config.seed), 4)
            row["genre_counts"] = {g: int((y_genre[sel] == n).sum()) for n, g in enumerate(GENRES)}
        report[lang] = row
    return {"per_language": report, "tuned": tuned.__dict__}


# ---- the second reader: the dense heads over another encoder's vectors --------------
def language_centres(docs: Sequence[Document], dim: int) -> dict[str, np.ndarray]:
    """Each language's centre: the mean of its articles' (unit) vectors, from ``docs``' sentence vectors."""
    return centres_of([document_vector(doc, dim) for doc in docs], [doc.language for doc in docs])


def centres_of(vectors: Sequence[np.ndarray], languages: Sequence[str]) -> dict[str, np.ndarray]:
    """The mean of ``vectors`` per language (``languages``: one per vector)."""
    by_language: dict[str, list[np.ndarray]] = {}
    for vector, language in zip(vectors, languages, strict=True):
        by_language.setdefault(language, []).append(vector)
    return {lang: np.mean(group, axis=0).astype(np.float32) for lang, group in sorted(by_language.items())}


def fit_second_reader(dataset: PersuasionDataset, config: PersuasionTrainingConfig, dim: int,
                      progress: Callable[[str], None] | None = None,
                      centres: dict[str, np.ndarray] | None = None) -> tuple[SecondReader, dict]:
    """Techniques, frames and genre heads over the sentence vectors ``dataset``'s Documents carry (the
    second encoder's), with thresholds tuned out of fold on the same article folds as the main model.

    With ``centres`` (the centres of languages the reader will read, from their unlabelled texts:
    ``language_centres``), the genre head is centred: it reads each article's vector minus its
    language's centre, each training language's from its own articles.

    Returns the reader and its out-of-fold scores per training language (in-language scores: the
    reader is meant for languages it never saw, where it does worse; see docs/experiments/lab-notebook.md)."""
    if progress:
        progress(f"second reader ({config.second_embedder})")
    data = paragraph_data(dataset, dim)
    fold_of = article_fold_of(len(dataset.articles), config.folds, config.seed)
    frame_rows = np.array(dataset.with_frames(), dtype=int)
    doc_vectors = np.stack([document_vector(a.doc, dim) for a in dataset.articles])
    Y_frames = frame_labels(dataset, frame_rows)
    p_sem = np.zeros(data.Y.shape)
    p_frames = np.zeros(Y_frames.shape)
    for k in range(config.folds):
        train, test = fold_of[data.article] != k, fold_of[data.article] == k
        if train.any() and test.any():
            p_sem[test] = MultiLabelLogistic(C=config.C_semantic).fit(data.vectors[train], data.Y[train]).predict_proba(
                data.vectors[test])
        tr_f, te_f = fold_of[frame_rows] != k, fold_of[frame_rows] == k
        if tr_f.any() and te_f.any():
            p_frames[te_f] = MultiLabelLogistic(C=config.C_frames).fit(
                doc_vectors[frame_rows[tr_f]], Y_frames[tr_f]).predict_proba(doc_vectors[frame_rows[te_f]])
    technique_threshold = best_threshold(data.Y, p_sem)[0]
    frame_threshold = best_threshold(Y_frames, p_frames)[0] if len(frame_rows) else 0.5
    genre_centres = ({**centres, **centres_of(doc_vectors, [a.language for a in dataset.articles])}
                     if centres is not None else {})
    genre_rows = np.array(dataset.with_genre(), dtype=int)
    X_genre = np.stack([genre_input(doc_vectors[i], dataset.articles[i].language, genre_centres) for i in genre_rows])
    y_genre = genre_labels(dataset, genre_rows)
    pred_genre = genre_predictions(X_genre, y_genre, fold_of[genre_rows], config)

    report: dict[str, dict] = {}
    for lang in sorted({a.language for a in dataset.articles}):
        row: dict = {}
        rows = data.language == lang
        if rows.any():
            row["techniques_micro_f1"] = round(micro(data.Y[rows], p_sem[rows] >= technique_threshold), 4)
        in_lang = np.array([dataset.articles[i].language == lang for i in frame_rows], dtype=bool)
        if in_lang.any():
            row["frames_micro_f1"] = round(micro(Y_frames[in_lang], p_frames[in_lang] >= frame_threshold), 4)
        sel = np.array([dataset.articles[i].language == lang for i in genre_rows], dtype=bool)
        if sel.any():
            row["genre_macro_f1"] = round(genre_macro_f1(y_genre[sel], pred_genre[sel]), 4)
        report[lang] = row

    if progress:
        progress("second reader: final fit")
    semantic = MultiLabelLogistic(C=config.C_semantic).fit(data.vectors, data.Y)
    frames = MultiLabelLogistic(C=config.C_frames).fit(doc_vectors[frame_rows], Y_frames)
    coef, intercept = fit_genre(X_genre, y_genre, config)
    reader = SecondReader(config.second_embedder, dim, tuple(config.second_languages), semantic, frames, coef,
                          intercept, technique_threshold, frame_threshold, genre_centres)
    return reader, {"per_language": report, "technique_threshold": technique_threshold,
                    "frame_threshold": frame_threshold}
