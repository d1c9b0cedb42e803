"""`narrascope train narratives` end to end on a tiny synthetic SemEval folder."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

import narrascope
from narrascope.cli import app

FEAR = "URW: Amplifying war-related fears"
FEAR_SUB = f"{FEAR}: There is a real possibility that nuclear weapons will be employed"
POLICY = "CC: Criticism of climate policies"
POLICY_SUB = f"{POLICY}: Climate policies have negative impact on the economy"

WAR = ["Nuclear weapons could be used within days.", "The missiles bring Europe to the brink of nuclear war.",
       "Moscow warned of a nuclear response to the strikes.", "A single mistake could start World War III."]
CLIMATE = ["The net zero rules will ruin farmers and raise food prices.", "Climate policies cost families thousands.",
           "Carbon taxes are destroying jobs in industry.", "The green transition makes energy unaffordable."]
NEUTRAL = ["The council approved a new budget for schools.", "The football club won its third match in a row.",
           "A new bakery opened on the main street.", "The museum extended its opening hours."]


@pytest.fixture
def tiny_train(tmp_path: Path) -> Path:
    rng = random.Random(0)
    folder = tmp_path / "train" / "EN"
    raw = folder / "raw-documents"
    raw.mkdir(parents=True)
    lines = []
    for i in range(24):
        kind = i % 3
        pool, narr, sub = [(WAR, FEAR, FEAR_SUB), (CLIMATE, POLICY, POLICY_SUB), (NEUTRAL, "Other", "Other")][kind]
        body = " ".join(rng.sample(pool, 3) + rng.sample(NEUTRAL, 1))
        name = f"EN_{i:03d}.txt"
        (raw / name).write_text(f"Article {i}\r\n\r\n{body}\r\n", encoding="utf-8", newline="")
        lines.append(f"{name}\t{narr}\t{sub}\r\n")
    (folder / "subtask-2-annotations.txt").write_text("".join(lines), encoding="utf-8", newline="")
    return tmp_path / "train"


def test_train_then_analyze_with_the_trained_model(tiny_train: Path, tmp_path: Path):
    out = tmp_path / "model"
    result = CliRunner().invoke(app, ["train", "narratives", "--data", str(tiny_train), "--out", str(out),
                                      "--languages", "EN"])
    assert result.exit_code == 0, result.output
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["trained_on"]["documents"] == 24 and len(meta["trained_on"]["data_digest_sha256"]) == 64
    assert not any(p.suffix in (".pkl", ".pickle", ".joblib") for p in out.iterdir())
    nlp = narrascope.load(str(out))
    doc = nlp("Breaking\n\nMoscow warned of a nuclear response. A single mistake could start World War III.")
    assert doc.narratives[0].name == FEAR
    doc = nlp("Opinion\n\nThe net zero rules will ruin farmers. Carbon taxes are destroying jobs in industry.")
    assert doc.narratives[0].name == POLICY


def test_training_is_reproducible(tiny_train: Path, tmp_path: Path):
    from narrascope.training.train import train_narratives

    a = train_narratives(tiny_train, tmp_path / "a", ("EN",))
    b = train_narratives(tiny_train, tmp_path / "b", ("EN",))
    assert a["thresholds"] == b["thresholds"] and a["cv_metrics"] == b["cv_metrics"]
    import numpy as np

    with np.load(tmp_path / "a" / "weights.npz") as za, np.load(tmp_path / "b" / "weights.npz") as zb:
        assert all(np.array_equal(za[k], zb[k]) for k in za.files)


def test_train_on_folder_without_data(tmp_path: Path):
    result = CliRunner().invoke(app, ["train", "narratives", "--data", str(tmp_path), "--out", str(tmp_path / "m")])
    assert result.exit_code == 2 and "raw-documents" in result.output


def test_train_narratives_on_too_few_documents(tiny_train: Path, tmp_path: Path):
    raw = tiny_train / "EN" / "raw-documents"
    for path in sorted(raw.iterdir())[4:]:
        path.unlink()
    result = CliRunner().invoke(app, ["train", "narratives", "--data", str(tiny_train), "--out", str(tmp_path / "m")])
    assert result.exit_code == 2, result.output
    assert "E303" in result.output and "only 4 annotated documents" in result.output
