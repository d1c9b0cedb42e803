"""Sentence segmentation and sentence embeddings."""

from __future__ import annotations

import numpy as np

from narrascope.components.base import Component
from narrascope.embed.base import Embedder
from narrascope.schema import Document, Span
from narrascope.text.sentences import split_sentences


class SentenceSegmenter(Component):
    """Writes ``spans["sentences"]``: sentences of the kept (cleaned) text, original offsets."""

    name = "segment"
    requires = ("spans.kept",)
    assigns = ("spans.sentences",)

    def __call__(self, doc: Document) -> Document:
        kept = doc.spans.get("kept")
        regions = [(s.start, s.end) for s in kept] if kept is not None else None
        doc.spans["sentences"] = [doc.span(s, e) for s, e in split_sentences(doc.text, regions)]
        return doc


class SentenceEmbedder(Component):
    """Writes ``vectors["sentences"]`` for the first ``max_sentences`` sentences, in batches; a document in
    one of ``skip_languages`` gets none (for a reader that would not use them: discover leaves out the
    languages its encoder does not read)."""

    name = "embed"
    requires = ("spans.sentences",)
    assigns = ("vectors.sentences",)

    def __init__(self, embedder: Embedder, max_sentences: int = 60, skip_languages: frozenset[str] = frozenset()
                 ) -> None:
        self.embedder = embedder
        self.max_sentences = max_sentences
        self.skip_languages = skip_languages

    def load(self) -> None:
        """Load the encoder now rather than at the first batch (see ``narrascope.parallel.start_workers``)."""
        load = getattr(self.embedder, "load", None)
        if callable(load):
            load()

    def predict(self, docs: list[Document]) -> tuple[np.ndarray, list[int]]:
        """The vectors of the batch's sentences (the first ``max_sentences`` of each document), and how
        many each document has."""
        texts: list[str] = []
        counts = []
        for doc in docs:
            sents = doc.sentences[: self.max_sentences] if doc.language not in self.skip_languages else []
            texts.extend(s.text for s in sents)
            counts.append(len(sents))
        vectors = self.embedder.encode(texts) if texts else np.zeros((0, self.embedder.dim), np.float32)
        return vectors, counts

    def set_annotations(self, docs: list[Document], scores: tuple[np.ndarray, list[int]]) -> None:
        vectors, counts = scores
        pos = 0
        for doc, n in zip(docs, counts, strict=True):
            doc.vectors["sentences"] = vectors[pos : pos + n]
            pos += n


def mean_vector(vectors: np.ndarray, dim: int) -> np.ndarray:
    """L2-normalised mean of sentence vectors (zeros for a document without sentences)."""
    if len(vectors) == 0:
        return np.zeros(dim, dtype=np.float32)
    mean = vectors.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return (mean / norm if norm > 0 else mean).astype(np.float32)


__all__ = ["SentenceEmbedder", "SentenceSegmenter", "Span", "mean_vector"]
