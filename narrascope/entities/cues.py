"""Framing cues: words that say what a sentence does to an actor.

Who attacks, blames, deceives, plots, steals, oppresses, provokes or fails; who suffers, is
praised, protects, makes peace, resists, betrays or is used. ``resources/role_cues.json`` lists,
per category and language, the beginnings of such words (``"accus"``: accuse, accused,
accusation); an entry ending in ``$`` is a whole word (``"lie$"``). The role model reads which
categories occur before and after a mention in its sentence (``narrascope.entities.features``):
a shared reading of rare words ("lambasted", "denounced") that the word features see one by one.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache

from narrascope.resources import resource

_LETTER = r"\w\u0900-\u097f"  # Devanagari signs count as letters (re's \w leaves out vowel signs)


@dataclass(frozen=True)
class Cues:
    """The cue words of one text: their offsets (in text order) and each one's categories."""

    offsets: list[int]
    categories: list[tuple[str, ...]]

    def around(self, start: int, end: int, region: tuple[int, int]) -> tuple[set[str], set[str]]:
        """The categories of the cues inside ``region`` before ``start`` and after ``end``."""
        before: set[str] = set()
        after: set[str] = set()
        for k in range(bisect.bisect_left(self.offsets, region[0]), bisect.bisect_left(self.offsets, region[1])):
            if self.offsets[k] < start:
                before.update(self.categories[k])
            elif self.offsets[k] >= end:
                after.update(self.categories[k])
        return before, after


@dataclass(frozen=True)
class CueMatcher:
    """Finds the cue words of one language: one compiled pattern, each beginning mapped to its categories."""

    pattern: re.Pattern[str] | None
    categories: dict[str, tuple[str, ...]]  # lower-case beginning (``$`` dropped) -> its categories

    def find(self, text: str) -> Cues:
        """The cue words of ``text``."""
        offsets: list[int] = []
        categories: list[tuple[str, ...]] = []
        for m in self.pattern.finditer(text) if self.pattern is not None else ():
            # a letter that matches only ignoring case ("İ" for "i") lower-cases to no entry: no cue
            if (found := self.categories.get(m.group(1).lower())) is not None:
                offsets.append(m.start())
                categories.append(found)
        return Cues(offsets, categories)


@cache
def cue_matcher(language: str) -> CueMatcher:
    """The matcher of ``language`` (one with no pattern for a language the list lacks)."""
    table = resource("role_cues.json")
    categories: dict[str, list[str]] = {}
    for category, languages in table.items():
        if category.startswith("_"):
            continue
        for entry in languages.get(language, []):
            for spelling in _spellings(entry.lower()):
                categories.setdefault(spelling, []).append(category)
    if not categories:
        return CueMatcher(None, {})
    for entry in categories:  # "killed" is harm ("kill") as well as victim: a longer entry keeps the shorter's
        for shorter in categories:
            if shorter != entry and not shorter.endswith("$") and entry.removesuffix("$").startswith(shorter):
                categories[entry] = categories[entry] + [c for c in categories[shorter] if c not in categories[entry]]
    whole = [e[:-1] for e in categories if e.endswith("$")]
    starts = [e for e in categories if not e.endswith("$")]
    # one pattern as a trie of the entries (10x faster than their alternation: re tries alternatives
    # one by one); whole words first, each match the longest entry that fits
    alternatives = ([f"{_trie(whole)}(?![{_LETTER}])"] if whole else []) + ([_trie(starts)] if starts else [])
    pattern = re.compile(f"(?<![{_LETTER}])(" + "|".join(alternatives) + ")", re.IGNORECASE)
    merged: dict[str, list[str]] = {}
    for entry, cats in categories.items():
        merged.setdefault(entry.removesuffix("$"), []).extend(cats)
    return CueMatcher(pattern, {k: tuple(dict.fromkeys(v)) for k, v in merged.items()})


# Devanagari letters with a nukta are written as one character or as the letter and the nukta sign
_NUKTA = {chr(0x0958 + k): base + "\u093c" for k, base in enumerate("कखगजडढफय")}


def _spellings(entry: str) -> set[str]:
    """``entry`` and its other Devanagari spelling (nukta letters composed or decomposed)."""
    composed = entry
    for one, two in _NUKTA.items():
        composed = composed.replace(two, one)
    decomposed = composed
    for one, two in _NUKTA.items():
        decomposed = decomposed.replace(one, two)
    return {entry, composed, decomposed}


def _trie(entries: list[str]) -> str:
    """A regular expression matching any of ``entries``, their common beginnings factored out, longest first."""
    root: dict = {}
    for entry in entries:
        node = root
        for ch in entry:
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        branches = [re.escape(ch) + pattern(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return pattern(root)
