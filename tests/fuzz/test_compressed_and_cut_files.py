"""Hostile files: compressed bombs, downloads cut short, web archives cut mid-record, feeds that are not
XML or that define entities (XXE, billion laughs). Each ends as articles and coded errors naming the
input, in bounded memory, never as a traceback or an expanded entity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from narrascope.errors import InputError, RecordError
from narrascope.ingest.readers import read_inputs
from narrascope.schema import Document
from tests.conftest import WAR_TEXT
from tests.webpages import write_warc


def _split(items) -> tuple[list[Document], list[InputError]]:
    items = list(items)
    return [i for i in items if isinstance(i, Document)], [i for i in items if isinstance(i, InputError)]


@pytest.mark.parametrize("name, data", [
    ("bomb.jsonl.gz", b'{"text": "' + b"a" * 25_000_000 + b'"}\n{"id": "next", "text": "%s"}\n'),
    ("bomb.csv.gz", b'id,text\nbig,"' + b"a" * 25_000_000 + b'"\nnext,"%s"\n'),
])
def test_an_over_long_record_is_reported_and_the_next_one_read(tmp_path: Path, name: str, data: bytes):
    """25 MB in one record inflate from a 25 kB .gz: reported as over the limit, and the next record still read."""
    import gzip

    path = tmp_path / name
    path.write_bytes(gzip.compress(data.replace(b"%s", " ".join(WAR_TEXT.split()).encode())))
    first, second = list(read_inputs([path]))
    assert isinstance(first, RecordError) and f"{name}:" in str(first) and "MB limit" in str(first)
    assert second.id == "next"


def test_damaged_gzip_keeps_the_records_before_the_damage(tmp_path: Path):
    import gzip

    data = gzip.compress("".join(json.dumps({"id": f"r{i}", "text": WAR_TEXT}) + "\n" for i in range(200)).encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) * 2 // 3])  # a download cut short
    items = list(read_inputs([path]))
    assert all(not isinstance(x, InputError) for x in items[:-1]) and len(items) > 1
    assert isinstance(items[-1], InputError) and "cut short" in str(items[-1]) and "cut.jsonl.gz" in str(items[-1])
    (tmp_path / "not.csv.gz").write_bytes(b"id,text\na,plain text, not gzip\n")
    (err,) = list(read_inputs([tmp_path / "not.csv.gz"]))
    assert isinstance(err, InputError) and "not.csv.gz" in str(err) and "gzip" in str(err)


def test_a_csv_gz_line_over_the_limit_is_reported_and_the_next_row_read(tmp_path, monkeypatch):
    """A line is never held whole: over the limit it is read past in pieces and reported (here a 1 MB line
    against a 10 kB limit stands for a .gz that inflates to gigabytes against 20 MB)."""
    import gzip

    from narrascope.batch.count import count_lines
    from narrascope.ingest import tables
    from narrascope.ingest.readers import read_inputs

    monkeypatch.setattr(tables, "MAX_BYTES", 10_000)
    path = tmp_path / "bomb.csv.gz"
    with gzip.open(path, "wb") as fh:
        fh.write(b'id,text\n1,"' + b"a" * 1_000_000 + b'"\n2,"NATO sent weapons and Moscow warned of war."\n')
    items = list(read_inputs([str(path)]))
    errors = [i for i in items if isinstance(i, InputError)]
    docs = [i for i in items if not isinstance(i, InputError)]
    assert len(errors) == 1 and "over the" in str(errors[0]) and f"{path}:2" in str(errors[0])
    assert [d.id for d in docs] == ["2"]
    with gzip.open(path, "rb") as fh:
        assert count_lines(fh, block=4096) == 3  # counted in blocks, not lines


@pytest.mark.parametrize("gzip", [True, False])
def test_a_warc_cut_inside_a_record_reports_that_record(tmp_path: Path, gzip: bool):
    """A download that stopped mid-record: the pages before it are read, the cut one is reported (not
    analysed from half its text, nor passed over in silence)."""
    whole = tmp_path / ("whole.warc.gz" if gzip else "whole.warc")
    write_warc(whole, 3, gzip)
    from warcio.archiveiterator import ArchiveIterator

    with whole.open("rb") as fh:
        records = ArchiveIterator(fh)
        starts = []
        for record in records:
            starts.append(records.get_record_offset())
            record.content_stream().read()
    cut = tmp_path / ("cut.warc.gz" if gzip else "cut.warc")
    last_page = starts[3]  # warcinfo, story-0, story-1, story-2 (then the redirect)
    cut.write_bytes(whole.read_bytes()[:last_page + (starts[4] - last_page) // 2])
    docs, errors = _split(read_inputs([str(cut)]))
    assert sorted(d.url for d in docs) == ["https://www.example.org/story-0", "https://www.example.org/story-1"]
    assert len(errors) == 1 and f"{cut}@{last_page}" == errors[0].source


def test_not_a_warc_file_is_reported(tmp_path: Path):
    path = tmp_path / "x.warc.gz"
    path.write_bytes(b"this is not a web archive " * 20)
    docs, errors = _split(read_inputs([str(path)]))
    assert not docs and "not a WARC file" in str(errors[0])


def test_a_feed_that_is_not_xml_is_reported(tmp_path: Path):
    path = tmp_path / "broken.xml"
    path.write_text("this is { not xml", encoding="utf-8")
    docs, errors = _split(read_inputs([str(path)]))
    assert not docs and "not an RSS or Atom feed" in str(errors[0]) and str(path) in str(errors[0])


BODY = " ".join(["NATO moved its bases east and Moscow warned of a nuclear response."] * 30)
# lol9 would expand to 10^9 "lol"s
LAUGHS = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i else "lol"}">' for i in range(10))


@pytest.mark.parametrize("name, page", [
    ("xxe.rss", '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss version="2.0">'
                "<channel><title>Evil News</title><link>https://evil.example</link><item><title>Leak &xxe;</title>"
                f"<link>https://example.invalid/a</link><description>{BODY} &xxe;</description></item>"
                "</channel></rss>"),
    ("laughs.rss", f'<?xml version="1.0"?><!DOCTYPE rss [{LAUGHS}]><rss version="2.0">'
                   "<channel><title>Laughs</title><link>https://evil.example</link><item><title>Laugh &lol9;</title>"
                   f"<link>https://example.invalid/b</link><description>{BODY} &lol9;</description></item>"
                   "</channel></rss>"),
    ("xxe.html", '<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><html><body><article>'
                 f"<p>{BODY} &xxe;</p></article></body></html>"),
])
def test_entities_declared_in_a_feed_or_page_are_never_expanded(tmp_path: Path, name: str, page: str):
    """XXE (an entity that reads a local file) and billion laughs (entities nested to a billion "lol"s): the
    article is read with the entity left as written, nothing fetched from the disk, nothing blown up."""
    path = tmp_path / name
    path.write_text(page, encoding="utf-8")
    docs, errors = _split(read_inputs([str(path)]))
    assert len(docs) == 1 and not errors
    text = docs[0].title + docs[0].text
    assert "NATO moved its bases east" in text and "root:" not in text and "lollol" not in text
    assert len(docs[0].text) < len(page)
