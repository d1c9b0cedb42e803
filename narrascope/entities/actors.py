"""A multilingual gazetteer of the main actors, with aliases, used to link and find mentions."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from narrascope.text.words import WORD_PATTERN

_TOKEN = re.compile(WORD_PATTERN)


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens (Devanagari signs kept inside words)."""
    return _TOKEN.findall(text.lower())


def token_spans(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, lower-cased token)`` of each word of ``text``."""
    return [(m.start(), m.end(), m.group().lower()) for m in _TOKEN.finditer(text)]


# English nationality and bloc adjectives: alone they name no actor ("a Russian official"), before a
# noun of people a group ("Russian diplomats"), before a title a qualifier ("German Chancellor Olaf Scholz")
DEMONYMS = frozenset(tokens(
    "American British English French German Dutch Western Eastern Northern Southern European Russian Ukrainian "
    "Chinese Japanese Korean Israeli Palestinian Iranian Iraqi Syrian Turkish Polish Italian Spanish Indian "
    "Pakistani Saudi Arab African Asian Belarusian Georgian Hungarian Romanian Bulgarian Serbian Czech Finnish "
    "Swedish Norwegian Danish Estonian Latvian Lithuanian Canadian Australian Mexican Brazilian Cuban Soviet "
    "Chechen Crimean Republican"))


# words of an office or rank before a name ("Foreign Secretary", "US Secretary of State", "Gen.")
TITLES = frozenset(tokens(
    "president vice prime minister foreign defence defense secretary chancellor senator sen rep representative "
    "governor general gen lieutenant colonel col admiral commander chief of staff state mr mrs ms dr former "
    "deputy ambassador spokesman spokeswoman spokesperson mayor us u s uk eu un nato"))
# the titles that name an office held by a person (not "US", "of", "former"...)
PERSON_TITLES = TITLES - frozenset(tokens("of state foreign defence defense vice deputy former us u s uk eu un nato"))


def title_length(toks: list[str]) -> int:
    """How many leading ``toks`` are titles or nationality qualifiers before a name of at least one word."""
    n = 0
    while n < len(toks) - 1 and (toks[n] in TITLES or toks[n] in DEMONYMS):
        n += 1
    return n


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    kind: str
    side: str


class ActorTable:
    """Aliases -> actors. An alias token ending in ``*`` matches words that start with it."""

    def __init__(self, actors: list[Actor], aliases: list[tuple[tuple[str, ...], str]]) -> None:
        self.actors = {a.id: a for a in actors}
        self._exact: dict[tuple[str, ...], str] = {}
        self._patterns: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for alias, actor_id in aliases:
            if not alias:
                continue
            if any(t.endswith("*") for t in alias):
                self._patterns.setdefault(alias[0].rstrip("*")[:3], []).append((alias, actor_id))
            else:
                self._exact.setdefault(alias, actor_id)
        self._max_len = max((len(a) for a, _ in aliases), default=1)
        # alias lengths by first word (or first 3 letters of a prefix pattern): find() tries only those
        self._lengths: dict[str, set[int]] = {}
        for alias in self._exact:
            self._lengths.setdefault(alias[0], set()).add(len(alias))
        self._pattern_lengths = {stem: {len(a) for a, _ in items} for stem, items in self._patterns.items()}

    @classmethod
    @lru_cache(maxsize=1)
    def default(cls) -> ActorTable:
        path = resources.files("narrascope.resources").joinpath("actors.json")
        data = json.loads(path.read_text(encoding="utf-8"))
        actors, aliases = [], []
        for item in data["actors"]:
            actors.append(Actor(item["id"], item["name"], item["kind"], item["side"]))
            for names in item["aliases"].values():
                aliases.extend((_alias_tokens(n), item["id"]) for n in names)
            aliases.append((tuple(tokens(item["name"])), item["id"]))
        return cls(actors, aliases)

    def _match(self, toks: list[str]) -> str | None:
        key = tuple(toks)
        if key in self._exact:
            return self._exact[key]
        for alias, actor_id in self._patterns.get(toks[0][:3], ()) if toks else ():
            if len(alias) == len(toks) and all(_token_matches(a, t) for a, t in zip(alias, toks)):
                return actor_id
        return None

    def lookup(self, surface: str) -> Actor | None:
        """The actor a mention names ("Zelenskyy", "Зеленского", "the West"), if known."""
        toks = tokens(surface)
        # "the West" / "President Putin": without the first word; "German Chancellor Olaf Scholz": without titles
        for drop in dict.fromkeys((0, 1, title_length(toks))):
            if len(toks) - drop >= 1:
                found = self._match(toks[drop:])
                if found:
                    return self.actors[found]
        return None

    def find(self, text: str, spans: list[tuple[int, int, str]] | None = None) -> Iterator[tuple[int, int, Actor]]:
        """Longest alias matches in ``text`` as ``(start, end, actor)`` character spans (``spans``: its
        ``token_spans``, when already known)."""
        spans = token_spans(text) if spans is None else spans
        i = 0
        while i < len(spans):
            first = spans[i][2]
            exact, patterns = self._lengths.get(first), self._pattern_lengths.get(first[:3])
            if not exact and not patterns:  # most words start no alias
                i += 1
                continue
            lengths = (exact or set()) | (patterns or set())
            for n in sorted((n for n in lengths if i + n <= len(spans)), reverse=True):
                window = spans[i:i + n]
                if any(window[k + 1][0] - window[k][1] > 2 for k in range(n - 1)):
                    continue
                found = self._match([t for _, _, t in window])
                surface = text[window[0][0]:window[0][1]]
                if found and n == 1 and len(surface) <= 3 and surface != surface.upper():
                    found = None  # "us", "who", "un" as words are not the USA, WHO or UN
                if found:
                    yield window[0][0], window[-1][1], self.actors[found]
                    i += n
                    break
            else:
                i += 1


def _alias_tokens(name: str) -> tuple[str, ...]:
    out = []
    for part in name.lower().split():
        star = part.endswith("*")
        toks = tokens(part)
        if toks and star:
            toks[-1] += "*"
        out.extend(toks)
    return tuple(out)


def _token_matches(alias: str, token: str) -> bool:
    return token.startswith(alias[:-1]) if alias.endswith("*") else token == alias
