"""Corpora written for the batch tests: articles in every format, with bad inputs mixed in."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from tests.webpages import write_warc

SENTENCES = ["NATO moved its bases east, closer to Russia.", "Moscow warned of a nuclear response.",
             "The weather in the capital was mild.", "Farmers blocked the roads over fuel prices.",
             "The West armed Kyiv and blocked every peace proposal.", "The new climate rules will ruin farmers."]


def mixed_corpus(folder: Path, n: int) -> set[str]:
    """``n`` JSONL articles plus a broken line, a CSV with broken quoting, a Parquet file without text, a
    feed that is not XML and a web archive of five pages with one corrupt record."""
    folder.mkdir()
    with (folder / "a.jsonl").open("w", encoding="utf-8") as fh:
        for i in range(n):
            body = " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(3))
            fh.write(json.dumps({"id": f"a{i}", "text": f"Article {i}\n\n{body}", "source": "site"}) + "\n")
            if i == 5:
                fh.write("{not json\n")
    (folder / "b.csv").write_text('id,text\nb1,"Sirens sounded, and officials warned of strikes."\n'
                                  'b2,"broken "quoting" here\n', encoding="utf-8")
    duckdb.sql(f"COPY (SELECT 1 AS body) TO '{folder / 'c.parquet'}' (FORMAT parquet)")
    (folder / "d.rss").write_text("this is { not xml", encoding="utf-8")
    write_warc(folder / "e.warc.gz", 5, gzip=True, corrupt=2)
    return {f"a{i}" for i in range(n)} | {"b1"} | {f"https://www.example.org/story-{i}" for i in (0, 1, 3, 4)}


def parquet_ids(out: Path) -> list[str]:
    return [r[0] for r in duckdb.sql(f"SELECT id FROM read_parquet('{out}')").fetchall()]
