"""Grouping the mentions of one document into entities.

Two mentions name the same entity when the multilingual actor table resolves
both to the same actor ("Zelenskyy", "Зеленского", "the Ukrainian president"),
when their normalised forms are equal (Cyrillic words without their case
endings: "Жозеп Боррель", "Жозепа Борреля"; "Курская область", "Курской области"), or when a
one-word mention is the last word (surname) or first word of a longer name in the same document
("Putin" -> "Vladimir Putin"; "Курской" -> "Курская область"). The canonical name is the actor's name for the
main actors, otherwise the longest form used in the document (of inflected forms,
the shortest: the nominative, "Жозеп Боррель"), without the titles before a
person's name ("Foreign Secretary David Lammy" -> "David Lammy").
"""

from __future__ import annotations

import re
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
    words = [tokens(n) for n in names]
    forms = [" ".join(_stem(w) for w in ws) for ws in words]
    # the names of several words, by form; not a phrase in lower case ("украинските военни", "president of
    # Mexico"): it takes no surname
    long_names = {f: (ws, n) for f, ws, n in zip(forms, words, names) if len(ws) > 1 and not n[:1].islower()}
    for text, actor, form, ws in zip(texts, resolved, forms, words):
        if actor is not None:
            keys.append("actor:" + actor.id)
            continue
        key = form or text.strip().lower()
        if len(ws) == 1:
            # a surname or first word of a longer name in the same document; an inflected surname only
            # of a first name and a surname ("Борреля" -> "Жозепа Борреля"; "Богила" -> "Людмила Богила",
            # not "ЕП Богил"; "Крыму" not -> "РИА Новости Крым")
            matches = sorted(f for f, (long, _) in long_names.items() if long[-1] == ws[0]) or \
                sorted(f for f, (long, _) in long_names.items() if len(long) == 2 and _stem(long[-1]) == key) or \
                sorted(f for f, (long, _) in long_names.items()
                       if long[0] == ws[0] or (_ADJECTIVE.search(ws[0]) and _stem(long[0]) == key))
            if len(matches) == 1 and actors.lookup(long_names[matches[0]][1]) is None:
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
        if not entity.actor and _better_name(name, entity.name):
            entity.name = name
        if not entity.kind and kind:
            entity.kind = kind
        index.append(order[key])
    return entities, index


# Russian and Bulgarian case endings ("Борреля", "Пашиняном", "Аллы Пугачевой"); a stem keeps three letters
_CASE_ENDING = re.compile(r"(?:ами|ями|ого|его|ому|ему|ыми|ими|ов|ев|ей|ом|ем|ой|ым|им|ах|ях|ам|ям|а|я|у|ю|е|ы|и|ь)$")
# adjectives made from names ("Курская", "Курской", "Курский", "украинскими", "Харьковскую"): their
# suffix (-ск-, -цк-) stays with the stem, whichever case ending follows; nouns keep the rule above
# ("Николая", "Николаю" -> "никола")
_ADJECTIVE = re.compile(r"(?<=[сц]к)(?:ая|яя|ую|юю|ое|ее|ые|ие|ий|ый|ой|ого|его|ому|ему|ом|ем|ых|их|ым|им|ыми|ими)$")
_CYRILLIC = re.compile(r"[а-яё]")


def _stem(word: str) -> str:
    """A lower-cased Cyrillic word without its case ending; other words as they are."""
    if not _CYRILLIC.search(word):
        return word
    stem = _ADJECTIVE.sub("", word)
    if stem == word:
        stem = _CASE_ENDING.sub("", word)
    return stem if len(stem) >= 3 else word


def _better_name(name: str, current: str) -> bool:
    """Whether ``name`` names an entity better than ``current``: the longest; in Cyrillic the one with
    more words, and of inflected forms of as many words the shortest (the nominative: "Жозеп Боррель",
    not "Жозепа Борреля")."""
    if _CYRILLIC.search(name.lower()):
        words, current_words = len(tokens(name)), len(tokens(current))
        return len(name) < len(current) if words == current_words else words > current_words
    return len(name) > len(current)


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
