"""Narrative-bearing claims: the sentences of an article that assert, blame, predict or evaluate.

A sentence is a candidate when it looks like prose (6-60 words, mostly letters, no link, no
boilerplate); candidates are then ranked by a claim score: a logistic regression fitted when
discovery starts, on the embeddings of claims (the narratives' descriptions and examples of the
taxonomy in use, and the claims of SemEval's narratives in five languages, shipped with
narrascope) against sentences of ordinary news (the background). The score leans on how a
sentence speaks (evaluation, blame, prediction) as much as on its subject, since the background
holds neutral war and climate reporting too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from narrascope.schema import Document, Span

MIN_WORDS, MAX_WORDS = 6, 60
# site furniture that recurs across a site's articles and would otherwise make the largest "new" clusters of a
# big corpus (found on 100,000 articles: sign-up forms, reposting credits, poll widgets, a comment box).
# Embedded tweets' byline lines ("- Name (@handle) date") stay: whose tweets an article embeds is topical.
BOILERPLATE = re.compile(r"https?://|www\.|©|\b(?:subscribe|newsletters?|cookies?|read more|click here|share this|"
                         r"all rights reserved|follow us|latest news|trending news|sharing your thoughts|"
                         r"share your (?:experiences|thoughts)|in your inbox|issues with commenting|"
                         r"agree to .{0,40}(?:privacy policy|terms of (?:use|service))|validation purposes|"
                         r"(?:posted|reprinted|republished) with permission|"
                         r"(?:article|story|report|post)\b.{0,30}\boriginally (?:published|appeared)|"
                         r"story continues below|take our poll|completing this poll)\b",
                         re.IGNORECASE)


def looks_like_prose(text: str) -> bool:
    """6-60 words, mostly letters, no link or site boilerplate."""
    words = text.split()
    if not MIN_WORDS <= len(words) <= MAX_WORDS or BOILERPLATE.search(text):
        return False
    letters = sum(ch.isalpha() for ch in text)
    return letters >= 0.6 * len(text.replace(" ", ""))


@dataclass
class ClaimScorer:
    """``fit(claim_vectors, news_vectors)``; ``score(vectors)`` is the log-odds that a sentence is a claim."""

    C: float = 1.0
    coef_: np.ndarray = field(default=None, repr=False)
    intercept_: float = 0.0

    def fit(self, claims: np.ndarray, news: np.ndarray) -> ClaimScorer:
        from sklearn.linear_model import LogisticRegression

        if not len(claims) or not len(news):
            raise ValueError(f"ClaimScorer.fit: needs claims and news sentences, got {len(claims)} and {len(news)}")
        X = np.vstack([claims, news])
        y = np.concatenate([np.ones(len(claims)), np.zeros(len(news))])
        model = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000).fit(X, y)
        self.coef_, self.intercept_ = model.coef_[0].astype(np.float32), float(model.intercept_[0])
        return self

    def score(self, vectors: np.ndarray) -> np.ndarray:
        if not len(vectors):
            return np.zeros(0, np.float32)
        return np.asarray(vectors, np.float32) @ self.coef_ + self.intercept_


def article_claims(doc: Document, scorer: ClaimScorer, threshold: float = 0.0, per_article: int = 8
                   ) -> list[tuple[Span, np.ndarray, float]]:
    """The article's claims: ``(sentence, its vector, claim score)``, at most ``per_article``, best first
    (the headline counts as a sentence)."""
    vectors = doc.vectors.get("sentences")
    if vectors is None or not len(vectors):
        return []
    sentences = doc.sentences[: len(vectors)]
    keep = [i for i, s in enumerate(sentences) if looks_like_prose(s.text)]
    if not keep:
        return []
    scores = scorer.score(vectors[keep])
    ranked = sorted(zip(keep, scores), key=lambda x: -x[1])
    return [(sentences[i], vectors[i], float(s)) for i, s in ranked[:per_article] if s >= threshold]
