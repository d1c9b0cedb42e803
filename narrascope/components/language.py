"""Language identification with lingua, restricted to the languages we handle plus "other"."""

from __future__ import annotations

from typing import Any, ClassVar

from narrascope.components.base import Component
from narrascope.resources import LANGUAGES
from narrascope.schema import Document

SUPPORTED = LANGUAGES
OTHER_LANGUAGE = "other"
# Languages lingua also considers, so that e.g. Spanish or Ukrainian text is
# reported as "other" instead of being forced onto Portuguese or Russian.
_DISTRACTORS = ("es", "fr", "de", "it", "uk", "pl", "sr", "mk", "nl", "tr", "ar", "zh", "mr")


class LanguageDetector(Component):
    """Sets ``doc.language`` (ISO 639-1 or ``"other"``) and ``doc.language_score``.

    A language given by the input (``lang`` in JSONL) is kept.
    """

    name = "language"
    requires = ("text",)
    assigns = ("language", "language_score")
    max_chars: ClassVar[int] = 2000

    def __init__(self) -> None:
        self._detector: Any = None

    def _load(self) -> Any:
        from lingua import IsoCode639_1, LanguageDetectorBuilder

        codes = [getattr(IsoCode639_1, c.upper()) for c in SUPPORTED + _DISTRACTORS]
        # low-accuracy mode (trigram models only) loads in ~0.1 s and is reliable on
        # article-length text, which is all we classify
        return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_low_accuracy_mode().build()

    def detect(self, text: str) -> tuple[str, float]:
        if self._detector is None:
            self._detector = self._load()
        sample = text[: self.max_chars]
        if not any(ch.isalpha() for ch in sample):
            return OTHER_LANGUAGE, 0.0
        values = self._detector.compute_language_confidence_values(sample)
        if not values:
            return OTHER_LANGUAGE, 0.0
        top = values[0]
        code = top.language.iso_code_639_1.name.lower()
        return (code if code in SUPPORTED else OTHER_LANGUAGE), float(top.value)

    def __call__(self, doc: Document) -> Document:
        if doc.meta.get("language_given") and doc.language:
            if doc.language not in SUPPORTED:
                doc.language = OTHER_LANGUAGE
            return doc
        doc.language, doc.language_score = self.detect(doc.clean_text)
        return doc
