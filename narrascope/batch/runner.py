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

from narrascope.batch.rows import COLUMNS, document_row, record_key
from narrascope.errors import InputError, UsageError
from narrascope.schema import Document

FORMATS = {".parquet": "parquet", ".jsonl": "jsonl"}


@dataclass
class BatchResult:
    analysed: int = 0
    skipped: int = 0  # done by an earlier run
    errors: list[dict] = field(default_factory=list)


class PartWriter:
    """The committed parts of one output file, and the records they hold."""

    def __init__(self, out: str | Path) -> None:
        self.out = Path(out)
        self.format = FORMATS.get(self.out.suffix.lower())
        if self.format is None:
            raise UsageError(f"the output must end in .parquet or .jsonl, not {self.out.suffix or 'nothing'!r}",
                             source=str(self.out))
        self.parts = self.out.with_name(self.out.name + ".parts")

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
        tmp = self.parts / f".part-{number:05d}.tmp"
        if self.format == "jsonl":
            with tmp.open("w", encoding="utf-8") as fh:
                fh.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
                fh.flush()
                os.fsync(fh.fileno())
        else:
            _write_parquet(rows, tmp)
        os.replace(tmp, final)
        return final

    def merge(self) -> int:
        """Merge the parts into the output file (atomically) and remove them; the number of rows."""
        parts = self._part_files()
        tmp = self.out.with_name(f".{self.out.name}.tmp")
        if self.format == "jsonl":
            n = 0
            with tmp.open("w", encoding="utf-8") as fh:
                for part in parts:
                    with part.open(encoding="utf-8") as src:
                        for line in src:
                            fh.write(line)
                            n += 1
        else:
            import duckdb

            con = duckdb.connect()
            if parts:
                files = [str(p) for p in parts]
                con.execute("COPY (SELECT * FROM read_parquet(?)) TO '{}' (FORMAT parquet)".format(
                    str(tmp).replace("'", "''")), [files])
                n = con.execute("SELECT count(*) FROM read_parquet(?)", [files]).fetchone()[0]
            else:
                _write_parquet([], tmp)
                n = 0
            con.close()
        os.replace(tmp, self.out)
        shutil.rmtree(self.parts, ignore_errors=True)
        return int(n)


def _write_parquet(rows: list[dict], path: Path) -> None:
    import duckdb

    con = duckdb.connect()
    con.execute("CREATE TABLE t (" + ", ".join(f'"{c}" VARCHAR' for c in COLUMNS) + ")")
    if rows:
        con.executemany("INSERT INTO t VALUES (" + ", ".join("?" * len(COLUMNS)) + ")",
                        [[row[c] for c in COLUMNS] for row in rows])
    con.execute("COPY t TO '{}' (FORMAT parquet)".format(str(path).replace("'", "''")))
    con.close()


def run_batch(items: Iterable[Document | InputError], out: str | Path,
              analyse: Callable[[Iterator[Document]], Iterator[Document]], chunk_size: int = 256,
              progress: Callable[[int], None] | None = None) -> BatchResult:
    """Analyse ``items`` (documents, or errors to report) with ``analyse`` into ``out``, resuming a run
    that was cut short; errors are collected with their input, position and reason."""
    writer = PartWriter(out)
    done = writer.done()
    result = BatchResult()
    seen: set[str] = set()

    def todo() -> Iterator[Document]:
        for item in items:
            if isinstance(item, InputError):
                result.errors.append({"input": item.source or "", "reason": str(item), "code": item.code})
                if progress:
                    progress(1)
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
    for doc in analyse(todo()):
        rows.append(document_row(doc, doc.meta["record"]))
        result.analysed += 1
        if progress:
            progress(1)
        if len(rows) >= chunk_size:
            writer.write(rows)
            rows = []
    if rows:
        writer.write(rows)
    writer.merge()
    return result
