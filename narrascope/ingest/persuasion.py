"""SemEval-2023 Task 3 folders: genre (subtask 1), framing (2) and persuasion techniques (3).

A language folder holds ``<split>-articles-subtask-{1,2,3}/article<ID>.txt``,
``<split>-labels-subtask-{1,2,3}.txt``, ``<split>-labels-subtask-3.template`` and
``<split>-labels-subtask-3-spans/``, whatever the split prefix (``train``, ``dev``, ``test``).
Paragraphs are the lines of an article, numbered from 1; span offsets are
end-exclusive on the text read with ``newline=""``.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from narrascope.errors import AnnotationError, DataNotFoundError, FolderLayoutError, InputError
from narrascope.ingest.annotations import iter_tsv
from narrascope.ingest.decode import read_lines, read_text_bytes

_ARTICLE = re.compile(r"^article(\d+)\.txt$")
# A template record: article id, line number, paragraph text. The organisers' files
# sometimes glue a record onto the previous paragraph's text, so records are found
# anywhere a run of digits follows a non-digit.
_RECORD = re.compile(r"(?<![\d\t])(\d+)\t(\d+)\t")


@dataclass
class Paragraph:
    """One line of an article: 1-based ``line``, its offsets and text (without the line break)."""

    line: int
    start: int
    end: int
    text: str


@dataclass
class PersuasionArticle:
    """An article with whatever SemEval-2023 T3 gold the folder has for it."""

    id: str
    text: str
    source: str
    genre: str | None = None
    frames: list[str] | None = None
    # line -> techniques; only lines the label file names (None: no paragraph labels)
    paragraph_labels: dict[int, list[str]] | None = None
    spans: list[tuple[str, int, int]] = field(default_factory=list)

    def paragraphs(self) -> list[Paragraph]:
        return split_paragraphs(self.text)


def split_paragraphs(text: str) -> list[Paragraph]:
    """All lines of ``text`` (numbered from 1), with ``\\r`` kept out of the paragraph."""
    out = []
    pos = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        body = raw.rstrip("\r")
        out.append(Paragraph(number, pos, pos + len(body), body))
        pos += len(raw) + 1
    return out


def find_split(folder: Path, subtask: int) -> str:
    """The split prefix of ``<split>-articles-subtask-N`` inside ``folder`` (``train``, ``dev``…)."""
    candidates = sorted(p.name[: -len(f"-articles-subtask-{subtask}")]
                        for p in folder.glob(f"*-articles-subtask-{subtask}") if p.is_dir())
    if not candidates:
        raise FolderLayoutError(
            f"no '<split>-articles-subtask-{subtask}/' folder inside; point at a SemEval-2023 Task 3 language "
            f"folder (for example .../semeval2023_t3/train/en)", source=str(folder))
    if len(candidates) > 1:
        warnings.warn(f"{folder}: several splits ({', '.join(candidates)}); using {candidates[0]!r}", stacklevel=2)
    return candidates[0]


def read_articles(folder: str | Path, subtask: int, errors: list[InputError] | None = None
                  ) -> tuple[str, dict[str, PersuasionArticle]]:
    """``(split, {id: article})`` for ``<split>-articles-subtask-N``; unreadable files are warned about
    (and appended to ``errors`` when given)."""
    folder = Path(folder)
    split = find_split(folder, subtask)
    directory = folder / f"{split}-articles-subtask-{subtask}"
    articles: dict[str, PersuasionArticle] = {}
    for path in sorted(directory.iterdir()):
        match = _ARTICLE.match(path.name)
        if not match:
            continue
        try:
            text = read_text_bytes(path)
        except InputError as exc:
            warnings.warn(f"{exc}; article skipped", stacklevel=2)
            if errors is not None:
                errors.append(exc)
            continue
        articles[match.group(1)] = PersuasionArticle(match.group(1), text, str(path))
    if not articles:
        raise FolderLayoutError("holds no article<ID>.txt files", source=str(directory))
    return split, articles


def read_template(path: str | Path, known_ids: set[str] | None = None) -> list[tuple[str, int]]:
    """``(article_id, line)`` of every record of a subtask-3 template, in file order.

    A record at the start of a line whose id is not in ``known_ids`` (when given) is
    reported and kept, so the output still has one line per record.
    """
    path = Path(path)
    if not path.is_file():
        raise DataNotFoundError("template file not found; it names the paragraphs to label", source=str(path))
    content = "".join(read_lines(path))
    records: list[tuple[str, int]] = []
    record_lines: set[int] = set()  # lines on which a record starts
    lineno = 1
    pos = 0
    for match in _RECORD.finditer(content):
        lineno += content.count("\n", pos, match.start())
        pos = match.start()
        at_line_start = match.start() == 0 or content[match.start() - 1] == "\n"
        article_id, line = match.group(1), int(match.group(2))
        if known_ids is not None and article_id not in known_ids:
            if not at_line_start:  # digits and a TAB inside a paragraph, not a glued record
                continue
            warnings.warn(f"{path}: line {lineno}: article {article_id} has no readable article file; "
                          "its paragraph is written with no labels", stacklevel=2)
        records.append((article_id, line))
        record_lines.add(lineno)
    for number, text in enumerate(content.split("\n"), start=1):
        if text.strip() and number not in record_lines:
            warnings.warn(f"{path}: line {number}: not an 'article_id<TAB>line<TAB>text' record; no output line "
                          "for it (fix the line if it names a paragraph to label)", stacklevel=2)
    if not records:
        raise AnnotationError("no 'article_id<TAB>line<TAB>text' records found", source=str(path))
    return records


def read_paragraph_labels(path: str | Path, techniques: set[str] | None = None) -> dict[str, dict[int, list[str]]]:
    """``{article_id: {line: [techniques]}}`` from a subtask-3 label file.

    Unknown technique names (when ``techniques`` is given) and malformed lines are
    reported with file and line; unknown names are dropped from the line, the line is kept.
    """
    out: dict[str, dict[int, list[str]]] = {}
    for lineno, cols in _iter_rows(path, 2, "article_id, line, techniques"):
        try:
            line = int(cols[1])
        except ValueError:
            warnings.warn(f"{path}: line {lineno}: paragraph line {cols[1]!r} is not an integer; line skipped",
                          stacklevel=2)
            continue
        names = [t.strip() for t in (cols[2] if len(cols) > 2 else "").split(",") if t.strip()]
        if techniques is not None:
            unknown = [t for t in names if t not in techniques]
            if unknown:
                warnings.warn(f"{path}: line {lineno}: unknown technique(s) {', '.join(unknown)}; ignored",
                              stacklevel=2)
                names = [t for t in names if t in techniques]
        out.setdefault(cols[0], {})[line] = names
    return out


def read_document_labels(path: str | Path, *, multi: bool, labels: set[str] | None = None) -> dict[str, list[str]]:
    """``{article_id: [labels]}`` from a subtask-1 (one genre) or subtask-2 (comma-separated frames) file."""
    out: dict[str, list[str]] = {}
    for lineno, cols in _iter_rows(path, 2, "article_id, label(s)"):
        names = [x.strip() for x in cols[1].split(",")] if multi else [cols[1].strip()]
        names = [x for x in names if x]
        if labels is not None:
            unknown = [x for x in names if x not in labels]
            if unknown:
                warnings.warn(f"{path}: line {lineno}: unknown label(s) {', '.join(unknown)}; ignored", stacklevel=2)
                names = [x for x in names if x in labels]
        out[cols[0]] = names
    return out


def read_spans(folder: str | Path, techniques: set[str] | None = None) -> dict[str, list[tuple[str, int, int]]]:
    """``{article_id: [(technique, start, end)]}`` from a ``*-labels-subtask-3-spans/`` folder."""
    out: dict[str, list[tuple[str, int, int]]] = {}
    for path in sorted(Path(folder).glob("*.txt")):
        for lineno, cols in _iter_rows(path, 4, "article_id, technique, start, end"):
            try:
                start, end = int(cols[2]), int(cols[3])
            except ValueError:
                warnings.warn(f"{path}: line {lineno}: offsets are not integers; line skipped", stacklevel=2)
                continue
            if techniques is not None and cols[1] not in techniques:
                warnings.warn(f"{path}: line {lineno}: unknown technique {cols[1]!r}; line skipped", stacklevel=2)
                continue
            if end <= start:
                warnings.warn(f"{path}: line {lineno}: empty span {start}-{end}; line skipped", stacklevel=2)
                continue
            out.setdefault(cols[0], []).append((cols[1], start, end))
    return out


def _iter_rows(path: str | Path, min_columns: int, what: str) -> Iterator[tuple[int, list[str]]]:
    return iter_tsv(path, min_columns, strict=False, what=what)


def read_persuasion_folder(folder: str | Path, techniques: set[str] | None = None, genres: set[str] | None = None,
                           frames: set[str] | None = None) -> dict[int, dict[str, PersuasionArticle]]:
    """Every subtask the folder has: ``{subtask: {id: article with its gold}}``.

    Paragraph labels that point past the end of their article are reported and dropped.
    """
    folder = Path(folder)
    out: dict[int, dict[str, PersuasionArticle]] = {}
    for subtask in (1, 2, 3):
        try:
            split, articles = read_articles(folder, subtask)
        except FolderLayoutError:
            continue
        labels_file = folder / f"{split}-labels-subtask-{subtask}.txt"
        if subtask == 1 and labels_file.is_file():
            for aid, names in read_document_labels(labels_file, multi=False, labels=genres).items():
                if aid in articles and names:
                    articles[aid].genre = names[0]
        elif subtask == 2 and labels_file.is_file():
            for aid, names in read_document_labels(labels_file, multi=True, labels=frames).items():
                if aid in articles:
                    articles[aid].frames = names
        elif subtask == 3 and labels_file.is_file():
            spans = read_spans(folder / f"{split}-labels-subtask-3-spans", techniques)
            for aid, lines in read_paragraph_labels(labels_file, techniques).items():
                article = articles.get(aid)
                if article is None:
                    warnings.warn(f"{labels_file}: article {aid} has no article file; its labels are ignored",
                                  stacklevel=2)
                    continue
                n_lines = article.text.count("\n") + 1
                outside = sorted(line for line in lines if not 1 <= line <= n_lines)
                if outside:
                    warnings.warn(f"{labels_file}: article {aid} has {n_lines} lines but labels name line(s) "
                                  f"{', '.join(map(str, outside))}; those labels are ignored", stacklevel=2)
                paragraphs = article.paragraphs()
                blank = sorted(k for k, v in lines.items() if 1 <= k <= n_lines and v and not paragraphs[k - 1].text.strip())
                if blank:
                    warnings.warn(f"{labels_file}: article {aid}: line(s) {', '.join(map(str, blank))} are empty "
                                  "paragraphs but carry techniques; those labels are ignored", stacklevel=2)
                article.paragraph_labels = {k: ([] if k in blank else v) for k, v in lines.items() if 1 <= k <= n_lines}
                article.spans = spans.get(aid, [])
        out[subtask] = articles
    if not out:
        raise FolderLayoutError("no '<split>-articles-subtask-N/' folder inside; point at a SemEval-2023 Task 3 "
                                "language folder (for example .../semeval2023_t3/train/en)", source=str(folder))
    return out
