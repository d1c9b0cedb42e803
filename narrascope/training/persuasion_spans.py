"""Training and tuning the technique span tagger: token labels from the gold spans, token scores,
decoding, and the choice between the tagger's phrases and the semantic head's best sentence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from narrascope.heads.multilabel import MultiLabelLogistic
from narrascope.persuasion.model import TECHNIQUES
from narrascope.persuasion.spans import (
    SpanTagger,
    best_sentence,
    hash_features,
    paragraph_sentences,
    token_features,
    token_masks,
    tokenize,
)
from narrascope.training.persuasion_data import OutOfFold, ParagraphData, PersuasionDataset, PersuasionTrainingConfig

SPAN_THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
SPAN_GAPS = (2, 4, 8, 12)


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
