"""Where in a paragraph a technique is carried: a token tagger and span decoding.

The tagger answers, for a paragraph already known (or predicted) to use a
technique, which of its tokens lie inside a span of that technique. One
logistic regression per technique over hashed token-context features (the
word, its neighbours, shape, position in the sentence, inside quotes), trained
only on paragraphs labelled with the technique. Decoding joins the tokens that
pass a threshold into spans (across gaps of a few tokens, never across the end of
a sentence), so every span lies inside a paragraph that carries the technique,
and every such paragraph gets at least one span. A span holds at least one
content word: "and" or "the" alone is no evidence. The threshold and the gap are
tuned out of fold by ``narrascope train techniques``.

Techniques carried by a whole clause (Doubt, Causal_Oversimplification,
Appeal_to_Authority…) and languages the tagger never saw get a sentence instead:
the sentence of the paragraph that the paragraph head, reading each sentence's
embedding, scores highest for the technique (``best_sentence``). Which techniques
do is chosen out of fold by ``narrascope train techniques``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

import numpy as np
import scipy.sparse as sp

from narrascope.text.hashing import hashed_counts
from narrascope.text.words import WORD_PATTERN as _WORD

TOKEN = re.compile(rf"{_WORD}(?:[-'’]{_WORD})*|[^\w\s]", re.UNICODE)
_QUOTES = set("\"“”«»„")
_SENTENCE_END = {".", "!", "?", "…", "।", "॥"}
# function words of the languages other than English (with English's own, never evidence alone: "para",
# "это", "като", "में"); English uses scikit-learn's list
FUNCTION_WORDS = {language: frozenset(words.split()) for language, words in {
    "pt": "a o as os um uma uns umas de do da dos das em no na nos nas num numa por pelo pela pelos pelas para "
          "com sem sob sobre entre até desde e ou mas nem que se não já também mais menos muito muita muitos muitas "
          "como quando onde quem qual quais cujo cuja este esta estes estas esse essa esses essas aquele aquela "
          "aqueles aquelas isto isso aquilo ele ela eles elas eu tu nós você vocês me te lhe lhes seu sua seus suas "
          "meu minha nosso nossa é são foi foram ser estar está estão era eram ter tem têm tinha há ao aos à às",
    "ru": "и в во не на с со что как а но к ко у по из за от до о об при для это этот эта эти то тот та те же ли "
          "бы уже ещё еще только так все всё он она оно они мы вы я ты его её ее их им ему ей был была было были "
          "быть есть нет да или если чтобы также который которая которое которые которых когда где тоже даже",
    "bg": "и в във на с със за от до по при към че като но а или ако да не е са бе беше бяха ще се си то той тя "
          "те ние вие аз ти го я ги му им нея него тях това този тази тези който която които което когато където "
          "също само още вече така всички много",
    "hi": "का के की को में से पर ने और या है हैं था थे थी थीं हो होता होती होते होने गया गई गए कि यह वह ये वे "
          "इस उस इन उन तो भी ही नहीं एक लिए साथ बाद जो जब तक कर करने किया किए रहा रही रहे",
}.items()}
N_FEATURES = 2**17


def tokenize(text: str) -> list[tuple[int, int]]:
    """Offsets of words and punctuation marks."""
    return [(m.start(), m.end()) for m in TOKEN.finditer(text)]


def _shape(word: str) -> str:
    if word.isupper() and len(word) > 1:
        return "UP"
    if word[:1].isupper():
        return "Cap"
    if word.isdigit():
        return "D"
    if not word[:1].isalnum():
        return "P"
    return "low"


def token_features(text: str, tokens: Sequence[tuple[int, int]]) -> list[list[str]]:
    """String features of each token: word and neighbours (±2), affixes, shape, sentence and quote position."""
    words = [text[s:e].lower() for s, e in tokens]
    n = len(words)
    out: list[list[str]] = []
    in_quote = False
    since_boundary = 0
    for i, w in enumerate(words):
        if w in _QUOTES:
            in_quote = not in_quote
        prev1 = words[i - 1] if i > 0 else "<s>"
        prev2 = words[i - 2] if i > 1 else "<s>"
        next1 = words[i + 1] if i + 1 < n else "</s>"
        next2 = words[i + 2] if i + 2 < n else "</s>"
        original = text[tokens[i][0]:tokens[i][1]]
        feats = [
            "b", f"w={w}", f"p1={prev1}", f"n1={next1}", f"p2={prev2}", f"n2={next2}",
            f"p1w={prev1}|{w}", f"wn1={w}|{next1}", f"suf={w[-3:]}", f"pre={w[:3]}", f"shape={_shape(original)}",
            f"q={int(in_quote)}", f"pos={min(since_boundary, 12) // 3}", f"rel={min(4, 5 * i // max(n, 1))}",
        ]
        out.append(feats)
        since_boundary = 0 if w in {".", "!", "?", ";", ":"} else since_boundary + 1
    return out


def hash_features(features: list[list[str]]) -> sp.csr_matrix:
    """Each token's features hashed into ``N_FEATURES`` columns (scikit-learn's ``FeatureHasher`` columns)."""
    return hashed_counts(features, N_FEATURES)


class SpanTagger:
    """Per-technique token classifiers: ``P(token inside a span of t | paragraph uses t)``."""

    def __init__(self, labels: Sequence[str], C: float = 0.5, threshold: float = 0.5, max_gap: int = 2) -> None:
        self.labels = list(labels)
        self.C = C
        self.threshold = threshold
        self.max_gap = max_gap

    def fit(self, X: sp.csr_matrix, Y: np.ndarray, active: np.ndarray) -> SpanTagger:
        """``X``: token features; ``Y[i, t]``: token ``i`` inside a span of ``t``; ``active[i, t]``: its paragraph uses ``t``."""
        from sklearn.linear_model import LogisticRegression

        n_labels = len(self.labels)
        if Y.shape != (X.shape[0], n_labels) or active.shape != Y.shape:
            raise ValueError(f"SpanTagger.fit: Y and active must be ({X.shape[0]}, {n_labels}), got {Y.shape}, "
                             f"{active.shape}")
        self._coef_t = None
        self.coef_ = np.zeros((n_labels, X.shape[1]), dtype=np.float32)
        self.intercept_ = np.zeros(n_labels, dtype=np.float32)
        for t in range(n_labels):
            rows = np.where(active[:, t])[0]
            y = Y[rows, t]
            if len(rows) == 0 or y.min() == y.max():
                # no data, or every token of its paragraphs is inside a span: cover the paragraph
                self.intercept_[t] = 4.0 if len(rows) and y.min() == 1 else 0.0
                continue
            lr = LogisticRegression(C=self.C, solver="liblinear", max_iter=200).fit(X[rows], y)
            self.coef_[t] = lr.coef_[0]
            self.intercept_[t] = lr.intercept_[0]
        return self

    def predict_proba(self, X: sp.csr_matrix, columns: Sequence[int]) -> np.ndarray:
        """``(n_tokens, len(columns))`` probabilities for the given technique columns."""
        if X.shape[0] == 0 or not len(columns):
            return np.zeros((X.shape[0], len(columns)), dtype=np.float32)
        cols = list(columns)
        if getattr(self, "_coef_t", None) is None or self._coef_t.shape[0] != self.coef_.shape[1]:
            # (features, labels), C-ordered: a sparse row only touches the rows of its hashed features
            self._coef_t = np.ascontiguousarray(self.coef_.T)
        scores = np.asarray(X @ self._coef_t)[:, cols] + self.intercept_[cols]
        return 1.0 / (1.0 + np.exp(-scores))

    def decode(self, probs: np.ndarray, words: np.ndarray | None = None, content: np.ndarray | None = None,
               stops: np.ndarray | None = None) -> list[tuple[int, int]]:
        """Token index ranges ``[(first, last)]`` for one technique in one paragraph (at least one).

        ``words`` marks the word tokens (spans never start or end on a quote mark or comma),
        ``content`` the words that are not function words (a span holds at least one, and the
        fallback run grows around the best of them), ``stops`` the sentence-final marks that
        runs are not joined across. All three default to every token (as from ``token_masks``).
        """
        n = len(probs)
        if n == 0:
            return []
        words = np.ones(n, bool) if words is None or not np.any(words) else np.asarray(words, bool)
        content = words if content is None or not np.any(content) else np.asarray(content, bool) & words
        stops = np.zeros(n, bool) if stops is None else np.asarray(stops, bool)
        passing = np.where((probs >= self.threshold) & words)[0]
        runs: list[list[int]] = []
        for i in passing:
            if runs and i - runs[-1][1] <= self.max_gap + 1 and not stops[runs[-1][1]:i].any():
                runs[-1][1] = int(i)
            else:
                runs.append([int(i), int(i)])
        spans = [(a, b) for a, b in runs if content[a:b + 1].any()]
        if spans:
            return spans
        # the paragraph uses the technique: take the best run around its most likely content word
        peak = int(np.argmax(np.where(content, probs, -1.0)))
        floor = 0.6 * probs[peak]
        first = last = peak
        while first > 0 and probs[first - 1] >= floor and not stops[first - 1]:
            first -= 1
        while last + 1 < n and probs[last + 1] >= floor and not stops[last]:
            last += 1
        return [_trim(first, last, words)]


def _trim(first: int, last: int, words: np.ndarray) -> tuple[int, int]:
    while first < last and not words[first]:
        first += 1
    while last > first and not words[last]:
        last -= 1
    return first, last


def span_confidence(paragraph: float, token_probs: np.ndarray, words: np.ndarray | None = None) -> float:
    """How surely a span carries its technique: ``P(paragraph uses it)`` times the highest
    ``P(token inside a span | paragraph uses it)`` among the span's words.

    Out of fold (English, gold paragraph labels) the quarter of spans with the highest token
    score overlap a gold span of their technique 64 % of the time, the other quarters 32-48 %.
    """
    probs = np.asarray(token_probs, dtype=np.float64)
    if words is not None and np.any(words):
        probs = probs[np.asarray(words, bool)]
    return float(paragraph) * float(probs.max()) if probs.size else 0.0


@lru_cache(maxsize=1)
def english_stop_words() -> frozenset[str]:
    """scikit-learn's English stop words (``resources/english_stop_words.txt``)."""
    text = resources.files("narrascope.resources").joinpath("english_stop_words.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def token_masks(text: str, tokens: Sequence[tuple[int, int]], language: str = "en"
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(words, content, stops)`` masks of ``tokens`` for ``SpanTagger.decode``: word tokens (not
    punctuation), content words (not function words of English or of ``language``, nor words of one
    or two letters) and sentence-final marks."""
    stop_words = english_stop_words()
    function = FUNCTION_WORDS.get(language, frozenset())
    pieces = [text[s:e] for s, e in tokens]
    words = np.array([p[:1].isalnum() or p[:1] == "_" for p in pieces], dtype=bool)
    content = words & np.array([len(p) > 2 and p.lower() not in stop_words and p.lower() not in function
                                for p in pieces], dtype=bool)
    stops = np.array([p in _SENTENCE_END for p in pieces], dtype=bool)
    return words, content, stops


def paragraph_sentences(sentences: Sequence[tuple[int, int]], paragraphs: Sequence[tuple[int, int]]
                        ) -> list[list[int]]:
    """For each ``(start, end)`` paragraph, the indices of the sentences that overlap it (both in text order)."""
    out = []
    j = 0
    for start, end in paragraphs:
        while j < len(sentences) and sentences[j][1] <= start:
            j += 1
        k = j
        while k < len(sentences) and sentences[k][0] < end:
            k += 1
        out.append(list(range(j, k)))
    return out


def best_sentence(sentences: Sequence[tuple[int, int]], probs: np.ndarray, start: int, end: int
                  ) -> tuple[int, int, float]:
    """``(start, end, probability)`` of the sentence with the highest ``probs`` (one per sentence), cut to
    the paragraph ``[start, end)``."""
    best = int(np.argmax(probs))
    s, e = sentences[best]
    return max(s, start), min(e, end), float(probs[best])
