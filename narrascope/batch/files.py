"""Rows of results into Parquet (via DuckDB), JSONL or CSV, written through a temporary file and a rename."""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from narrascope.errors import OutputPathError

OUTPUT_SUFFIXES = (".parquet", ".jsonl", ".csv")
MAX_ROW_BYTES = 64 * 2**20  # the largest row DuckDB's JSON reader accepts (it buffers twice that)
ROW_GROUP = 128  # rows per Parquet row group (the analysis JSON is tens of kB a row; DuckDB's default
# of 122,880 rows would put the whole output in one group, held in memory while written)


def output_format(path: Path, allowed: tuple[str, ...] = OUTPUT_SUFFIXES) -> str:
    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise OutputPathError(f"the output must end in {' or '.join(allowed)}, not {suffix or 'nothing'!r}",
                              source=str(path))
    return suffix[1:]


def check_writable(path: Path) -> None:
    """Make the folder of an output file and check a file can be created there, before any work is done;
    a ``UsageError`` naming the output otherwise."""
    probe = path.with_name(f".{path.name}.probe")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise OutputPathError(f"cannot write the output there ({exc.strerror}); choose a folder you can write to",
                              source=str(path)) from None


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
            with duckdb.connect() as con:
                con.execute("SET threads = 1")
                con.execute(f"COPY (SELECT * FROM {_read_jsonl(columns)}) TO '{_quoted(tmp)}' "
                            f"(FORMAT parquet, ROW_GROUP_SIZE {ROW_GROUP})", [str(rows_file)])
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


def merge_parquet(parts: list[Path], path: Path, columns: list[str], extra: dict[str, dict] | None = None,
                  extra_columns: dict[str, str] | None = None) -> int:
    """Concatenate Parquet ``parts`` (only ``columns``, in order) into ``path``, adding ``extra`` columns
    by ``record``; atomic. DuckDB streams it on one thread under a memory cap, spilling to disk if it
    must, so memory does not grow with the output (the rows are tens of kB each)."""
    import duckdb

    tmp = path.with_name(f".{path.name}.tmp")
    spill = path.with_name(f".{path.name}.spill")
    selected = ", ".join(f'p."{c}"' for c in columns)
    with duckdb.connect() as con:
        con.execute("SET threads = 1")
        con.execute("SET memory_limit = '512MB'")
        con.execute(f"SET temp_directory = '{_quoted(spill)}'")
        if not parts:
            con.execute("CREATE TABLE p (" + ", ".join(f'"{c}" VARCHAR' for c in columns) + ")")
        source = "p" if not parts else "read_parquet(?, union_by_name = true)"
        params = [[str(part) for part in parts]] if parts else []
        if extra is not None and extra_columns:
            extra_file = path.with_name(f".{path.name}.extra.jsonl")
            extra_types = {"record": "VARCHAR", **extra_columns}
            write_rows(({"record": key, **values} for key, values in extra.items()), extra_file, extra_types)
            try:
                con.execute(f"CREATE TABLE e AS SELECT * FROM {_read_jsonl(extra_types)}", [str(extra_file)])
            finally:
                extra_file.unlink(missing_ok=True)
            added = ", ".join(f'e."{c}"' for c in extra_columns)
            query = f"SELECT {selected}, {added} FROM {source} p LEFT JOIN e USING (record)"
        else:
            query = f"SELECT {selected} FROM {source} p"
        con.execute(f"COPY ({query}) TO '{_quoted(tmp)}' (FORMAT parquet, ROW_GROUP_SIZE {ROW_GROUP})", params)
        n = con.execute("SELECT count(*) FROM read_parquet(?)", [str(tmp)]).fetchone()[0]
    shutil.rmtree(spill, ignore_errors=True)
    os.replace(tmp, path)
    return int(n)


def _read_jsonl(columns: dict[str, str]) -> str:
    """DuckDB's reader of a JSONL file (the ``?`` parameter) with these columns and DuckDB types."""
    types = "{" + ", ".join(f"'{c}': '{t}'" for c, t in columns.items()) + "}"
    return f"read_json(?, format='newline_delimited', columns={types}, maximum_object_size={MAX_ROW_BYTES})"


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
