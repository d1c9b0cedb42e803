"""Grouping the mentions of one document into entities.

Two mentions name the same entity when the multilingual actor table resolves
both to the same actor ("Zelenskyy", "Зеленского", "the Ukrainian president"),
when their normalised forms are equal, or when a one-word mention is the last
word (surname) or first word of a longer name in the same document
("Putin" -> "Vladimir Putin"). The canonical name is the actor's name for the
main actors, otherwise the longest form used in the document, without the titles
before a person's name ("Foreign Secretary David Lammy" -> "David Lammy").
"""

from __future__ import annotations

from collections.abc import Sequence

from narrascope.entities.actors import PERSON_TITLES, ActorTable, title_length, token_spans, tokens
from narrascope.schema import Entity, Mention


def link_mentions(texts: Sequence[str], kinds: Sequence[str] = (), actors: ActorTable | None = None
                  ) -> tuple[list[Entity], list[int]]:
    """Entities for mention surface ``texts`` and, for each mention, the index of its entity."""
    actors = actors or ActorTable.default()
    kinds = list(kinds) or [""] * len(texts)
    keys: list[str] = []
    resolved = [actors.lookup(t) for t in texts]
    names = [_without_titles(t.strip()) for t in texts]  # "Foreign Secretary David Lammy" -> "David Lammy"
    forms = [" ".join(tokens(n)) for n in names]
    long_forms = {f for f in forms if len(f.split()) > 1}
    for text, actor, form in zip(texts, resolved, forms):
        if actor is not None:
            keys.append("actor:" + actor.id)
            continue
        key = form or text.strip().lower()
        if key and " " not in key:
            # a surname or first word of a longer name in the same document
            matches = sorted(f for f in long_forms if f.split()[-1] == key) or \
                sorted(f for f in long_forms if f.split()[0] == key)
            if len(matches) == 1 and actors.lookup(matches[0]) is None:
                key = matches[0]
        keys.append("form:" + key)
    order: dict[str, int] = {}
    entities: list[Entity] = []
    index: list[int] = []
    for name, actor, key, kind in zip(names, resolved, keys, kinds):
        name = actor.name if actor else name
        if key not in order:
            order[key] = len(entities)
            entities.append(Entity(id=f"e{len(entities) + 1}", name=name,
                                   kind=actor.kind if actor else kind, actor=actor.id if actor else ""))
        entity = entities[order[key]]
        if not entity.actor and len(name) > len(entity.name):  # the longest name, titles left out
            entity.name = name
        if not entity.kind and kind:
            entity.kind = kind
        index.append(order[key])
    return entities, index


def _without_titles(name: str) -> str:
    """``name`` without the office before a person's name: at least two capitalised words stay."""
    spans = token_spans(name)
    n = title_length([t for _, _, t in spans])
    rest = spans[n:]
    if n and len(rest) >= 2 and all(name[s].isupper() for s, _, _ in rest) \
            and any(t in PERSON_TITLES for _, _, t in spans[:n]):
        return name[rest[0][0]:]
    return name


def build_entities(mentions: Sequence[Mention], kinds: Sequence[str] = ()) -> list[Entity]:
    """Group ``mentions`` (in text order) into entities and fill in ``Mention.entity``."""
    entities, index = link_mentions([m.text for m in mentions], kinds)
    for mention, i in zip(mentions, index):
        mention.entity = entities[i].id
        entities[i].mentions.append(mention)
    return entities
