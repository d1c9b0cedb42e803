"""Apache Spark: ``analyze(df)`` adds the analysis columns to a DataFrame of articles (``narrascope[spark]``).

The function given to ``mapInPandas`` builds the pipeline the first time it runs in a
Python worker and keeps it in this module, so with Spark's default Python worker reuse
each executor core loads the model once for the whole job, not per row or per batch.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from narrascope.batch.rows import COLUMNS, document_row
from narrascope.errors import InputError
from narrascope.schema import Document

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

ANALYSIS_COLUMNS = tuple(c for c in COLUMNS if c not in ("record", "id", "source", "url", "title", "date"))
# the input columns a Document takes, when the DataFrame has them (as in JSONL: id, title, url, date, source, lang)
DOCUMENT_FIELDS = ("id", "title", "url", "date", "source", "lang")

_pipelines: dict[str, Any] = {}  # per Python worker process: model path -> Pipeline


def _pipeline(model_path: str, load_counter=None):
    pipeline = _pipelines.get(model_path)
    if pipeline is None:
        from narrascope.pipeline import build_pipeline

        pipeline = _pipelines[model_path] = build_pipeline(model_path)
        if load_counter is not None:
            load_counter.add(1)
    return pipeline


def analyze(df: DataFrame, text_col: str = "text", *, model: str | None = None, batch_size: int = 16,
            load_counter=None) -> DataFrame:
    """``df`` with the analysis columns added (``language``, ``narratives``, ``subnarratives``,
    ``dominant_narrative``, ``dominant_subnarrative``, ``explanation``, ``genre``, ``frames``,
    ``techniques``, ``entities`` as JSON, and ``analysis``: the whole analysis as JSON). A row without
    text gets nulls; one whose text cannot be an article (too long), nulls and the error in ``analysis``.

    ``model`` is a model folder readable on every executor (default: the model shipped in the
    package); ``load_counter`` (a Spark accumulator) counts the pipeline loads, for tests."""
    from pyspark.sql.types import StringType, StructField, StructType

    from narrascope.errors import UsageError
    from narrascope.pipeline import check_model_path

    if text_col not in df.columns:
        raise UsageError(f"the DataFrame has no {text_col!r} column (columns: {', '.join(df.columns)}); "
                         "pass text_col=", source="DataFrame")
    model_path = str(check_model_path(model))
    added = [c for c in ANALYSIS_COLUMNS if c not in df.columns or c == "language"]
    schema = StructType([f for f in df.schema.fields if f.name not in added]
                        + [StructField(c, StringType(), True) for c in added])
    fields = [c for c in DOCUMENT_FIELDS if c in df.columns]

    def run(batches: Iterator) -> Iterator:
        pipeline = _pipeline(model_path, load_counter)
        for frame in batches:
            records = frame.to_dict("records")
            docs = [_document(record, text_col, fields) for record in records]
            analysed = iter(pipeline.pipe([d for d in docs if isinstance(d, Document)], batch_size=batch_size))
            rows = [document_row(next(analysed), "") if isinstance(doc, Document) else _unanalysed(added, doc)
                    for doc in docs]
            out = frame.drop(columns=[c for c in added if c in frame.columns])
            for column in added:
                out[column] = [row[column] for row in rows]
            yield out

    return df.mapInPandas(run, schema)


def _unanalysed(columns: list[str], error: InputError | None) -> dict[str, str | None]:
    """A row without text: nulls; a row whose text cannot be an article: nulls, and the error in ``analysis``."""
    row: dict[str, str | None] = dict.fromkeys(columns)
    if error is not None:
        row["analysis"] = json.dumps({"error": str(error), "code": error.code})
    return row


def _document(record: dict, text_col: str, fields: list[str]) -> Document | InputError | None:
    """The row's Document, None when its text is missing or blank, the error when it cannot be one
    (a text longer than an article can be)."""
    from narrascope.ingest.readers import document_from_record

    text = record.get(text_col)
    if not isinstance(text, str) or not text.strip():
        return None
    values = {f: str(record[f]) for f in fields if _present(record.get(f))}
    try:
        return document_from_record({**values, "text": text}, "DataFrame")
    except InputError as exc:
        return exc


def _present(value) -> bool:
    """Not null: pandas gives a missing value as None or NaN."""
    import math

    return value is not None and value != "" and not (isinstance(value, float) and math.isnan(value))
