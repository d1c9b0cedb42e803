"""Machine-readable results: one JSON object per article."""

from __future__ import annotations

import json
from typing import IO

from narrascope.schema import Document


def write_document(doc: Document, fh: IO[str]) -> None:
    data = doc.to_dict()
    data["clean_text"] = doc.clean_text
    fh.write(json.dumps(data, ensure_ascii=False) + "\n")
