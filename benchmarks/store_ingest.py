"""Storage cost of ingesting: DuckDB insert time per article against the analysis time per article.

Analyses a sample of ~3,000-character articles (recombined from the bundled examples)
with the default pipeline, then stores N analysed articles (the sample repeated with a
numbered line appended, so every text is new and nothing is deduplicated) in a fresh
DuckDB file in batches as `narrascope ingest` does, and reports the share of storage in the ingest time. Medians of the
per-article times over 3 runs.

    python -m benchmarks.store_ingest [--articles 5000] [--sample 200]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.api_load import articles
from benchmarks.common import table, write_result

BAR = 0.10  # storage under 10 % of ingest time


def main() -> int:
    import narrascope
    from narrascope.cli.store import STORE_BATCH
    from narrascope.store.corpus import CorpusStore

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    nlp = narrascope.load()
    texts = articles(args.sample, seed=1)
    list(nlp.pipe(texts[:16]))  # warm-up
    analyse, store_per_doc = [], []
    docs = []
    for _ in range(args.runs):
        start = time.perf_counter()
        docs = list(nlp.pipe(texts, batch_size=16))
        analyse.append((time.perf_counter() - start) / len(texts))
    for doc in docs:
        doc.vectors = {}
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp, CorpusStore(Path(tmp) / "c.duckdb") as store:
            run_id = store.start_run(["benchmark"])
            batch = []
            for i in range(args.articles):
                doc = copy.copy(docs[i % len(docs)])
                doc.text = doc.text + f"\n#{run}-{i}"  # a new text, same analysis
                batch.append(doc)
            start = time.perf_counter()
            statuses = [status for first in range(0, len(batch), STORE_BATCH)
                        for _, status in store.add_many(batch[first:first + STORE_BATCH], run_id)]
            store_per_doc.append((time.perf_counter() - start) / args.articles)
            assert statuses.count("added") == args.articles and store.count() == args.articles
    a, s = statistics.median(analyse), statistics.median(store_per_doc)
    share = s / (a + s)
    result = {"articles_stored": args.articles, "analysed_sample": args.sample,
              "analysis_ms_per_article": round(a * 1000, 2), "storage_ms_per_article": round(s * 1000, 2),
              "storage_share": round(share, 4), "bar": BAR}
    table("ingest: analysis vs DuckDB storage per article (median of runs)", ["measure", "value"],
          [[k, v] for k, v in result.items()])
    failures = [] if share < BAR else [f"storage share {share:.3f} >= {BAR}"]
    write_result("store_ingest", {**result, "failures": failures})
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
