"""`narrascope batch`: streamed, resumable, every input exactly once, bad inputs reported (killed with
SIGKILL and run again: tests/fuzz/test_kills.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from narrascope.batch.runner import run_batch
from narrascope.ingest.readers import read_inputs
from tests.compare import same_analysis
from tests.corpora import SENTENCES, mixed_corpus
from tests.paths import EXAMPLES


def test_resumes_after_an_interruption_without_model(tmp_path: Path):
    """The resume logic alone (identity analysis): a run that dies mid-way, then a full one."""
    expected = mixed_corpus(tmp_path / "in", 40)
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
    assert not same_analysis(analyses[1], analyses[0]), same_analysis(analyses[1], analyses[0])[:5]
