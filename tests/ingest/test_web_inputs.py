"""Web archives, RSS/Atom feeds and URLs as inputs: articles read, bad records reported, reading goes on."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from narrascope.errors import InputError
from narrascope.ingest.readers import read_inputs
from narrascope.schema import Document
from tests.webpages import SENTENCES, html_page, write_warc


def _split(items) -> tuple[list[Document], list[InputError]]:
    items = list(items)
    return [i for i in items if isinstance(i, Document)], [i for i in items if isinstance(i, InputError)]


@pytest.mark.parametrize("gzip", [True, False])
def test_warc_pages_are_read_and_a_corrupt_record_is_reported(tmp_path: Path, gzip: bool):
    path = tmp_path / ("crawl.warc.gz" if gzip else "crawl.warc")
    write_warc(path, 5, gzip, corrupt=2)
    docs, errors = _split(read_inputs([str(path)]))
    assert sorted(d.url for d in docs) == [f"https://www.example.org/story-{i}" for i in (0, 1, 3, 4)]
    assert all(d.source == "example.org" and d.title.startswith("Story") and "paragraph 5" in d.text
               and d.date for d in docs)
    assert len(errors) == 1 and str(path) in errors[0].source and "record" in str(errors[0])
    assert len({(d.meta["file"], d.meta["row"]) for d in docs}) == 4  # each record has its own key


@pytest.fixture()
def site() -> Iterator[str]:
    """A local web server with article pages at /story-N and a feed at /feed.xml."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.startswith("/story-"):
                body, kind = html_page(int(self.path.split("-")[1])).encode(), "text/html; charset=utf-8"
            elif self.path == "/feed.xml":
                body, kind = _feed(f"http://127.0.0.1:{self.server.server_port}", 3).encode(), "application/rss+xml"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def _feed(base: str, n: int, missing: bool = True) -> str:
    items = "".join(f"<item><title>Story {i}</title><link>{base}/story-{i}</link><guid>story-{i}</guid>"
                    f"<pubDate>Mon, 0{i + 1} Mar 2025 10:00:00 GMT</pubDate><description>A summary.</description>"
                    "</item>" for i in range(n))
    if missing:
        items += f"<item><title>Gone</title><link>{base}/missing</link><description>Gone.</description></item>"
    full = "".join(f"<p>{s}</p>" for s in SENTENCES * 5)
    items += (f"<item><title>Full text</title><link>https://example.invalid/full</link><description><![CDATA["
              f"{full}]]></description></item>")
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Example News</title><link>{base}</link>'
            f"{items}</channel></rss>")


def test_feed_entries_are_read_from_their_links_and_a_dead_link_is_reported(tmp_path: Path, site: str):
    path = tmp_path / "news.rss"
    path.write_text(_feed(site, 3), encoding="utf-8")
    docs, errors = _split(read_inputs([str(path)], allow_private_urls=True))
    assert [d.title for d in docs] == ["Story 0", "Story 1", "Story 2", "Full text"]
    assert docs[0].url == f"{site}/story-0" and docs[0].date == "2025-03-01" and docs[0].source == "Example News"
    assert "Story 0, paragraph 5" in docs[0].text  # the linked article, not the feed's summary
    assert "#item 4" in errors[0].source and "404" in str(errors[0])
    # the full-text entry needed no fetch (its link does not even resolve)
    assert docs[3].url == "https://example.invalid/full" and "Farmers blocked" in docs[3].text


def test_feed_links_follow_the_url_rules(tmp_path: Path, site: str):
    path = tmp_path / "news.rss"
    path.write_text(_feed(site, 1, missing=False), encoding="utf-8")
    docs, errors = _split(read_inputs([str(path)]))  # loopback is refused unless allowed
    assert [d.title for d in docs] == ["Full text"] and "non-public address" in str(errors[0])


def test_urls_of_pages_and_feeds(site: str):
    docs, errors = _split(read_inputs([f"{site}/story-3", f"{site}/feed.xml"], allow_private_urls=True))
    assert [d.title for d in docs[:4]] == ["Story 3", "Story 0", "Story 1", "Story 2"] and len(errors) == 1
    refused = list(read_inputs([f"{site}/story-3", "file:///etc/passwd"]))
    assert all(isinstance(e, InputError) for e in refused)


