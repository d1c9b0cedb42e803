"""What every CLI module shares: the Typer apps, the consoles, errors, shared options and helpers.

The command modules (main, batch, explain, persuasion, store) import from here and never from each
other, so the CLI has no import circle."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sized
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from narrascope.errors import AnnotationError, NarrascopeError

os.environ.setdefault("HF_HUB_OFFLINE", "1")

app = typer.Typer(
    name="narrascope",
    help="Find the narratives and sub-narratives a news article pushes, with evidence from its text.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
train_app = typer.Typer(help="Rebuild a model from SemEval-format training data.", no_args_is_help=True)
predict_app = typer.Typer(help="Write official SemEval submission files for a folder.", no_args_is_help=True)
evaluate_app = typer.Typer(help="Score a submission file against gold annotations.", no_args_is_help=True)
app.add_typer(train_app, name="train")
app.add_typer(predict_app, name="predict")
app.add_typer(evaluate_app, name="evaluate")

console = Console(stderr=True, soft_wrap=True)  # one error = one line, never wrapped
out = Console()

ModelOption = Annotated[
    Path | None, typer.Option("--model", help="Model folder (default: the shipped model).")
]


def fail(exc: NarrascopeError | str, code: int = 2) -> None:
    console.print(f"[bold red]error[/]: {escape(str(exc))}", highlight=False)
    raise typer.Exit(code)


def start_spark(master: str, name: str):
    """A Spark session at ``master`` whose executors on this machine use this Python; a one-line failure
    when pyspark is not installed or Spark cannot start (no Java 17)."""
    import sys

    try:
        from pyspark.sql import SparkSession
    except ImportError:
        fail("pyspark is not installed; pip install 'narrascope[spark]' (it needs Java 17)")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    try:
        return SparkSession.builder.master(master).appName(name).config("spark.ui.enabled", "false").getOrCreate()
    except Exception as exc:  # noqa: BLE001 - the JVM's own errors
        fail(f"cannot start Spark at {master}: {first_line(exc)} (Spark needs Java 17: is it installed?)")


def first_line(exc: BaseException) -> str:
    """The first line of an error's message (Spark's run to pages of Java stack), or its type's name."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def require_gold(gold: Sized, path: Path, unit: str) -> None:
    """Stop with a clear error when a gold file gave nothing to score against (every score would read 0)."""
    if not len(gold):
        fail(AnnotationError(f"no {unit} to score against: the file is empty or none of its lines could be read; "
                             "give the task's gold annotation file", source=str(path)))


TaxonomyOption = Annotated[
    Path | None, typer.Option("--taxonomy", help="Your own narratives: a YAML taxonomy file (label, description, "
                              "examples), or a folder from `train narratives --taxonomy`; replaces SemEval's.")
]


def load_pipeline(model: Path | None, entities: bool = True, ner: bool = False, techniques: bool = True,
                  taxonomy: Path | None = None, technique_encoder: bool = True):
    from narrascope.pipeline import build_pipeline

    with console.status("loading model…"):
        try:
            return build_pipeline(model, roles=entities, ner=ner, persuasion=techniques, taxonomy=taxonomy,
                                  technique_encoder=technique_encoder)
        except NarrascopeError as exc:
            fail(exc)


def check_taxonomy(taxonomy: Path | None) -> None:
    """Stop with the file's first problem before any article is read (workers would each meet it)."""
    if taxonomy is None:
        return
    from narrascope.errors import TaxonomyWarning
    from narrascope.schema.user_taxonomy import read_taxonomy

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            read_taxonomy(taxonomy / "taxonomy.yaml" if taxonomy.is_dir() else taxonomy)
        except NarrascopeError as exc:
            fail(exc)
    for warning in caught:
        console.print(f"[yellow]warning[/]: {escape(str(warning.message))}", highlight=False)
    warnings.filterwarnings("ignore", category=TaxonomyWarning)  # said once; reading it again says nothing


def read_folder(folder: Path, consequence: str = ""):
    """``(documents, errors)`` of a SemEval language folder; each unreadable article is reported (with
    ``consequence``), a folder without ``raw-documents/`` stops the command."""
    from narrascope.errors import FolderLayoutError, InputError
    from narrascope.ingest.semeval import read_semeval_folder

    items = list(read_semeval_folder(folder))
    layout_errors = [x for x in items if isinstance(x, FolderLayoutError)]
    if layout_errors:
        fail(layout_errors[0])
    errors = [x for x in items if isinstance(x, InputError)]
    for bad in errors:
        console.print(f"[bold red]error[/]: {escape(str(bad))}{consequence}", highlight=False)
    return [x for x in items if not isinstance(x, InputError)], errors


def write_predictions(write, output: Path, what: str = "predictions") -> None:
    """Run ``write()`` (it returns how many lines it wrote) and report it; a file that cannot be written
    stops the command with a clear error."""
    try:
        n = write()
    except OSError as exc:
        fail(f"{output}: cannot write the predictions ({exc.strerror}); check the folder exists")
    console.print(f"{n} {what} written to [bold]{escape(str(output))}[/]")


PARALLEL_MIN_DOCS = 48  # below this, starting worker processes costs more than it saves


def plan_workers(docs, workers: int):
    """``(stream, n_process)``: peek ahead so a handful of articles stays in one process."""
    from itertools import chain, islice

    from narrascope.parallel import usable_cores

    n = workers if workers > 0 else usable_cores()
    if n <= 1:
        return docs, 1
    docs = iter(docs)
    head = list(islice(docs, PARALLEL_MIN_DOCS))
    if len(head) < PARALLEL_MIN_DOCS and workers == 0:
        return iter(head), 1
    return chain(head, docs), n


def analysed(model: Path | None, docs, workers: int, batch_size: int, entities: bool = True, ner: bool = False,
             techniques: bool = True, taxonomy: Path | None = None, as_lines: bool = False, fork: bool = True,
             technique_encoder: bool = True):
    """The documents analysed, in input order: in worker processes when there are many, otherwise
    here. Workers are forked from this process once it has loaded the models (``fork``, where that is
    safe: a process holding a DuckDB connection passes False), else spawned. ``as_lines``: workers
    send each article back as its JSONL line (a str) instead of a Document (one process still gives
    Documents)."""
    from narrascope.pipeline import check_model_path

    try:
        model_path = check_model_path(model)
    except NarrascopeError as exc:
        fail(exc)
    check_taxonomy(taxonomy)
    stream, n_process = plan_workers(docs, workers)
    if n_process > 1:
        from narrascope.parallel import can_fork, pipe_in_processes, process_pool, start_workers
        from narrascope.pipeline import PipelineConfig

        config = PipelineConfig(str(model_path), roles=entities, ner=ner, persuasion=techniques,
                                taxonomy=str(taxonomy.resolve()) if taxonomy else None,
                                technique_encoder=technique_encoder)
        # forked workers share the models this process loads; spawned ones load their own
        if fork and can_fork():
            pipeline = load_pipeline(model_path, entities, ner, techniques, taxonomy, technique_encoder)
            try:
                pool = start_workers(config, n_process, pipeline)
            except NarrascopeError as exc:
                fail(exc)
        else:
            pool = process_pool(config, n_process)
        return pipe_in_processes(config, stream, batch_size, n_process, pool=pool,
                                 send="lines" if as_lines else "documents")
    return load_pipeline(model_path, entities, ner, techniques, taxonomy, technique_encoder).pipe(
        stream, batch_size=batch_size)


@contextmanager
def reported_warnings():
    """Print every warning raised inside as one yellow line when it is raised (file and line are in the
    message), so that those before an error are shown too."""
    def show(message, *args, **kwargs) -> None:
        console.print(f"[yellow]warning[/]: {escape(str(message))}", highlight=False)

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = show
        yield


def print_scores(title: str, columns: dict[str, str]) -> None:
    from rich.table import Table

    table = Table(title=title)
    for name in columns:
        table.add_column(name, justify="right")
    table.add_row(*columns.values())
    out.print(table)
