"""Coded errors: one code per kind of failure, each documented, and the CLI says which one happened."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

import narrascope.discover.clusters  # noqa: F401  (defines DiscoverStateError)
from narrascope.cli import app
from narrascope.errors import NarrascopeError, TaxonomyWarning
from tests.paths import EXAMPLES, ROOT


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_every_error_class_has_its_own_code_and_the_usage_guide_lists_it():
    classes = _subclasses(NarrascopeError)
    codes = {}
    for cls in classes:
        assert re.fullmatch(r"E[1-4]\d\d", cls.code), cls
        assert cls.code not in codes, f"{cls.__name__} shares {cls.code} with {codes.get(cls.code)}"
        codes[cls.code] = cls.__name__
    guide = (ROOT / "docs" / "usage.md").read_text(encoding="utf-8")
    for code, name in codes.items():
        assert f"| {code} | `{name}` |" in guide, f"{code} {name} is not in docs/usage.md's table of errors"
    assert TaxonomyWarning.code in guide


def test_a_missing_model_and_a_damaged_one_get_different_codes(tmp_path: Path):
    runner = CliRunner()
    missing = runner.invoke(app, ["analyze", str(EXAMPLES), "--model", str(tmp_path / "none")])
    assert missing.exit_code == 2 and "[E201]" in missing.output and "train one" in missing.output
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "meta.json").write_text('{"format": "something else"}', encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(EXAMPLES), "--model", str(damaged)])
    assert result.exit_code == 2 and "[E202]" in result.output and "Traceback" not in result.output
