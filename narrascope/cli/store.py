"""``narrascope ingest`` (analyse and store) and ``narrascope serve`` (REST API and web app)."""

from __future__ import annotations

import os
from itertools import chain
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from narrascope.cli.common import ModelOption, TaxonomyOption, analysed, app, check_taxonomy, console, fail
from narrascope.errors import NarrascopeError

STORE_BATCH = 64
DbOption = Annotated[str, typer.Option("--db", help="Corpus database: a DuckDB file (created if missing) or a "
                                                   "postgresql://USER:PASSWORD@HOST/DB URL.")]


@app.command()
def ingest(
    inputs: Annotated[list[str], typer.Argument(help="Files, folders, globs, .jsonl, or - for stdin.")],
    db: DbOption = "corpus.duckdb",
    model: ModelOption = None,
    workers: Annotated[int, typer.Option(help="Worker processes (0: one per CPU core, from 48 articles on).")] = 0,
    batch_size: Annotated[int, typer.Option(help="Articles per batch.")] = 16,
    taxonomy: TaxonomyOption = None,
) -> None:
    """Analyse articles and store them with their analyses; an article already stored is not stored twice.

    With --taxonomy the narratives stored are your taxonomy's: keep one store per taxonomy (an article
    already stored is not analysed again, whatever taxonomy it was stored with)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from narrascope.components.base import minibatches
    from narrascope.errors import InputError
    from narrascope.ingest.readers import read_inputs
    from narrascope.store.corpus import CorpusStore, content_hash

    check_taxonomy(taxonomy)
    try:
        store = CorpusStore(db)
    except NarrascopeError as exc:
        fail(exc)
    counts = {"added": 0, "updated": 0, "unchanged": 0, "failed": 0}

    def good_docs():
        for item in read_inputs(inputs):
            if isinstance(item, InputError):
                counts["failed"] += item.records
                console.print(f"[bold red]error[/]: {escape(str(item))}", highlight=False)
                continue
            yield item

    def new_docs():
        """The articles whose text is not stored yet: an unchanged article is neither analysed nor stored again."""
        for batch in minibatches(good_docs(), STORE_BATCH):
            keys = [content_hash(doc.text) for doc in batch]
            known = store.stored(keys)
            for key, doc in zip(keys, batch, strict=True):
                if key in known:
                    counts["unchanged"] += 1
                else:
                    yield doc

    def analysed_lazily(docs):
        """``analysed`` that loads the models only once there is an article to analyse."""
        docs = iter(docs)
        first = next(docs, None)
        if first is not None:
            # spawned workers: this process holds a DuckDB connection, whose threads forking would copy
            yield from analysed(model, chain([first], docs), workers, batch_size, taxonomy=taxonomy, fork=False)

    with store:
        run_id = store.start_run([str(x) for x in inputs])
        try:
            with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=console, transient=True,
                          disable=not console.is_terminal) as progress:
                task = progress.add_task("ingesting", total=None)
                # stored in batches: one transaction per batch keeps storage a small part of the time
                for batch in minibatches(analysed_lazily(new_docs()), STORE_BATCH):
                    for _, status in store.add_many(batch, run_id):
                        counts[status] += 1
                    progress.advance(task, len(batch))
        except NarrascopeError as exc:
            fail(exc)
        finally:
            store.finish_run(run_id, counts)
        total = store.count()
    console.print(f"{counts['added']} added, {counts['updated']} updated, {counts['unchanged']} already stored, "
                  f"{counts['failed']} failed; {total} articles in [bold]{escape(_without_password(db))}[/]")
    if counts["failed"]:
        raise typer.Exit(1)


@app.command()
def serve(
    db: DbOption = "corpus.duckdb",
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    model: ModelOption = None,
    taxonomy: Annotated[Path | None, typer.Option(
        "--taxonomy", help="Your own narratives (a YAML file, created from the web app if it does not exist yet, "
                           "or a folder from `train narratives --taxonomy`) in place of SemEval's.")] = None,
    token: Annotated[str | None, typer.Option(help="API token required by write endpoints (or "
                                                    "NARRASCOPE_TOKEN).")] = None,
    max_body_mb: Annotated[float, typer.Option(help="Largest request body accepted, in MB.")] = 5.0,
    allow_private_urls: Annotated[bool, typer.Option(help="Let /analyze fetch URLs on private, loopback and "
                                                          "link-local addresses.")] = False,
    workers: Annotated[int, typer.Option(help="Analysis processes (each loads the model once); 0: one per "
                                              "CPU core.")] = 0,
    max_pending: Annotated[int, typer.Option(help="Analyses running or waiting at once; more get 503 with "
                                                  "Retry-After (0: four per worker).")] = 0,
) -> None:
    """Serve the REST API (OpenAPI at /docs) and the web app at http://HOST:PORT/."""
    import uvicorn

    from narrascope.api.app import Settings, create_app
    from narrascope.parallel import usable_cores

    given = token if token is not None else os.environ.get("NARRASCOPE_TOKEN")
    given = given.strip() if given is not None else None  # the token a client sends is read stripped too
    if given is not None and not given:
        fail("the API token is empty (--token \"\" or an empty NARRASCOPE_TOKEN), which would leave the write "
             "endpoints open; give a non-empty token, or unset NARRASCOPE_TOKEN to serve without one")
    if taxonomy is not None and not taxonomy.exists():  # created from the web app's Taxonomy page
        if not taxonomy.parent.is_dir():
            fail(f"{taxonomy}: no such folder to create the taxonomy file in")
        console.print(f"no taxonomy in {escape(str(taxonomy))} yet: write one on the web app's \"Your narratives\" page "
                      "(until then, SemEval's narratives are used)")
    else:
        check_taxonomy(taxonomy)
    settings = Settings(db=db, model=str(model) if model else None, token=given,
                        taxonomy=str(taxonomy.resolve()) if taxonomy else None,
                        max_body_bytes=int(max_body_mb * 1_000_000), allow_private_urls=allow_private_urls,
                        workers=workers if workers > 0 else usable_cores(), max_pending=max(0, max_pending))
    from narrascope.store.corpus import CorpusStore

    try:  # a store another process holds (DuckDB allows one writer) is one clear line, before any "serving"
        CorpusStore(db).close()
        app_ = create_app(settings)
    except NarrascopeError as exc:
        fail(exc)
    console.print(f"narrascope on [bold]http://{host}:{port}/[/] (API docs at /docs), corpus "
                  f"{escape(_without_password(db))}")
    uvicorn.run(app_, host=host, port=port, log_level="warning")


def _without_password(db: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(db)
    if parts.scheme.startswith("postgres") and parts.password:
        return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")).geturl()
    return db
