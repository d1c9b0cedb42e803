"""A quick estimate of how many records some inputs hold (for the progress bar's ETA), without parsing them."""

from __future__ import annotations

import glob
from collections.abc import Iterable
from pathlib import Path

from narrascope.ingest.readers import (
    FEED_SUFFIXES,
    JSONL_SUFFIXES,
    WARC_SUFFIXES,
    data_suffix,
    is_article_file,
    open_data,
)


class _Unknown(Exception):
    """An input whose record count cannot be known without reading it (a web archive, a feed, a URL)."""


def estimate_records(inputs: Iterable[str]) -> int | None:
    """Records in files, folders and globs (JSONL lines, table rows, one per other file); None when some
    input's count is unknown (stdin, URLs, web archives, feeds)."""
    try:
        return sum(_records_in_input(name) for name in inputs)
    except _Unknown:
        return None


def _records_in_input(name: str) -> int:
    if name == "-" or name.lower().startswith(("http://", "https://")):
        raise _Unknown
    total = 0
    paths = [Path(p) for p in sorted(glob.glob(name, recursive=True))] if any(ch in name for ch in "*?[") \
        and not Path(name).exists() else [Path(name)]
    for path in paths:
        if path.is_dir():
            raw = path / "raw-documents"
            files = raw.glob("*.txt") if raw.is_dir() else (
                p for p in path.rglob("*") if p.is_file() and is_article_file(p))
            total += sum(_records_in(p) for p in files)
        elif path.is_file():
            total += _records_in(path)
    return total


def count_lines(fh, block: int = 1 << 20) -> int:
    """Non-blank lines of a binary file, read in blocks: a line of gigabytes (a .gz bomb) is never held whole."""
    count, blank = 0, True
    while chunk := fh.read(block):
        for i, piece in enumerate(chunk.split(b"\n")):
            if i:  # a line break: the line before it ends here
                count += not blank
                blank = True
            blank = blank and not piece.strip()
    return count + (not blank)


def _records_in(path: Path) -> int:
    suffix = data_suffix(path)
    if suffix in FEED_SUFFIXES or path.name.lower().endswith(WARC_SUFFIXES):
        raise _Unknown
    try:
        if suffix in JSONL_SUFFIXES or suffix == ".csv":
            with open_data(path) as fh:
                lines = count_lines(fh)
            return max(lines - (1 if suffix == ".csv" else 0), 0)
        if suffix == ".parquet":
            import duckdb

            with duckdb.connect() as con:  # a private connection: the module's shared one keeps results open
                return int(con.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchall()[0][0])
    except Exception:  # noqa: BLE001 - an estimate: the reader reports the real problem
        return 1
    return 1
