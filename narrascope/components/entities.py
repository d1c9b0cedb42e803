"""Pipeline components for entity framing: find the actors, then cast their roles."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from narrascope.components.base import Component
from narrascope.components.segment import mean_vector
from narrascope.embed.base import Embedder, get_embedder
from narrascope.entities.features import MentionFeatures, MentionInput, mention_features, sentence_of
from narrascope.entities.linking import build_entities
from narrascope.entities.mentions import MentionFinder
from narrascope.entities.model import RoleModel
from narrascope.heads.decision import best_first
from narrascope.schema import Document, Entity, Label, Mention


class MentionDetector(Component):
    """Writes ``entities``: the mentions of named actors in the kept text, grouped into entities."""

    name = "mentions"
    requires = ("spans.kept", "language")
    assigns = ("entities",)

    def __init__(self, finder: MentionFinder | None = None) -> None:
        self.finder = finder or MentionFinder()

    def __call__(self, doc: Document) -> Document:
        kept = doc.spans.get("kept")
        regions = [(s.start, s.end) for s in kept] if kept is not None else None
        found = self.finder.find(doc.text, doc.language, regions)
        mentions = [Mention(c.start, c.end, doc.text[c.start:c.end]) for c in found]
        doc.entities = build_entities(mentions, [c.kind for c in found])
        return doc


def set_mentions(doc: Document, spans: list[tuple[int, int]]) -> None:
    """Give ``doc`` these mentions (end-exclusive offsets), grouped into entities (for given mentions)."""
    mentions = [Mention(s, e, doc.text[s:e]) for s, e in spans]
    doc.entities = build_entities(mentions)


class RoleClassifier(Component):
    """Scores every mention's main and fine roles, with its sentence as evidence, and sums them up per entity."""

    name = "roles"
    requires = ("entities", "spans.sentences", "vectors.sentences", "labels.narratives")
    assigns = ("entities.roles",)

    def __init__(self, model: RoleModel, embedder: Embedder, extra_embedder: Embedder | None = None) -> None:
        self.model = model
        self.embedder = embedder
        self.extra = None
        if model.extra_dim:  # loaded on first use: only articles in its languages pay for it
            # its threads are counted when it loads: in a worker, the worker's share of the cores
            encoder = extra_embedder or get_embedder(model.extra_embedder, threads=0)
            self.extra = ExtraReader(encoder, model.extra_dim, tuple(model.extra_languages))
        self._surface_cache: dict[str, np.ndarray] = {}  # the same names recur across articles

    def predict(self, docs: list[Document]) -> tuple[list, np.ndarray, np.ndarray] | None:
        """``(rows, P_main, P_fine)``: each mention of the batch as ``(doc, mention, sentence index)``,
        with its main- and fine-role probabilities; None when the batch has no mention. The rows hold the
        batch's own Documents and Mentions, which ``set_annotations`` writes to."""
        rows, features, dense = mention_inputs(docs, self.embedder, self.model.embedding_dim,
                                               self._surface_cache, self.extra)
        if len(self._surface_cache) > SURFACE_CACHE_SIZE:
            self._surface_cache.clear()
        if not rows:
            return None
        p_main, p_fine = self.model.predict_inputs(features, dense)
        return rows, p_main, p_fine

    def set_annotations(self, docs: list[Document], scores: tuple[list, np.ndarray, np.ndarray] | None) -> None:
        if scores is None:
            return
        rows, p_main, p_fine = scores
        shown = self.model.main_scores(p_main, p_fine)  # the decoding's main-role scores, per mention
        row_of: dict[int, int] = {}
        for k, ((doc, mention, i), (main, fines)) in enumerate(zip(rows, self.model.decode_rows(p_main, p_fine,
                                                                                                shown))):
            evidence = [doc.sentences[i]] if i >= 0 else []
            mention.main_role = Label(main, float(shown[k, self.model.main_index[main]]), evidence)
            mention.fine_roles = [Label(f, score, evidence, parent=main) for f, score in fines]
            row_of[id(mention)] = k
        entities = [(e, [(m, row_of[id(m)]) for m in e.mentions if id(m) in row_of])
                    for doc in docs for e in doc.entities]
        self._aggregate([(e, m) for e, m in entities if m], p_main, p_fine, shown)

    def _aggregate(self, entities: list[tuple[Entity, list[tuple[Mention, int]]]], p_main: np.ndarray,
                   p_fine: np.ndarray, shown: np.ndarray) -> None:
        """Each entity's roles: its mentions' probabilities (rows of ``p_main``, ``p_fine``) averaged,
        decoded like a mention's; the evidence of its two mentions that score its main role highest."""
        if not entities:
            return
        members = [[k for _, k in mentions] for _, mentions in entities]
        order = np.fromiter(itertools.chain.from_iterable(members), np.int64)
        counts = np.array([len(m) for m in members], np.float64)[:, None]
        starts = np.concatenate([[0], np.cumsum([len(m) for m in members])[:-1]])
        # as np.mean of each entity's rows: summed in float32 in mention order, divided in float64
        entity_main = (np.add.reduceat(p_main[order], starts, axis=0) / counts).astype(np.float32)
        entity_fine = (np.add.reduceat(p_fine[order], starts, axis=0) / counts).astype(np.float32)
        entity_shown = self.model.main_scores(entity_main, entity_fine)
        decoded = self.model.decode_rows(entity_main, entity_fine, entity_shown)
        for (entity, mentions), rows, scores, (main, fines) in zip(entities, members, entity_shown, decoded):
            index = self.model.main_index[main]
            evidence = []
            for j in best_first(shown[rows, index])[:2]:
                role = mentions[j][0].main_role
                evidence += [s for s in (role.evidence if role else []) if s not in evidence]
            entity.main_role = Label(main, float(scores[index]), evidence)
            entity.fine_roles = [Label(f, score, evidence, parent=main) for f, score in fines]


SURFACE_CACHE_SIZE = 50_000


@dataclass(frozen=True)
class ExtraReader:
    """A second encoder for the mentions of ``languages`` (those the first one cannot read)."""

    embedder: Embedder
    dim: int
    languages: tuple[str, ...]


ARTICLE_CHARS = 2500  # the extra reader's article vector reads the article's opening (~512 tokens)


def mention_inputs(docs: list[Document], embedder: Embedder, dim: int = 512,
                   surface_cache: dict[str, np.ndarray] | None = None, extra: ExtraReader | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   ) -> tuple[list[tuple[Document, Mention, int]], list[MentionFeatures], np.ndarray]:
    """For every mention (documents in order, mentions by offset): ``(doc, mention, sentence index)``,
    its features (``MentionFeatures.string()``: its feature string) and its dense vector
    ``[sentence | mention | article]``, followed by the same three from ``extra`` (zeros outside
    its languages). ``progress(done, total)`` follows
    the extra reader's texts."""
    rows: list[tuple[Document, Mention, int]] = []
    features: list[MentionFeatures] = []
    for doc in docs:
        mentions = sorted((m for e in doc.entities for m in e.mentions), key=lambda m: (m.start, m.end))
        if not mentions:
            continue
        sentences = [(s.start, s.end) for s in doc.sentences]
        inputs = [MentionInput(m.start, m.end, m.text, m.entity) for m in mentions]
        narratives = [lb.name for lb in doc.narratives + doc.subnarratives]
        features += mention_features(doc.text, sentences, inputs, doc.language, narratives)
        rows += [(doc, m, sentence_of(sentences, m.start)) for m in mentions]
    width = 3 * (dim + (extra.dim if extra else 0))
    if not rows:
        return rows, features, np.zeros((0, width), np.float32)
    dense = _dense(rows, embedder, dim, {} if surface_cache is None else surface_cache)
    if extra is not None:
        dense = np.hstack([dense, extra_vectors(rows, extra, progress)])
    return rows, features, dense


def extra_vectors(rows: list[tuple[Document, Mention, int]], extra: ExtraReader,
                  progress: Callable[[int, int], None] | None = None, batch: int = 32) -> np.ndarray:
    """``[sentence | mention | article]`` from the extra reader for the rows in its languages; zeros elsewhere."""
    dim = extra.dim
    out = np.zeros((len(rows), 3 * dim), dtype=np.float32)
    picked = [k for k, (doc, _, _) in enumerate(rows) if doc.language in extra.languages]
    keys = []
    for k in picked:
        doc, mention, i = rows[k]
        keys.append((doc.sentences[i].text if i >= 0 else "", mention.text, doc.text[:ARTICLE_CHARS]))
    texts = list(dict.fromkeys(t for key in keys for t in key))
    vectors: dict[str, np.ndarray] = {}
    for first in range(0, len(texts), batch):
        chunk = texts[first:first + batch]
        vectors.update(zip(chunk, extra.embedder.encode(chunk)))
        if progress:
            progress(min(first + batch, len(texts)), len(texts))
    for k, key in zip(picked, keys):
        out[k] = np.concatenate([vectors[t] for t in key])
    return out


def _dense(rows: list[tuple[Document, Mention, int]], embedder: Embedder, dim: int,
           surface_cache: dict[str, np.ndarray]) -> np.ndarray:
    """Sentence vectors come from the pipeline's ``vectors["sentences"]``; the rest are encoded here."""
    by_id = {id(doc): doc for doc, _, _ in rows}
    missing = sorted({(id(doc), i) for doc, _, i in rows if i < 0 or i >= len(doc.vectors.get("sentences", ()))})
    texts = [by_id[d].sentences[i].text if i >= 0 else "" for d, i in missing]
    surfaces = sorted({m.text for _, m, _ in rows} - surface_cache.keys())
    encoded = embedder.encode(texts + surfaces)
    extra = dict(zip(missing, encoded[: len(texts)]))
    surface_cache.update(zip(surfaces, encoded[len(texts):]))
    surface_vec = surface_cache
    out = np.zeros((len(rows), 3 * dim), dtype=np.float32)
    doc_vecs: dict[int, np.ndarray] = {}
    for k, (doc, mention, i) in enumerate(rows):
        vectors = doc.vectors.get("sentences", np.zeros((0, dim), np.float32))
        sentence = extra.get((id(doc), i))
        out[k, :dim] = sentence if sentence is not None else vectors[i]
        out[k, dim:2 * dim] = surface_vec[mention.text]
        if id(doc) not in doc_vecs:
            doc_vecs[id(doc)] = mean_vector(vectors, dim)
        out[k, 2 * dim:] = doc_vecs[id(doc)]
    return out
