import json
from pathlib import Path

import pytest

from narrascope.errors import (
    BinaryInputError,
    EmptyInputError,
    EncodingError,
    FolderLayoutError,
    InputError,
    InputTooLargeError,
    NoArticleError,
    RecordError,
)
from narrascope.ingest import read_inputs, read_semeval_folder, read_text_file
from narrascope.ingest.decode import decode_text
from tests.conftest import WAR_TEXT
from tests.paths import EXAMPLES


def test_text_file_keeps_crlf_and_bom_exactly(tmp_path: Path):
    path = tmp_path / "a.txt"
    raw = ("\ufeff" + WAR_TEXT).encode("utf-8")
    path.write_bytes(raw)
    doc = read_text_file(path)
    assert doc.text.encode("utf-8") == raw
    assert doc.title == "Missiles and the road to a wider war"


def test_semeval_folder(semeval_folder: Path):
    docs = list(read_semeval_folder(semeval_folder))
    assert [d.id for d in docs] == ["EN_CC_000002.txt", "EN_UA_000001.txt", "EN_UA_000003.txt"]
    assert docs[0].text.startswith("\ufeff") and "\r\n" in docs[1].text


def test_semeval_folder_without_raw_documents(tmp_path: Path):
    (err,) = list(read_semeval_folder(tmp_path))
    assert isinstance(err, FolderLayoutError) and "raw-documents" in str(err) and str(tmp_path) in str(err)


def test_html_example_extracts_article_without_residue():
    (doc,) = list(read_inputs([EXAMPLES / "grain-corridor-page.html"]))
    assert doc.title.startswith("Black Sea grain corridor")
    assert "Shipping records tell another story" in doc.text
    assert "Leave A Reply" not in doc.text and "All rights reserved" not in doc.text
    assert doc.date == "2024-09-12"


def test_html_without_article(tmp_path: Path):
    path = tmp_path / "menu.html"
    path.write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>", encoding="utf-8")
    (err,) = list(read_inputs([path]))
    assert isinstance(err, NoArticleError) and "menu.html" in str(err)


def test_jsonl_bad_lines_do_not_stop_the_batch(tmp_path: Path):
    path = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": "a", "text": "Body one.", "title": "T", "lang": "en", "url": "u", "date": "2024-01-01"}),
             "[1, 2, 3]", "{not json", json.dumps({"id": "b"}), "", json.dumps({"text": "Body two."})]
    path.write_text("\n".join(lines), encoding="utf-8")
    items = list(read_inputs([path]))
    docs = [x for x in items if not isinstance(x, InputError)]
    errors = [x for x in items if isinstance(x, InputError)]
    assert [d.id for d in docs] == ["a", "in-6"]
    assert docs[0].title == "T" and docs[0].language == "en" and docs[0].date == "2024-01-01"
    assert len(errors) == 3 and all(isinstance(e, RecordError) for e in errors)
    assert f"{path}:2" in str(errors[0]) and "JSON object" in str(errors[0])


def test_json_file_of_one_record_or_an_array(tmp_path: Path):
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"id": "x", "text": "Body one.", "lang": "en"}), encoding="utf-8")
    many = tmp_path / "many.json"
    many.write_text(json.dumps([{"text": "Body two."}, {"id": "b"}, {"text": "Body three."}]), encoding="utf-8")
    items = list(read_inputs([one, many]))
    assert [x.id if not isinstance(x, InputError) else type(x) for x in items] == ["x", "many-1", RecordError, "many-3"]
    assert f"{many}[2]" in str(items[2])
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    (err,) = list(read_inputs([bad]))
    assert isinstance(err, RecordError) and "bad.json" in str(err) and "line 1" in str(err)


@pytest.mark.parametrize("name,content", [("empty.jsonl", ""), ("blank.jsonl", "\n\n"), ("none.json", "[]"),
                                          ("header.csv", "id,text\n"),
                                          ("empty.rss", "<rss version='2.0'><channel></channel></rss>")])
def test_a_container_without_articles_is_reported(tmp_path: Path, name: str, content: str):
    """A JSONL, JSON, table or feed file that gives no article (and no error) is an error, not silence."""
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    (err,) = list(read_inputs([path]))
    assert isinstance(err, EmptyInputError) and name in str(err) and "no articles" in str(err)


@pytest.mark.parametrize(
    "data,error",
    [(b"", EmptyInputError), (b"  \n\n", EmptyInputError), (b"\xef\xbb\xbf \n", EmptyInputError),
     (b"\x00\x01\x02binary\x00", BinaryInputError), ("Привет".encode("cp1251"), EncodingError)],
)
def test_bad_bytes(data: bytes, error: type):
    with pytest.raises(error) as info:
        decode_text(data, "some/file.txt")
    assert "some/file.txt" in str(info.value)


@pytest.mark.parametrize("data, said", [(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"), (b"PK\x03\x04\x14\x00", "ZIP"),
                                        (b"\x1f\x8b\x08\x00", "gunzip"), (b"{\\rtf1\\ansi Text", "RTF")])
def test_documents_and_archives_are_named_with_what_to_do(tmp_path: Path, data: bytes, said: str):
    """A PDF or a .docx given as an article says what it is, not "not valid UTF-8"."""
    path = tmp_path / "article.txt"
    path.write_bytes(data + b"NATO and Russia " * 20)
    (err,) = list(read_inputs([path]))
    assert isinstance(err, BinaryInputError) and said in str(err) and "article.txt" in str(err)


def test_gzip_compressed_jsonl_and_csv_are_read_in_files_and_folders(tmp_path: Path):
    """Corpora come as corpus.jsonl.gz or shard.csv.gz: read as they are, counted for the progress bar."""
    import gzip

    from narrascope.batch.count import estimate_records

    folder = tmp_path / "corpus"
    folder.mkdir()
    with gzip.open(folder / "part-1.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"text": WAR_TEXT}) + "\n" + json.dumps({"id": "b", "text": WAR_TEXT}) + "\n")
    one_line = " ".join(WAR_TEXT.split())
    with gzip.open(folder / "part-2.csv.gz", "wt", encoding="utf-8", newline="") as fh:
        fh.write('id,text\nc,"' + one_line.replace('"', '""') + '"\n')
    docs = list(read_inputs([folder]))
    assert [d.id for d in docs] == ["part-1-1", "b", "c"] and [d.text for d in docs] == [WAR_TEXT] * 2 + [one_line]
    assert estimate_records([str(folder)]) == 3


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_files_with_a_byte_order_mark_are_read(tmp_path: Path, encoding: str):
    path = tmp_path / "notepad.txt"
    path.write_bytes("\ufeff".encode(encoding) + WAR_TEXT.encode(encoding))
    assert read_text_file(path).text == "\ufeff" + WAR_TEXT  # the mark kept, as in UTF-8
    with pytest.raises(EmptyInputError):
        decode_text("\ufeff \n".encode(encoding), "empty.txt")
    with pytest.raises(EncodingError, match="byte-order mark"):
        decode_text("\ufeff".encode(encoding) + b"A", "broken.txt")  # a cut-off code unit


def test_huge_file_is_refused_before_reading(tmp_path: Path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    (err,) = list(read_inputs([path]))
    assert isinstance(err, InputTooLargeError) and "MB" in str(err)


def test_an_article_longer_than_one_can_be_is_refused_by_every_reader(tmp_path: Path):
    """A text file under the byte limit whose text is too long for one article (a corpus in one file),
    as a file, an HTML page and a JSONL line: an error naming it, and the other articles still read."""
    from narrascope.ingest import MAX_ARTICLE_CHARS

    body = "NATO provoked the war. " * (MAX_ARTICLE_CHARS // 23 + 1)
    (tmp_path / "corpus.txt").write_text("Title\n\n" + body, encoding="utf-8")
    (tmp_path / "page.html").write_text(f"<html><body><article><h1>T</h1><p>{body}</p></article></body></html>",
                                        encoding="utf-8")
    (tmp_path / "rows.jsonl").write_text(json.dumps({"id": "long", "text": body}) + "\n"
                                         + json.dumps({"id": "short", "text": WAR_TEXT}) + "\n", encoding="utf-8")
    (tmp_path / "fine.txt").write_text("T\n\n" + "A sentence. " * (MAX_ARTICLE_CHARS // 12 - 1), encoding="utf-8")
    items = list(read_inputs([tmp_path]))
    errors = {e.source: e for e in items if isinstance(e, InputError)}
    assert set(errors) == {str(tmp_path / "corpus.txt"), str(tmp_path / "page.html"), f"{tmp_path / 'rows.jsonl'}:1"}
    for error in errors.values():
        assert isinstance(error, InputTooLargeError) and "1,000,000" in str(error) and "split it" in str(error)
    assert sorted(d.id for d in items if not isinstance(d, InputError)) == ["fine.txt", "short"]


def test_glob_and_missing_paths(tmp_path: Path):
    (tmp_path / "a.txt").write_text("A\n\nText a.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("B\n\nText b.", encoding="utf-8")
    docs = list(read_inputs([str(tmp_path / "*.txt")]))
    assert [d.id for d in docs] == ["a.txt", "b.txt"]
    (err,) = list(read_inputs([tmp_path / "nope.txt"]))
    assert isinstance(err, InputError) and "nope.txt" in str(err)


def test_jsonl_line_with_invalid_utf8(tmp_path: Path):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b'{"id": "ok", "text": "Fine text."}\n{"id": "bad", "text": "caf\xe9"}\n')
    items = list(read_inputs([path]))
    assert items[0].id == "ok"
    assert isinstance(items[1], RecordError) and "mixed.jsonl:2" in str(items[1]) and "UTF-8" in str(items[1])


def test_csv_row_in_another_encoding_is_reported_and_the_rest_read(tmp_path: Path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(b'id,text\nr1,"Fine text one."\nr2,"caf\xe9 au lait"\nr3,"Fine text three."\n')
    items = list(read_inputs([path]))
    assert [x.id for x in items if not isinstance(x, InputError)] == ["r1", "r3"]
    (bad,) = [x for x in items if isinstance(x, InputError)]
    assert isinstance(bad, RecordError) and "mixed.csv:3" in str(bad) and "UTF-8" in str(bad)


@pytest.mark.parametrize("name, head, line, plain", [
    ("legacy.csv", b"id,text\n", b'r%d,"caf\xe9 num\xe9ro %d"\n', b'ok,"Plain."\n'),
    ("legacy.jsonl", b"", b'{"id": "r%d", "text": "caf\xe9 num\xe9ro %d"}\n', b'{"id": "ok", "text": "Plain."}\n'),
])
def test_file_wholly_in_another_encoding_gives_a_few_errors_and_one_summary(tmp_path: Path, name: str, head: bytes,
                                                                             line: bytes, plain: bytes):
    """A cp1252 file: the first bad records are reported one by one, the rest once with their count; the rest is read."""
    path = tmp_path / name
    path.write_bytes(head + b"".join(line % (i, i) for i in range(1, 31)) + plain)
    items = list(read_inputs([path]))
    assert [x.id for x in items if not isinstance(x, InputError)] == ["ok"]
    errors = [x for x in items if isinstance(x, InputError)]
    assert len(errors) == 6 and all(isinstance(x, RecordError) for x in errors)
    assert "25 more records are not valid UTF-8" in str(errors[-1]) and "30 in all" in str(errors[-1])
    assert "iconv" in str(errors[-1]) and name in str(errors[-1])
    assert sum(x.records for x in errors) == 30  # what the commands count as not analysed


def test_byte_order_mark_before_csv_jsonl_and_json(tmp_path: Path):
    """Excel's "CSV UTF-8" and Notepad write a byte-order mark: it must not hide the first column or line."""
    bom = b"\xef\xbb\xbf"
    (tmp_path / "a.csv").write_bytes(bom + b'id,text\nc1,"Text of the CSV article."\n')
    (tmp_path / "b.jsonl").write_bytes(bom + b'{"id": "j1", "text": "Text of the JSONL article."}\n')
    (tmp_path / "c.json").write_bytes(bom + b'[{"id": "a1", "text": "Text of the JSON article."}]')
    items = list(read_inputs([tmp_path / "a.csv", tmp_path / "b.jsonl", tmp_path / "c.json"]))
    assert [x.id for x in items] == ["c1", "j1", "a1"]


def test_record_dates_are_normalised_or_reported(tmp_path: Path):
    from narrascope.ingest.dates import normalise_date

    assert normalise_date("2024-05-06") == "2024-05-06" and normalise_date("20240506") == "2024-05-06"
    assert normalise_date("2024-05-06T14:30:00Z") == "2024-05-06T14:30:00+00:00"
    assert normalise_date("Mon, 06 May 2024 14:30:00 GMT") == "2024-05-06T14:30:00+00:00"
    assert normalise_date(" ") == "" and normalise_date("06/05/2024") is None and normalise_date("2024-13-45") is None
    path = tmp_path / "dated.jsonl"
    path.write_text("".join(json.dumps({"id": i, "text": "NATO sent more weapons.", "date": d}) + "\n"
                            for i, d in (("a", "Mon, 06 May 2024 14:30:00 GMT"), ("b", "06/05/2024"))),
                    encoding="utf-8")
    a, b = read_inputs([path])
    assert a.date == "2024-05-06T14:30:00+00:00" and not a.warnings
    assert b.date == "" and any("'06/05/2024' is not understood" in w for w in b.warnings)  # kept, and said


RUSSIAN_PAGE = ("<html><head>{meta}<title>Новости</title></head><body><article><h1>НАТО готовит войну</h1>"
                "<p>Запад снова обвиняет Россию во всех бедах, а НАТО продолжает поставлять оружие Украине.</p>"
                "<p>Европейские политики не слушают своих граждан, уставших от санкций и высоких цен.</p>"
                "</article></body></html>")


def test_web_pages_in_their_declared_charset(tmp_path: Path):
    """Russian and Bulgarian sites still serve windows-1251 and KOI8-R: the page's own declaration is read."""
    from narrascope.ingest.decode import html_charset

    pages = {"cp1251.html": ('<meta charset="windows-1251">', "cp1251"),
             "koi8.html": ('<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">', "koi8-r"),
             "stale.html": ('<meta charset="windows-1251">', "utf-8")}  # saved as UTF-8, the old declaration kept
    for name, (meta, encoding) in pages.items():
        (tmp_path / name).write_bytes(RUSSIAN_PAGE.format(meta=meta).encode(encoding))
    for doc in read_inputs([tmp_path / name for name in pages]):
        assert doc.title == "НАТО готовит войну" and "Запад снова обвиняет Россию" in doc.text, doc.source
    assert html_charset("<p>Привет</p>".encode("cp1251"), "windows-1251") == "cp1251"  # an HTTP header's charset
    assert html_charset("<meta charset=iso-8859-1>“quoted”".encode("cp1252")) == "cp1252"  # as browsers read it


def test_a_date_line_is_not_taken_as_the_title():
    from narrascope.ingest.readers import is_date_line, read_text

    doc = read_text("Tuesday, August 5\n\nRecent reports claim that thousands of soldiers were sent to Kursk. "
                    "Officials in Washington and Brussels denied it on Monday, and the ministry in Moscow said "
                    "nothing at all about the claim.\n")
    assert doc.title == "Recent reports claim that thousands of soldiers were sent to Kursk."
    assert read_text("5 августа 2024 г.\nНАТО и Украина\n\nТекст.").title == "НАТО и Украина"
    assert read_text("Monday Night Football returns\n\nBody.").title == "Monday Night Football returns"
    for line in ("Tuesday, August 5", "05.08.2024", "2024-08-05", "quarta-feira, 5 de agosto de 2024"):
        assert is_date_line(line), line
    for line in ("May 2025 be better", "August 2024: the war goes on", "Pentagon: 10,000 troops"):
        assert not is_date_line(line), line
    long = "word " * 40
    assert read_text(long + "\n\nBody.").title.endswith("…")  # a paragraph as first line: cut, marked


