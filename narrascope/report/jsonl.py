"""Machine-readable results: one JSON object per article."""

from __future__ import annotations

import json
from typing import IO

from narrascope.schema import Document


def document_line(doc: Document) -> str:
    """The article's JSON object on one line, ending in a line break."""
    data = doc.to_dict()
    data["clean_text"] = doc.clean_text
    return json.dumps(data, ensure_ascii=False) + "\n"


def write_document(doc: Document, fh: IO[str]) -> None:
    fh.write(document_line(doc))
