"""Word and character n-gram TF-IDF features with a JSON + npz state (no pickle)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
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


@dataclass
class FittedVocabulary:
    """What transforming needs of a fitted vectoriser: its ``vocabulary_`` (term -> column) and
    ``idf_`` weights. Loaded models hold these instead of scikit-learn vectorisers, so that
    analysing an article never imports scikit-learn (about a second of every start)."""

    vocabulary_: dict[str, int]
    idf_: np.ndarray


def tfidf_rows(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear TF x IDF with L2-normalised rows, in place (scikit-learn's ``TfidfTransformer``
    with ``sublinear_tf=True``, to float rounding)."""
    data = counts.data
    np.log(data, out=data)
    data += 1.0
    data *= idf[counts.indices]
    squares = np.bincount(np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr)), data.astype(np.float64) ** 2,
                          minlength=counts.shape[0])
    norms = np.sqrt(squares)
    norms[norms == 0] = 1.0
    data /= np.repeat(norms, np.diff(counts.indptr)).astype(data.dtype)
    return counts


def _count_rows(rows: list[np.ndarray], n_columns: int, dtype: type = np.float32,
                weights: list[np.ndarray] | None = None) -> sp.csr_matrix:
    """A count matrix from each row's column occurrences (a column once per occurrence, or ``weights``
    times), with sorted indices."""
    lengths = np.fromiter(map(len, rows), np.int64, len(rows))
    columns = np.concatenate([np.zeros(0, np.int32), *rows]).astype(np.int32, copy=False)
    values = (np.concatenate([np.zeros(0, np.int64), *weights]) if weights is not None
              else np.ones(len(columns), np.int64))
    counts = sp.csr_matrix((values.astype(dtype), columns, np.concatenate([[0], np.cumsum(lengths)])),
                           shape=(len(rows), n_columns))
    counts.sum_duplicates()  # sorts each row's columns and adds up repeats
    return counts


def gram_bounds(length: int, low: int, high: int) -> tuple[tuple[int, int], ...]:
    """``(start, end)`` of each character n-gram of a padded word of ``length`` characters, ``n`` from
    ``low`` to ``high`` in turn, as scikit-learn's ``char_wb`` takes them: a word shorter than ``n``
    counts once, whole, and longer ``n`` are not taken. Kept for word lengths (slicing by them is
    ~3x faster than computing the offsets for every word), not for the odd run of 10,000 characters."""
    return _kept_bounds(length, low, high) if length <= MAX_KEPT_LENGTH else _bounds(length, low, high)


MAX_KEPT_LENGTH = 66  # a padded word of 64 characters, the longest whose columns are cached


@lru_cache(maxsize=256)
def _kept_bounds(length: int, low: int, high: int) -> tuple[tuple[int, int], ...]:
    return _bounds(length, low, high)


def _bounds(length: int, low: int, high: int) -> tuple[tuple[int, int], ...]:
    bounds: list[tuple[int, int]] = []
    for n in range(low, high + 1):
        bounds += [(i, i + n) for i in range(max(1, length - n + 1))]
        if n >= length:
            break
    return tuple(bounds)


class _NgramCounts:
    """The counts of a fitted vocabulary's n-grams in texts (``counts``), and their TF-IDF (``transform``)."""

    def __init__(self, vectorizer: Any) -> None:
        self.vectorizer = vectorizer
        self.idf = np.asarray(vectorizer.idf_, np.float64)

    def counts(self, texts: list[str]) -> sp.csr_matrix:
        raise NotImplementedError

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        """What ``vectorizer.transform(texts)`` gives: sublinear TF x IDF, L2-normalised rows."""
        return tfidf_rows(self.counts(texts), self.idf)


class WordNgramCounts(_NgramCounts):
    """Word 1-2-gram TF-IDF of a fitted vocabulary: the analyser of ``_word_vectorizer`` (lower case,
    ``WORD_PATTERN`` tokens, then adjacent pairs joined by a space), without scikit-learn."""

    TOKEN = re.compile(WORD_PATTERN)

    def columns(self, text: str) -> np.ndarray:
        tokens = self.TOKEN.findall(text.lower())
        get = self.vectorizer.vocabulary_.get
        found = [c for c in map(get, tokens) if c is not None]
        found += [c for c in map(get, map(" ".join, zip(tokens, tokens[1:]))) if c is not None]
        return np.array(found, dtype=np.int32)

    def counts(self, texts: list[str]) -> sp.csr_matrix:
        return _count_rows([self.columns(t) for t in texts], len(self.vectorizer.vocabulary_))


class CharNgramCounts(_NgramCounts):
    """``char_wb`` 2-5-gram TF-IDF of a fitted vocabulary, read word by word with a cache.

    ``char_wb`` n-grams never cross a space, so a word's columns are the same wherever it occurs:
    each distinct word is analysed once (as scikit-learn's ``char_wb`` analyser does: the word padded
    by a space at both ends, each n-gram length in turn, a word shorter than ``n`` counted once) and
    a text's counts are the sum of its words'. Several times faster on news text, where most words
    repeat. The cache is emptied past ``max_words``.
    """

    MAX_CACHED_CHARS = 64
    NGRAMS = (2, 5)

    def __init__(self, vectorizer: Any, max_words: int = 50_000) -> None:
        super().__init__(vectorizer)
        self.max_words = max_words
        self._columns: dict[str, np.ndarray] = {}

    @classmethod
    def words(cls, text: str) -> list[str]:
        """The words whose n-grams are counted in ``text``: as the ``char_wb`` analyser splits it (it first
        collapses runs of white space, which ``str.split`` splits at anyway: ``re``'s ``\\s`` is ``str.isspace``)."""
        return text.lower().split()

    def ngrams(self, word: str) -> list[str]:
        padded = f" {word} "
        return [padded[i:j] for i, j in gram_bounds(len(padded), *self.NGRAMS)]

    def word_columns(self, word: str) -> np.ndarray:
        columns = self._columns.get(word)
        if columns is None:
            get = self.vectorizer.vocabulary_.get
            columns = np.array([c for c in map(get, self.ngrams(word)) if c is not None], dtype=np.int32)
            if len(word) <= self.MAX_CACHED_CHARS:  # not the odd run of 10,000 characters without a space
                if len(self._columns) >= self.max_words:
                    self._columns.clear()
                self._columns[word] = columns
        return columns

    def columns(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The columns of the text's n-grams and how often each occurs (a repeated word looked up once)."""
        words = Counter(self.words(text))
        if not words:
            return np.zeros(0, np.int32), np.zeros(0, np.int64)
        found = [self.word_columns(w) for w in words]
        times = np.repeat(np.fromiter(words.values(), np.int64, len(words)), [len(c) for c in found])
        return np.concatenate(found), times

    def counts(self, texts: list[str]) -> sp.csr_matrix:
        pairs = [self.columns(t) for t in texts]
        return _count_rows([c for c, _ in pairs], len(self.vectorizer.vocabulary_), weights=[w for _, w in pairs])


class TfidfFeaturizer:
    """``[word 1-2-gram TF-IDF | char_wb 2-5-gram TF-IDF]``, each block L2-normalised."""

    def __init__(self, word_features: int = 30000, char_features: int = 60000) -> None:
        self.word_features = word_features
        self.char_features = char_features
        self._counts: tuple[WordNgramCounts, CharNgramCounts] | None = None

    def fit(self, texts: list[str]) -> TfidfFeaturizer:
        if not texts:
            raise ValueError("TfidfFeaturizer.fit: expected at least one text, got 0")
        self.word_ = _word_vectorizer(self.word_features).fit(texts)
        self.char_ = _char_vectorizer(self.char_features).fit(texts)
        return self

    @property
    def n_features(self) -> int:
        return len(self.word_.vocabulary_) + len(self.char_.vocabulary_)

    def _readers(self) -> tuple[WordNgramCounts, CharNgramCounts]:
        """The n-gram readers of the current vocabularies (built again if they were replaced)."""
        if self._counts is None or self._counts[0].vectorizer is not self.word_ \
                or self._counts[1].vectorizer is not self.char_:
            self._counts = (WordNgramCounts(self.word_), CharNgramCounts(self.char_))
        return self._counts

    def counts(self, texts: list[str]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """The word and the character n-gram counts of ``texts`` (``weigh`` turns them into features).
        The character counts of texts add up to those of the texts' words read together (``char_words``)."""
        words, chars = self._readers()
        return words.counts(texts), chars.counts(texts)

    def word_counts(self, texts: list[str]) -> sp.csr_matrix:
        """The word n-gram counts of ``texts`` alone."""
        return self._readers()[0].counts(texts)

    def char_words(self, text: str) -> list[str]:
        """The words whose character n-grams the character block counts in ``text``."""
        return CharNgramCounts.words(text)

    def weigh(self, word_counts: sp.csr_matrix, char_counts: sp.csr_matrix) -> sp.csr_matrix:
        """``transform``'s matrix from ``counts`` (which are left as they are)."""
        words, chars = self._readers()
        return sp.hstack([tfidf_rows(word_counts.copy(), words.idf), tfidf_rows(char_counts.copy(), chars.idf)],
                         format="csr")

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        words, chars = self._readers()
        return sp.hstack([words.transform(texts), chars.transform(texts)], format="csr")

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
        self.word_ = fitted_vocabulary(meta["word_vocabulary"], arrays["word_idf"])
        self.char_ = fitted_vocabulary(meta["char_vocabulary"], arrays["char_idf"])
        return self


def fitted_vocabulary(terms: list[str], idf: np.ndarray) -> FittedVocabulary:
    """A stored vocabulary (terms by column) and its idf weights, ready to transform."""
    return FittedVocabulary({t: i for i, t in enumerate(terms)}, np.asarray(idf, dtype=np.float64))


def ordered_vocabulary(vocab: dict[str, int]) -> list[str]:
    """A vectoriser's ``vocabulary_`` as the list of its terms by column."""
    out = [""] * len(vocab)
    for term, idx in vocab.items():
        out[idx] = term
    return out
