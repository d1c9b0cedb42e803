"""Rows of results into Parquet (via DuckDB), JSONL or CSV, written through a temporary file and a rename."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable
from pathlib import Path

from narrascope.errors import UsageError

OUTPUT_SUFFIXES = (".parquet", ".jsonl", ".csv")


def output_format(path: Path, allowed: tuple[str, ...] = OUTPUT_SUFFIXES) -> str:
    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise UsageError(f"the output must end in {' or '.join(allowed)}, not {suffix or 'nothing'!r}",
                         source=str(path))
    return suffix[1:]


def write_rows(rows: Iterable[dict], path: Path, columns: dict[str, str], *, fsync: bool = False) -> int:
    """Write ``rows`` (dicts with the keys of ``columns``, whose values are DuckDB types) to ``path``, in
    the format its suffix names; atomic: the file appears whole or not at all. The number of rows."""
    fmt = output_format(path)
    tmp = path.with_name(f".{path.name}.tmp")
    n = 0
    if fmt == "parquet":  # rows go through a JSONL file: DuckDB reads it in bulk, far faster than inserts
        import duckdb

        rows_file = path.with_name(f".{path.name}.rows.jsonl")
        try:
            n = write_rows(rows, rows_file, columns)
            types = "{" + ", ".join(f"'{c}': '{t}'" for c, t in columns.items()) + "}"
            with duckdb.connect() as con:
                con.execute(f"COPY (SELECT * FROM read_json(?, format='newline_delimited', columns={types}, "
                            f"maximum_object_size=1073741824)) TO '{_quoted(tmp)}' (FORMAT parquet)",
                            [str(rows_file)])
            if fsync:
                with tmp.open("rb") as fh:
                    os.fsync(fh.fileno())
        finally:
            rows_file.unlink(missing_ok=True)
    else:
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(columns), extrasaction="ignore") if fmt == "csv" else None
            if writer:
                writer.writeheader()
            for row in rows:
                if writer:
                    writer.writerow(row)
                else:
                    fh.write(json.dumps({c: row.get(c) for c in columns}, ensure_ascii=False) + "\n")
                n += 1
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
    os.replace(tmp, path)
    return n


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
