"""What a reader is shown of an analysed Document, in the order it is shown: one walk of the Document
that the terminal summary and the HTML report render, and that the API sends as ``view`` beside the
analysis for the web app (``static/app.js``) to render."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from narrascope.schema import Document, Entity, Label

NO_NARRATIVE = "Other: none of the taxonomy's narratives"


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
        shown = NO_NARRATIVE if narrative.name == "Other" else narrative.name
        rows.append(NarrativeRow(narrative, shown, False))
        for sub in doc.subnarratives:
            if sub.parent == narrative.name and sub.name != narrative.name and not sub.name.endswith(": Other"):
                rows.append(NarrativeRow(sub, sub.name.removeprefix(narrative.name + ": "), True))
    return rows


def ranked_entities(doc: Document, limit: int) -> tuple[list[Entity], int]:
    """The entities given a role, most mentioned first (then by name), at most ``limit``; and how many
    more there are."""
    entities = sorted((e for e in doc.entities if e.main_role is not None), key=lambda e: (-len(e.mentions), e.name))
    return entities[:limit], max(0, len(entities) - limit)


def reader_view(doc: Document) -> dict[str, Any]:
    """The rows above as JSON (the API's ``view``): narrative rows with the name shown, and every entity
    given a role, most mentioned first."""
    entities, _ = ranked_entities(doc, len(doc.entities))
    narratives = [{"name": row.label.name, "shown": row.name, "sub": row.sub, "score": round(row.label.score, 4),
                   **({"example": row.label.example} if row.label.example else {})}
                  for row in narrative_rows(doc)]
    actors = [{"id": e.id, "name": e.name, "role": e.main_role.name, "score": round(e.main_role.score, 4),
               "fine_roles": [r.name for r in e.fine_roles], "mentions": len(e.mentions)}
              for e in entities]
    return {"narratives": narratives, "actors": actors}
