"""SemEval-2025 Task 10 subtask-3 files: dominant narratives in, explanations out."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from narrascope.ingest.annotations import iter_tsv
from narrascope.schema import Taxonomy

NONE = "none"


@dataclass(frozen=True)
class DominantNarrative:
    """One line of a subtask-3 file: the article's dominant narrative, sub-narrative (or None), explanation."""

    article_id: str
    narrative: str
    subnarrative: str | None
    explanation: str = ""
    line: int = 0


def read_dominant(path: str | Path, *, with_explanation: bool = False) -> dict[str, DominantNarrative]:
    """``article_id -> DominantNarrative`` from a ``subtask-3-dominant-narratives.txt`` (3 columns) or, with
    ``with_explanation``, a ``subtask-3-annotations.txt`` (4 columns).

    Lines with missing columns, labels outside the taxonomy, a sub-narrative of another
    narrative and repeated ids are reported as warnings naming file and line; a repeated
    id keeps its first line, an unknown label is kept as given.
    """
    taxonomy = Taxonomy.default()
    narratives = set(taxonomy.narratives)
    subnarratives = set(taxonomy.subnarratives) | set(taxonomy.unofficial_subnarratives)
    columns = 4 if with_explanation else 3
    what = "article_id, narrative, sub-narrative" + (", explanation" if with_explanation else "")
    out: dict[str, DominantNarrative] = {}
    for lineno, cols in iter_tsv(path, columns, strict=False, what=what):
        article, narrative, sub = cols[0], cols[1], cols[2]
        where = f"{path}: line {lineno}"
        if article in out:
            warnings.warn(f"{where}: article {article!r} already given on line {out[article].line}; "
                          "this line is ignored", stacklevel=2)
            continue
        if narrative not in narratives:
            warnings.warn(f"{where}: narrative {narrative!r} is not in the taxonomy; its explanation opens with "
                          "a generic sentence", stacklevel=2)
        subnarrative = None if sub.lower() in (NONE, "") else sub
        if subnarrative and subnarrative not in subnarratives:
            warnings.warn(f"{where}: sub-narrative {subnarrative!r} is not in the taxonomy", stacklevel=2)
        elif subnarrative and narrative in narratives and taxonomy.parent(subnarrative) != narrative:
            warnings.warn(f"{where}: sub-narrative {subnarrative!r} does not belong to {narrative!r}", stacklevel=2)
        explanation = "\t".join(cols[3:]).strip() if with_explanation else ""
        out[article] = DominantNarrative(article, narrative, subnarrative, explanation, lineno)
    return out


def read_explanations(path: str | Path) -> dict[str, str]:
    """``article_id -> explanation`` from a subtask-3 prediction file (``article_id<TAB>explanation``)."""
    out: dict[str, str] = {}
    for lineno, cols in iter_tsv(path, 2, strict=False, what="article_id, explanation"):
        if cols[0] in out:
            warnings.warn(f"{path}: line {lineno}: article {cols[0]!r} repeated; the first line is kept",
                          stacklevel=2)
            continue
        out[cols[0]] = " ".join("\t".join(cols[1:]).split())
    return out


def write_explanations(rows: list[tuple[str, str]], path: str | Path) -> int:
    """Write ``article_id<TAB>explanation`` lines sorted by id (tabs and line breaks become spaces)."""
    with Path(path).open("w", encoding="utf-8", newline="\n") as fh:
        fh.writelines(f"{article}\t{' '.join(text.split())}\n" for article, text in sorted(rows))
    return len(rows)
