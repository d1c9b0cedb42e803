"""A batch killed with SIGKILL at any point and run again: every input ends up in the output exactly once."""

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

from narrascope.schema import Document
from tests.corpora import mixed_corpus, parquet_ids


@pytest.mark.slow
def test_killed_with_sigkill_and_restarted_every_input_once(tmp_path: Path):
    expected = mixed_corpus(tmp_path / "in", 90)
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
    ids = parquet_ids(out)
    assert sorted(ids) == sorted(expected)  # every input exactly once
    errors = [json.loads(x) for x in (tmp_path / "out.parquet.errors.jsonl").read_text().splitlines()]
    assert len(errors) == 5 and not parts.exists()
    row = duckdb.sql(f"SELECT narratives, analysis FROM read_parquet('{out}') WHERE id = 'a1'").fetchall()[0]
    assert row[0] and Document.from_json(row[1]).id == "a1"
    # the corpus repeats its six sentences: articles with the same three are copies of the first of them
    clusters = dict(duckdb.sql(f"SELECT id, cluster_id FROM read_parquet('{out}')").fetchall())
    assert clusters["a6"] == clusters["a0"] == "a0" and clusters["a1"] == "a1"
