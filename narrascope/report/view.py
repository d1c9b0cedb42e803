"""What a reader is shown of an analysed Document, in the order it is shown: one walk of the Document
that the terminal summary and the HTML report both render (the web app renders the API's JSON in the
same order, in ``static/app.js``)."""

from __future__ import annotations

from dataclasses import dataclass

from narrascope.schema import Document, Entity, Label


@dataclass(frozen=True)
class NarrativeRow:
    """A narrative, or one of its sub-narratives right under it."""

    label: Label
    name: str  # as shown: a sub-narrative without its parent's name in front ("Blaming the West")
    sub: bool


def narrative_rows(doc: Document) -> list[NarrativeRow]:
    """Each narrative in the model's order (surest first), followed by its own sub-narratives; not
    "<narrative>: Other" (none of its sub-narratives in particular), which says nothing more (the
    JSON and the official formats keep it)."""
    rows = []
    for narrative in doc.narratives:
        rows.append(NarrativeRow(narrative, narrative.name, False))
        for sub in doc.subnarratives:
            if sub.parent == narrative.name and sub.name != narrative.name and not sub.name.endswith(": Other"):
                rows.append(NarrativeRow(sub, sub.name.removeprefix(narrative.name + ": "), True))
    return rows


def ranked_entities(doc: Document, limit: int) -> tuple[list[Entity], int]:
    """The entities given a role, most mentioned first (then by name), at most ``limit``; and how many
    more there are."""
    entities = sorted((e for e in doc.entities if e.main_role is not None), key=lambda e: (-len(e.mentions), e.name))
    return entities[:limit], max(0, len(entities) - limit)
