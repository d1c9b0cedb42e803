"""SemEval-2025 Task 10 subtask-2 submission lines."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from narrascope.schema import Document


def subtask2_line(doc: Document) -> str:
    narratives = ";".join(lb.name for lb in doc.narratives) or "Other"
    subnarratives = ";".join(lb.name for lb in doc.subnarratives) or "Other"
    return f"{doc.id}\t{narratives}\t{subnarratives}"


def write_subtask2(docs: Iterable[Document], path: str | Path) -> int:
    """Write one line per document, sorted by article id; returns the count."""
    lines = sorted((subtask2_line(d) for d in docs), key=lambda line: line.split("\t", 1)[0])
    Path(path).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return len(lines)
