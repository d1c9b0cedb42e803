"""TAB-separated annotation and submission files (SemEval formats)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

from narrascope.errors import DataError


def iter_tsv(path: str | Path, min_columns: int, *, strict: bool, what: str = "") -> Iterator[tuple[int, list[str]]]:
    """``(line number, stripped columns)`` of each non-empty line (read with ``newline=""``).

    A line with fewer than ``min_columns`` fields raises ``DataError`` when
    ``strict``; otherwise it is reported as a warning naming file and line, and skipped.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError("file not found; check the path", source=str(path))
    with path.open(encoding="utf-8", newline="") as fh:
        for lineno, raw in enumerate(fh, start=1):
            line = raw.rstrip("\r\n")
            if not line.strip():
                continue
            cols = line.split("\t")
            if len(cols) < min_columns:
                message = (f"line {lineno}: expected {min_columns} TAB-separated columns"
                           f"{f' ({what})' if what else ''}, got {len(cols)}")
                if strict:
                    raise DataError(message, source=str(path))
                warnings.warn(f"{path}: {message}; line skipped", stacklevel=2)
                continue
            yield lineno, [c.strip() for c in cols]


def split_labels(value: str) -> list[str]:
    """``"a;b; c"`` -> ``["a", "b", "c"]``."""
    return [x.strip() for x in value.split(";") if x.strip()]
