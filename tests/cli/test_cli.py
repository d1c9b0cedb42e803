"""The CLI as a user runs it (Typer's CliRunner, real files)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrascope.cli import app
from narrascope.schema import SCHEMA_VERSION
from tests.compare import same_analysis
from tests.conftest import WAR_TEXT
from tests.paths import EXAMPLES

runner = CliRunner()


def test_analyze_writes_json_and_html(tmp_path: Path):
    article = tmp_path / "war.txt"
    article.write_bytes(WAR_TEXT.encode("utf-8"))
    out, report = tmp_path / "out.jsonl", tmp_path / "report.html"
    result = runner.invoke(app, ["analyze", str(article), str(EXAMPLES / "grain-corridor-page.html"),
                                 "--json", str(out), "--html", str(report)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 2 and rows[0]["schema_version"] == SCHEMA_VERSION
    assert rows[0]["labels"]["narratives"] and "Leave A Reply" not in rows[0]["clean_text"]
    html = report.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "<mark" in html and "http" not in html.split("<body>")[0]


def test_analyze_stdin():
    result = runner.invoke(app, ["analyze", "-", "--json", "-"], input=WAR_TEXT.encode())
    assert result.exit_code == 0, result.output
    assert '"narratives"' in result.output


def test_html_report_escapes_article_text(tmp_path: Path):
    article = tmp_path / "x.txt"
    article.write_text("<script>alert(1)</script> headline\n\nNATO missiles bring the world to the brink "
                       "of nuclear war, <b>officials</b> warn.", encoding="utf-8")
    report = tmp_path / "r.html"
    result = runner.invoke(app, ["analyze", str(article), "--html", str(report), "--quiet"])
    assert result.exit_code == 0, result.output
    html = report.read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_bad_inputs_are_reported_and_others_still_processed(tmp_path: Path):
    good = tmp_path / "good.txt"
    good.write_text(WAR_TEXT, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\x00\x01\x02\x03" * 100)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Café crème, déjà vu".encode("latin-1"))
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["analyze", str(good), str(empty), str(binary), str(latin), "--json", str(out), "-q"])
    assert result.exit_code == 1
    assert "empty.txt" in result.output and "blob.txt" in result.output and "latin.txt" in result.output
    assert "Traceback" not in result.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1


def test_predict_and_evaluate_official_format(semeval_folder: Path, tmp_path: Path):
    pred = tmp_path / "pred.txt"
    result = runner.invoke(app, ["predict", "narratives", str(semeval_folder), "-o", str(pred)])
    assert result.exit_code == 0, result.output
    lines = pred.read_text(encoding="utf-8").splitlines()
    assert [line.split("\t")[0] for line in lines] == ["EN_CC_000002.txt", "EN_UA_000001.txt", "EN_UA_000003.txt"]
    assert all(len(line.split("\t")) == 3 for line in lines)
    result = runner.invoke(app, ["evaluate", "narratives", "--gold",
                                 str(semeval_folder / "subtask-2-annotations.txt"), "--pred", str(pred)])
    assert result.exit_code == 0, result.output
    assert "f1_coarse=" in result.output and "f1_fine=" in result.output
    # gold against itself is perfect
    result = runner.invoke(app, ["evaluate", "narratives", "--gold", str(semeval_folder / "subtask-2-annotations.txt"),
                                 "--pred", str(semeval_folder / "subtask-2-annotations.txt")])
    assert "f1_coarse=1.00000\tf1_fine=1.00000" in result.output


def test_predict_on_folder_without_raw_documents(tmp_path: Path):
    result = runner.invoke(app, ["predict", "narratives", str(tmp_path), "-o", str(tmp_path / "p.txt")])
    assert result.exit_code == 2 and "raw-documents" in result.output


def test_evaluate_malformed_prediction_file(semeval_folder: Path, tmp_path: Path):
    bad = tmp_path / "bad.txt"
    bad.write_text("only-one-column\n", encoding="utf-8")
    result = runner.invoke(app, ["evaluate", "narratives", "--gold", str(semeval_folder / "subtask-2-annotations.txt"),
                                 "--pred", str(bad)])
    assert result.exit_code == 2 and "bad.txt" in result.output and "line 1" in result.output


@pytest.mark.parametrize("task", ["narratives", "roles", "techniques", "genre", "framing"])
def test_evaluate_refuses_a_gold_file_with_nothing_to_score(task: str, tmp_path: Path):
    """An empty gold file, or one whose every line is malformed, is an error, not a score of 0."""
    gold, pred = tmp_path / "gold.txt", tmp_path / "pred.txt"
    gold.write_text("" if task != "roles" else "not an annotation line\n", encoding="utf-8")
    pred.write_text("", encoding="utf-8")
    result = runner.invoke(app, ["evaluate", task, "--gold", str(gold), "--pred", str(pred)])
    assert result.exit_code == 2, result.output
    assert "gold.txt" in result.output and "to score against" in result.output
    assert "=0.0" not in result.output


def test_analyze_with_workers_keeps_input_order(tmp_path: Path):
    texts = sorted(EXAMPLES.glob("*.txt"))
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["analyze", *map(str, texts), "--workers", "2", "--batch-size", "2",
                                 "--json", str(out), "-q"])
    assert result.exit_code == 0, result.output
    ids = [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert ids == [p.name for p in texts]


def test_analyze_with_workers_to_stdout_writes_only_jsonl_in_order():
    texts = sorted(EXAMPLES.glob("*.txt"))
    result = runner.invoke(app, ["analyze", *map(str, texts), "--workers", "2", "--batch-size", "2", "--json", "-"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]  # nothing but JSON lines
    assert [r["id"] for r in records] == [p.name for p in texts] and all(r["labels"]["narratives"] for r in records)


def test_predict_writes_other_for_an_unreadable_article(semeval_folder: Path, tmp_path: Path):
    (semeval_folder / "raw-documents" / "EN_UA_000004.txt").write_bytes(b"")
    pred = tmp_path / "pred.txt"
    result = runner.invoke(app, ["predict", "narratives", str(semeval_folder), "-o", str(pred)])
    assert result.exit_code == 1 and "EN_UA_000004.txt" in result.output
    lines = pred.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4 and "EN_UA_000004.txt\tOther\tOther" in lines


def test_help_shows_install_extras_and_short_command_summaries():
    wide = {"COLUMNS": "200"}
    spark = runner.invoke(app, ["spark", "--help"], env=wide)
    assert spark.exit_code == 0 and "'narrascope[spark]'" in spark.output, spark.output  # not eaten as markup
    roles = runner.invoke(app, ["train", "roles", "--help"], env=wide)
    assert "'narrascope[e5]'" in roles.output, roles.output
    listing = runner.invoke(app, ["--help"], env=wide).output
    line = next(line for line in listing.splitlines() if " batch " in line)
    assert line.rstrip(" │").endswith("streaming and resumable."), listing  # one line per command
    batch = runner.invoke(app, ["batch", "--help"], env={"COLUMNS": "80"}).output
    assert "every input ends up in the output exactly once" in batch, batch  # reflowed, not cut at the source's breaks


def test_serve_with_an_empty_token_stops_before_listening(tmp_path, monkeypatch):
    monkeypatch.setenv("NARRASCOPE_TOKEN", "")
    result = runner.invoke(app, ["serve", "--db", str(tmp_path / "c.duckdb")])
    assert result.exit_code != 0 and "token is empty" in result.output and "Traceback" not in result.output
    assert "narrascope on http" not in result.output
    monkeypatch.delenv("NARRASCOPE_TOKEN")
    result = runner.invoke(app, ["serve", "--db", str(tmp_path / "c.duckdb"), "--token", ""])
    assert result.exit_code != 0 and "token is empty" in result.output


@pytest.mark.slow
def test_analyze_with_two_workers_writes_the_same_records_as_one(tmp_path: Path):
    """Workers rebuild the pipeline from its PipelineConfig: entities (with --ner), roles, techniques and
    explanations come back from them exactly as from one process."""
    outputs = []
    # two workers sending back JSONL lines (nothing else is wanted), and Documents (the report needs them)
    for workers, more in ((1, []), (2, []), (2, ["--html", str(tmp_path / "r.html")])):
        out = tmp_path / f"w{workers}{len(more)}.jsonl"
        result = runner.invoke(app, ["analyze", str(EXAMPLES), "--workers", str(workers), "--ner", "--quiet",
                                     "--json", str(out), *more])
        assert result.exit_code == 0, result.output
        outputs.append([json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()])
    one, two, with_report = outputs
    assert len(one) >= 8 and any(record["entities"] for record in one)
    assert not same_analysis(two, one) and not same_analysis(with_report, one), same_analysis(two, one)[:5]


def test_serve_on_a_store_another_process_holds_is_one_clear_line(tmp_path: Path):
    import subprocess
    import sys
    import time

    db = tmp_path / "busy.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('open', flush=True); time.sleep(60)", str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        started = time.time()
        result = runner.invoke(app, ["serve", "--db", str(db), "--port", "1"])
        assert result.exit_code == 2 and "cannot open the corpus database" in result.output
        assert "Traceback" not in result.output and "narrascope on http" not in result.output
        assert time.time() - started < 30
    finally:
        holder.kill()
        holder.wait()
