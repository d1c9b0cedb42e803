"""The claim sentence an explanation opens with, in the article's language."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from narrascope.resources import LANGUAGES

FALLBACK = "en"


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    path = resources.files("narrascope.resources").joinpath("narrative_claims.json")
    return json.loads(path.read_text(encoding="utf-8"))


def _language(language: str) -> str:
    return language if language in LANGUAGES else FALLBACK


def has_claim(label: str) -> bool:
    return label in _table()["claims"]


def claim_sentence(narrative: str, subnarrative: str | None, language: str) -> str:
    """The sub-narrative's claim when there is one, else the narrative's, else a generic sentence naming it."""
    table = _table()
    lang = _language(language)
    for label in (subnarrative, narrative):
        if label and label in table["claims"]:
            return table["claims"][label][lang]
    name = (subnarrative or narrative).split(":")[-1].strip() or narrative
    return table["generic"][lang].format(name=name)


def quote_marks(language: str) -> tuple[str, str]:
    opening, closing = _table()["quotes"][_language(language)]
    return opening, closing
