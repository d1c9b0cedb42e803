"""The analysis of the bundled examples, kept as a fixture: work on speed must leave it as it is.

``tests/fixtures/analysis/examples.json`` holds what the default pipeline (the fine-tuned technique
encoder left out) writes for each bundled ``.txt`` article, without the input text. The Hindi one is
left out: its techniques come from a second reader when the ``e5`` extra is installed. After a
deliberate change of a model or of what the pipeline writes, write it again and review the diff:

    HF_HUB_OFFLINE=1 python -m tests.golden
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.paths import EXAMPLES, FIXTURES

GOLDEN = FIXTURES / "analysis" / "examples.json"


def example_files() -> list[Path]:
    return [p for p in sorted(EXAMPLES.glob("*.txt")) if not p.name.startswith("hi-")]


def analyse() -> list[dict[str, Any]]:
    """Each example's analysis as ``Document.to_dict`` gives it, with its file name, without its text."""
    from narrascope.ingest.readers import read_text
    from narrascope.pipeline import build_pipeline

    nlp = build_pipeline(technique_encoder=False)
    files = example_files()
    docs = nlp.pipe([read_text(p.read_text(encoding="utf-8")) for p in files], batch_size=4)
    out = []
    for path, doc in zip(files, docs, strict=True):
        found = doc.to_dict()
        for key in ("text", "clean_text"):
            found.pop(key, None)
        out.append({"file": path.name, **found})
    return out


def write() -> None:
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_text(json.dumps(analyse(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write()
