"""The readers' building blocks: one article from a text, an HTML page or a JSON record, and the helpers
every corpus reader uses (format suffixes, on-the-fly gzip, damaged archives). The readers of JSONL,
tables, feeds, web archives and SemEval folders build on these; ``readers.read_inputs`` dispatches."""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from narrascope.errors import InputError, NoArticleError, RecordError
from narrascope.ingest.dates import DATE_FORMATS, normalise_date
from narrascope.ingest.decode import check_article_length, decode_text, html_charset, read_bytes, read_text_bytes
from narrascope.schema import Document

JSONL_SUFFIXES = {".jsonl", ".ndjson"}
# corpora often come gzip-compressed (corpus.jsonl.gz, shard-00001.csv.gz): read as they are
GZIP_SUFFIX = ".gz"
GZIP_READABLE = JSONL_SUFFIXES | {".csv"}
# a compressed file that ends early or is not gzip at all, found while reading it
GZIP_ERRORS = (EOFError, OSError, zlib.error)

MIN_ARTICLE_WORDS = 8  # fewer words of main text than this is a menu or an error page


def data_suffix(path: Path) -> str:
    """The suffix that tells a file's format, lower-cased: ``.jsonl`` for ``corpus.jsonl.gz`` too."""
    suffix = path.suffix.lower()
    if suffix == GZIP_SUFFIX and (inner := Path(path.stem).suffix.lower()) in GZIP_READABLE:
        return inner
    return suffix


def open_data(path: Path, mode: str = "rb", **kwargs: Any) -> IO:
    """``path`` opened for reading, decompressed on the fly when it is a ``.gz`` file."""
    if path.suffix.lower() == GZIP_SUFFIX:
        return gzip.open(path, mode, **kwargs)
    return path.open(mode, **kwargs)


def data_stem(path: Path) -> str:
    """The name without its format suffixes: ``corpus`` for ``corpus.jsonl`` and ``corpus.jsonl.gz``."""
    name = path.name[: -len(GZIP_SUFFIX)] if path.suffix.lower() == GZIP_SUFFIX else path.name
    return Path(name).stem


def until_damaged(path: Path, items: Iterable) -> Iterator:
    """``items`` read from ``path``; when ``path`` is a ``.gz`` file that breaks off (damaged, cut short, not
    gzip at all), an ``InputError`` after the records read before that point."""
    try:
        yield from items
    except GZIP_ERRORS as exc:
        if path.suffix.lower() != GZIP_SUFFIX:
            raise
        yield InputError(f"the compressed file is damaged or cut short ({exc or type(exc).__name__}); the "
                         "records before that point were read; check it with `gzip -t FILE`", source=str(path))


def read_text(text: str, *, id: str = "", source: str = "") -> Document:
    """A plain-text article: the first non-empty line that is not a bare date ("Tuesday, August 5") is
    the title; when that line is a whole paragraph, its first sentence, cut to ``TITLE_WORDS`` words."""
    check_article_length(text, source or id)
    title = ""
    for line in text.splitlines():
        line = line.strip().lstrip("\ufeff").strip()
        if line and not is_date_line(line):
            title = title_of(line)
            break
    return Document(text=text, id=id, title=title, source=source)


TITLE_WORDS = 25
# weekday and month names (and their abbreviations) in the product's languages, for date lines
_DATE_WORDS = frozenset("""
monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thurs fri sat sun
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec of the on updated published posted am pm gmt utc
понедельник вторник среда четверг пятница суббота воскресенье января февраля марта апреля мая июня
июля августа сентября октября ноября декабря январь февраль март апрель май июнь июль август сентябрь
октябрь ноябрь декабрь г года понеделник сряда петък събота неделя януари февруари април юни юли
септември октомври ноември декември segunda terça quarta quinta sexta sábado domingo feira janeiro
fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro de
सोमवार मंगलवार बुधवार गुरुवार शुक्रवार शनिवार रविवार जनवरी फरवरी मार्च अप्रैल मई जून जुलाई अगस्त
सितंबर अक्टूबर नवंबर दिसंबर
""".split())
_DATE_TOKEN = re.compile(r"\d{1,4}(?:st|nd|rd|th|h|\.)?|[^\W\d_]+\.?", re.UNICODE)


def is_date_line(line: str) -> bool:
    """Whether ``line`` is only a date or a weekday ("Tuesday, August 5", "05.08.2024", "5 августа 2024 г.")."""
    if len(line) > 60:
        return False
    tokens = _DATE_TOKEN.findall(line)
    if not tokens or len(tokens) > 8:
        return False
    words = [t.rstrip(".").lower() for t in tokens if not t[0].isdigit()]
    rest = _DATE_TOKEN.sub("", line)
    return all(w in _DATE_WORDS for w in words) and not rest.strip(" ,.-/:|\u2013\u2014") and (
        bool(words) or any(t[0].isdigit() for t in tokens))


def title_of(line: str) -> str:
    """A title line as is; a whole paragraph (over ``TITLE_WORDS`` words): its first sentence, cut to that many."""
    words = line.split()
    if len(words) <= TITLE_WORDS:
        return line
    sentence = re.split(r"(?<=[.!?।])\s", line, maxsplit=1)[0].split()
    return " ".join(sentence[:TITLE_WORDS]) + ("…" if len(sentence) > TITLE_WORDS else "")


def read_text_file(path: str | Path) -> Document:
    path = Path(path)
    text = read_text_bytes(path)
    return read_text(text, id=path.name, source=str(path))


def read_html(html: str, *, id: str = "", source: str = "", url: str = "") -> Document:
    """Main text and metadata of an HTML page, via trafilatura."""
    import trafilatura

    extracted = trafilatura.bare_extraction(
        html, url=url or None, include_comments=False, include_tables=False, with_metadata=True
    )
    body = getattr(extracted, "text", None) if extracted is not None else None
    if not body or len(body.split()) < MIN_ARTICLE_WORDS:
        raise NoArticleError(
            "no article text found in this HTML page (it may be a menu, a paywall or a "
            "JavaScript-only page); save the article's own page or give its text",
            source=source or url or id,
        )
    title = (getattr(extracted, "title", None) or "").strip()
    text = f"{title}\n\n{body}" if title and not body.lstrip().startswith(title) else body
    check_article_length(text, source or url or id)
    return Document(
        text=text,
        id=id,
        title=title or body.strip().splitlines()[0],
        source=source or (getattr(extracted, "sitename", None) or ""),
        url=url or (getattr(extracted, "url", None) or ""),
        date=getattr(extracted, "date", None) or "",
    )


def read_html_file(path: str | Path) -> Document:
    path = Path(path)
    data = read_bytes(path)
    html = decode_text(data, str(path), encoding=html_charset(data))
    return read_html(html, id=path.name, source=str(path))


def document_from_record(record: Any, source: str) -> Document:
    """A JSONL record (``id``, ``text``, optional ``title``, ``url``, ``date``, ``source``, ``lang``)."""
    if not isinstance(record, dict):
        raise RecordError(
            f"expected a JSON object with a 'text' field, got {type(record).__name__}", source=source
        )
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise RecordError("record has no non-empty 'text' string field", source=source)
    title = str(record.get("title") or "")
    doc = read_text(f"{title}\n\n{text}" if title else text, id=str(record.get("id") or ""), source=source)
    if title:
        doc.title = title
    doc.url = str(record.get("url") or "")
    given = str(record.get("date") or "")
    doc.date = normalise_date(given)
    if doc.date is None:  # kept, and said: the store would otherwise date the article by its ingestion
        doc.date = ""
        doc.warnings.append(f"the date {given!r} is not understood, so the article has none; give {DATE_FORMATS}")
    doc.source = str(record.get("source") or source)
    if record.get("lang"):
        give_language(doc, str(record["lang"]))
    return doc


def give_language(doc: Document, code: str) -> None:
    """The article's language as its sender gives it (an ISO 639-1 code): not detected again."""
    doc.language = code.strip().lower()
    doc.meta["language_given"] = True
