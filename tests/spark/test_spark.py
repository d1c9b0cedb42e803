"""Spark (local[2]): the analysis columns match the single-process pipeline; the model loads once per worker."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (pip install 'narrascope[spark]')")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("Spark needs Java 17 (no java on PATH, no JAVA_HOME)", allow_module_level=True)

TEXTS = ["NATO moved its bases east, closer to Russia, and Moscow warned of a nuclear response.",
         "The West armed Kyiv and blocked every peace proposal, the commentator wrote.",
         "The new climate rules will ruin farmers, who already pay the highest fuel prices in Europe.",
         "Farmers blocked the roads of the capital for a third day over the price of diesel."]


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (SparkSession.builder.master("local[2]").appName("narrascope-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4").getOrCreate())
    yield session
    session.stop()


def _rows(n: int) -> list[tuple[str, str, str]]:
    return [(f"a{i}", f"Article {i}", f"{TEXTS[i % 4]} {TEXTS[(i + 1) % 4]}") for i in range(n)]


@pytest.mark.slow
def test_analyze_matches_the_pipeline_and_loads_once_per_worker(spark):
    from narrascope.ingest.readers import document_from_record
    from narrascope.pipeline import build_pipeline
    from narrascope.spark import analyze

    rows = _rows(16) + [("blank", "Nothing", "  "), ("long", "A corpus in one row", "NATO armed Kyiv. " * 70_000)]
    df = spark.createDataFrame(rows, ["id", "title", "text"]).repartition(4)  # 4 tasks on 2 cores
    loads = spark.sparkContext.accumulator(0)
    result = {r["id"]: r for r in analyze(df, load_counter=loads).collect()}
    assert 1 <= loads.value <= 2  # once per Python worker, not per partition (4) or batch
    assert set(result) == {r[0] for r in rows} and result["blank"]["analysis"] is None
    error = json.loads(result["long"]["analysis"])  # too long for one article: said in the row, not analysed
    assert error["code"] == "E103" and "1,000,000" in error["error"] and result["long"]["narratives"] is None
    pipeline = build_pipeline()
    for doc_id, title, text in rows[:4]:
        doc = pipeline(document_from_record({"id": doc_id, "title": title, "text": text}, "test"))
        assert result[doc_id]["narratives"] == ";".join(label.name for label in doc.labels["narratives"])
        assert result[doc_id]["language"] == "en" and json.loads(result[doc_id]["analysis"])["id"] == doc_id
        assert result[doc_id]["title"] == title  # the input columns are kept


def test_missing_text_column_is_a_clear_error(spark):
    from narrascope.errors import UsageError
    from narrascope.spark import analyze

    df = spark.createDataFrame([("a", "x")], ["id", "body"])
    with pytest.raises(UsageError, match="no 'text' column"):
        analyze(df)


@pytest.mark.slow
def test_spark_command(spark, tmp_path: Path):
    from typer.testing import CliRunner

    from narrascope.cli import app

    source = tmp_path / "in.jsonl.gz"  # compressed, as corpora often come
    source.write_bytes(gzip.compress("".join(json.dumps({"id": i, "text": t}) + "\n" for i, _, t in _rows(6)).encode()))
    out = tmp_path / "out.parquet"
    result = CliRunner().invoke(app, ["spark", str(source), str(out), "--master", "local[2]"])
    assert result.exit_code == 0, result.output
    assert "6 articles analysed" in result.output
    back = spark.read.parquet(str(out)).select("id", "narratives").collect()
    assert sorted(r["id"] for r in back) == [f"a{i}" for i in range(6)]
    again = CliRunner().invoke(app, ["spark", str(source), str(out), "--master", "local[2]"])
    assert again.exit_code == 2 and "already exists" in again.output  # no silent overwrite


@pytest.mark.slow
def test_discover_on_spark_finds_what_one_machine_finds(spark, tmp_path: Path):
    """``discover --spark``: the executors read the claims, the driver clusters them; the same clusters,
    ids and members as ``discover`` over the same articles in one machine."""
    from typer.testing import CliRunner

    from narrascope.cli import app
    from tests.discover.test_discover import TAXONOMY, corpus

    folder = corpus(tmp_path / "corpus")
    table = tmp_path / "articles.jsonl"
    with open(table, "w", encoding="utf-8") as f:
        for path in sorted((folder / "raw-documents").glob("*.txt")):
            f.write(json.dumps({"id": path.name, "text": path.read_text(encoding="utf-8")}) + "\n")
        f.write(json.dumps({"id": "huge", "text": "NATO armed Kyiv. " * 70_000}) + "\n")  # not an article
    runner = CliRunner()
    here, there = tmp_path / "here.json", tmp_path / "there.json"
    local = runner.invoke(app, ["discover", str(folder), "--taxonomy", str(TAXONOMY), "--json", str(here)])
    assert local.exit_code == 0, local.output
    remote = runner.invoke(app, ["discover", str(table), "--spark", "local[2]", "--taxonomy", str(TAXONOMY),
                                 "--json", str(there)])
    assert remote.exit_code == 1 and "E103" in remote.output  # the huge row is reported, the rest goes on
    one, other = (json.loads(p.read_text(encoding="utf-8")) for p in (here, there))
    assert other["articles"] == one["articles"] and other["claims"] == one["claims"]
    assert [(c["id"], c["status"], c["documents"]) for c in other["clusters"]] == \
           [(c["id"], c["status"], c["documents"]) for c in one["clusters"]]
    assert any(c["status"] == "new" and "salmon" in c["label"] for c in other["clusters"])
    # a table without ids: each article is named by its text's digest; a row without text is reported
    bare = tmp_path / "bare.jsonl"
    lines = [json.loads(line) for line in table.read_text(encoding="utf-8").splitlines()][:-1]
    bare.write_text("".join(json.dumps({"text": r["text"]}) + "\n" for r in lines) + '{"text": "  "}\n',
                    encoding="utf-8")
    nameless = runner.invoke(app, ["discover", str(bare), "--spark", "local[2]", "--taxonomy", str(TAXONOMY),
                                   "--json", str(there)])
    assert nameless.exit_code == 1 and "without text" in nameless.output
    found = json.loads(there.read_text(encoding="utf-8"))
    assert found["articles"] == one["articles"] and len(found["clusters"]) == len(one["clusters"])
    assert all(d.startswith("sha1-") for c in found["clusters"] for d in c["documents"])
    two = runner.invoke(app, ["discover", str(table), str(table), "--spark", "local[2]", "--json", str(there)])
    assert two.exit_code == 2 and "one table" in two.output
