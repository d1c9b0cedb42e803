"""Cleaning: mark the regions of the text that are article, not scraping residue.

The original text is never changed: the component writes ``spans["kept"]``, so
every later offset still points into the text as it was read.
"""

from __future__ import annotations

import re

from narrascope.components.base import Component
from narrascope.schema import Document, Span
from narrascope.text.residue import is_residue

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")


def kept_regions(text: str) -> list[tuple[int, int]]:
    """Offsets of the text that survive residue removal, adjacent regions merged."""
    regions: list[tuple[int, int]] = []
    for m in _LINE.finditer(text):
        if m.start() == m.end():
            continue
        if is_residue(m.group()):
            continue
        if regions and regions[-1][1] == m.start():
            regions[-1] = (regions[-1][0], m.end())
        else:
            regions.append((m.start(), m.end()))
    # trailing blank lines of the kept text carry nothing
    while regions and not text[regions[-1][0] : regions[-1][1]].strip():
        regions.pop()
    return regions


class Cleaner(Component):
    """Removes share buttons, comment forms, cookie and newsletter lines."""

    name = "clean"
    assigns = ("spans.kept",)

    def __call__(self, doc: Document) -> Document:
        regions = kept_regions(doc.text)
        doc.spans["kept"] = [Span(s, e) for s, e in regions]
        return doc
