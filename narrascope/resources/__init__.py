"""What the models and readers share: the languages narrascope reads, and the data files beside this
module (taxonomies, actors, countries, narrative claims), read with ``resource``."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

# the languages narrascope is trained for (ISO 639-1); SemEval-2025 T10 folders name them in capitals
LANGUAGES = ("en", "bg", "hi", "pt", "ru")
SEMEVAL_LANGUAGES = tuple(code.upper() for code in LANGUAGES)
LANGUAGE_NAMES = {"en": "English", "bg": "Bulgarian", "hi": "Hindi", "pt": "Portuguese", "ru": "Russian"}


def language_name(code: str) -> str:
    """The English name of a language narrascope reads, else its code."""
    return LANGUAGE_NAMES.get(code, code)


def resource(name: str) -> Any:
    """A JSON file of this package, parsed."""
    return json.loads(resources.files("narrascope.resources").joinpath(name).read_text(encoding="utf-8"))
