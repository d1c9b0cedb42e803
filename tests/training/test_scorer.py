from pathlib import Path

import pytest

from narrascope.errors import DataError
from narrascope.training.scorer import evaluate_narratives, read_submission, sample_f1


def test_sample_f1():
    assert sample_f1({"a", "b"}, {"a"}) == pytest.approx(2 * 1.0 * 0.5 / 1.5)
    assert sample_f1({"a"}, {"b"}) == 0.0
    assert sample_f1(set(), set()) == 1.0


def test_official_measure_ignores_unofficial_labels_and_averages_over_gold():
    n1 = "URW: Discrediting Ukraine"
    s1 = "URW: Discrediting Ukraine: Ukraine is a puppet of the West"
    gold = {"d1": ([n1], [s1]), "d2": (["Other"], ["Other"])}
    pred = {"d1": ([n1, "Made up"], [s1, "Made up: sub"]), "extra": (["Other"], ["Other"])}
    result = evaluate_narratives(gold, pred)
    # d1 perfect (unofficial labels ignored), d2 missing -> 0
    assert result["f1_coarse"] == pytest.approx(0.5)
    assert result["f1_fine"] == pytest.approx(0.5)
    assert result["n_missing"] == 1


def test_read_submission_reports_bad_line(tmp_path: Path):
    path = tmp_path / "p.txt"
    path.write_text("a.txt\tOther\tOther\nbroken line\n", encoding="utf-8")
    with pytest.raises(DataError, match="line 2"):
        read_submission(path)
