"""Fuzzing the edges: damaged, truncated and random inputs of every kind narrascope reads.

Every case must end as a Document or a clear, coded error that names the input, never as a
traceback. The cases are drawn with a fixed seed (reproducible); each format starts from a small
valid file of our own that is then cut, bit-flipped, or replaced by noise.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
from pathlib import Path

import pytest

from narrascope.errors import NarrascopeError
from tests.paths import FIXTURES

ARTICLE = ("Grain corridor talks stall\n\nNegotiators from Ankara said on Tuesday that the talks on the grain "
           "corridor had stalled again, and that shipping insurers were raising their prices.\n")


def _warc(text: str) -> bytes:
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    html = f"<html><head><title>Grain corridor</title></head><body><article><p>{text}</p></article></body></html>"
    payload = ("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html).encode()
    record = writer.create_warc_record("https://news.example/grain", "response", payload=io.BytesIO(payload))
    writer.write_record(record)
    return out.getvalue()


def _parquet(rows: list[dict]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), out)
    return out.getvalue()


def valid_samples() -> dict[str, bytes]:
    """One small valid file per format (suffix -> bytes)."""
    record = {"id": "a1", "title": "Grain corridor talks stall", "text": ARTICLE, "date": "2026-03-02"}
    html = (f"<html><head><title>Grain corridor</title><meta name='date' content='2026-03-02'></head>"
            f"<body><article><h1>Grain corridor talks stall</h1><p>{ARTICLE}</p></article></body></html>")
    # no <link>: an entry's own text is read (a link would be fetched, and the tests stay offline)
    rss = ("<?xml version='1.0'?><rss version='2.0'><channel><title>Feed</title><item><title>Grain</title>"
           f"<description>{ARTICLE}</description></item></channel></rss>")
    csv = "id,title,text\na1,Grain corridor talks stall,\"" + ARTICLE.replace('"', '""') + "\"\n"
    jsonl = json.dumps(record) + "\n" + json.dumps({**record, "id": "a2"}) + "\n"
    return {".txt": ARTICLE.encode(), ".html": html.encode(), ".jsonl": jsonl.encode(), ".json": json.dumps(record).encode(),
            ".csv": csv.encode(), ".csv.gz": gzip.compress(csv.encode()), ".jsonl.gz": gzip.compress(jsonl.encode()),
            ".rss": rss.encode(), ".warc": _warc(ARTICLE), ".warc.gz": gzip.compress(_warc(ARTICLE)),
            ".parquet": _parquet([record])}


def damaged(rng: random.Random, data: bytes) -> bytes:
    """``data`` cut short, bit-flipped, with noise spliced in, or replaced by noise."""
    how = rng.choice(["cut", "flip", "splice", "noise", "empty", "repeat"])
    if how == "cut":
        return data[:rng.randrange(0, max(1, len(data)))]
    if how == "flip":
        out = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            if out:
                out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
        return bytes(out)
    if how == "splice":
        at = rng.randrange(0, len(data) + 1)
        return data[:at] + rng.randbytes(rng.randint(1, 64)) + data[at:]
    if how == "noise":
        return rng.randbytes(rng.randint(1, 2048))
    if how == "empty":
        return b""
    return data * rng.randint(2, 5)


def _outcome(path: Path) -> list:
    from narrascope.ingest.readers import read_inputs

    return list(read_inputs([str(path)]))


@pytest.mark.parametrize("seed", range(int(os.environ.get("NARRASCOPE_FUZZ_SEEDS", "6"))))
def test_damaged_inputs_of_every_format_end_as_documents_or_coded_errors(tmp_path: Path, seed: int):
    from narrascope.errors import InputError
    from narrascope.schema import Document

    rng = random.Random(seed)
    for suffix, data in valid_samples().items():
        for k in range(4):
            path = tmp_path / f"case{seed}_{k}{suffix}"
            path.write_bytes(damaged(rng, data))
            try:
                items = _outcome(path)
            except NarrascopeError as exc:  # a whole input refused: coded, and it names the input
                assert exc.code.startswith("E") and path.name in str(exc), (suffix, str(exc))
                continue
            for item in items:
                assert isinstance(item, (Document, InputError)), (suffix, type(item))
                if isinstance(item, InputError):
                    assert item.code.startswith("E1") and str(item), suffix
                else:
                    assert isinstance(item.text, str) and item.text.strip(), suffix


def test_every_valid_sample_reads_as_an_article(tmp_path: Path):
    """The fuzz starts from files that are read as they should be (so damage, not the sample, is tested)."""
    from narrascope.schema import Document

    for suffix, data in valid_samples().items():
        path = tmp_path / f"valid{suffix}"
        path.write_bytes(data)
        docs = [x for x in _outcome(path) if isinstance(x, Document)]
        assert docs and all("grain" in d.text.lower() for d in docs), suffix


@pytest.mark.filterwarnings("ignore::narrascope.errors.TaxonomyWarning")  # a damaged label may be allowed, with one
@pytest.mark.parametrize("seed", range(4))
def test_damaged_taxonomy_files_are_read_or_refused_with_a_coded_error(tmp_path: Path, seed: int):
    from narrascope.errors import TaxonomyError
    from narrascope.schema.user_taxonomy import read_taxonomy

    source = (FIXTURES / "custom_taxonomy" / "taxonomy.yaml").read_bytes()
    rng = random.Random(100 + seed)
    for k in range(25):
        path = tmp_path / f"t{seed}_{k}.yaml"
        path.write_bytes(damaged(rng, source))
        try:
            taxonomy = read_taxonomy(path)
        except TaxonomyError as exc:
            assert exc.code == "E110" and str(path) in str(exc)
            continue
        assert taxonomy.labels and all(entry.label and entry.description for entry in taxonomy.labels)


def test_hostile_text_goes_through_the_whole_analysis(nlp):
    """Odd text read from any input (controls, zero-width and bidi marks, emoji, one 20,000-character word,
    mixed scripts, lone surrogates escaped) is analysed end to end, offsets intact."""
    rng = random.Random(7)
    alphabet = list("abc XYZ.,;!?\n\t\"'«»—") + ["\u200b", "\u202e", "\u0000", "\ufeff", "😀", "ж", "ख़", "ि", "ß", "\u0301"]
    texts = ["Title\n\n" + "".join(rng.choice(alphabet) for _ in range(rng.randint(50, 3000))) for _ in range(12)]
    texts += ["Title\n\n" + "x" * 20_000, "Title\n\n" + "NATO " * 2000, "\n\n\n.\n\n\n" + ARTICLE,
              "Title\n\n" + "\ud800 lone surrogate".encode("utf-8", "surrogatepass").decode("utf-8", "replace")]
    for doc in nlp.pipe(texts, batch_size=4):
        for name, spans in doc.spans.items():  # (the kept regions carry offsets only)
            assert all(0 <= s.start <= s.end <= len(doc.text) for s in spans), name
            assert name == "kept" or all(doc.text[s.start:s.end] == s.text for s in spans), name
        for entity in doc.entities:
            assert all(doc.text[m.start:m.end] == m.text for m in entity.mentions)
        assert doc.to_json()
