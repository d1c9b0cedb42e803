"""``Document``, ``Span`` and ``Label`` with a versioned JSON round-trip.

All offsets are character offsets into ``Document.text``, the text exactly as it
was read (CRs and a BOM included), end exclusive.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 3
# versions from_dict still reads (1 had no entities, 2 no explanation)
READABLE_VERSIONS = (1, 2, 3)


# scores this close (relative, or absolute below 1) count as tied: two copies of a repeated sentence score
# the same up to float rounding, which depends on the batch their vectors were computed in
TIE_TOLERANCE = 1e-5


@dataclass
class Span:
    """A region ``text[start:end]`` of a document, optionally labelled."""

    start: int
    end: int
    text: str = ""
    label: str | None = None
    score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"start": self.start, "end": self.end, "text": self.text}
        if self.label is not None:
            out["label"] = self.label
        if self.score is not None:
            out["score"] = float(self.score)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Span:
        return cls(
            start=int(data["start"]),
            end=int(data["end"]),
            text=data.get("text", ""),
            label=data.get("label"),
            score=data.get("score"),
        )


@dataclass
class Label:
    """A document-level label with a score and the spans that support it."""

    name: str
    score: float
    evidence: list[Span] = field(default_factory=list)
    parent: str | None = None
    example: str | None = None  # a user taxonomy's example the label's evidence is closest to

    def surest_evidence(self) -> Span | None:
        """The supporting span with the highest score, if any: the first of those within float rounding of
        it (``TIE_TOLERANCE``, as ``heads.decision.best_first`` ranks evidence)."""
        if not self.evidence:
            return None
        top = max(span.score or 0.0 for span in self.evidence)
        floor = top - TIE_TOLERANCE * max(abs(top), 1.0)
        return next(span for span in self.evidence if (span.score or 0.0) >= floor)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "score": float(self.score),
            "evidence": [s.to_dict() for s in self.evidence],
        }
        if self.parent is not None:
            out["parent"] = self.parent
        if self.example is not None:
            out["example"] = self.example
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Label:
        return cls(
            name=data["name"],
            score=float(data["score"]),
            evidence=[Span.from_dict(s) for s in data.get("evidence", [])],
            parent=data.get("parent"),
            example=data.get("example"),
        )


@dataclass
class Mention:
    """One mention of an entity, ``text[start:end]``, with the roles the article gives it there.

    ``main_role`` is a ``Label`` (Protagonist / Antagonist / Innocent) whose evidence
    is the supporting sentence; ``fine_roles`` are Labels whose ``parent`` is the main role.
    """

    start: int
    end: int
    text: str = ""
    entity: str = ""
    main_role: Label | None = None
    fine_roles: list[Label] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start, "end": self.end, "text": self.text, "entity": self.entity,
            "main_role": self.main_role.to_dict() if self.main_role else None,
            "fine_roles": [r.to_dict() for r in self.fine_roles],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Mention:
        main = data.get("main_role")
        return cls(int(data["start"]), int(data["end"]), data.get("text", ""), data.get("entity", ""),
                   Label.from_dict(main) if main else None,
                   [Label.from_dict(r) for r in data.get("fine_roles", [])])


@dataclass
class Entity:
    """An actor of the article: its mentions grouped, a canonical name and aggregated roles."""

    id: str
    name: str
    kind: str = ""
    actor: str = ""  # id in the multilingual actor table, when it is one of the main actors
    mentions: list[Mention] = field(default_factory=list)
    main_role: Label | None = None
    fine_roles: list[Label] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "kind": self.kind, "actor": self.actor,
            "main_role": self.main_role.to_dict() if self.main_role else None,
            "fine_roles": [r.to_dict() for r in self.fine_roles],
            "mentions": [m.to_dict() for m in self.mentions],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entity:
        main = data.get("main_role")
        return cls(data["id"], data.get("name", ""), data.get("kind", ""), data.get("actor", ""),
                   [Mention.from_dict(m) for m in data.get("mentions", [])],
                   Label.from_dict(main) if main else None,
                   [Label.from_dict(r) for r in data.get("fine_roles", [])])


@dataclass
class Explanation:
    """A short grounded explanation of the article's dominant narrative.

    ``text`` (at most 80 words) names the narrative's claim and quotes the article;
    each of ``quotes`` is a region of ``Document.text`` whose text appears verbatim,
    in order, in ``text``.
    """

    narrative: str
    subnarrative: str | None
    text: str
    quotes: list[Span] = field(default_factory=list)
    score: float | None = None

    def parts(self) -> list[tuple[str, Span | None]]:
        """``text`` cut into pieces, each paired with the quote it reproduces (or None)."""
        out: list[tuple[str, Span | None]] = []
        pos = 0
        for quote in self.quotes:
            at = self.text.find(quote.text, pos)
            if at < 0 or not quote.text:
                continue
            if at > pos:
                out.append((self.text[pos:at], None))
            out.append((quote.text, quote))
            pos = at + len(quote.text)
        if pos < len(self.text):
            out.append((self.text[pos:], None))
        return out

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"narrative": self.narrative, "subnarrative": self.subnarrative, "text": self.text,
                               "quotes": [q.to_dict() for q in self.quotes]}
        if self.score is not None:
            out["score"] = float(self.score)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Explanation:
        return cls(data["narrative"], data.get("subnarrative"), data.get("text", ""),
                   [Span.from_dict(q) for q in data.get("quotes", [])], data.get("score"))


@dataclass
class Document:
    """One article. Components read and write it; nothing else flows between them.

    ``spans`` holds named span groups (``"kept"``: the regions that survive
    cleaning, ``"sentences"``); ``labels`` holds named label groups
    (``"narratives"``, ``"subnarratives"``); ``entities`` the actors with their
    mentions and roles; ``explanation`` the grounded explanation of the dominant
    narrative; ``vectors`` holds arrays aligned
    with a span group (``vectors["sentences"][i]`` embeds ``spans["sentences"][i]``).
    """

    text: str
    id: str = ""
    title: str = ""
    source: str = ""
    url: str = ""
    date: str = ""
    language: str = ""
    language_score: float | None = None
    spans: dict[str, list[Span]] = field(default_factory=dict)
    labels: dict[str, list[Label]] = field(default_factory=dict)
    entities: list[Entity] = field(default_factory=list)
    explanation: Explanation | None = None
    warnings: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    # Dense per-span vectors (e.g. sentence embeddings); working state, not serialised.
    vectors: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    # ---- convenient views -------------------------------------------------
    @property
    def narratives(self) -> list[Label]:
        return self.labels.get("narratives", [])

    @property
    def subnarratives(self) -> list[Label]:
        return self.labels.get("subnarratives", [])

    @property
    def sentences(self) -> list[Span]:
        return self.spans.get("sentences", [])

    @property
    def clean_text(self) -> str:
        """The text with scraping residue removed (the ``"kept"`` regions joined)."""
        kept = self.spans.get("kept")
        if kept is None:
            return self.text
        return "".join(self.text[s.start : s.end] for s in kept)

    def span(self, start: int, end: int, **kwargs: Any) -> Span:
        """A ``Span`` over ``text[start:end]`` with its text filled in."""
        return Span(start, end, self.text[start:end], **kwargs)

    # ---- JSON round-trip --------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "id": self.id,
            "title": self.title,
            "text": self.text,
            "source": self.source,
            "url": self.url,
            "date": self.date,
            "language": self.language,
            "language_score": self.language_score,
            "spans": {k: [s.to_dict() for s in v] for k, v in self.spans.items()},
            "labels": {k: [lb.to_dict() for lb in v] for k, v in self.labels.items()},
            "entities": [e.to_dict() for e in self.entities],
            "explanation": self.explanation.to_dict() if self.explanation else None,
            "warnings": list(self.warnings),
            "meta": self.meta,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        version = data.get("schema_version")
        if version not in READABLE_VERSIONS:
            from narrascope.errors import DataError

            raise DataError(
                f"document schema version {version!r} is not supported (expected "
                f"one of {READABLE_VERSIONS}); re-run the analysis with this narrascope version"
            )
        return cls(
            text=data["text"],
            id=data.get("id", ""),
            title=data.get("title", ""),
            source=data.get("source", ""),
            url=data.get("url", ""),
            date=data.get("date", ""),
            language=data.get("language", ""),
            language_score=data.get("language_score"),
            spans={k: [Span.from_dict(s) for s in v] for k, v in data.get("spans", {}).items()},
            labels={k: [Label.from_dict(x) for x in v] for k, v in data.get("labels", {}).items()},
            entities=[Entity.from_dict(e) for e in data.get("entities", [])],
            explanation=Explanation.from_dict(data["explanation"]) if data.get("explanation") else None,
            warnings=list(data.get("warnings", [])),
            meta=dict(data.get("meta", {})),
        )

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)

    @classmethod
    def from_json(cls, payload: str) -> Document:
        return cls.from_dict(json.loads(payload))
