"""Apache Spark for ``discover``: the executors read each article's claims, the driver clusters them.

Reading is what costs (cleaning, sentences and their vectors, the claim score, and without a taxonomy
of one's own the shipped narrative model); what comes back is each article's claims alone (a dozen
vectors), which ``discover.clusters.discover_articles`` clusters on the driver as ``narrascope
discover`` does in one machine. As in ``narrascope.spark.analyze``, each Python worker builds its
reader once and keeps it in this module.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from narrascope.schema import Document

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

    from narrascope.discover.clusters import ArticleClaims, DiscoverConfig

CLAIMS_SCHEMA = ("id string, language string, source string, date string, starts array<int>, ends array<int>, "
                 "texts array<string>, scores array<double>, vectors binary, labels array<string>, "
                 "predicted array<string>, error string")
_readers: dict[tuple[str, frozenset[str]], Any] = {}  # per Python worker: (taxonomy path or "", unread) -> reader


def _reader(taxonomy: str, unread: frozenset[str]) -> tuple[Any, Any, Any]:
    """The reading pipeline (``unread`` languages not encoded), the known model and the claim scorer, built
    once per worker."""
    reader = _readers.get((taxonomy, unread))
    if reader is None:
        from narrascope.discover import ReadingPipeline, claim_scorer, known_model

        pipeline = ReadingPipeline(narratives=not taxonomy, skip_languages=unread).build()
        embedder = pipeline.get("embed").embedder
        known = known_model(taxonomy or None, embedder)
        reader = _readers[taxonomy, unread] = (pipeline, known, claim_scorer(known, embedder))
    return reader


def read_claims(df: DataFrame, text_col: str = "text", *, taxonomy: str | None = None,
                config: DiscoverConfig | None = None, batch_size: int = 32) -> DataFrame:
    """One row per article of ``df``: its id (its ``id`` column, else a digest of its text), its claims
    (offsets, texts, scores, and their vectors as float32 bytes) and the narratives it pushes; a row
    whose text is missing or cannot be an article (too long) carries an error instead. ``taxonomy``: a
    path every executor can read."""
    import pandas as pd

    from narrascope.discover.clusters import DiscoverConfig, read_article
    from narrascope.errors import UsageError
    from narrascope.spark import DOCUMENT_FIELDS, _document

    if text_col not in df.columns:
        raise UsageError(f"the DataFrame has no {text_col!r} column (columns: {', '.join(df.columns)}); "
                         "pass text_col=", source="DataFrame")
    config = config or DiscoverConfig()
    fields = [c for c in DOCUMENT_FIELDS if c in df.columns]
    columns = [part.split()[0] for part in CLAIMS_SCHEMA.split(", ")]
    path = str(taxonomy or "")

    def run(batches: Iterator) -> Iterator:
        pipeline, known, scorer = _reader(path, config.unread_languages)
        for frame in batches:
            docs = [_document(record, text_col, fields) for record in frame.to_dict("records")]
            rows = [dict.fromkeys(columns) | {"error": f"a row without {text_col}: left out" if d is None else str(d)}
                    for d in docs if not isinstance(d, Document)]
            good = [d for d in docs if isinstance(d, Document)]
            for doc in good:  # a table without ids: the text's digest, the same on every run and partitioning
                doc.id = doc.id or "sha1-" + hashlib.sha1(doc.text.encode("utf-8")).hexdigest()[:12]
            analysed = pipeline.pipe(good, batch_size=batch_size)
            rows += [_row(read_article(doc, known, scorer, config)) for doc in analysed]
            yield pd.DataFrame(rows, columns=columns)

    return df.mapInPandas(run, CLAIMS_SCHEMA)


def _row(article: ArticleClaims) -> dict[str, Any]:
    claims = article.claims
    vectors = np.stack([c[3] for c in claims]).astype(np.float32) if claims else np.zeros((0, 0), np.float32)
    return {"id": article.id, "language": article.language, "source": article.source, "date": article.date,
            "starts": [c[0] for c in claims], "ends": [c[1] for c in claims], "texts": [c[2] for c in claims],
            "scores": [float(c[4]) for c in claims], "vectors": vectors.tobytes(), "labels": article.labels,
            "predicted": article.predicted, "error": None}


def collect_claims(claims: DataFrame) -> tuple[list[ArticleClaims], list[str]]:
    """The rows of ``read_claims`` on the driver, as ``discover_articles`` reads them (which orders them
    by id, so that the clusters do not depend on how Spark partitioned the input); and the errors."""
    from narrascope.discover.clusters import ArticleClaims

    read, errors = [], []
    for row in claims.toLocalIterator():
        if row["error"]:
            errors.append(row["error"])
            continue
        texts = list(row["texts"] or [])
        vectors = np.frombuffer(row["vectors"], np.float32).reshape(len(texts), -1) if texts else []
        read.append(ArticleClaims(row["id"], row["language"] or "", row["source"] or "", row["date"] or "",
                                  [(int(s), int(e), t, np.array(v), float(score)) for s, e, t, v, score in
                                   zip(row["starts"], row["ends"], texts, vectors, row["scores"], strict=True)],
                                  None if row["labels"] is None else list(row["labels"]),
                                  list(row["predicted"] or [])))
    return read, errors


def discover_table(spark: Any, input_path: str, *, text_col: str = "text", taxonomy: str | None = None,
                   config: DiscoverConfig | None = None, partitions: int = 0
                   ) -> tuple[list[ArticleClaims], list[str]]:
    """Read a table of articles (Parquet, JSONL or CSV) on Spark into claims, collected on the driver."""
    from narrascope.spark.job import read_table

    df = read_table(spark, input_path, partitions)
    return collect_claims(read_claims(df, text_col, taxonomy=taxonomy, config=config))
