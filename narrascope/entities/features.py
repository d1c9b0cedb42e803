"""What the role classifier reads about a mention: how the article talks about the entity.

Each mention becomes a bag of prefixed tokens (read by a TF-IDF vectoriser):

- ``L:``/``R:`` words just before/after the mention in its sentence, ``L1:``/``R1:``
  the adjacent word, ``L2:``/``R2:`` adjacent bigrams: who does what to whom
  ("accused X", "X invaded", "victims X") without a parser, in every language;
- ``S:`` the other words of its sentence, ``E:`` the words of the other sentences
  that mention the same entity (the article's whole portrait of the actor);
- ``ID:`` the entity (actor id for main actors, so all languages share it),
  ``SIDE:`` its camp (Russia, Ukraine, the West, other), crossed with the
  language and with the article's predicted narratives (``NS:``/``NI:``): the same
  actor is a villain in one camp's story and a hero in the other's;
- ``COL:``/``COR:`` the camp of each other actor in its sentence, before/after it, and
  ``COSL:``/``COSR:`` the same crossed with its own camp: who stands where beside whom
  ("Russia shelled Kharkiv": Kharkiv has a Russian actor on its left), in every language;
- ``CUEL:``/``CUER:`` the framing cues of its sentence before/after it (``narrascope.entities.cues``:
  attack, blame, deceit, victim, praise, protect... in five languages): "accused X", "X bravely",
  "X shelled", "victims of X", read as one feature however rare the word;
- ``POS:`` where in the article it appears, ``TITLE`` when in the headline;
- ``CL:``/``CR:`` character 2-4-grams of the words in the 30 characters before/after
  the mention (inside its sentence): inflections and postpositions ("को", "-ом",
  "contra o") that whole words split into rare forms; ``CM:`` those of the mention
  itself, so that inflected or respelled names ("Зеленски"/"Зеленския", "ज़ेलेंस्की"/"जेलेंस्की")
  share most of their reading. They follow a tab; the model reads each group with its
  own vectoriser (``char_features`` with the group's prefixes), the rest with ``word_features``.

plus dense vectors: the embedding of the mention's sentence, of the mention
itself and of the whole article.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from narrascope.entities.actors import ActorTable, tokens
from narrascope.entities.cues import cue_matcher
from narrascope.heads.tfidf import gram_bounds

WINDOW = 8
NEAR = 4
CHAR_WINDOW = 30
CHAR_NGRAMS = (2, 4)
CHAR_GROUPS = ("CL:", "CR:", "CM:")  # after the word features, one tab-separated field each
_LANG = re.compile(r"(?:^|\s)LANG:(\S+)")


@dataclass(frozen=True)
class MentionInput:
    """A mention and its context inside one document."""

    start: int
    end: int  # exclusive
    text: str
    entity: str  # key shared by the mentions of one entity


def sentence_of(sentences: Sequence[tuple[int, int]], start: int) -> int:
    """Index of the sentence that contains offset ``start`` (-1 if none); ``sentences`` are in
    text order and do not overlap (a binary search: a long article has thousands of both)."""
    i = bisect.bisect_right(sentences, (start, math.inf)) - 1
    return i if i >= 0 and sentences[i][0] <= start < sentences[i][1] else -1


def context_region(text: str, sentences: Sequence[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    i = sentence_of(sentences, start)
    if i >= 0:
        return sentences[i]
    return max(0, start - 200), min(len(text), end + 200)


@dataclass(frozen=True)
class MentionFeatures:
    """What the role classifier reads about one mention, before it is written as a feature string.

    ``words``: its word features; ``portrait``: the ``E:`` features of every sentence that
    mentions the entity, one tuple per sentence, the same tuple object for all its mentions
    (empty when it has one sentence); ``own``: the index there of the mention's own sentence,
    whose words it reads as ``S:`` instead (``shared``: the others; an article that names an
    actor in a thousand sentences does not make a thousand copies of them);
    ``windows``: the text of each ``CHAR_GROUPS`` window (whose words give the
    character n-grams); ``language``: as in its ``LANG:`` feature."""

    words: list[str]
    portrait: tuple[tuple[str, ...], ...]
    own: int
    windows: tuple[str, str, str]
    language: str

    @property
    def shared(self) -> list[tuple[str, ...]]:
        """The ``E:`` features of the entity's other sentences, one tuple per sentence."""
        return [group for i, group in enumerate(self.portrait) if i != self.own]

    def string(self) -> str:
        """The feature string: space-separated word features, then each group's n-grams after a tab."""
        words = " ".join([*self.words, *(w for group in self.shared for w in group)])
        return "\t".join([words, *(" ".join(char_ngrams(w, p)) for w, p in zip(self.windows, CHAR_GROUPS))])


def mention_tokens(text: str, sentences: Sequence[tuple[int, int]], mentions: Sequence[MentionInput],
                   language: str, narratives: Sequence[str] = (), actors: ActorTable | None = None) -> list[str]:
    """One feature string per mention: space-separated word features, then the character
    n-grams of each of ``CHAR_GROUPS``, each group after a tab."""
    return [f.string() for f in mention_features(text, sentences, mentions, language, narratives, actors)]


def mention_features(text: str, sentences: Sequence[tuple[int, int]], mentions: Sequence[MentionInput],
                     language: str, narratives: Sequence[str] = (),
                     actors: ActorTable | None = None) -> list[MentionFeatures]:
    """The features of each mention (see ``mention_tokens``)."""
    actors = actors or ActorTable.main()  # the table the role model was trained with: main actors and camps
    language = language or "other"
    regions = [context_region(text, sentences, m.start, m.end) for m in mentions]
    by_entity: dict[str, dict[tuple[int, int], int]] = {}  # an entity's regions, each with its index
    for m, region in zip(mentions, regions):
        found = by_entity.setdefault(m.entity, {})
        found.setdefault(region, len(found))
    portraits = {entity: tuple(tuple(f"E:{w}" for w in tokens(text[a:b])) for a, b in found) if len(found) > 1
                 else () for entity, found in by_entity.items()}  # the E: words of each, read by its mentions
    first_line = text.find("\n")
    labels = [label.replace(" ", "_") for label in narratives]
    found_actors = [actors.lookup(m.text) for m in mentions]
    sides = [actor.side if actor else "none" for actor in found_actors]
    cues = cue_matcher(language).find(text)
    in_region: dict[tuple[int, int], list[int]] = {}  # the mentions of each sentence
    for k, region in enumerate(regions):
        in_region.setdefault(region, []).append(k)
    out = []
    for m, (s, e), actor, side in zip(mentions, regions, found_actors, sides):
        left = tokens(text[s:max(s, m.start)])[-WINDOW:]
        right = tokens(text[min(e, m.end):e])[:WINDOW]
        ident = actor.id if actor else " ".join(tokens(m.text)).replace(" ", "_") or "?"
        feats = [f"L:{w}" for w in left[-NEAR:]] + [f"R:{w}" for w in right[:NEAR]]
        feats += [f"L2:{a}_{b}" for a, b in itertools.pairwise(left[-NEAR:])]
        feats += [f"R2:{a}_{b}" for a, b in itertools.pairwise(right)]
        if left:
            feats.append(f"L1:{left[-1]}")
        if right:
            feats.append(f"R1:{right[0]}")
        feats += [f"S:{w}" for w in left + right]
        feats += [f"ID:{ident}", f"IDL:{language}_{ident}", f"LANG:{language}", f"SIDE:{side}",
                  f"SIDEL:{side}_{language}"]
        for k in in_region[s, e]:  # the other actors of its sentence, and on which side of it
            if mentions[k].entity != m.entity:
                where = "L" if mentions[k].start < m.start else "R"
                feats += [f"CO{where}:{sides[k]}", f"COS{where}:{side}_{sides[k]}"]
        before, after = cues.around(m.start, m.end, (s, e))
        feats += [f"CUEL:{c}" for c in sorted(before)] + [f"CUER:{c}" for c in sorted(after)]
        for label in labels:
            feats += [f"N:{label}", f"NS:{side}_{label}", f"NI:{ident}_{label}"]
        feats.append(f"POS:{int(5 * m.start / max(1, len(text)))}")
        if first_line < 0 or m.start < first_line:
            feats.append("TITLE")
        windows = (text[max(s, m.start - CHAR_WINDOW):max(s, m.start)], text[min(e, m.end):min(e, m.end + CHAR_WINDOW)],
                   m.text)
        portrait = portraits[m.entity]
        out.append(MentionFeatures(feats, portrait, by_entity[m.entity][s, e] if portrait else -1, windows, language))
    return out


def char_ngrams(window: str, prefix: str) -> list[str]:
    """Character n-grams of each word of ``window``, padded by a space at both ends (as
    scikit-learn's ``char_wb``), spaces written ``_``."""
    grams: list[str] = []
    for word in window_words(window):
        grams += word_ngrams(prefix, word)
    return grams


def window_words(window: str) -> list[str]:
    """The words of a character window whose n-grams are read (lower-cased, split at whitespace)."""
    return window.lower().split()


@lru_cache(maxsize=65536)
def word_ngrams(prefix: str, word: str) -> tuple[str, ...]:
    """The prefixed character n-grams of one (lower-case) word."""
    padded = f"_{word}_"
    return tuple([prefix + padded[i:j] for i, j in gram_bounds(len(padded), *CHAR_NGRAMS)])


def word_features(token_string: str) -> list[str]:
    """The word-level features of a feature string (before its tab)."""
    return token_string.partition("\t")[0].split()


def char_features(token_string: str, prefixes: tuple[str, ...] = ()) -> list[str]:
    """The character n-grams of a feature string (the fields after its first tab); with
    ``prefixes``, only those of these groups of ``CHAR_GROUPS`` (``("CL:", "CR:")``: the context's)."""
    fields = token_string.split("\t")[1:]
    if not prefixes:
        return " ".join(fields).split()
    return [g for i, p in enumerate(CHAR_GROUPS) if p in prefixes and i < len(fields) for g in fields[i].split()]


def language_of(token_string: str) -> str:
    """The language a feature string names (``LANG:``), ``"other"`` if none."""
    found = _LANG.search(token_string)
    return found.group(1) if found else "other"
