"""What the deduplicator compares: word shingles (MinHash), a document embedding, the article's facts, and,
for languages the encoder cannot read, its words weighted by rarity (TF-IDF)."""

from __future__ import annotations

import re
import zlib

import numpy as np

from narrascope.text.words import WORD_PATTERN

WORD = re.compile(WORD_PATTERN)
LEXICAL_FEATURES = 2 ** 20  # hashed word columns of the TF-IDF vectors
# a fact: a number, or a capitalised word that does not start a sentence (names, places, organisations)
FACT = re.compile(r"(?<![.!?]\s)(?<!^)\b(?:\d[\d.,]*\d|\d|[A-ZА-ЯЁ][\w-]+)", re.UNICODE | re.MULTILINE)
NUMBER = re.compile(r"\d[\d.,]*\d|\d")
SHINGLE_PRIME = np.uint64(0x01000193)  # FNV-1's 32-bit prime
MASK32 = np.uint64(0xFFFFFFFF)


def shingles(text: str, size: int = 5) -> list[int]:
    """32-bit hashes of the overlapping ``size``-word shingles of the lower-cased words (a text of fewer
    words is one shingle): each word's CRC-32, combined over the window by a polynomial in numpy, so a
    shingle is never built as a string (deterministic, unlike Python's ``hash``)."""
    words = WORD.findall(text.lower())
    if not words:
        return []
    hashes = np.fromiter((zlib.crc32(w.encode("utf-8")) for w in words), dtype=np.uint64, count=len(words))
    size = min(size, len(words))
    windows = len(words) - size + 1
    combined = np.zeros(windows, dtype=np.uint64)
    for k in range(size):
        combined = (combined * SHINGLE_PRIME + hashes[k:k + windows]) & MASK32
    return combined.tolist()


def facts(text: str) -> frozenset[str]:
    """Names, places and numbers: what a rewrite keeps when it changes every other word."""
    return frozenset(m.lower().replace(",", "") for m in FACT.findall(text))


def numbers(text: str) -> frozenset[str]:
    """Numbers only: the facts that survive translation."""
    return frozenset(m.replace(",", "") for m in NUMBER.findall(text))


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the smaller fact set found in the other (a rewrite may drop some facts, not invent many)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def embedding_chunks(text: str, chunk_chars: int = 400, max_chunks: int = 4) -> list[str]:
    """The first ``max_chunks`` pieces of about ``chunk_chars`` characters, cut at spaces."""
    pieces: list[str] = []
    start, text = 0, " ".join(text.split())
    while start < len(text) and len(pieces) < max_chunks:
        end = min(len(text), start + chunk_chars)
        if end < len(text):
            cut = text.rfind(" ", start + chunk_chars // 2, end)
            end = cut if cut > 0 else end
        pieces.append(text[start:end])
        start = end + 1
    return pieces


def mean_normalised(vectors: np.ndarray, groups: list[int]) -> np.ndarray:
    """One L2-normalised mean vector per group of consecutive rows (``groups`` holds each group's size)."""
    out = np.zeros((len(groups), vectors.shape[1]), dtype=np.float32)
    start = 0
    for i, size in enumerate(groups):
        if size:
            mean = vectors[start:start + size].mean(axis=0)
            out[i] = mean / max(float(np.linalg.norm(mean)), 1e-9)
        start += size
    return out


def word_counts(texts: list[str]):
    """Hashed word counts, one sparse row per text (``scipy.sparse`` CSR, ``LEXICAL_FEATURES`` columns)."""
    from sklearn.feature_extraction.text import HashingVectorizer

    vectorizer = HashingVectorizer(n_features=LEXICAL_FEATURES, token_pattern=WORD_PATTERN, alternate_sign=False,
                                   norm=None, dtype=np.float32)
    return vectorizer.transform(texts)


def tfidf_rows(counts):
    """L2-normalised TF-IDF rows (sublinear term frequency, smoothed IDF over these rows): a rewrite keeps the
    rare words of its story (names, places, numbers) while the common ones weigh little."""
    from sklearn.feature_extraction.text import TfidfTransformer

    return TfidfTransformer(sublinear_tf=True).fit_transform(counts).astype(np.float32)
