"""What the deduplicator compares: word shingles (MinHash), a document embedding, and the article's facts."""

from __future__ import annotations

import re

import numpy as np

WORD = re.compile(r"\w+", re.UNICODE)
# a fact: a number, or a capitalised word that does not start a sentence (names, places, organisations)
FACT = re.compile(r"(?<![.!?]\s)(?<!^)\b(?:\d[\d.,]*\d|\d|[A-ZА-ЯЁ][\w-]+)", re.UNICODE | re.MULTILINE)
NUMBER = re.compile(r"\d[\d.,]*\d|\d")


def shingles(text: str, size: int = 5) -> list[bytes]:
    """Overlapping ``size``-word shingles of the lower-cased words (a short text is one shingle)."""
    words = WORD.findall(text.lower())
    if len(words) <= size:
        return [" ".join(words).encode("utf-8")] if words else []
    return [" ".join(words[i:i + size]).encode("utf-8") for i in range(len(words) - size + 1)]


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
