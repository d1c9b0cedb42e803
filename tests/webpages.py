"""Web pages and web archives (WARC) written for the input tests: small, synthetic, reproducible."""

from __future__ import annotations

import io
from pathlib import Path

SENTENCES = ["NATO moved its bases east, closer to the Russian border, the commentator wrote on Monday.",
             "Moscow warned again that any further escalation could end in a nuclear response.",
             "The West armed Kyiv and, according to the author, blocked every peace proposal on the table.",
             "Farmers blocked the roads of the capital for a third day over the price of diesel fuel.",
             "Officials in Brussels said the new sanctions package would be ready before the summer.",
             "The article claimed that ordinary families would pay for a war they never wanted."]


def html_page(i: int) -> str:
    """Story ``i`` as a news page with navigation around the article."""
    body = "".join(f"<p>{SENTENCES[(i + k) % len(SENTENCES)]} Story {i}, paragraph {k}.</p>" for k in range(6))
    return (f"<html><head><title>Story {i}</title></head><body><nav><a href='/'>Home</a></nav>"
            f"<article><h1>Story {i}</h1>{body}</article></body></html>")


def write_warc(path: Path, pages: int, gzip: bool, corrupt: int | None = None) -> None:
    """A crawl of ``pages`` HTML pages and a redirect; ``corrupt`` zeroes bytes inside that page's record."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzip)
    writer.write_record(writer.create_warcinfo_record("crawl.warc", {"software": "test"}))
    for i in range(pages):
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(f"https://www.example.org/story-{i}", "response",
                                                      payload=io.BytesIO(html_page(i).encode()), http_headers=headers))
    redirect = StatusAndHeaders("301 Moved", [("Location", "https://www.example.org/")], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record("https://www.example.org/old", "response",
                                                  payload=io.BytesIO(b""), http_headers=redirect))
    data = bytearray(buffer.getvalue())
    if corrupt is not None:
        records = ArchiveIterator(io.BytesIO(bytes(data)))
        offsets = []
        for record in records:
            offsets.append(records.get_record_offset())
            record.content_stream().read()
        start = offsets[corrupt + 1]  # after the warcinfo record
        data[start + 20:start + 60] = b"\0" * 40
    path.write_bytes(bytes(data))
