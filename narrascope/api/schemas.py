"""Request and response models of the API (separate from the core dataclasses)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from narrascope.ingest.dates import DATE_FORMATS, normalise_date


def web_url(url: str) -> bool:
    """Whether ``url`` is an http(s) address with a host: the only links stored and rendered (a
    ``javascript:``, ``data:``, ``file:`` or ``ftp:`` URL is refused)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


class ArticleIn(BaseModel):
    """An article to analyse: its text, its HTML, or a URL to fetch (exactly one), plus optional metadata.
    An unknown field is refused (a misspelt ``titel`` would otherwise be dropped without a word)."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(None, description="Plain text; the first line is the title.")
    html: str | None = Field(None, description="An HTML page; the main text is extracted.")
    url: str | None = Field(None, description="Fetched when neither text nor html is given; kept as metadata.")
    id: str | None = None
    title: str | None = None
    source: str | None = None
    date: str | None = Field(None, description="Publication date, ISO 8601 (YYYY-MM-DD…) or RFC 2822.")
    lang: str | None = Field(None, pattern=r"^\s*[A-Za-z]{2}\s*$",
                             description="The language as an ISO 639-1 code (en, bg, hi, pt, ru), as in JSONL "
                                         "inputs: not detected then; another language is analysed as 'other'.")

    @model_validator(mode="after")
    def _one_content(self) -> ArticleIn:
        if not ((self.text and self.text.strip()) or self.html or self.url):
            raise ValueError("give the article's text, html or url")
        if self.text and self.html:
            raise ValueError("give either text or html, not both")
        if self.url is not None and not web_url(self.url):
            raise ValueError(f"url {self.url[:80]!r} is not a web address; give an http:// or https:// URL, "
                             "or leave url out")
        if self.date:
            date = normalise_date(self.date)
            if date is None:
                raise ValueError(f"date {self.date!r} is not understood; give {DATE_FORMATS}")
            self.date = date
        return self


class Stored(BaseModel):
    id: str
    status: str = Field(description="added, updated (same URL, new text) or unchanged (already stored).")


class DocumentSummary(BaseModel):
    id: str
    url: str | None
    external_id: str | None
    title: str | None
    source: str | None
    language: str | None
    day: str | None
    dominant: str | None
    narratives: list[str]
    techniques: list[str]


class DocumentPage(BaseModel):
    total: int = Field(description="Exact number of articles matching the filters.")
    limit: int
    offset: int
    items: list[DocumentSummary]


class NarrativeCount(BaseModel):
    period: str
    narrative: str
    articles: int
    source: str | None = None
    language: str | None = None


class EntityCount(BaseModel):
    name: str
    role: str
    articles: int
    mentions: int


# ---- an analysed article: Document.to_dict(), the versioned JSON of narrascope.schema, typed --------------------
class SpanOut(BaseModel):
    start: int = Field(description="Offset of the first character in ``text`` (CRs and BOM counted).")
    end: int = Field(description="Offset after the last character.")
    text: str
    label: str | None = Field(None, description="A technique's name, for technique spans.")
    score: float | None = Field(None, description="How surely this span carries its label.")


class LabelOut(BaseModel):
    name: str = Field(description="A narrative, sub-narrative, technique, frame or genre, as the taxonomy names it.")
    score: float = Field(description="Calibrated probability (0 to 1) that the article carries this label.")
    evidence: list[SpanOut] = Field(description="The sentences or spans that support it, with offsets.")
    parent: str | None = Field(None, description="A sub-narrative's narrative; a fine role's main role.")
    example: str | None = Field(None, description="The user taxonomy's example the evidence is closest to.")


class MentionOut(BaseModel):
    start: int
    end: int
    text: str
    entity: str = Field(description="The id of the entity it names.")
    main_role: LabelOut | None
    fine_roles: list[LabelOut]


class EntityOut(BaseModel):
    id: str
    name: str
    kind: str
    actor: str = Field(description="Its id in the multilingual actor table, when it is one of the main actors.")
    main_role: LabelOut | None = Field(description="Protagonist, Antagonist or Innocent, with evidence.")
    fine_roles: list[LabelOut]
    mentions: list[MentionOut]


class ExplanationOut(BaseModel):
    narrative: str
    subnarrative: str | None
    text: str = Field(description="At most 80 words: the narrative's claim, then quotes of the article.")
    quotes: list[SpanOut] = Field(description="Each quote's place in ``text`` of the article.")
    score: float | None = None


class NarrativeRowOut(BaseModel):
    name: str = Field(description="The label as the taxonomy names it.")
    shown: str = Field(description="As a reader is shown it: a sub-narrative without its narrative's name.")
    sub: bool = Field(description="A sub-narrative, shown under the narrative before it.")
    score: float
    example: str | None = Field(None, description="The user taxonomy's example the evidence is closest to.")


class ActorOut(BaseModel):
    id: str = Field(description="The entity's id in ``entities``.")
    name: str
    role: str = Field(description="Protagonist, Antagonist or Innocent.")
    score: float
    fine_roles: list[str]
    mentions: int


class ReaderView(BaseModel):
    """What a reader is shown, in the order shown (``narrascope.report.view``, as the terminal summary and
    the HTML report show it): not part of the Document JSON."""

    narratives: list[NarrativeRowOut] = Field(
        description="Each narrative, surest first, followed by its sub-narratives (not \"<narrative>: Other\"); "
                    "an article with none has one row, \"Other: none of the taxonomy's narratives\".")
    actors: list[ActorOut] = Field(description="The entities given a role, most mentioned first.")


class Analysis(BaseModel):
    """An analysed article: ``Document.to_dict()`` (``narrascope.schema``, ``schema_version`` 3)."""

    schema_version: int
    id: str
    title: str
    text: str
    source: str
    url: str
    date: str
    language: str
    language_score: float | None
    spans: dict[str, list[SpanOut]] = Field(description="Named span groups: kept, sentences, techniques.")
    labels: dict[str, list[LabelOut]] = Field(
        description="Named label groups: narratives, subnarratives, techniques, frames, genre.")
    entities: list[EntityOut]
    explanation: ExplanationOut | None
    warnings: list[str]
    meta: dict[str, Any]
    view: ReaderView | None = Field(None, description="What a reader is shown of it (sent by the API only).")
