"""RSS and Atom feeds (feedparser): one Document per entry, from its full content or its linked page.

Feeds usually carry a summary only, so an entry whose own content is shorter than
``FULL_TEXT_WORDS`` is read from its link, fetched under the same rules as the API
(http(s) only, no private addresses unless allowed, timeouts, a size cap). Feed
documents are keyed by the entry's id or link, so re-reading a feed that has grown
(``narrascope batch`` on the same output) analyses only the new entries.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from pathlib import Path

from narrascope.errors import InputError, NoArticleError
from narrascope.ingest.articles import read_html
from narrascope.ingest.fetch import fetch_url, site_of

FULL_TEXT_WORDS = 150  # an entry with fewer words of content is a summary: read the linked article


def looks_like_feed(head: bytes) -> bool:
    """Whether the first bytes of a document are an RSS, RDF or Atom feed."""
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<?xml"):
        head = head[head.find(b"?>") + 2:] if b"?>" in head else head
    return any(tag in head[:2048] for tag in (b"<rss", b"<feed", b"<rdf:rdf"))


def read_feed_file(path: str | Path, *, fetch: bool = True, allow_private_urls: bool = False) -> Iterator:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield InputError(f"cannot read file ({exc.strerror})", source=str(path))
        return
    yield from read_feed(data, str(path), fetch=fetch, allow_private_urls=allow_private_urls)


def read_feed(data: bytes | str, source: str, *, fetch: bool = True, allow_private_urls: bool = False) -> Iterator:
    """Documents of a feed's entries; an ``InputError`` for a feed that is not a feed, or an entry whose
    article cannot be read (naming the entry's position and link), and reading goes on."""
    import feedparser

    parsed = feedparser.parse(data)  # bytes or a string: feedparser never fetches anything itself here
    if not parsed.entries:
        reason = getattr(parsed, "bozo_exception", None) if parsed.bozo else None
        if reason is not None or not parsed.get("version"):
            why = str(reason).splitlines()[0] if reason is not None else "no <rss>, <feed> or <rdf> root"
            yield InputError(f"not an RSS or Atom feed ({why}); give the feed's own URL or file", source=source)
        return
    site = parsed.feed.get("title") or site_of(parsed.feed.get("link", "")) or source
    for number, entry in enumerate(parsed.entries, start=1):
        link = entry.get("link") or ""
        where = f"{source}#item {number}" + (f" ({link})" if link else "")
        try:
            doc = _entry_document(entry, link, where, fetch, allow_private_urls)
        except InputError as exc:
            yield exc
            continue
        doc.id = entry.get("id") or link or f"{Path(source).stem}-{number}"
        doc.url = link or doc.url
        doc.source = site
        doc.date = _date(entry) or doc.date
        doc.meta["file"], doc.meta["row"] = source, entry.get("id") or link or number
        yield doc


def _entry_document(entry, link: str, where: str, fetch: bool, allow_private_urls: bool):
    title = (entry.get("title") or "").strip()
    contents = [c.get("value", "") for c in entry.get("content", [])] + [entry.get("summary") or ""]
    body = max(contents, key=len)
    heading = html.escape(title)
    page = f"<html><head><title>{heading}</title></head><body><article><h1>{heading}</h1>{body}</article></body></html>"
    own_words = len(_strip_tags(body).split())
    if own_words >= FULL_TEXT_WORDS or not (fetch and link):
        try:
            return read_html(page, id=link, source=where, url=link)
        except NoArticleError:
            raise NoArticleError(f"the entry has {own_words} words of text and "
                                 + ("no link to read the article from" if not link else "fetching is off"),
                                 source=where) from None
    try:
        url, page = fetch_url(link, allow_private=allow_private_urls)
    except InputError as exc:
        raise InputError(f"cannot read the entry's article: {exc.message}", source=where) from None
    doc = read_html(page, id=link, source=where, url=url)
    if title and not doc.title:
        doc.title = title
    return doc


def _strip_tags(markup: str) -> str:
    return re.sub(r"<[^>]+>", " ", markup)


def _date(entry) -> str:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return time.strftime("%Y-%m-%d", parsed) if parsed else ""
