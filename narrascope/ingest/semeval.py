"""SemEval-2025 Task 10 language folders: ``raw-documents/*.txt`` (title on line 1)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from narrascope.errors import FolderLayoutError, InputError
from narrascope.ingest.articles import read_text
from narrascope.ingest.decode import read_text_bytes
from narrascope.resources import LANGUAGES
from narrascope.schema import Document

RAW_DIR = "raw-documents"


def is_semeval_folder(path: Path) -> bool:
    return (path / RAW_DIR).is_dir()


def semeval_language(path: Path) -> str:
    """Language code from the folder name (``EN`` -> ``en``) or ``""``."""
    name = path.name.lower()
    return name if name in LANGUAGES else ""


def given_folder_language(doc: Document) -> Document:
    """``doc`` with the language of its SemEval folder (if it came from one) as given, so that the
    language detector keeps it."""
    if doc.meta.get("semeval_language"):
        doc.language, doc.meta["language_given"] = doc.meta["semeval_language"], True
    return doc


def read_semeval_folder(path: str | Path) -> Iterator[Document | InputError]:
    """Every article in ``path/raw-documents``, sorted by id, text read byte-exact (``newline=""``)."""
    path = Path(path)
    raw = path / RAW_DIR
    if not raw.is_dir():
        yield FolderLayoutError(
            f"not a SemEval language folder: no '{RAW_DIR}/' inside; point at the folder "
            f"that holds '{RAW_DIR}/' (for example .../train/EN)",
            source=str(path),
        )
        return
    files = sorted(p for p in raw.iterdir() if p.is_file() and p.suffix == ".txt")
    if not files:
        yield FolderLayoutError(f"'{RAW_DIR}/' holds no .txt articles", source=str(raw))
        return
    lang = semeval_language(path)
    for file in files:
        try:
            doc = read_text(read_text_bytes(file), id=file.name, source=str(file))
        except InputError as exc:
            yield exc
            continue
        doc.meta["semeval_language"] = lang
        yield doc
