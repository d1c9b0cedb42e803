"""Web archives (WARC, WARC.gz; Common Crawl's CC-NEWS): one Document per archived HTML page, streamed.

A corrupt record is reported with its byte offset and reading goes on at the next record
that can be found (the next gzip member, or the next ``WARC/1.`` header in a plain file),
so one bad record does not cost the rest of the archive.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from narrascope.errors import InputError, InputTooLargeError, RecordError
from narrascope.ingest.articles import read_html, read_text
from narrascope.ingest.decode import MAX_BYTES, html_charset
from narrascope.ingest.fetch import site_of

HTML_TYPES = ("text/html", "application/xhtml+xml")
GZIP_MAGIC = b"\x1f\x8b\x08"
SCAN_BLOCK = 1 << 20
RECORD_TYPES = {"warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion", "continuation",
                "arc_header"}


def read_warc(path: str | Path) -> Iterator:
    """Documents (and ``InputError`` for records that cannot be read) of the HTML pages in a WARC file.

    Only successful (HTTP 200) ``response`` records and ``resource`` records of HTML or plain text
    are articles; requests, metadata, redirects, images and the like are passed over."""
    from warcio.archiveiterator import ArchiveIterator

    path = Path(path)
    try:
        fh = path.open("rb")
    except OSError as exc:
        yield InputError(f"cannot read file ({exc.strerror})", source=str(path))
        return
    with fh:
        if not _looks_like_warc(fh):
            yield InputError("not a WARC file (no WARC/ARC header at the start); give .warc or .warc.gz files",
                             source=str(path))
            return
        start = 0
        while start is not None:
            fh.seek(start)
            records = ArchiveIterator(fh)
            offset = start
            try:
                for record in records:
                    offset = records.offset  # where this record starts (get_record_offset would consume it)
                    item = _document(record, path, offset)
                    if item is not None:
                        yield item
                start = None
            except Exception as exc:  # noqa: BLE001 - warcio raises many kinds on a corrupt record
                offset = max(records.offset, offset)
                reason = _printable(str(exc)) or type(exc).__name__
                yield RecordError(f"corrupt WARC record at byte {offset} ({reason}); record skipped",
                                  source=f"{path}@{offset}")
                start = _next_record(fh, offset + 1)


def _document(record, path: Path, offset: int):
    """The record's article, an error for an oversized or empty page, or None when it is not a page."""
    headers = record.rec_headers
    if record.rec_type == "response":
        if record.http_headers is None or record.http_headers.get_statuscode() != "200":
            return None
        content_type = record.http_headers.get_header("Content-Type") or ""
    elif record.rec_type == "resource":
        content_type = headers.get_header("Content-Type") or ""
    elif record.rec_type not in RECORD_TYPES:
        return RecordError(f"unknown WARC record type {_printable(str(record.rec_type))!r} (a corrupt "
                           "header?); record skipped", source=f"{path}@{offset}")
    else:
        return None
    kind = content_type.split(";")[0].strip().lower()
    if kind not in HTML_TYPES and kind != "text/plain":
        return None
    url = headers.get_header("WARC-Target-URI") or ""
    where = f"{path}@{offset}"
    body = record.content_stream().read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        return InputTooLargeError(f"page {url} is over {MAX_BYTES / 1e6:.0f} MB; skipped", source=where)
    if _cut_short(record):
        return RecordError(f"the record of {url or 'a page'} is cut short: the archive ends before the "
                           f"{record.length} bytes its header announces (a truncated download?); record skipped",
                           source=where)
    text = body.decode(html_charset(body, _charset(content_type)), errors="replace")
    try:
        doc = read_html(text, id=url or where, source=where, url=url) if kind != "text/plain" \
            else read_text(text, id=url or where, source=where)
    except InputError as exc:
        return exc
    doc.url = url
    doc.source = site_of(url) or doc.source
    doc.date = doc.date or (headers.get_header("WARC-Date") or "")[:10]
    doc.meta["file"], doc.meta["row"] = str(path), offset
    return doc


def _cut_short(record) -> bool:
    """Whether the archive ended inside ``record``: the bytes left after its body are read to the end fall
    short of the length its WARC header declares (half a page is not analysed as if it were the page)."""
    raw = record.raw_stream
    while raw.read(SCAN_BLOCK):
        pass
    return getattr(raw, "limit", 0) > 0


def _charset(content_type: str) -> str | None:
    """The charset the Content-Type names, if any (``html_charset`` checks it and falls back on the page)."""
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None


def _printable(text: str, limit: int = 80) -> str:
    """The first line of a message, without the binary noise a corrupt record puts in it."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    line = "".join(ch if ch.isprintable() and ord(ch) < 0x250 else "?" for ch in line)
    return line[:limit] + ("..." if len(line) > limit else "")


def _looks_like_warc(fh) -> bool:
    """Whether the file starts like a WARC or ARC file (decompressing a gzip member's first bytes)."""
    import zlib

    fh.seek(0)
    head = fh.read(4096)
    if head.startswith(GZIP_MAGIC):
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, 64)
        except zlib.error:
            return False
    return head.lstrip().startswith((b"WARC/", b"filedesc://"))


def _next_record(fh, after: int) -> int | None:
    """The offset of the next gzip member or ``WARC/1.`` header at or after ``after``, or None."""
    fh.seek(0)
    marker = GZIP_MAGIC if fh.read(3) == GZIP_MAGIC else b"WARC/1."
    position = after
    while True:
        fh.seek(position)
        block = fh.read(SCAN_BLOCK + len(marker))
        if not block:
            return None
        found = block.find(marker)
        if found >= 0:
            return position + found
        if len(block) <= SCAN_BLOCK:
            return None
        position += SCAN_BLOCK
