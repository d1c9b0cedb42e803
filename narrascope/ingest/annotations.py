"""TAB-separated annotation and submission files (SemEval formats)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from narrascope.errors import AnnotationError, DataNotFoundError
from narrascope.ingest.decode import read_lines


def iter_tsv(path: str | Path, min_columns: int, *, strict: bool, what: str = "") -> Iterator[tuple[int, list[str]]]:
    """``(line number, stripped columns)`` of each non-empty line (read with ``newline=""``).

    A line with fewer than ``min_columns`` fields raises ``DataError`` when
    ``strict``; otherwise it is reported as a warning naming file and line, and skipped.
    """
    path = Path(path)
    if path.is_dir():
        raise DataNotFoundError(f"is a folder; give the file itself (TAB-separated lines{f': {what}' if what else ''})",
                                source=str(path))
    if not path.is_file():
        raise DataNotFoundError("file not found; check the path", source=str(path))
    for lineno, raw in enumerate(read_lines(path), start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        cols = line.split("\t")
        if len(cols) < min_columns:
            message = (f"line {lineno}: expected {min_columns} TAB-separated columns"
                       f"{f' ({what})' if what else ''}, got {len(cols)}")
            if strict:
                raise AnnotationError(message, source=str(path))
            warnings.warn(f"{path}: {message}; line skipped", stacklevel=2)
            continue
        yield lineno, [c.strip() for c in cols]


def split_labels(value: str) -> list[str]:
    """``"a;b; c"`` -> ``["a", "b", "c"]``."""
    return [x.strip() for x in value.split(";") if x.strip()]


@dataclass(frozen=True)
class RoleAnnotation:
    """One line of a subtask-1 file: a mention (END-INCLUSIVE offsets) and, if given, its roles."""

    article_id: str
    mention: str
    start: int
    end: int
    main_role: str = ""
    fine_roles: tuple[str, ...] = ()
    line: int = 0

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.article_id, self.start, self.end)


def read_role_annotations(path: str | Path, *, with_roles: bool = True) -> list[RoleAnnotation]:
    """Subtask-1 annotations (``with_roles``) or entity-mention files (first four columns).

    Malformed lines (missing columns, non-numeric or reversed offsets, no fine role)
    are reported as warnings naming file and line, and skipped; nothing is dropped silently.
    """
    min_columns = 6 if with_roles else 4
    what = ("article_id, mention, start, end, main_role, fine_role" if with_roles
            else "article_id, mention, start, end")
    out = []
    for lineno, cols in iter_tsv(path, min_columns, strict=False, what=what):
        try:
            start, end = int(cols[2]), int(cols[3])
        except ValueError:
            warnings.warn(f"{path}: line {lineno}: start/end are not integers ({cols[2]!r}, {cols[3]!r}); "
                          "line skipped", stacklevel=2)
            continue
        if start < 0 or end < start:
            warnings.warn(f"{path}: line {lineno}: offsets {start}-{end} are not a valid span; line skipped",
                          stacklevel=2)
            continue
        roles = tuple(c for c in cols[5:] if c) if with_roles else ()
        if with_roles and not roles:
            warnings.warn(f"{path}: line {lineno}: no fine-grained role given; line skipped", stacklevel=2)
            continue
        out.append(RoleAnnotation(cols[0], cols[1], start, end, cols[4] if with_roles else "", roles, lineno))
    return out
