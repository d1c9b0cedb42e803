"""Shared fixtures: tiny hand-written articles and a tiny SemEval-format folder."""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Spark's tests last: its JVM bridge leaves threads in the test process, after which a test that
    forks workers (tests/test_pipeline.py) would have to skip."""
    items.sort(key=lambda item: "spark" in Path(str(item.fspath)).parts)

WAR_TEXT = (
    "Missiles and the road to a wider war\r\n\r\n"
    "Washington approved long-range missile strikes deep inside Russia. "
    "Moscow warned that NATO would become a party to the war.\r\n"
    "One miscalculation could lead to a nuclear confrontation and World War III.\r\n"
    "Share.\r\nLeave A Reply\r\n\r\nExit mobile version"
)
CLIMATE_TEXT = (
    "Net zero rules crush farmers\n\n"
    "The new climate rules force farmers to cut herds. Officials call it a step to net zero.\n"
    "Critics say the models behind the targets overstate warming.\n"
)


@pytest.fixture
def semeval_folder(tmp_path: Path) -> Path:
    """A SemEval-2025 T10 language folder with three articles and gold labels."""
    folder = tmp_path / "EN"
    raw = folder / "raw-documents"
    raw.mkdir(parents=True)
    (raw / "EN_UA_000001.txt").write_bytes(WAR_TEXT.encode("utf-8"))
    (raw / "EN_CC_000002.txt").write_bytes(("\ufeff" + CLIMATE_TEXT).encode("utf-8"))
    (raw / "EN_UA_000003.txt").write_bytes(b"A quiet day\n\nThe council met and approved the budget.\n")
    (folder / "subtask-2-annotations.txt").write_text(
        "EN_UA_000001.txt\tURW: Amplifying war-related fears\tURW: Amplifying war-related fears: "
        "There is a real possibility that nuclear weapons will be employed\r\n"
        "EN_CC_000002.txt\tCC: Criticism of climate policies\tCC: Criticism of climate policies: Other\r\n"
        "EN_UA_000003.txt\tOther\tOther\r\n",
        encoding="utf-8", newline="",
    )
    return folder


@pytest.fixture(scope="session")
def nlp():
    """The shipped pipeline, loaded once for the whole test session."""
    import narrascope

    return narrascope.load()
