"""``narrascope batch`` (a corpus into one Parquet or JSONL file, on all cores, resumably) and
``narrascope dedup`` (copies, rewrites and translations across a corpus)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from narrascope.cli.common import ModelOption, app, console, fail, first_line, start_spark
from narrascope.errors import InputError, NarrascopeError, NoArticleError

InputsArgument = Annotated[list[str], typer.Argument(
    help="Files, folders, globs or URLs: .txt, .html, .jsonl, .parquet, .csv, .warc(.gz), RSS/Atom feeds.")]
PrivateUrlsOption = Annotated[bool, typer.Option(
    help="Let URLs and feed links reach private, loopback and link-local addresses.")]
DedupOption = Annotated[bool, typer.Option(
    help="Find copies, rewrites and translations: cluster_id, duplicate_of, similarity, match columns.")]


@contextmanager
def _progress() -> Iterator[Callable[[str, int | None], Callable[[int], None]]]:
    """Rich progress bars with docs/s and ETA (only on a terminal); yields ``track(description, total)``,
    which adds a bar and returns its ``advance(n)``."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[rate]}"), TextColumn("ETA"), TimeRemainingColumn(), console=console,
                  transient=True, disable=not console.is_terminal) as progress:

        def track(description: str, total: int | None) -> Callable[[int], None]:
            task = progress.add_task(description, total=total, rate="")
            start, done = time.time(), [0]

            def advance(n: int) -> None:
                done[0] += n
                progress.update(task, advance=n, rate=f"{done[0] / max(time.time() - start, 1e-9):.1f} docs/s")

            return advance

        yield track


def _report_errors(out: Path, errors: list[dict]) -> int:
    """Write OUT.errors.jsonl (or remove a stale one); the number of real failures (not pages without
    article text)."""
    errors_path = out.with_name(out.name + ".errors.jsonl")
    if errors:
        with errors_path.open("w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(e, ensure_ascii=False) + "\n" for e in errors)
        console.print(f"[yellow]the inputs not analysed are listed in {escape(str(errors_path))}[/]")
    elif errors_path.exists():
        errors_path.unlink()  # from an earlier run whose inputs have been fixed since
    return sum(e["records"] for e in errors if e["code"] != NoArticleError.code)


def _deduplicator(embeddings: bool, threads: int):
    from narrascope.dedup.finder import DedupConfig, Deduplicator
    from narrascope.embed.base import Usem3Embedder

    return Deduplicator(DedupConfig(embeddings=embeddings), embedder=Usem3Embedder(threads=threads))


@app.command()
def batch(
    inputs: InputsArgument,
    out: Annotated[Path, typer.Option("--out", "-o", help="results.parquet or results.jsonl")],
    model: ModelOption = None,
    workers: Annotated[int, typer.Option(help="Worker processes (0: one per CPU core).")] = 0,
    chunk_size: Annotated[int, typer.Option(min=1, help="Articles per committed part of the output.")] = 256,
    batch_size: Annotated[int, typer.Option(min=1, help="Articles per analysis batch.")] = 16,
    dedup: DedupOption = True,
    allow_private_urls: PrivateUrlsOption = False,
) -> None:
    """Analyse a corpus into one file, streaming and resumable.

    Killed and restarted with the same command, it goes on where it stopped and every input ends up in
    the output exactly once. Inputs that cannot be read are listed in OUT.errors.jsonl (input, position,
    reason) and make the exit code 1; pages without article text (menus, index pages of a web archive)
    are listed there too but are not failures."""
    from narrascope.batch.count import estimate_records
    from narrascope.batch.runner import PartWriter, run_batch
    from narrascope.ingest.readers import read_inputs
    from narrascope.parallel import usable_cores
    from narrascope.pipeline import PipelineConfig, check_model_path

    try:
        PartWriter(out)  # a bad output name fails before any work
        model_path = check_model_path(model)
    except NarrascopeError as exc:
        fail(exc)
    n_process = workers if workers > 0 else usable_cores()
    config = PipelineConfig(str(model_path))
    pool = None
    if n_process > 1:  # started before the progress bars, whose thread would rule out forking them
        from narrascope.parallel import start_workers

        try:
            pool = start_workers(config, n_process)
        except NarrascopeError as exc:
            fail(exc)

    def analyse(docs):
        if pool is not None:  # the workers send back output rows, not whole Documents
            from narrascope.parallel import pipe_in_processes

            return pipe_in_processes(config, docs, batch_size, n_process, pool=pool, send="rows")
        return config.build().pipe(docs, batch_size=batch_size)

    start = time.time()
    with _progress() as track:
        try:
            items = read_inputs(inputs, allow_private_urls=allow_private_urls)
            result = run_batch(items, out, analyse, chunk_size, track("analysing", estimate_records(inputs)),
                               dedup=_deduplicator(True, n_process) if dedup else None,
                               dedup_progress=lambda total: track("finding duplicates", total))
        except NarrascopeError as exc:
            fail(exc)
    seconds = time.time() - start
    failed = _report_errors(out, result.errors)
    no_text = sum(e["records"] for e in result.errors) - failed
    console.print(f"{result.analysed} analysed ({result.analysed / max(seconds, 1e-9):.1f} docs/s), "
                  f"{result.skipped} already done, {no_text} pages without article "
                  f"text, {failed} failed; results in [bold]{escape(str(out))}[/]")
    if failed:
        raise typer.Exit(1)


DEDUP_OUTPUT = {"record": "VARCHAR", "id": "VARCHAR", "title": "VARCHAR", "date": "VARCHAR", "language": "VARCHAR",
                "cluster_id": "VARCHAR", "duplicate_of": "VARCHAR", "duplicate_of_record": "VARCHAR",
                "similarity": "DOUBLE", "match": "VARCHAR"}


@app.command("dedup")
def dedup_command(
    inputs: InputsArgument,
    out: Annotated[Path, typer.Option("--out", "-o", help="clusters.parquet, .jsonl or .csv")],
    embeddings: Annotated[bool, typer.Option(
        help="Also find paraphrased rewrites and translations with sentence embeddings (slower than MinHash "
             "near-duplicates alone).")] = True,
    threads: Annotated[int, typer.Option(help="Threads for the embeddings (0: one per CPU core).")] = 0,
    allow_private_urls: PrivateUrlsOption = False,
) -> None:
    """Group copies, rewrites and translations of articles.

    Copies by MinHash LSH, rewrites and translations by embeddings and shared names and numbers: each
    article gets a cluster_id (its earliest article's id), its closest earlier article and a similarity."""
    from narrascope.batch.count import estimate_records
    from narrascope.batch.files import check_writable, output_format, write_rows
    from narrascope.batch.rows import record_key
    from narrascope.batch.runner import error_row
    from narrascope.ingest.readers import read_inputs
    from narrascope.parallel import usable_cores

    try:
        output_format(out)
        check_writable(out)
    except NarrascopeError as exc:
        fail(exc)
    errors: list[dict] = []
    info: dict[str, dict] = {}

    def articles():
        for item in read_inputs(inputs, allow_private_urls=allow_private_urls):
            if isinstance(item, InputError):
                errors.append(error_row(item))
                continue
            key = record_key(item)
            if key in info:
                continue  # the same input named twice
            info[key] = {"record": key, "id": item.id, "title": item.title, "date": item.date}
            yield key, item.clean_text, item.date, item.language

    deduplicator = _deduplicator(embeddings, threads or usable_cores())
    start = time.time()
    with _progress() as track:
        try:
            matches = deduplicator.find(articles(), progress=track("reading", estimate_records(inputs)))
        except NarrascopeError as exc:
            fail(exc)
    rows = ({**info[m.id], "language": m.language, "cluster_id": info[m.cluster_id]["id"],
             "duplicate_of": info[m.duplicate_of]["id"] if m.duplicate_of else "",
             "duplicate_of_record": m.duplicate_of, "similarity": m.similarity, "match": m.kind} for m in matches)
    n = write_rows(rows, out, DEDUP_OUTPUT)
    seconds = time.time() - start
    kinds = {kind: sum(m.kind == kind for m in matches) for kind in ("near_duplicate", "rewrite", "translation")}
    console.print(f"{n} articles ({n / max(seconds, 1e-9):.0f} docs/s): {kinds['near_duplicate']} near-duplicates, "
                  f"{kinds['rewrite']} rewrites, {kinds['translation']} translations in "
                  f"{len({m.cluster_id for m in matches})} clusters; results in [bold]{escape(str(out))}[/]")
    if _report_errors(out, errors):
        raise typer.Exit(1)


@app.command()
def spark(
    input: Annotated[str, typer.Argument(help="Articles: Parquet (file or folder), JSONL or CSV with a text column.")],
    output: Annotated[str, typer.Argument(help="Results: a .parquet, .jsonl or .csv folder, as Spark writes.")],
    master: Annotated[str, typer.Option(help="Spark master (local[N], spark://host:7077, yarn...).")] = "local[*]",
    text_col: Annotated[str, typer.Option(help="The column holding the article text.")] = "text",
    model: ModelOption = None,
    partitions: Annotated[int, typer.Option(help="Repartition the input first (0: keep its partitions).")] = 0,
    overwrite: Annotated[bool, typer.Option(help="Replace OUTPUT if it exists.")] = False,
) -> None:
    """Run the analysis as a Spark job.

    Needs pip install 'narrascope\\[spark]' and Java 17. The pipeline loads once per executor core; the
    same job runs on a cluster with spark-submit (see the README)."""
    session = start_spark(master, "narrascope")
    from narrascope.spark.job import run

    start = time.time()
    try:
        with console.status(f"analysing on Spark ({escape(master)})…"):
            n = run(session, input, output, text_col=text_col, model=str(model) if model else None,
                    partitions=partitions, overwrite=overwrite)
    except NarrascopeError as exc:
        fail(exc)
    except Exception as exc:  # noqa: BLE001 - Spark's own errors (a missing file, an existing output)
        fail(f"{input}: the Spark job failed: {first_line(exc)}")
    seconds = time.time() - start
    console.print(f"{n} articles analysed ({n / max(seconds, 1e-9):.1f} docs/s) into [bold]{escape(output)}[/]")
