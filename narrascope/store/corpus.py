"""``CorpusStore``: analysed articles in one DuckDB file (or a PostgreSQL database), keyed by a content
hash and their URL. The queries are the SQL both engines share; placeholders are written ``?``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit

from narrascope import __version__
from narrascope.errors import MissingPackageError, StoreError, UsageError
from narrascope.schema import Document
from narrascope.store.migrations import MIGRATIONS, SCHEMA_VERSION

EXPORT_FORMATS = ("csv", "jsonl", "parquet")
LABEL_KINDS = {"narratives": "narrative", "subnarratives": "subnarrative", "techniques": "technique",
               "genre": "genre", "frames": "frame"}


def content_hash(text: str) -> str:
    """The article's key: SHA-256 of its text with whitespace normalised (line endings do not matter)."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:32]


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()[:10]) if value else None
    except ValueError:
        return None


# accented Latin letters (and Russian ё) read as their plain letter, on both sides of a filter's match;
# other marks are kept: Devanagari vowel signs are letters of their words
_ACCENTED = "áàâäãåāăąçćčďđéèêëēėęěíìîïīįłńñňóòôöõøōőŕřśšşșťțúùûüūůűýÿžźżё"
_PLAIN = "aaaaaaaaacccddeeeeeeeeiiiiiilnnnoooooooorrssssttuuuuuuuyyzzzе"
_FOLD = str.maketrans(_ACCENTED, _PLAIN)


def _loosely(column: str) -> str:
    """A SQL test that ``column`` contains the pattern given as parameter, ignoring case and accents and
    reading ``_`` and ``-`` as spaces ("loaded language" finds Loaded_Language, "putin" finds Vladimir
    Putin, "sao paulo" finds São Paulo)."""
    return f"translate(lower(replace(replace({column}, '_', ' '), '-', ' ')), '{_ACCENTED}', '{_PLAIN}') LIKE ? ESCAPE '\\'"


def _pattern(value: str) -> str:
    """The LIKE pattern for ``_loosely``: the value lower-cased and without accents, its wildcards
    escaped, inside ``%…%``."""
    text = " ".join(value.replace("_", " ").replace("-", " ").lower().translate(_FOLD).split())
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%") + "%"


def _dicts(cursor: Any) -> list[dict[str, Any]]:
    """A query's rows as dicts by column name."""
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _document(analysis: str | dict) -> Document:
    """A stored analysis as a Document (DuckDB gives JSON as text, PostgreSQL as a dict)."""
    return Document.from_json(analysis) if isinstance(analysis, str) else Document.from_dict(analysis)


def _dominant(doc: Document) -> str | None:
    """The article's dominant (sub-)narrative, as its explanation names it."""
    return doc.explanation.subnarrative or doc.explanation.narrative if doc.explanation else None


# what a page of articles can be ordered by (``search``'s ``sort``): names the API accepts -> SQL
# (what the table shows: an article's own date, else "undated", which sorts last; the title, else its id)
SORTS = {"date": "d.published", "title": "lower(coalesce(nullif(d.title, ''), nullif(d.external_id, ''), d.id))",
         "language": "nullif(d.language, '')", "source": "lower(nullif(d.source, ''))",
         "dominant": "nullif(d.dominant, '')"}


# what a filter can take (``values``' ``field``): each one's values with their article ids
VALUE_FIELDS = {
    "technique": "SELECT l.name AS value, l.doc_id FROM labels l WHERE l.kind = 'technique'",
    "narrative": "SELECT l.name AS value, l.doc_id FROM labels l WHERE l.kind IN ('narrative', 'subnarrative')",
    "entity": "SELECT e.name AS value, e.doc_id FROM entities e",
    "source": "SELECT d.source AS value, d.id AS doc_id FROM documents d",
    "language": "SELECT d.language AS value, d.id AS doc_id FROM documents d",
}


@dataclass(frozen=True)
class DocumentFilter:
    """Which articles a query covers; every field is optional and they combine with AND."""

    # narrative, entity, technique and source match any part of a name, ignoring case, "_" and "-"
    narrative: str | None = None  # a narrative or sub-narrative name
    entity: str | None = None  # an entity name
    role: str | None = None  # main or fine role of that entity (or of any entity)
    technique: str | None = None
    language: str | None = None
    source: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str | None = None  # words that must all occur in the title or text (case-insensitive)

    def where(self) -> tuple[str, list[Any]]:
        """A SQL condition on ``documents d`` and its parameters."""
        clauses, params = ["TRUE"], []
        if self.narrative:
            clauses.append("d.id IN (SELECT doc_id FROM labels WHERE kind IN ('narrative', 'subnarrative') "
                           f"AND {_loosely('name')})")
            params.append(_pattern(self.narrative))
        if self.technique:
            clauses.append(f"d.id IN (SELECT doc_id FROM labels WHERE kind = 'technique' AND {_loosely('name')})")
            params.append(_pattern(self.technique))
        if self.entity or self.role:
            sub, sub_params = [], []
            if self.entity:
                sub.append(_loosely("name"))
                sub_params.append(_pattern(self.entity))
            if self.role:
                sub.append("(main_role = ? OR (',' || fine_roles || ',') LIKE ('%,' || ? || ',%'))")
                sub_params += [self.role, self.role]
            clauses.append(f"d.id IN (SELECT doc_id FROM entities WHERE {' AND '.join(sub)})")
            params += sub_params
        if self.language:
            clauses.append("lower(d.language) = lower(?)")
            params.append(self.language.strip())
        if self.source:
            clauses.append(_loosely("d.source"))
            params.append(_pattern(self.source))
        if self.date_from:  # the article's own date: an undated article is in no date range
            clauses.append("d.published >= ?")
            params.append(self.date_from)
        if self.date_to:
            clauses.append("d.published <= ?")
            params.append(self.date_to)
        for word in (self.q or "").split():
            clauses.append("(d.title ILIKE ? ESCAPE '\\' OR d.text ILIKE ? ESCAPE '\\')")
            pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            params += [pattern, pattern]
        return " AND ".join(clauses), params


class CorpusStore:
    """Documents, their analyses, labels, entities and ingestion runs in one database.

    ``path`` is a DuckDB file (embedded, the default) or a ``postgresql://`` URL (a
    shared server; needs ``pip install 'narrascope[postgres]'``). Opening migrates the
    database to the current schema; one written by a newer narrascope is refused.
    Calls are serialised (safe from several threads).
    """

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = str(path)
        self.postgres = self.path.startswith(("postgresql://", "postgres://"))
        self._con = self._connect_postgres() if self.postgres else self._connect_duckdb(read_only)
        self._lock = threading.RLock()
        if not read_only:
            self.migrate()

    def _connect_duckdb(self, read_only: bool) -> Any:
        import duckdb

        try:
            return duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(f"cannot open the corpus database ({exc}); check the path, or that no other "
                             "process is writing to it", source=self.path) from None

    def _connect_postgres(self) -> Any:
        try:
            import psycopg
        except ImportError:
            raise MissingPackageError("the PostgreSQL backend needs psycopg: "
                                      "pip install 'narrascope[postgres]'") from None
        try:
            return psycopg.connect(self.path, autocommit=True)
        except psycopg.Error as exc:
            safe = urlsplit(self.path)._replace(netloc=urlsplit(self.path).hostname or "").geturl()
            raise StoreError(f"cannot connect to PostgreSQL ({str(exc).strip()}); check the URL, that the server "
                             "runs and that the role may log in", source=safe) from None

    def _run(self, con: Any, sql: str, params: list[Any] | tuple = ()) -> Any:
        """Execute with ``?`` placeholders on either engine; returns something with fetchone/fetchall."""
        if self.postgres:
            return con.execute(sql.replace("%", "%%").replace("?", "%s"), params)
        return con.execute(sql, params)

    @contextmanager
    def _transaction(self, con: Any) -> Iterator[None]:
        if self.postgres:
            with con.transaction():
                yield
            return
        con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    # ---- lifecycle -------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            self._con.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        with self._lock:
            yield self._con

    def schema_version(self) -> int:
        with self._cursor() as con:
            exists = self._run(con, "SELECT count(*) FROM information_schema.tables "
                                    "WHERE table_name = 'schema_version'").fetchone()[0]
            if not exists:
                return 0
            row = self._run(con, "SELECT max(version) FROM schema_version").fetchone()
            return int(row[0] or 0)

    def migrate(self) -> None:
        """Apply the migrations this file has not seen yet, each in one transaction."""
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise StoreError(f"the database has schema version {current}, newer than this narrascope's "
                             f"{SCHEMA_VERSION}; upgrade narrascope", source=self.path)
        with self._cursor() as con:
            self._run(con, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, "
                           "applied_at TIMESTAMP NOT NULL)")
            for version in range(current + 1, SCHEMA_VERSION + 1):
                with self._transaction(con):
                    for statement in MIGRATIONS[version - 1]:
                        self._run(con, statement)
                    self._run(con, "INSERT INTO schema_version VALUES (?, ?)", [version, dt.datetime.now()])

    # ---- writing ---------------------------------------------------------------------
    def start_run(self, inputs: list[str]) -> int:
        with self._cursor() as con:
            return int(self._run(con, "INSERT INTO runs (started_at, inputs, narrascope_version) VALUES (?, ?, ?) "
                                      "RETURNING id", [dt.datetime.now(), "\n".join(inputs), __version__]).fetchone()[0])

    def finish_run(self, run_id: int, counts: dict[str, int]) -> None:
        with self._cursor() as con:
            self._run(con, "UPDATE runs SET finished_at = ?, added = ?, updated = ?, unchanged = ?, failed = ? "
                           "WHERE id = ?", [dt.datetime.now(), counts.get("added", 0), counts.get("updated", 0),
                                            counts.get("unchanged", 0), counts.get("failed", 0), run_id])

    def add(self, doc: Document, run_id: int | None = None) -> tuple[str, str]:
        """Store an analysed article: ``(id, "added" | "updated" | "unchanged")``.

        The same text is never stored twice; an article whose URL is already stored
        with another text replaces it (the page changed).
        """
        return self.add_many([doc], run_id)[0]

    def stored(self, keys: list[str]) -> set[str]:
        """Which of the article keys (``content_hash`` of their texts) are stored already."""
        with self._cursor() as con:
            return self._stored(con, keys)

    def _stored(self, con: Any, keys: list[str]) -> set[str]:
        return {row[0] for row in self._select_in(con, "SELECT id FROM documents WHERE id IN ({})", keys)}

    def add_many(self, docs: list[Document], run_id: int | None = None) -> list[tuple[str, str]]:
        """``add`` for a batch, in one transaction with one statement per table (much faster than one by one)."""
        keys = [content_hash(doc.text) for doc in docs]
        with self._cursor() as con:
            stored = self._stored(con, keys)
            urls = sorted({doc.url for doc in docs if doc.url})
            by_url: dict[str, list[str]] = {}
            for old, url in self._select_in(con, "SELECT id, url FROM documents WHERE url IN ({})", urls):
                by_url.setdefault(url, []).append(old)
            out, replaced = [], []
            fresh: dict[str, Document] = {}  # in input order
            replaced_by: dict[str, str] = {}  # stored ids a new text replaces -> that text's id
            superseded: list[tuple[str, Document, str]] = []  # new in this batch and replaced in it too
            latest: dict[str, str] = {}  # URL -> the id of its newest text in this batch
            for key, doc in zip(keys, docs, strict=True):
                if key in stored:
                    out.append((key, "unchanged"))
                    continue
                stored.add(key)
                previous = [old for old in by_url.pop(doc.url, []) if old != key] if doc.url else []
                replaced += previous
                replaced_by.update(dict.fromkeys(previous, key))
                earlier = latest.get(doc.url) if doc.url else None
                if earlier is not None:  # the same page twice in one batch: the later text replaces it
                    superseded.append((earlier, fresh.pop(earlier), key))
                if doc.url:
                    latest[doc.url] = key
                fresh[key] = doc
                out.append((key, "updated" if previous or earlier else "added"))
            if fresh:
                with self._transaction(con):
                    self._keep_history(con, replaced_by, superseded)
                    for table, column in (("labels", "doc_id"), ("entities", "doc_id"), ("documents", "id")):
                        self._select_in(con, f"DELETE FROM {table} WHERE {column} IN ({{}})", replaced, fetch=False)
                    self._insert(con, list(fresh.items()), run_id)
        return out

    def _keep_history(self, con: Any, replaced_by: dict[str, str],
                      superseded: list[tuple[str, Document, str]] = ()) -> None:
        """Copy the articles about to be replaced (stored id -> new id) into ``history``, analysis included,
        and those of this batch that a later text of the same page replaced before they were stored."""
        now = dt.datetime.now()
        rows = self._select_in(con, "SELECT id, url, title, published, text, analysis, dominant, ingested_at "
                                    "FROM documents WHERE id IN ({})", sorted(replaced_by))
        history = [(old, url, replaced_by[old], now, title, published, text,
                    analysis if isinstance(analysis, str) else json.dumps(analysis), dominant, ingested)
                   for old, url, title, published, text, analysis, dominant, ingested in rows]
        history += [(old, doc.url, new, now, doc.title, _date(doc.date), doc.text, doc.to_json(), _dominant(doc), now)
                    for old, doc, new in superseded]
        self._insert_rows(con, "history", history, {7: "JSON"})

    def history(self, doc_id: str) -> list[dict[str, Any]]:
        """The earlier versions of a stored article (same URL, another text), newest first: id, when it
        was replaced and by what, its title, date and dominant narrative (``earlier`` gives one whole)."""
        with self._cursor() as con:
            row = self._run(con, "SELECT url FROM documents WHERE id = ?", [doc_id]).fetchone()
            if row is None or not row[0]:
                return []
            # a text that came back (an edit undone) is not its own earlier version
            cursor = self._run(con, "SELECT id, replaced_by, replaced_at, title, published, dominant, ingested_at "
                                    "FROM history WHERE url = ? AND id <> ? ORDER BY replaced_at DESC, ingested_at DESC",
                               [row[0], doc_id])
            rows = _dicts(cursor)
        for r in rows:
            for key in ("replaced_at", "published", "ingested_at"):
                r[key] = r[key].isoformat() if r[key] else None
        return rows

    def earlier(self, doc_id: str) -> Document | None:
        """An earlier version of a changed article, as it was analysed then (None if there is none)."""
        with self._cursor() as con:
            row = self._run(con, "SELECT analysis FROM history WHERE id = ? ORDER BY replaced_at DESC LIMIT 1",
                            [doc_id]).fetchone()
        if row is None:
            return None
        return _document(row[0])

    def _select_in(self, con: Any, sql: str, values: list[str], fetch: bool = True) -> list[tuple]:
        """``sql`` with its ``IN ({})`` filled with ``values`` (in chunks); the rows when ``fetch``."""
        rows: list[tuple] = []
        for start in range(0, len(values), 500):
            chunk = values[start:start + 500]
            cursor = self._run(con, sql.format(", ".join("?" * len(chunk))), chunk)
            if fetch:
                rows += cursor.fetchall()
        return rows

    def _insert_rows(self, con: Any, table: str, rows: list[tuple], casts: dict[int, str] | None = None) -> None:
        """One multi-row INSERT per chunk of rows (DuckDB's executemany runs one statement per row)."""
        if not rows:
            return
        width = len(rows[0])
        marks = "(" + ", ".join(f"CAST(? AS {casts[k]})" if casts and k in casts else "?" for k in range(width)) + ")"
        per_statement = max(1, 5000 // width)
        for start in range(0, len(rows), per_statement):
            chunk = rows[start:start + per_statement]
            self._run(con, f"INSERT INTO {table} VALUES " + ", ".join([marks] * len(chunk)),
                      [value for row in chunk for value in row])

    def _insert(self, con: Any, docs: list[tuple[str, Document]], run_id: int | None) -> None:
        now = dt.datetime.now()
        documents, labels, entities = [], [], []
        for key, doc in docs:
            published = _date(doc.date)
            dominant = _dominant(doc)
            documents.append((key, doc.url or None, doc.id or None, doc.title, doc.source, doc.language, published,
                              published or now.date(), doc.text, doc.to_json(), dominant, run_id, now))
            labels += [(key, kind, label.name, label.parent, float(label.score))
                       for group, kind in LABEL_KINDS.items() for label in doc.labels.get(group, [])]
            entities += [(key, e.name, e.actor or None, e.main_role.name, ",".join(r.name for r in e.fine_roles),
                          len(e.mentions), float(e.main_role.score)) for e in doc.entities if e.main_role is not None]
        self._insert_rows(con, "documents", documents, {9: "JSON"})
        self._insert_rows(con, "labels", labels)
        self._insert_rows(con, "entities", entities)

    # ---- reading -------------------------------------------------------------------------
    def get(self, doc_id: str) -> Document | None:
        with self._cursor() as con:
            row = self._run(con, "SELECT analysis FROM documents WHERE id = ?", [doc_id]).fetchone()
        if not row:
            return None
        return _document(row[0])

    def count(self, where: DocumentFilter | None = None) -> int:
        sql, params = (where or DocumentFilter()).where()
        with self._cursor() as con:
            return int(self._run(con, f"SELECT count(*) FROM documents d WHERE {sql}", params).fetchone()[0])

    def search(self, where: DocumentFilter | None = None, limit: int = 20, offset: int = 0, sort: str = "-date"
               ) -> tuple[int, list[dict[str, Any]]]:
        """``(total matching, one page of summaries)``, by ``sort`` (one of ``SORTS``; ``-`` first: descending;
        newest first by default). Undated articles come last either way."""
        sql, params = (where or DocumentFilter()).where()
        descending = sort.startswith("-")
        column = SORTS.get(sort.removeprefix("-"))
        if column is None:
            raise ValueError(f"unknown sort {sort!r}; one of {', '.join(sorted(SORTS))}, '-' first for descending")
        order = f"{column} {'DESC' if descending else 'ASC'} NULLS LAST"
        query = f"""
            SELECT d.id, d.url, d.external_id, d.title, d.source, d.language, d.published AS day, d.dominant,
                   (SELECT array_agg(name ORDER BY score DESC) FROM labels l
                     WHERE l.doc_id = d.id AND l.kind = 'narrative') AS narratives,
                   (SELECT array_agg(name ORDER BY score DESC) FROM labels l
                     WHERE l.doc_id = d.id AND l.kind = 'technique') AS techniques
            FROM documents d WHERE {sql}
            ORDER BY {order}, d.day DESC, d.ingested_at DESC, d.id LIMIT ? OFFSET ?"""
        with self._cursor() as con:
            total = int(self._run(con, f"SELECT count(*) FROM documents d WHERE {sql}", params).fetchone()[0])
            cursor = self._run(con, query, [*params, limit, offset])
            rows = _dicts(cursor)
        for row in rows:
            row["day"] = row["day"].isoformat() if row["day"] else None
            row["narratives"] = row["narratives"] or []
            row["techniques"] = row["techniques"] or []
        return total, rows

    def narrative_counts(self, where: DocumentFilter | None = None, interval: str = "day",
                         by: str | None = None) -> list[dict[str, Any]]:
        """Articles per narrative per ``interval`` (day, week or month) of their publication date, optionally per
        ``by`` (source or language); undated articles are left out (the day they were ingested is no date)."""
        if interval not in ("day", "week", "month"):
            raise UsageError(f"interval must be day, week or month, not {interval!r}")
        if by not in (None, "source", "language"):
            raise UsageError(f"by must be source or language, not {by!r}")
        sql, params = (where or DocumentFilter()).where()
        group = f"d.{by}, " if by else ""
        query = f"""
            SELECT date_trunc('{interval}', d.published) AS period, {group}l.name AS narrative,
                   count(DISTINCT d.id) AS articles
            FROM documents d JOIN labels l ON l.doc_id = d.id AND l.kind = 'narrative'
            WHERE d.published IS NOT NULL AND {sql} GROUP BY 1, {group}l.name ORDER BY 1, {group}l.name"""
        with self._cursor() as con:
            cursor = self._run(con, query, params)
            rows = _dicts(cursor)
        for row in rows:
            row["period"] = row["period"].isoformat()
        return rows

    def top_entities(self, where: DocumentFilter | None = None, role: str | None = None,
                     limit: int = 20) -> list[dict[str, Any]]:
        """The actors cast most often, by main role: name, role, articles, mentions."""
        sql, params = (where or DocumentFilter()).where()
        role_sql = "AND e.main_role = ?" if role else ""
        query = f"""
            SELECT e.name, e.main_role AS role, count(DISTINCT e.doc_id) AS articles,
                   sum(e.mentions) AS mentions
            FROM entities e JOIN documents d ON d.id = e.doc_id
            WHERE {sql} {role_sql}
            GROUP BY e.name, e.main_role ORDER BY articles DESC, mentions DESC, e.name LIMIT ?"""
        with self._cursor() as con:
            cursor = self._run(con, query, [*params, *([role] if role else []), limit])
            rows = _dicts(cursor)
        for row in rows:
            row["mentions"] = int(row["mentions"] or 0)
        return rows

    def values(self, field: str, where: DocumentFilter | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """The values a filter can take among the filtered articles, most frequent first, with how many
        articles have each: ``field`` is ``technique``, ``narrative`` (narratives and sub-narratives),
        ``entity``, ``source`` or ``language`` (what the dashboard suggests as one types)."""
        if field not in VALUE_FIELDS:
            raise ValueError(f"unknown field {field!r}; one of {', '.join(VALUE_FIELDS)}")
        sql, params = (where or DocumentFilter()).where()
        query = f"""
            SELECT v.value, count(DISTINCT v.doc_id) AS articles FROM ({VALUE_FIELDS[field]}) v
            JOIN documents d ON d.id = v.doc_id
            WHERE v.value IS NOT NULL AND v.value <> '' AND v.value <> 'Other' AND {sql}
            GROUP BY v.value ORDER BY articles DESC, v.value LIMIT ?"""
        with self._cursor() as con:
            return [{"value": value, "articles": int(n)} for value, n in self._run(con, query, [*params, limit]).fetchall()]

    def runs(self) -> list[dict[str, Any]]:
        with self._cursor() as con:
            cursor = self._run(con, "SELECT * FROM runs ORDER BY id")
            return _dicts(cursor)

    def export(self, path: str | Path, fmt: str, where: DocumentFilter | None = None) -> int:
        """Write the filtered articles (metadata, labels, dominant narrative, text) as CSV, JSONL or Parquet."""
        if fmt not in EXPORT_FORMATS:
            raise UsageError(f"export format must be one of {', '.join(EXPORT_FORMATS)}, not {fmt!r}")
        sql, params = (where or DocumentFilter()).where()
        query = f"""
            SELECT d.id, d.url, d.external_id, d.title, d.source, d.language, d.published AS day, d.dominant,
                   (SELECT string_agg(name, ';' ORDER BY score DESC) FROM labels l
                     WHERE l.doc_id = d.id AND l.kind = 'narrative') AS narratives,
                   (SELECT string_agg(name, ';' ORDER BY score DESC) FROM labels l
                     WHERE l.doc_id = d.id AND l.kind = 'subnarrative') AS subnarratives,
                   (SELECT string_agg(name, ';' ORDER BY score DESC) FROM labels l
                     WHERE l.doc_id = d.id AND l.kind = 'technique') AS techniques,
                   d.text
            FROM documents d WHERE {sql} ORDER BY d.day, d.id"""
        options = {"csv": "FORMAT csv, HEADER", "jsonl": "FORMAT json", "parquet": "FORMAT parquet"}[fmt]
        target = str(path).replace("'", "''")
        outer = CSV_SAFE_SELECT if fmt == "csv" else "SELECT *"
        with self._cursor() as con:
            if not self.postgres:
                con.execute(f"COPY ({outer} FROM ({query})) TO '{target}' ({options})", params)
                return int(con.execute(f"SELECT count(*) FROM documents d WHERE {sql}", params).fetchone()[0])
            rows = self._run(con, query, params).fetchall()
        # PostgreSQL's COPY writes on the server: write the rows here, through an in-memory DuckDB
        import duckdb

        local = duckdb.connect()
        local.execute("CREATE TABLE export (id VARCHAR, url VARCHAR, external_id VARCHAR, title VARCHAR, "
                      "source VARCHAR, language VARCHAR, day DATE, dominant VARCHAR, narratives VARCHAR, "
                      "subnarratives VARCHAR, techniques VARCHAR, text VARCHAR)")
        if rows:
            local.executemany("INSERT INTO export VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        local.execute(f"COPY ({outer} FROM export) TO '{target}' ({options})")
        local.close()
        return len(rows)


EXPORT_COLUMNS = ("id", "url", "external_id", "title", "source", "language", "day", "dominant", "narratives",
                  "subnarratives", "techniques", "text")
# a CSV cell that a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a CR) gets a
# leading apostrophe, which spreadsheets show as text (OWASP's advice against CSV injection)
_FORMULA_START = r"'^[=+\-@\t\r]'"
CSV_SAFE_SELECT = "SELECT " + ", ".join(
    f"CASE WHEN regexp_matches(CAST({c} AS VARCHAR), {_FORMULA_START}) THEN chr(39) || CAST({c} AS VARCHAR) "
    f"ELSE CAST({c} AS VARCHAR) END AS {c}" for c in EXPORT_COLUMNS)


def filter_fields() -> tuple[str, ...]:
    return tuple(f.name for f in fields(DocumentFilter))
