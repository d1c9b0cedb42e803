"""``run_batch``: analyse a stream of inputs into Parquet or JSONL, in committed parts, resumably.

Each chunk of results is written to ``<out>.parts/part-NNNNN.<fmt>`` through a temporary
file and an atomic rename, so a part is either whole or absent. The records already
done are read back from the committed parts when a run starts, which makes a restart
after a kill (at any point) skip exactly those: every input ends up in the output once.
When all inputs are done the parts are merged into ``<out>`` (again via a rename).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from narrascope.batch.files import check_writable, merge_parquet, output_format, write_rows
from narrascope.batch.rows import COLUMNS, DEDUP_COLUMNS, document_row, record_key
from narrascope.errors import InputError, NarrascopeError
from narrascope.schema import Document

PART_COLUMNS = {c: "VARCHAR" for c in COLUMNS}


@dataclass
class BatchResult:
    analysed: int = 0
    skipped: int = 0  # done by an earlier run
    errors: list[dict] = field(default_factory=list)


class PartWriter:
    """The committed parts of one output file, and the records they hold."""

    def __init__(self, out: str | Path) -> None:
        self.out = Path(out)
        self.format = output_format(self.out, (".parquet", ".jsonl"))
        self.parts = self.out.with_name(self.out.name + ".parts")
        check_writable(self.out)  # its parts folder goes beside it

    def _part_files(self) -> list[Path]:
        return sorted(self.parts.glob(f"part-*.{self.format}")) if self.parts.is_dir() else []

    def done(self) -> set[str]:
        """Records already written: in the committed parts, or in a finished output (then made a part)."""
        if self.out.exists() and not self._part_files():
            self.parts.mkdir(parents=True, exist_ok=True)
            os.replace(self.out, self.parts / f"part-00000.{self.format}")
        keys: set[str] = set()
        for part in self._part_files():
            keys.update(self._records(part))
        return keys

    def _records(self, part: Path) -> list[str]:
        if self.format == "jsonl":
            with part.open(encoding="utf-8") as fh:
                return [json.loads(line)["record"] for line in fh if line.strip()]
        import duckdb

        with duckdb.connect() as con:
            return [row[0] for row in con.execute("SELECT record FROM read_parquet(?)", [str(part)]).fetchall()]

    def write(self, rows: list[dict]) -> Path:
        """Commit one part: write a temporary file, flush it to disk, rename it into place."""
        self.parts.mkdir(parents=True, exist_ok=True)
        existing = self._part_files()
        number = int(existing[-1].stem.split("-")[1]) + 1 if existing else 1
        final = self.parts / f"part-{number:05d}.{self.format}"
        write_rows(rows, final, PART_COLUMNS, fsync=True)
        return final

    def rows(self, columns: tuple[str, ...]) -> Iterator[dict]:
        """The committed rows, part by part, streamed (only ``columns``)."""
        for part in self._part_files():
            if self.format == "jsonl":
                with part.open(encoding="utf-8") as fh:
                    for line in fh:
                        if line.strip():
                            row = json.loads(line)
                            yield {c: row.get(c) for c in columns}
                continue
            import duckdb

            with duckdb.connect() as con:
                cursor = con.execute("SELECT " + ", ".join(f'"{c}"' for c in columns)
                                     + " FROM read_parquet(?)", [str(part)])
                while chunk := cursor.fetchmany(1024):
                    yield from (dict(zip(columns, values, strict=True)) for values in chunk)

    def merge(self, extra: dict[str, dict] | None = None) -> int:
        """Merge the parts into the output file (atomically) and remove them; the number of rows.
        ``extra`` adds the dedup columns, by record."""
        if self.format == "parquet":
            import duckdb

            try:
                n = merge_parquet(self._part_files(), self.out, list(COLUMNS), extra, DEDUP_COLUMNS)
            except duckdb.Error as exc:
                raise NarrascopeError(f"cannot merge the results ({str(exc).splitlines()[0]}); the analysed parts "
                                      f"are kept in {self.parts}: run the same command again",
                                      source=str(self.out)) from None
            shutil.rmtree(self.parts, ignore_errors=True)
            return n
        columns = dict(PART_COLUMNS)
        if extra is not None:
            columns.update(DEDUP_COLUMNS)

        def merged() -> Iterator[dict]:
            for row in self.rows(COLUMNS):
                if extra is not None:
                    row.update(extra.get(row["record"], {}))
                yield row

        n = write_rows(merged(), self.out, columns)
        shutil.rmtree(self.parts, ignore_errors=True)
        return n


def error_row(error: InputError) -> dict:
    """An input that could not be read, as a row of OUT.errors.jsonl (``records``: how many records it stands for)."""
    return {"input": error.source or "", "reason": str(error), "code": error.code, "records": error.records}


def run_batch(items: Iterable[Document | InputError], out: str | Path,
              analyse: Callable[[Iterator[Document]], Iterator[Document | dict]], chunk_size: int = 256,
              progress: Callable[[int], None] | None = None, dedup=None,
              dedup_progress: Callable[[int], Callable[[int], None]] | None = None) -> BatchResult:
    """Analyse ``items`` (documents, or errors to report) with ``analyse`` into ``out``, resuming a run
    that was cut short; errors are collected with their input, position and reason. ``analyse`` gives
    back each Document analysed, or its output row already made (``document_row``: worker processes
    make it, so that Documents need not travel back whole). With a ``dedup``
    (a ``Deduplicator``), the output gets each article's cluster and closest earlier match;
    ``dedup_progress(total)`` returns the progress callback of that step."""
    writer = PartWriter(out)
    done = writer.done()
    result = BatchResult()
    seen: set[str] = set()

    def todo() -> Iterator[Document]:
        for item in items:
            if isinstance(item, InputError):
                result.errors.append(error_row(item))
                if progress:
                    progress(item.records)
                continue
            key = record_key(item)
            if key in done or key in seen:
                result.skipped += 1
                if progress:
                    progress(1)
                continue
            seen.add(key)
            item.meta["record"] = key
            yield item

    rows: list[dict] = []
    for item in analyse(todo()):
        rows.append(item if isinstance(item, dict) else document_row(item, item.meta["record"]))
        result.analysed += 1
        if progress:
            progress(1)
        if len(rows) >= chunk_size:
            writer.write(rows)
            rows = []
    if rows:
        writer.write(rows)
    extra = None
    if dedup is not None:
        from narrascope.batch.rows import dedup_columns

        advance = dedup_progress(result.analysed + result.skipped) if dedup_progress else None
        extra = dedup_columns(writer.rows(("record", "id", "date", "language", "analysis")), dedup, advance)
    writer.merge(extra)
    return result
