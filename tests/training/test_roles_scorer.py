from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrascope.cli import app
from narrascope.ingest.annotations import read_role_annotations
from narrascope.schema import RoleTaxonomy
from narrascope.training.scorer import evaluate_roles

GOLD = (
    "a.txt\tNATO\t10\t13\tAntagonist\tInstigator\r\n"
    "a.txt\tZelensky\t40\t47\tAntagonist\tDeceiver\tCorrupt\r\n"
    "b.txt\tcivilians\t5\t13\tInnocent\tVictim\r\n"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def test_role_taxonomy():
    tax = RoleTaxonomy.default()
    assert tax.main_roles == ("Protagonist", "Antagonist", "Innocent")
    assert sum(len(f) for _, f in tax.fine_roles) == 22
    assert tax.main_of("Scapegoat") == "Innocent"


def test_emr_and_main_role_accuracy(tmp_path: Path):
    gold = read_role_annotations(write(tmp_path, "gold.txt", GOLD))
    pred = read_role_annotations(write(tmp_path, "pred.txt", (
        "a.txt\tNATO\t10\t13\tAntagonist\tInstigator\n"              # exact
        "a.txt\tZelensky\t40\t47\tAntagonist\tCorrupt\tDeceiver\n"    # exact (order does not matter)
        "c.txt\tx\t1\t2\tInnocent\tVictim\n"                         # not in gold
    )))  # b.txt mention missing -> wrong
    result = evaluate_roles(gold, pred)
    assert result["emr"] == pytest.approx(2 / 3) and result["main_role_accuracy"] == pytest.approx(2 / 3)
    assert result["n_missing"] == 1 and result["n_unmatched"] == 1
    partial = read_role_annotations(write(tmp_path, "p2.txt", "a.txt\tNATO\t10\t13\tAntagonist\tSpy\n"))
    assert evaluate_roles(gold[:1], partial) == {"emr": 0.0, "main_role_accuracy": 1.0, "n_mentions": 1,
                                                 "n_missing": 0, "n_unmatched": 0}


def test_malformed_lines_warn_with_file_and_line(tmp_path: Path):
    path = write(tmp_path, "bad.txt", GOLD + "a.txt\tX\tten\t12\tAntagonist\tSpy\n"
                 "a.txt\tY\t20\t10\tAntagonist\tSpy\na.txt\tZ\t1\n")
    with pytest.warns(UserWarning) as caught:
        rows = read_role_annotations(path)
    assert len(rows) == 3
    messages = [str(w.message) for w in caught]
    assert any("line 4" in m and "integers" in m for m in messages)
    assert any("line 5" in m for m in messages) and any("line 6" in m for m in messages)


def test_mentions_file_has_four_columns(tmp_path: Path):
    rows = read_role_annotations(write(tmp_path, "m.txt", "a.txt\tNATO\t10\t13\r\n"), with_roles=False)
    assert rows[0].key == ("a.txt", 10, 13) and rows[0].fine_roles == ()


def test_evaluate_roles_cli(tmp_path: Path):
    gold = write(tmp_path, "gold.txt", GOLD)
    result = CliRunner().invoke(app, ["evaluate", "roles", "--gold", str(gold), "--pred", str(gold)])
    assert result.exit_code == 0, result.output
    assert "emr=1.00000\tmain_role_accuracy=1.00000" in result.output


def test_annotation_files_in_other_encodings(tmp_path: Path):
    from narrascope.errors import BinaryInputError, DataError, EncodingError

    first = GOLD.splitlines(keepends=True)[0]
    with_mark = tmp_path / "bom.txt"
    with_mark.write_bytes(b"\xef\xbb\xbf" + GOLD.encode("utf-8"))  # Notepad's UTF-8
    assert read_role_annotations(with_mark)[0].key == ("a.txt", 10, 13)  # the mark is no part of the id
    wide = tmp_path / "utf16.txt"
    wide.write_bytes(GOLD.encode("utf-16"))  # Notepad's "Unicode"
    assert read_role_annotations(wide) == read_role_annotations(write(tmp_path, "plain.txt", GOLD))
    latin = tmp_path / "latin1.txt"
    latin.write_bytes((first + "a.txt\tUni\xf3n Europea\t20\t31\tProtagonist\tGuardian\n").encode("latin-1"))
    with pytest.raises(DataError, match="is a folder; give the file itself"):
        read_role_annotations(tmp_path)
    with pytest.raises(EncodingError, match="line 2 is not valid UTF-8"):
        read_role_annotations(latin)
    binary = tmp_path / "model.bin"
    binary.write_bytes(b"PK\x03\x04\x00\x00" + bytes(range(256)))
    with pytest.raises(BinaryInputError, match="binary"):
        read_role_annotations(binary)
    result = CliRunner().invoke(app, ["evaluate", "roles", "--gold", str(latin), "--pred", str(with_mark)])
    assert result.exit_code == 2 and "E104" in result.output and "line 2" in result.output
    assert "Traceback" not in result.output
