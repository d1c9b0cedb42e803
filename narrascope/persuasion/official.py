"""SemEval-2023 Task 3 folders in, official submission files out (subtasks 1, 2 and 3)."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from pathlib import Path

from narrascope.ingest.persuasion import PersuasionArticle, read_articles, read_template, split_paragraphs
from narrascope.schema import Document, Span

# folder names of the SemEval-2023 data -> ISO codes (the rest are ISO codes already)
FOLDER_LANGUAGES = {"en": "en", "fr": "fr", "ge": "de", "de": "de", "it": "it", "po": "pl", "pl": "pl",
                    "ru": "ru", "bg": "bg", "hi": "hi", "pt": "pt"}
MAX_LISTED = 5


def folder_language(folder: Path, language: str | None) -> str | None:
    """The language given, else the one the folder's name says (``en``, ``ge``…), else None (detect)."""
    if language:
        return language.lower()
    return FOLDER_LANGUAGES.get(folder.name.lower())


def article_documents(articles: dict[str, PersuasionArticle], language: str | None) -> list[Document]:
    """Documents for official prediction: the whole text is kept (no cleaning), so every paragraph is scored."""
    docs = []
    for aid in sorted(articles):
        article = articles[aid]
        doc = Document(text=article.text, id=aid, source=article.source, language=language or "")
        doc.spans["kept"] = [Span(0, len(article.text))]
        docs.append(doc)
    return docs


def paragraph_techniques(doc: Document, line: int) -> list[str]:
    """Techniques whose spans lie in paragraph ``line`` (1-based) of ``doc``."""
    paragraphs = split_paragraphs(doc.text)
    if not 1 <= line <= len(paragraphs):
        return []
    p = paragraphs[line - 1]
    names = {s.label for s in doc.spans.get("techniques", []) if p.start <= s.start and s.end <= p.end and s.label}
    return sorted(names)


def check_template(template: Path, records: list[tuple[str, int]], articles: dict[str, PersuasionArticle]) -> None:
    """Warn (file and record) about paragraphs past the end of their article and empty paragraphs."""
    past, empty = [], []
    for n, (aid, line) in enumerate(records, start=1):
        if aid not in articles:  # reported by read_template
            continue
        paragraphs = split_paragraphs(articles[aid].text)
        if not 1 <= line <= len(paragraphs):
            past.append(f"record {n} (article {aid}, line {line}; the article has {len(paragraphs)} lines)")
        elif not paragraphs[line - 1].text.strip():
            empty.append(f"record {n} (article {aid}, line {line})")
    for problem, items in (("names a paragraph past the end of its article", past),
                           ("names an empty paragraph", empty)):
        if items:
            listed = "; ".join(items[:MAX_LISTED]) + (f"; and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else "")
            warnings.warn(f"{template}: {len(items)} record(s) {problem}, written with no techniques: {listed}",
                          stacklevel=2)


def predict_folder(folder: Path, subtask: int, analyse: Callable[[list[Document]], Iterable[Document]],
                   language: str | None = None, errors: list | None = None
                   ) -> tuple[str, dict[str, Document], list[tuple[str, int]]]:
    """``(split, {id: analysed Document}, template records)`` for ``<split>-articles-subtask-N``.

    Unreadable article files are reported and appended to ``errors``.
    """
    split, articles = read_articles(folder, subtask, errors)
    records: list[tuple[str, int]] = []
    if subtask == 3:
        template = folder / f"{split}-labels-subtask-3.template"
        records = read_template(template, set(articles))
        check_template(template, records, articles)
        wanted = {aid for aid, _ in records}
        articles = {k: v for k, v in articles.items() if k in wanted}
    docs = {d.id: d for d in analyse(article_documents(articles, folder_language(folder, language)))}
    return split, docs, records


def write_lines(lines: Iterable[str], path: Path) -> int:
    n = 0
    with Path(path).open("w", encoding="utf-8", newline="\n") as fh:
        for line in lines:
            fh.write(line + "\n")
            n += 1
    return n


def subtask3_lines(docs: dict[str, Document], records: list[tuple[str, int]]) -> Iterable[str]:
    for aid, line in records:
        labels = paragraph_techniques(docs[aid], line) if aid in docs else []
        yield f"{aid}\t{line}\t{','.join(labels)}"


def subtask1_lines(docs: dict[str, Document]) -> Iterable[str]:
    for aid in sorted(docs):
        genre = docs[aid].labels.get("genre") or []
        yield f"{aid}\t{genre[0].name if genre else 'opinion'}"


def subtask2_lines(docs: dict[str, Document]) -> Iterable[str]:
    for aid in sorted(docs):
        yield f"{aid}\t{','.join(label.name for label in docs[aid].labels.get('frames', []))}"
