"""Readers for plain text, HTML and JSONL, and the ``read_inputs`` dispatcher (files, folders, globs, URLs,
stdin; tables, web archives and feeds have their own modules)."""

from __future__ import annotations

import glob
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from narrascope.errors import (
    EmptyInputError,
    FolderLayoutError,
    InputError,
    RecordError,
    UndecodableRecordError,
)
from narrascope.ingest.articles import (  # noqa: F401  (re-exported: the readers' API)
    GZIP_ERRORS,
    GZIP_READABLE,
    GZIP_SUFFIX,
    JSONL_SUFFIXES,
    MIN_ARTICLE_WORDS,
    TITLE_WORDS,
    data_stem,
    data_suffix,
    document_from_record,
    give_language,
    is_date_line,
    open_data,
    read_html,
    read_html_file,
    read_text,
    read_text_file,
    title_of,
    until_damaged,
)
from narrascope.ingest.decode import (
    MAX_BYTES,
    decode_text,
    read_bytes,
)
from narrascope.schema import Document

TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSON_SUFFIXES = {".json"}  # read when named; a folder's .json files may be anything, so they are passed over
TABLE_SUFFIXES = {".parquet", ".csv"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")


def read_jsonl(path: str | Path) -> Iterator[Document | InputError]:
    """One Document per line, streamed (``.gz`` decompressed on the fly); a bad line yields an
    ``InputError`` and reading goes on."""
    path = Path(path)
    try:
        fh = open_data(path)
    except OSError as exc:
        yield InputError(f"cannot read file ({exc.strerror})", source=str(path))
        return
    with fh:
        yield from until_damaged(path, _jsonl_records(path, bounded_lines(fh, MAX_BYTES)))


def bounded_lines(fh: IO[bytes], limit: int) -> Iterator[bytes]:
    """The lines of a binary file, each cut at ``limit + 1`` bytes (the rest of an over-long line is skipped
    unread into memory): one line without a break, or a small .gz that inflates to gigabytes, cannot
    take all the memory."""
    while line := fh.readline(limit + 1):
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := fh.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass
        yield line


def _jsonl_records(path: Path, lines: Iterable[bytes]) -> Iterator[Document | InputError]:
    for lineno, raw in enumerate(lines, start=1):
        where = f"{path}:{lineno}"
        if lineno == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")  # a byte-order mark is no part of the JSON
        if not raw.strip():
            continue
        if len(raw) > MAX_BYTES:
            yield RecordError(f"line is over the {MAX_BYTES / 1e6:.0f} MB limit for one article; "
                              "give one article per line", source=where)
            continue
        try:
            record = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            yield UndecodableRecordError(f"line is not valid UTF-8 (byte {exc.start}); convert the file to UTF-8",
                                         source=where)
            continue
        except json.JSONDecodeError as exc:
            yield RecordError(f"not valid JSON ({exc.msg} at column {exc.colno})", source=where)
            continue
        try:
            doc = document_from_record(record, where)
        except InputError as exc:
            yield exc
            continue
        if not doc.id:
            doc.id = f"{data_stem(path)}-{lineno}"
        doc.meta["file"], doc.meta["line"] = str(path), lineno
        yield doc


def read_json(path: str | Path) -> Iterator[Document | InputError]:
    """A ``.json`` file: one record (an object, as a JSONL line) or an array of them; a bad record
    yields an ``InputError`` and reading goes on."""
    path = Path(path)
    data = decode_text(read_bytes(path), str(path))
    try:
        value = json.loads(data.removeprefix("\ufeff"))  # decode_text keeps a byte-order mark; JSON has none
    except json.JSONDecodeError as exc:
        raise RecordError(f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); give one "
                          "object with a 'text' field, or an array of them", source=str(path)) from None
    listed = isinstance(value, list)
    for number, record in enumerate(value if listed else [value], start=1):
        where = f"{path}[{number}]" if listed else str(path)
        try:
            doc = document_from_record(record, where)
        except InputError as exc:
            yield exc
            continue
        doc.id = doc.id or (f"{path.stem}-{number}" if listed else path.stem)
        doc.meta["file"], doc.meta["row"] = str(path), number
        yield doc


def _some_article(items: Iterable[Document | InputError], path: Path, what: str) -> Iterator[Document | InputError]:
    """``items``, or an error naming ``path`` when the file gave neither an article nor an error
    (``what``: what such a file should hold), so that no input passes without a word."""
    empty = True
    for item in items:
        empty = False
        yield item
    if empty:
        yield EmptyInputError(f"no articles in it; {what}", source=str(path))


# records that are not UTF-8 reported one by one; past this, counted and reported once, after the file
# (a file wholly in another encoding would otherwise give one error for each of its records)
UNDECODABLE_REPORTED = 5


def _cap_undecodable(items: Iterable[Document | InputError], path: Path) -> Iterator[Document | InputError]:
    """``items``, with the records that are not UTF-8 past the first ``UNDECODABLE_REPORTED`` folded into one
    error after the last item: how many, where, and how to convert the file."""
    undecodable: list[str] = []
    for item in items:
        if isinstance(item, UndecodableRecordError):
            undecodable.append(item.source or "")
            if len(undecodable) > UNDECODABLE_REPORTED:
                continue
        yield item
    if len(undecodable) > UNDECODABLE_REPORTED:
        rest = [where.rpartition(":")[2] for where in undecodable[UNDECODABLE_REPORTED:]]
        shown = ", ".join(rest[:10]) + (", …" if len(rest) > 10 else "")
        summary = UndecodableRecordError(
            f"{len(rest)} more records are not valid UTF-8 (lines {shown}); {len(undecodable)} in all, all skipped. "
            "The file is probably in another encoding: convert it to UTF-8, e.g. "
            "`iconv -f cp1252 -t utf-8 FILE > FILE.utf8` (`-f cp1251` for Windows Cyrillic)", source=str(path))
        summary.records = len(rest)
        yield summary


def read_path(path: str | Path, *, allow_private_urls: bool = False) -> Iterator[Document | InputError]:
    """Read one file (text, HTML, JSONL, Parquet, CSV, WARC or RSS/Atom, by extension and content) or a
    folder of them (or a SemEval folder); a feed's entries are fetched under the API's URL rules."""
    path = Path(path)
    if path.is_dir():
        yield from _read_directory(path, allow_private_urls)
        return
    if not path.exists():
        yield InputError("no such file or directory; check the path", source=str(path))
        return
    suffix = data_suffix(path)
    try:
        if path.name.lower().endswith(WARC_SUFFIXES):
            from narrascope.ingest.warc import read_warc

            yield from _some_article(read_warc(path), path, "a web archive should hold HTML or text pages "
                                     "(HTTP 200 responses or resource records)")
        elif suffix in FEED_SUFFIXES or _head(path).lstrip().startswith(b"<?xml") and _is_feed(path):
            from narrascope.ingest.feeds import read_feed_file

            yield from _some_article(read_feed_file(path, allow_private_urls=allow_private_urls), path,
                                     "the feed has no entries")
        elif suffix in JSONL_SUFFIXES:
            yield from _some_article(_cap_undecodable(read_jsonl(path), path), path, "the file is empty or holds "
                                     "only blank lines; give one JSON object with a 'text' field per line")
        elif suffix in JSON_SUFFIXES:
            yield from _some_article(read_json(path), path, "the array is empty; give objects with a 'text' field")
        elif suffix in TABLE_SUFFIXES:
            from narrascope.ingest.tables import read_table_file

            yield from _some_article(_cap_undecodable(read_table_file(path), path), path, "the table has no rows; "
                                     "give one article per row, its text in a 'text' column")
        elif suffix in HTML_SUFFIXES or _head(path).lstrip().lower().startswith((b"<!doctype html", b"<html")):
            yield read_html_file(path)
        else:
            yield read_text_file(path)
    except InputError as exc:
        yield exc
    except OSError as exc:
        yield InputError(f"cannot read file ({exc.strerror})", source=str(path))


def _head(path: Path, size: int = 2048) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(size)
    except OSError:
        return b""


def _is_feed(path: Path) -> bool:
    from narrascope.ingest.feeds import looks_like_feed

    return looks_like_feed(_head(path))


def is_article_file(path: Path) -> bool:
    """Whether a file in a folder is something ``read_path`` reads (by its name)."""
    suffix = data_suffix(path)
    return not path.name.startswith(".") and (
        suffix in TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES | TABLE_SUFFIXES | FEED_SUFFIXES
        or path.name.lower().endswith(WARC_SUFFIXES))


def _read_directory(path: Path, allow_private_urls: bool = False) -> Iterator[Document | InputError]:
    from narrascope.ingest.semeval import is_semeval_folder, read_semeval_folder

    if is_semeval_folder(path):
        yield from read_semeval_folder(path)
        return
    files = sorted(p for p in path.rglob("*") if p.is_file() and is_article_file(p))
    if not files:
        yield FolderLayoutError(
            "folder holds no .txt, .html, .jsonl(.gz), .parquet, .csv(.gz), .warc(.gz) or feed files; point at "
            "the articles themselves", source=str(path))
    for file in files:
        yield from read_path(file, allow_private_urls=allow_private_urls)


def read_stdin(stream: Any = None) -> Iterator[Document | InputError]:
    stream = stream or sys.stdin.buffer
    try:
        data = stream.read(MAX_BYTES + 1)
        text = decode_text(data, "<stdin>")
    except InputError as exc:
        yield exc
        return
    if text.lstrip().lower().startswith(("<!doctype html", "<html")):
        try:
            yield read_html(text, id="stdin", source="<stdin>")
        except InputError as exc:
            yield exc
    else:
        yield read_text(text, id="stdin", source="<stdin>")


def read_url(url: str, *, allow_private_urls: bool = False) -> Iterator[Document | InputError]:
    """An article page, or every entry of a feed, fetched under the API's URL rules."""
    from narrascope.ingest.feeds import looks_like_feed, read_feed
    from narrascope.ingest.fetch import fetch_url, site_of

    try:
        final, body = fetch_url(url, allow_private=allow_private_urls)
        if looks_like_feed(body[:4096].encode("utf-8", "replace")):
            yield from read_feed(body, url, allow_private_urls=allow_private_urls)
            return
        doc = read_html(body, id=final, source=site_of(final), url=final)
    except InputError as exc:
        yield exc
        return
    doc.meta["file"] = url
    yield doc


def read_inputs(inputs: Iterable[str | Path], *, allow_private_urls: bool = False
                ) -> Iterator[Document | InputError]:
    """Expand each input (file, directory, glob, http(s) URL of a page or feed, or ``-`` for stdin) and
    read it."""
    for item in inputs:
        name = str(item)
        if name == "-":
            yield from read_stdin()
            continue
        if name.lower().startswith(("http://", "https://")):
            yield from read_url(name, allow_private_urls=allow_private_urls)
            continue
        if any(ch in name for ch in "*?[") and not Path(name).exists():
            matches = sorted(glob.glob(name, recursive=True))
            if not matches:
                yield InputError("glob matched no files; check the pattern", source=name)
            for match in matches:
                yield from read_path(match, allow_private_urls=allow_private_urls)
            continue
        yield from read_path(name, allow_private_urls=allow_private_urls)
