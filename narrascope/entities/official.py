"""SemEval-2025 Task 10 subtask 1 in the official format: given or detected mentions -> roles."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from narrascope.ingest.annotations import RoleAnnotation, read_role_annotations
from narrascope.schema import Document, Mention

SEARCH = 5  # characters either side in which a mention whose offsets are off is looked for


@dataclass
class Target:
    """A mention to label: as written in the mentions file, and where it really is in the text."""

    article_id: str
    surface: str
    start: int  # as given (END-INCLUSIVE end)
    end: int
    span: tuple[int, int]  # end-exclusive span used for the features
    mention: Mention | None = None


def locate(text: str, ann: RoleAnnotation, source: str) -> tuple[int, int]:
    """The span of ``ann`` in ``text``; offsets that are a few characters off are repaired, with a warning."""
    start, end = ann.start, ann.end + 1
    if text[start:end] == ann.mention:
        return start, end
    lo = max(0, start - SEARCH - len(ann.mention))
    found = text.find(ann.mention, lo, min(len(text), end + SEARCH + len(ann.mention)))
    if ann.mention and found >= 0:
        where = f"found at {found}-{found + len(ann.mention) - 1}"
        span = (found, found + len(ann.mention))
    else:
        where = "not found nearby; the given offsets are used"
        span = (min(start, len(text)), min(max(end, start + 1), len(text)))
    warnings.warn(f"{source}: line {ann.line}: {ann.article_id}: offsets {ann.start}-{ann.end} give "
                  f"{text[start:end]!r}, not {ann.mention!r} ({where}); the line keeps its offsets", stacklevel=2)
    return span


def targets_for(docs: dict[str, Document], mentions_path: str | Path) -> tuple[list[Target], dict[str, Document]]:
    """Read a mentions file and attach its mentions to the documents.

    Articles the folder does not hold are reported and get a stand-in document made
    of the mention alone, so that every line of the file still gets a prediction.
    """
    from narrascope.components.entities import set_mentions

    source = str(mentions_path)
    targets: list[Target] = []
    by_doc: dict[str, list[Target]] = {}
    known = dict(docs)  # the folder's articles, plus one stand-in per line naming an unknown article
    for ann in read_role_annotations(mentions_path, with_roles=False):
        key = ann.article_id
        if key in docs:
            target = Target(ann.article_id, ann.mention, ann.start, ann.end, locate(docs[key].text, ann, source))
        else:
            warnings.warn(f"{source}: line {ann.line}: unknown article id {ann.article_id!r} (not in the folder); "
                          "predicted from the mention alone", stacklevel=2)
            key = f"{ann.article_id}#line{ann.line}"
            known[key] = Document(text=ann.mention or "?", id=ann.article_id, language="other")
            target = Target(ann.article_id, ann.mention, ann.start, ann.end, (0, len(known[key].text)))
        by_doc.setdefault(key, []).append(target)
        targets.append(target)
    for key, items in by_doc.items():
        doc = known[key]
        set_mentions(doc, sorted({t.span for t in items}))
        by_span = {(m.start, m.end): m for e in doc.entities for m in e.mentions}
        for t in items:
            t.mention = by_span[t.span]
    used = {key: known[key] for key in by_doc}
    return targets, used


def detected_targets(docs: Iterable[Document]) -> list[Target]:
    """Every detected mention of analysed documents, in text order."""
    out = []
    for doc in docs:
        for m in sorted((m for e in doc.entities for m in e.mentions), key=lambda m: (m.start, m.end)):
            out.append(Target(doc.id, m.text, m.start, m.end - 1, (m.start, m.end), m))
    return out


def subtask1_line(t: Target) -> str:
    m = t.mention
    if m is None or m.main_role is None or not m.fine_roles:
        raise RuntimeError(f"{t.article_id}: mention {t.surface!r} at {t.start} was not classified")
    main, fines = m.main_role.name, [r.name for r in m.fine_roles]
    surface = " ".join(t.surface.split())  # a TAB or newline inside a mention would break the format
    return "\t".join([t.article_id, surface, str(t.start), str(t.end), main, *fines])


def write_subtask1(targets: list[Target], path: str | Path) -> int:
    """One TAB-separated line per target, in the given order; returns the count."""
    lines = [subtask1_line(t) for t in targets]
    Path(path).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return len(lines)
