"""SemEval-2025 Task 10 training folders: documents plus subtask-2 annotations."""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from narrascope.errors import DataNotFoundError, FolderLayoutError, InputError, TooFewExamplesError
from narrascope.ingest.annotations import iter_tsv, split_labels
from narrascope.ingest.semeval import read_semeval_folder
from narrascope.resources import SEMEVAL_LANGUAGES
from narrascope.schema import Document

LANGUAGES = SEMEVAL_LANGUAGES


@dataclass
class NarrativeExample:
    doc: Document
    language: str
    narratives: list[str]
    subnarratives: list[str]


@dataclass
class NarrativeDataset:
    examples: list[NarrativeExample] = field(default_factory=list)
    digest: str = ""

    def __len__(self) -> int:
        return len(self.examples)


def read_subtask2(path: Path) -> dict[str, tuple[list[str], list[str]]]:
    """``article_id -> (narratives, subnarratives)`` from a subtask-2 annotations file."""
    if not path.is_file():
        raise DataNotFoundError(f"annotation file not found; expected {path.name} in the folder", source=str(path))
    return {
        cols[0]: (split_labels(cols[1]), split_labels(cols[2]))
        for _, cols in iter_tsv(path, 3, strict=False, what="article_id, narratives, subnarratives")
    }


def load_language_folder(folder: Path, language: str) -> list[NarrativeExample]:
    gold = read_subtask2(folder / "subtask-2-annotations.txt")
    out = []
    for item in read_semeval_folder(folder):
        if isinstance(item, InputError):
            warnings.warn(str(item), stacklevel=2)
            continue
        if item.id not in gold:
            continue
        narratives, subnarratives = gold[item.id]
        out.append(NarrativeExample(item, language, narratives, subnarratives))
    return out


def require_examples(count: int, needed: int, what: str, source: str | Path) -> None:
    """A ``DataError`` naming ``source`` when the data has fewer than ``needed`` ``what`` (its folds would be
    empty and scikit-learn would stop with a traceback)."""
    if count < needed:
        raise TooFewExamplesError(f"only {count} {what}; the model needs at least {needed}", source=str(source))


def language_folders(root: Path, languages: Sequence[str], marker: str, missing: str,
                     name: Callable[[str], str] = str.upper) -> list[tuple[Path, str]]:
    """``(folder, language)`` pairs under ``root`` holding ``marker`` (a file name or a glob pattern), or
    ``root`` itself if it holds it (its language: its ``name``d folder name, upper case by default).

    Raises ``FolderLayoutError`` with the ``missing`` message when there is none.
    """
    if any(root.glob(marker)):
        return [(root, name(root.name))]
    folders = [(root / lang, lang) for lang in languages if any((root / lang).glob(marker))]
    if not folders:
        raise FolderLayoutError(missing, source=str(root))
    return folders


def load_narrative_dataset(root: str | Path, languages: tuple[str, ...] = LANGUAGES) -> NarrativeDataset:
    """All language folders under ``root`` (or ``root`` itself if it is one language folder).

    Exact duplicate texts within a language are removed (the first by id is kept),
    so cross-validation folds cannot leak.
    """
    folders = language_folders(Path(root), languages, "raw-documents",
                               "no SemEval language folders (EN/, BG/, ... each with raw-documents/ and "
                               "subtask-2-annotations.txt) found here")
    dataset = NarrativeDataset()
    digest = hashlib.sha256()
    for folder, lang in folders:
        seen: set[str] = set()
        for ex in load_language_folder(folder, lang):
            key = ex.doc.text.strip()
            if key in seen:
                continue
            seen.add(key)
            dataset.examples.append(ex)
            digest.update(ex.doc.id.encode())
            digest.update(ex.doc.text.encode())
            digest.update(";".join(ex.narratives + ex.subnarratives).encode())
    dataset.digest = digest.hexdigest()
    return dataset
