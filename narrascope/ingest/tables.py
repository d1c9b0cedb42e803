"""Parquet and CSV files of articles (one row each), streamed: memory does not grow with the file."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from narrascope.errors import InputError, RecordError, UndecodableRecordError
from narrascope.ingest.articles import data_stem, data_suffix, document_from_record, open_data, until_damaged
from narrascope.ingest.decode import MAX_BYTES

TEXT_COLUMN = "text"
FETCH = 512  # Parquet rows per fetch


def read_table_file(path: str | Path, text_column: str = TEXT_COLUMN) -> Iterator:
    """One Document per row of a ``.parquet`` or ``.csv`` file (columns as in JSONL: ``id``, ``text``,
    ``title``, ``url``, ``date``, ``source``, ``lang``); a bad row or file yields an ``InputError``."""
    path = Path(path)
    rows = _csv_rows(path) if data_suffix(path) == ".csv" else _parquet_rows(path)
    for where, number, record in rows:
        if isinstance(record, InputError):
            yield record
            continue
        if text_column not in record:
            yield InputError(f"no '{text_column}' column (columns: {', '.join(record)}); name the article "
                             f"text column '{TEXT_COLUMN}'", source=str(path))
            return
        record["text"] = record.get(text_column) or ""
        try:
            doc = document_from_record(record, where)
        except InputError as exc:
            yield exc
            continue
        doc.id = doc.id or f"{data_stem(path)}-{number}"
        doc.meta["file"], doc.meta["row"] = str(path), number
        yield doc


def _parquet_rows(path: Path) -> Iterator:
    import duckdb

    con = duckdb.connect()
    try:
        cursor = con.execute("SELECT * FROM read_parquet(?)", [str(path)])
        columns = [c[0] for c in cursor.description]
        number = 0
        while rows := cursor.fetchmany(FETCH):
            for row in rows:
                number += 1
                yield f"{path}#row {number}", number, {k: v for k, v in zip(columns, row, strict=True)
                                                      if v is not None}
    except duckdb.Error as exc:
        yield str(path), 0, InputError(f"cannot read the Parquet file ({str(exc).splitlines()[0]})",
                                       source=str(path))
    finally:
        con.close()


_CONVERT = "convert the file to UTF-8, e.g. `iconv -f cp1252 -t utf-8 FILE > FILE.utf8`"


def _utf8(fields: list[str]) -> bool:
    """Whether the fields were valid UTF-8 (read with ``surrogateescape``, bad bytes are lone surrogates)."""
    try:
        "".join(fields).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _csv_rows(path: Path) -> Iterator:
    """Rows of a CSV file with a header; a row with broken quoting, the wrong number of fields or bytes that
    are not UTF-8 is reported (file and line) and reading goes on with the next one. A leading byte-order
    mark (Excel's "CSV UTF-8") is no part of the first column's name. A ``.csv.gz`` file is decompressed on
    the fly."""
    csv.field_size_limit(MAX_BYTES)  # a field over the limit for one article is reported, not read on
    try:
        # undecodable bytes become lone surrogates, so that one bad row does not end the file
        fh = open_data(path, "rt", encoding="utf-8-sig", errors="surrogateescape", newline="")
    except OSError as exc:
        yield str(path), 0, InputError(f"cannot read file ({exc.strerror})", source=str(path))
        return
    with fh:
        for item in until_damaged(path, _csv_records(path, BoundedTextLines(fh, MAX_BYTES))):
            yield item if isinstance(item, tuple) else (str(path), 0, item)


class _OverlongLine(Exception):
    """A line over the limit for one article, read past without being held whole."""


class BoundedTextLines:
    """The lines of a text file for ``csv.reader``: a line over ``limit`` characters is read past in pieces
    (never held whole: a .gz line that inflates to gigabytes takes no more memory than the limit) and
    raises ``_OverlongLine``, after which iteration goes on with the next line."""

    def __init__(self, fh: IO[str], limit: int) -> None:
        self.fh, self.limit = fh, limit
        self.count = 0  # lines read so far, the over-long ones included (csv.reader's line_num skips those)

    def __iter__(self) -> BoundedTextLines:
        return self

    def __next__(self) -> str:
        line = self.fh.readline(self.limit + 1)
        if not line:
            raise StopIteration
        self.count += 1
        if len(line) > self.limit and not line.endswith(("\n", "\r")):
            while (rest := self.fh.readline(1 << 20)) and not rest.endswith(("\n", "\r")):
                pass
            raise _OverlongLine
        return line


def _csv_records(path: Path, lines: BoundedTextLines) -> Iterator:
    """``(where, row number, record or error)`` for each row of a CSV file's lines."""
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader)
    except _OverlongLine:
        yield str(path), 0, InputError(f"the header row is over {MAX_BYTES / 1e6:.0f} MB: not a CSV file of "
                                       "articles", source=str(path))
        return
    except (csv.Error, StopIteration) as exc:
        yield str(path), 0, InputError(f"no CSV header row ({exc or 'empty file'})", source=str(path))
        return
    if not _utf8(header):
        yield str(path), 0, InputError(f"the header row is not valid UTF-8; {_CONVERT}", source=str(path))
        return
    number = 0
    while True:
        line = lines.count + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except _OverlongLine:
            yield f"{path}#line {line}", 0, RecordError(
                f"a line is over the {MAX_BYTES / 1e6:.0f} MB limit for one article; row skipped",
                source=f"{path}:{line}")
            continue
        except csv.Error as exc:
            reason = (f"a field is over the {MAX_BYTES / 1e6:.0f} MB limit for one article" if "field limit" in str(exc)
                      else f"broken CSV quoting ({exc})")
            yield f"{path}#line {line}", 0, RecordError(f"{reason}; row skipped", source=f"{path}:{line}")
            continue
        number += 1
        if not _utf8(row):
            yield f"{path}#line {line}", number, UndecodableRecordError(
                f"row is not valid UTF-8; row skipped ({_CONVERT})", source=f"{path}:{line}")
            continue
        if len(row) != len(header):
            yield f"{path}#line {line}", number, RecordError(
                f"{len(row)} fields where the header has {len(header)}; row skipped", source=f"{path}:{line}")
            continue
        yield f"{path}:{line}", number, {k: v for k, v in zip(header, row, strict=True) if v != ""}
