"""`narrascope batch`: streamed, resumable after a kill, every input exactly once, bad inputs reported."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from narrascope.batch.runner import run_batch
from narrascope.ingest.readers import read_inputs
from narrascope.schema import Document
from tests.paths import EXAMPLES
from tests.webpages import write_warc

SENTENCES = ["NATO moved its bases east, closer to Russia.", "Moscow warned of a nuclear response.",
             "The weather in the capital was mild.", "Farmers blocked the roads over fuel prices.",
             "The West armed Kyiv and blocked every peace proposal.", "The new climate rules will ruin farmers."]


def _corpus(folder: Path, n: int) -> set[str]:
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


def _ids(out: Path) -> list[str]:
    return [r[0] for r in duckdb.sql(f"SELECT id FROM read_parquet('{out}')").fetchall()]


def test_resumes_after_an_interruption_without_model(tmp_path: Path):
    """The resume logic alone (identity analysis): a run that dies mid-way, then a full one."""
    expected = _corpus(tmp_path / "in", 40)
    out = tmp_path / "out.jsonl"

    def dying(docs):
        for i, doc in enumerate(docs):
            if i == 25:
                raise KeyboardInterrupt  # killed after 3 committed parts of 8
            yield doc

    with pytest.raises(KeyboardInterrupt):
        run_batch(read_inputs([str(tmp_path / "in")]), out, dying, chunk_size=8)
    assert not out.exists() and len(list((tmp_path / "out.jsonl.parts").glob("part-*.jsonl"))) == 3
    result = run_batch(read_inputs([str(tmp_path / "in")]), out, lambda docs: docs, chunk_size=8)
    assert result.skipped == 24 and result.analysed == len(expected) - 24
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["id"] for r in rows) == sorted(expected)
    assert len({r["record"] for r in rows}) == len(rows)
    reasons = " | ".join(e["input"] + " " + e["reason"] for e in result.errors)
    assert "a.jsonl:7" in reasons and "b.csv:3" in reasons and "no 'text' column" in reasons
    assert "d.rss: not an RSS or Atom feed" in reasons and "e.warc.gz@" in reasons and len(result.errors) == 5
    # a finished output: running again adds nothing and keeps everything
    again = run_batch(read_inputs([str(tmp_path / "in")]), out, lambda docs: docs, chunk_size=8)
    assert again.analysed == 0 and len(out.read_text(encoding="utf-8").splitlines()) == len(expected)


@pytest.mark.slow
def test_killed_with_sigkill_and_restarted_every_input_once(tmp_path: Path):
    expected = _corpus(tmp_path / "in", 90)
    out = tmp_path / "out.parquet"
    command = [sys.executable, "-m", "narrascope", "batch", str(tmp_path / "in"), "--out", str(out),
               "--chunk-size", "8", "--workers", "1", "--batch-size", "4"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    parts = tmp_path / "out.parquet.parts"
    deadline = time.time() + 180
    while time.time() < deadline and len(list(parts.glob("part-*.parquet"))) < 2:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # mid-way, between or inside parts
    process.wait()
    committed = len(list(parts.glob("part-*.parquet")))
    assert 2 <= committed and not out.exists(), "killed before it finished"
    finished = subprocess.run(command, check=False, env=env, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 1, finished.stderr  # the bad inputs are reported
    assert "already done" in finished.stderr
    ids = _ids(out)
    assert sorted(ids) == sorted(expected)  # every input exactly once
    errors = [json.loads(x) for x in (tmp_path / "out.parquet.errors.jsonl").read_text().splitlines()]
    assert len(errors) == 5 and not parts.exists()
    row = duckdb.sql(f"SELECT narratives, analysis FROM read_parquet('{out}') WHERE id = 'a1'").fetchall()[0]
    assert row[0] and Document.from_json(row[1]).id == "a1"
    # the corpus repeats its six sentences: articles with the same three are copies of the first of them
    clusters = dict(duckdb.sql(f"SELECT id, cluster_id FROM read_parquet('{out}')").fetchall())
    assert clusters["a6"] == clusters["a0"] == "a0" and clusters["a1"] == "a1"


def test_bad_output_name(tmp_path: Path):
    from typer.testing import CliRunner

    from narrascope.cli import app

    result = CliRunner().invoke(app, ["batch", str(tmp_path), "--out", str(tmp_path / "out.csv")])
    assert result.exit_code == 2 and ".parquet or .jsonl" in result.output


def test_output_where_no_file_can_be_written(tmp_path: Path):
    """A missing folder is made; one that cannot be (a file stands in its way) stops batch and dedup before any
    work, with an error naming the output, not a traceback at the end."""
    from typer.testing import CliRunner

    from narrascope.cli import app

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jsonl").write_text(json.dumps({"id": "a", "text": f"Title\n\n{SENTENCES[0]}"}) + "\n",
                                            encoding="utf-8")
    (tmp_path / "taken").write_text("a file, not a folder", encoding="utf-8")
    for command in ("batch", "dedup"):
        out = tmp_path / "taken" / f"{command}.jsonl"
        result = CliRunner().invoke(app, [command, str(tmp_path / "in"), "--out", str(out)])
        assert result.exit_code == 2, result.output
        assert "E403" in result.output and f"{command}.jsonl" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(app, ["dedup", str(tmp_path / "in"), "--out", str(tmp_path / "new" / "c.jsonl")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["c.jsonl"]


@pytest.mark.slow
def test_batch_with_two_workers_writes_what_one_process_writes(tmp_path: Path):
    from typer.testing import CliRunner

    from narrascope.cli import app

    examples = EXAMPLES
    analyses = []
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}.jsonl"
        result = CliRunner().invoke(app, ["batch", str(examples), "--out", str(out), "--workers", workers,
                                          "--no-dedup"])
        assert result.exit_code == 0, result.output
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        analyses.append({row["id"]: json.loads(row["analysis"]) for row in rows})
    assert len(analyses[0]) >= 8 and any(a["entities"] for a in analyses[0].values())
    assert analyses[1] == analyses[0]
