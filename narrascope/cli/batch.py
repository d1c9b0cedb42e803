"""``narrascope batch``: a large corpus into one Parquet or JSONL file, on all cores, resumably."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from narrascope.cli.main import ModelOption, app, console, fail
from narrascope.errors import NarrascopeError, NoArticleError


@app.command()
def batch(
    inputs: Annotated[list[str], typer.Argument(
        help="Files, folders, globs or URLs: .txt, .html, .jsonl, .parquet, .csv, .warc(.gz), RSS/Atom feeds.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="results.parquet or results.jsonl")],
    model: ModelOption = None,
    workers: Annotated[int, typer.Option(help="Worker processes (0: one per CPU core).")] = 0,
    chunk_size: Annotated[int, typer.Option(min=1, help="Articles per committed part of the output.")] = 256,
    batch_size: Annotated[int, typer.Option(min=1, help="Articles per analysis batch.")] = 16,
    allow_private_urls: Annotated[bool, typer.Option(
        help="Let URLs and feed links reach private, loopback and link-local addresses.")] = False,
) -> None:
    """Analyse a corpus into one file, streaming; killed and restarted with the same command, it goes on
    where it stopped and every input ends up in the output exactly once. Inputs that cannot be read are
    listed in OUT.errors.jsonl (input, position, reason) and make the exit code 1; pages without article
    text (menus, index pages of a web archive) are listed there too but are not failures."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from narrascope.batch.count import estimate_records
    from narrascope.batch.runner import PartWriter, run_batch
    from narrascope.ingest.readers import read_inputs
    from narrascope.pipeline import build_pipeline, check_model_path

    try:
        PartWriter(out)  # a bad output name fails before any work
        model_path = check_model_path(model)
    except NarrascopeError as exc:
        fail(exc)
    n_process = workers if workers > 0 else (os.cpu_count() or 1)
    names = ["narratives", "explain", "roles", "persuasion"]

    def analyse(docs):
        if n_process > 1:
            from narrascope.parallel import pipe_in_processes

            return pipe_in_processes(model_path, names, docs, batch_size, n_process)
        return build_pipeline(model_path).pipe(docs, batch_size=batch_size)

    start = time.time()
    with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[rate]}"), TextColumn("ETA"), TimeRemainingColumn(), console=console,
                  transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task("analysing", total=estimate_records(inputs), rate="")

        def advance(n: int) -> None:
            progress.advance(task, n)
            done = progress.tasks[0].completed
            progress.update(task, rate=f"{done / max(time.time() - start, 1e-9):.1f} docs/s")

        try:
            items = read_inputs(inputs, allow_private_urls=allow_private_urls)
            result = run_batch(items, out, analyse, chunk_size, advance)
        except NarrascopeError as exc:
            fail(exc)
    errors_path = out.with_name(out.name + ".errors.jsonl")
    if result.errors:
        with errors_path.open("w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(e, ensure_ascii=False) + "\n" for e in result.errors)
    elif errors_path.exists():
        errors_path.unlink()  # from an earlier run whose inputs have been fixed since
    seconds = time.time() - start
    failed = [e for e in result.errors if e["code"] != NoArticleError.code]
    console.print(f"{result.analysed} analysed ({result.analysed / max(seconds, 1e-9):.1f} docs/s), "
                  f"{result.skipped} already done, {len(result.errors) - len(failed)} pages without article "
                  f"text, {len(failed)} failed; results in [bold]{escape(str(out))}[/]")
    if result.errors:
        console.print(f"[yellow]the inputs not analysed are listed in {escape(str(errors_path))}[/]")
    if failed:
        raise typer.Exit(1)
