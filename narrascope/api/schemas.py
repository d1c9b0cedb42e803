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


Analysis = dict[str, Any]  # Document.to_dict(): the versioned JSON of narrascope.schema
