"""``NarrativeExplainer``: the dominant narrative and a short explanation quoting the article."""

from __future__ import annotations

import numpy as np

from narrascope.components.base import Component
from narrascope.explain.claims import claim_sentence
from narrascope.explain.compose import compose, select_quotes, word_count
from narrascope.explain.model import ExplanationModel
from narrascope.schema import Document, Explanation


class NarrativeExplainer(Component):
    """Writes ``explanation``: the dominant narrative and sub-narrative, explained in ≤ 80 words.

    The explanation opens with the (sub-)narrative's claim in the article's language and
    quotes the sentences the model scores as carrying it, cut at a clause when needed;
    every quote keeps its offsets into ``Document.text``.
    """

    name = "explain"
    requires = ("labels.narratives", "labels.subnarratives", "spans.sentences", "vectors.sentences", "language")
    assigns = ("explanation",)

    def __init__(self, model: ExplanationModel) -> None:
        self.model = model

    def __call__(self, doc: Document) -> Document:
        dominant = self.model.dominant(doc.narratives, doc.subnarratives)
        doc.explanation = None if dominant is None else self.explain(doc, *dominant)
        return doc

    def explain(self, doc: Document, narrative: str, subnarrative: str | None,
                score: float | None = None) -> Explanation:
        """The explanation of ``narrative`` (and ``subnarrative``, if any) for ``doc``, whatever its labels."""
        vectors = doc.vectors.get("sentences")
        sentences = doc.sentences
        if vectors is None:
            vectors = np.zeros((0, 1), dtype=np.float32)
        sentences = sentences[: len(vectors)]
        words = np.array([word_count(s.text) for s in sentences], dtype=np.float32)
        scores = self.model.score_sentences(vectors[: len(sentences)], words, narrative, subnarrative)
        claim_words = word_count(claim_sentence(narrative, subnarrative, doc.language))
        budget = max(self.model.budget(doc.language) - claim_words, 0)
        regions = select_quotes(doc.text, sentences, scores, vectors, budget) if len(sentences) else []
        return compose(doc.text, narrative, subnarrative, doc.language, regions, score)
