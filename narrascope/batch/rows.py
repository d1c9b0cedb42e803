"""One flat output row per analysed article (the columns of ``narrascope batch`` output)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from narrascope.schema import Document

COLUMNS = ("record", "id", "source", "url", "title", "date", "language", "narratives", "subnarratives",
           "dominant_narrative", "dominant_subnarrative", "explanation", "genre", "frames", "techniques",
           "entities", "analysis")
# added by deduplication: the cluster (id of its earliest article), the closest earlier article and how alike
DEDUP_COLUMNS = {"cluster_id": "VARCHAR", "duplicate_of": "VARCHAR", "duplicate_of_record": "VARCHAR",
                 "similarity": "DOUBLE", "match": "VARCHAR"}


def record_key(doc: Document) -> str:
    """Where the article came from, unique within a run: file or URL, plus JSONL line, table row, WARC
    record offset or feed entry."""
    if "line" in doc.meta:
        return f"{doc.meta.get('file', doc.source)}:{doc.meta['line']}"
    if "row" in doc.meta:
        return f"{doc.meta.get('file', doc.source)}#{doc.meta['row']}"
    return doc.meta.get("file") or doc.source or doc.id


def _names(doc: Document, group: str) -> str:
    return ";".join(label.name for label in doc.labels.get(group, []))


def document_row(doc: Document, key: str) -> dict[str, Any]:
    explanation = doc.explanation
    entities = [{"name": e.name, "role": e.main_role.name, "fine_roles": [r.name for r in e.fine_roles],
                 "mentions": len(e.mentions)} for e in doc.entities if e.main_role is not None]
    return {
        "record": key, "id": doc.id, "source": doc.source, "url": doc.url, "title": doc.title, "date": doc.date,
        "language": doc.language, "narratives": _names(doc, "narratives"),
        "subnarratives": _names(doc, "subnarratives"),
        "dominant_narrative": explanation.narrative if explanation else "",
        "dominant_subnarrative": (explanation.subnarrative or "") if explanation else "",
        "explanation": explanation.text if explanation else "", "genre": _names(doc, "genre"),
        "frames": _names(doc, "frames"), "techniques": _names(doc, "techniques"),
        "entities": json.dumps(entities, ensure_ascii=False), "analysis": doc.to_json(),
    }


def dedup_columns(rows: Iterable[dict], dedup, progress: Callable[[int], None] | None = None) -> dict[str, dict]:
    """The dedup columns of each record, from rows with ``record``, ``id``, ``date``, ``language`` and
    ``analysis`` (whose JSON holds the text)."""
    ids: dict[str, str] = {}

    def articles() -> Iterator[tuple[str, str, str, str]]:
        for row in rows:
            ids[row["record"]] = row["id"]
            yield row["record"], json.loads(row["analysis"])["text"], row["date"] or "", row["language"] or ""

    return {m.id: {"cluster_id": ids[m.cluster_id], "duplicate_of": ids.get(m.duplicate_of, ""),
                   "duplicate_of_record": m.duplicate_of, "similarity": m.similarity, "match": m.kind}
            for m in dedup.find(articles(), progress)}
