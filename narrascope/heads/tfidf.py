"""Word and character n-gram TF-IDF features with a JSON + npz state (no pickle)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import scipy.sparse as sp

# Words of 2+ characters. Devanagari vowel signs and viramas are not ``\w`` in
# Python's re, so the default pattern would cut Hindi words apart ("हिंदी" -> "ह");
# the explicit block keeps them whole (the dandas U+0964/5 stay separators).
WORD_PATTERN = r"(?u)(?:\w|[\u0300-\u036f\u0900-\u0963\u0966-\u097f])(?:\w|[\u0300-\u036f\u0900-\u0963\u0966-\u097f])+"


def _word_vectorizer(max_features: int, vocabulary: dict[str, int] | None = None) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="word", ngram_range=(1, 2), lowercase=True, sublinear_tf=True, min_df=2,
        max_df=0.9, max_features=max_features, token_pattern=WORD_PATTERN,
        vocabulary=vocabulary, dtype=np.float32,
    )


def _char_vectorizer(max_features: int, vocabulary: dict[str, int] | None = None) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), lowercase=True, sublinear_tf=True, min_df=3,
        max_df=0.9, max_features=max_features, vocabulary=vocabulary, dtype=np.float32,
    )


class CharNgramCounts:
    """The count matrix of a fitted ``char_wb`` vectoriser, read word by word with a cache.

    ``char_wb`` n-grams never cross a space, so a word's columns are the same wherever it occurs:
    each distinct word is analysed once (scikit-learn's analyser, so the n-grams are its own) and
    a text's counts are the sum of its words'. The same matrix as the vectoriser's counts, several
    times faster on news text, where most words repeat. The cache is emptied past ``max_words``.
    """

    WHITESPACE = re.compile(r"\s\s+")  # what the char_wb analyser collapses before splitting
    MAX_CACHED_CHARS = 64

    def __init__(self, vectorizer: Any, max_words: int = 50_000) -> None:
        from sklearn.feature_extraction.text import TfidfTransformer

        self.vectorizer = vectorizer
        self.max_words = max_words
        self._preprocess = vectorizer.build_preprocessor()
        self._analyze = vectorizer.build_analyzer()
        self._columns: dict[str, np.ndarray] = {}
        tfidf = TfidfTransformer(norm=vectorizer.norm, use_idf=vectorizer.use_idf,
                                 smooth_idf=vectorizer.smooth_idf, sublinear_tf=vectorizer.sublinear_tf)
        tfidf.idf_ = vectorizer.idf_
        self.tfidf = tfidf

    def word_columns(self, word: str) -> np.ndarray:
        columns = self._columns.get(word)
        if columns is None:
            vocabulary = self.vectorizer.vocabulary_
            columns = np.array([vocabulary[g] for g in self._analyze(word) if g in vocabulary], dtype=np.int32)
            if len(word) <= self.MAX_CACHED_CHARS:  # not the odd run of 10,000 characters without a space
                if len(self._columns) >= self.max_words:
                    self._columns.clear()
                self._columns[word] = columns
        return columns

    def counts(self, texts: list[str]) -> sp.csr_matrix:
        indptr, indices, values = [0], [np.zeros(0, np.int32)], [np.zeros(0, np.int64)]
        for text in texts:
            words = self.WHITESPACE.sub(" ", self._preprocess(text)).split()
            columns = np.concatenate([self.word_columns(w) for w in words]) if words else np.zeros(0, np.int32)
            unique, count = np.unique(columns, return_counts=True)
            indices.append(unique)
            values.append(count)
            indptr.append(indptr[-1] + len(unique))
        shape = (len(texts), len(self.vectorizer.vocabulary_))
        return sp.csr_matrix((np.concatenate(values).astype(self.vectorizer.dtype), np.concatenate(indices), indptr),
                             shape=shape)

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        """What ``vectorizer.transform(texts)`` gives: sublinear TF x IDF, L2-normalised rows."""
        counts = self.counts(texts)
        return self.tfidf.transform(counts, copy=False) if texts else counts


class TfidfFeaturizer:
    """``[word 1-2-gram TF-IDF | char_wb 2-5-gram TF-IDF]``, each block L2-normalised."""

    def __init__(self, word_features: int = 30000, char_features: int = 60000) -> None:
        self.word_features = word_features
        self.char_features = char_features
        self._char_counts: CharNgramCounts | None = None

    def fit(self, texts: list[str]) -> TfidfFeaturizer:
        if not texts:
            raise ValueError("TfidfFeaturizer.fit: expected at least one text, got 0")
        self.word_ = _word_vectorizer(self.word_features).fit(texts)
        self.char_ = _char_vectorizer(self.char_features).fit(texts)
        return self

    @property
    def n_features(self) -> int:
        return len(self.word_.vocabulary_) + len(self.char_.vocabulary_)

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        if self._char_counts is None or self._char_counts.vectorizer is not self.char_:  # built for this vectoriser
            self._char_counts = CharNgramCounts(self.char_)
        return sp.hstack([self.word_.transform(texts), self._char_counts.transform(texts)], format="csr")

    # ---- safe persistence ------------------------------------------------
    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """JSON-able parameters and vocabularies, plus arrays (idf weights)."""
        meta = {
            "word_features": self.word_features,
            "char_features": self.char_features,
            "word_vocabulary": ordered_vocabulary(self.word_.vocabulary_),
            "char_vocabulary": ordered_vocabulary(self.char_.vocabulary_),
        }
        arrays = {"word_idf": self.word_.idf_.astype(np.float32), "char_idf": self.char_.idf_.astype(np.float32)}
        return meta, arrays

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> TfidfFeaturizer:
        self = cls(meta["word_features"], meta["char_features"])
        word_vocab = {t: i for i, t in enumerate(meta["word_vocabulary"])}
        char_vocab = {t: i for i, t in enumerate(meta["char_vocabulary"])}
        self.word_ = _word_vectorizer(self.word_features, word_vocab)
        self.char_ = _char_vectorizer(self.char_features, char_vocab)
        for vec, key in ((self.word_, "word_idf"), (self.char_, "char_idf")):
            set_idf(vec, arrays[key])
        return self


def set_idf(vectorizer: Any, idf: np.ndarray) -> None:
    """Make a ``TfidfVectorizer`` built with a fixed vocabulary ready to transform, with stored idf weights."""
    vectorizer._validate_vocabulary()
    vectorizer.idf_ = np.asarray(idf, dtype=np.float64)


def ordered_vocabulary(vocab: dict[str, int]) -> list[str]:
    """A vectoriser's ``vocabulary_`` as the list of its terms by column."""
    out = [""] * len(vocab)
    for term, idx in vocab.items():
        out[idx] = term
    return out
