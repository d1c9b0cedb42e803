"""A multilingual gazetteer of the main actors, with aliases, used to link and find mentions."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from narrascope.resources import LANGUAGES, resource
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
    """Aliases -> actors. An alias token ending in ``*`` matches words that start with it. An alias given
    as ``proper`` (a name in a script with capitals) is found in running text only when capitalised:
    "Chad" the country, not "chad"; every alias is looked up whatever its case."""

    def __init__(self, actors: list[Actor], aliases: list[tuple]) -> None:
        """``aliases``: ``(tokens, actor id)`` or ``(tokens, actor id, proper)`` pairs; the first actor
        given an alias keeps it."""
        self.actors = {a.id: a for a in actors}
        self._exact: dict[tuple[str, ...], str] = {}
        self._patterns: dict[str, list[tuple[tuple[str, ...], str, bool]]] = {}
        plain: set[tuple[str, ...]] = set()  # aliases found whatever their case
        for alias, actor_id, *proper in aliases:
            if not alias:
                continue
            if not (proper and proper[0]):
                plain.add(alias)
            if any(t.endswith("*") for t in alias):
                self._patterns.setdefault(alias[0].rstrip("*")[:3], []).append(
                    (alias, actor_id, bool(proper and proper[0])))
            else:
                self._exact.setdefault(alias, actor_id)
        self._proper = frozenset(self._exact) - plain
        # alias lengths by first word (or first 3 letters of a prefix pattern): find() tries only those
        self._lengths: dict[str, set[int]] = {}
        for alias in self._exact:
            self._lengths.setdefault(alias[0], set()).add(len(alias))
        self._pattern_lengths = {stem: {len(a) for a, *_ in items} for stem, items in self._patterns.items()}
        self._tries: dict[str, tuple[int, ...]] = {}  # per first word: the alias lengths to try, longest first

    @classmethod
    @lru_cache(maxsize=1)
    def main(cls) -> ActorTable:
        """The hand-made main actors of both topics with their camps (``actors.json``): what the role
        model reads an actor's identity and camp from."""
        actors, aliases = _main_actors()
        return cls(list(actors), list(aliases))

    @classmethod
    @lru_cache(maxsize=1)
    def default(cls) -> ActorTable:
        """The main actors, then every other country and the continents in the five languages
        (``countries.json``, from the Unicode CLDR), to find and link mentions: a country the first
        lists gets the second's names as more aliases; one it does not becomes an actor of its own, of no
        camp."""
        actors, aliases = map(list, _main_actors())
        hand = cls.main()
        for code, entry in sorted(_resource("countries.json")["territories"].items()):
            world = [alias for lang in WORLD_LANGUAGES for name in entry.get(lang, ())
                     for alias in _world_aliases(name, lang)]
            known = Counter(found for toks, _ in world if (found := hand._match(list(toks))))
            if known:
                actor_id = known.most_common(1)[0][0]
            else:
                english = entry["en"]
                actor_id = f"cldr-{code.lower()}"
                actors.append(Actor(actor_id, english[1] if len(english) > 1 else english[0], entry["kind"], "other"))
            aliases.extend((toks, actor_id, proper) for toks, proper in world)
        return cls(actors, aliases)

    def _match(self, toks: list[str]) -> str | None:
        found = self._match_alias(toks)
        return found[0] if found else None

    def _match_alias(self, toks: list[str]) -> tuple[str, bool] | None:
        """``(actor id, whether the alias must be capitalised in running text)`` for ``toks``."""
        key = tuple(toks)
        if key in self._exact:
            return self._exact[key], key in self._proper
        for alias, actor_id, proper in self._patterns.get(toks[0][:3], ()) if toks else ():
            if len(alias) == len(toks) and all(_token_matches(a, t) for a, t in zip(alias, toks)):
                return actor_id, proper
        return None

    def lookup(self, surface: str) -> Actor | None:
        """The actor a mention names ("Zelenskyy", "Зеленского", "the West"), if known."""
        toks = tokens(surface)
        # "the West" / "President Putin": without the first word; "German Chancellor Olaf Scholz": without titles
        for drop in dict.fromkeys((0, 1, title_length(toks))):
            if len(toks) - drop >= 1:
                found = self._match(toks[drop:])
                if found and drop and toks[drop - 1] == "of" and self.actors[found].kind != "person":
                    found = None  # "president of Mexico" is a person, not Mexico
                if found:
                    return self.actors[found]
        return None

    def find(self, text: str, spans: list[tuple[int, int, str]] | None = None) -> Iterator[tuple[int, int, Actor]]:
        """Longest alias matches in ``text`` as ``(start, end, actor)`` character spans (``spans``: its
        ``token_spans``, when already known)."""
        spans = token_spans(text) if spans is None else spans
        exact, patterns = self._lengths, self._pattern_lengths
        # most words start no alias: the few that may are picked out first, in one pass
        starts = [i for i, (_, _, t) in enumerate(spans) if t in exact or t[:3] in patterns]
        free = 0  # the first token no match has taken yet
        for i in starts:
            if i < free:
                continue
            first = spans[i][2]
            if (lengths := self._tries.get(first)) is None:
                if len(self._tries) >= MAX_TRIES:
                    self._tries.clear()
                lengths = self._tries[first] = tuple(sorted(exact.get(first, set()) | patterns.get(first[:3], set()),
                                                            reverse=True))
            for n in lengths:
                if i + n > len(spans):
                    continue
                window = spans[i:i + n]
                if n > 1 and any(window[k + 1][0] - window[k][1] > 2 for k in range(n - 1)):
                    continue
                match = self._match_alias([t for _, _, t in window])
                surface = text[window[0][0]:window[0][1]]
                found = match[0] if match else None
                if found and n == 1 and len(surface) <= 3 and surface != surface.upper():
                    found = None  # "us", "who", "un" as words are not the USA, WHO or UN
                if match and match[1] and not surface[:1].isupper():
                    found = None  # "chad", "jordan" as words name no country
                if found:
                    yield window[0][0], window[-1][1], self.actors[found]
                    free = i + n
                    break


MAX_TRIES = 50_000  # first words whose alias lengths ActorTable.find keeps (then it starts again)


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


@lru_cache(maxsize=1)
def _main_actors() -> tuple[tuple[Actor, ...], tuple[tuple, ...]]:
    """The actors and ``(alias tokens, actor id)`` pairs of ``actors.json``, read once."""
    actors, aliases = [], []
    for item in _resource("actors.json")["actors"]:
        actors.append(Actor(item["id"], item["name"], item["kind"], item["side"]))
        for names in item["aliases"].values():
            aliases.extend((_alias_tokens(n), item["id"]) for n in names)
        aliases.append((tuple(tokens(item["name"])), item["id"]))
    return tuple(actors), tuple(aliases)


def _resource(name: str) -> dict:
    return resource(name)


WORLD_LANGUAGES = LANGUAGES
_CASED = frozenset({"en", "bg", "pt", "ru"})  # scripts with capitals: world names are found capitalised only
_NUKTA = "\u093c"
# country names that are also a common word of their language, capitalised at the start of a sentence
_COMMON_WORDS = {"ru": frozenset({"того"}), "bg": frozenset({"того"})}
# Russian case endings of a country's name by how it ends (nominative first); other endings do not decline
# ("Того", "Перу", "Чили")
_RU_CASES = (("ия", ("ия", "ии", "ию", "ией")), ("а", ("а", "ы", "и", "е", "у", "ой")),
             ("я", ("я", "и", "е", "ю", "ей")), ("й", ("й", "я", "ю", "е", "ем")), ("ь", ("ь", "я", "ю", "е", "ем", "и")))
_RU_CONSONANT_CASES = ("", "а", "у", "е", "ом")


def _russian_forms(word: str) -> list[str]:
    """The case forms of the last word of a Russian country name ("ливия": ливии, ливию, ливией)."""
    if word[-1:].isalpha() and word[-1] not in "аеёиоуыэюяйь":
        return [word + ending for ending in _RU_CONSONANT_CASES]
    for nominative, endings in _RU_CASES:
        if word.endswith(nominative):
            return [word[: len(word) - len(nominative)] + ending for ending in endings]
    return [word]


def _world_aliases(name: str, language: str) -> Iterator[tuple[tuple[str, ...], bool]]:
    """``(alias tokens, proper)`` for a CLDR country name. Hindi: with and without the nukta, which news
    sites often leave out ("कज़ाखस्तान", "कजाखस्तान"). Russian: the case forms of its last word ("Ливии",
    "Казахстана"; exact forms, not prefixes: "Дании" is Denmark, "Даниил" is no country)."""
    if language == "hi":
        decomposed = unicodedata.normalize("NFD", name)
        for form in dict.fromkeys((name, decomposed, decomposed.replace(_NUKTA, ""))):
            yield tuple(tokens(form)), False
        return
    toks = tokens(name)
    if not toks or " ".join(toks) in _COMMON_WORDS.get(language, ()):
        return
    for last in _russian_forms(toks[-1]) if language == "ru" else toks[-1:]:
        yield (*toks[:-1], last), language in _CASED
