"""Corpus-scale throughput: ``analyze`` in one process, ``batch --workers 2``, Spark ``local[2]``, dedup.

The corpus is N articles of about 3,000 characters synthesised by recombining the
sentences of the English training articles in ../shared/data (seeded; written to a
temporary folder, never committed). Each measure is a fresh CLI process, model loading
included; peak RSS is the whole process tree (workers, Spark's JVM and Python workers).

    python -m benchmarks.batch [--docs 10000] [--small 1000] [--runs 3]

The large corpus runs once per mode (it takes tens of minutes); the small one ``--runs``
times, for medians, and for the memory check (peak RSS at ``--small`` vs ``--docs``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import tempfile
from pathlib import Path

from benchmarks.common import DATA, RESULTS, console, median, table, write_result
from benchmarks.speed import run

CC_NEWS_PER_DAY = (300_000, 500_000)


def build_corpus(path: Path, n_docs: int, seed: int = 7, chars: int = 3000) -> float:
    """JSONL of ``n_docs`` articles, each a headline and sentences from three random training articles."""
    from narrascope.text.sentences import split_sentences

    raw = DATA / "semeval2025_t10" / "train" / "EN" / "raw-documents"
    articles = []
    for file in sorted(raw.glob("*.txt")):
        text = file.read_text(encoding="utf-8")
        sentences = [text[s:e] for s, e in split_sentences(text)]
        if len(sentences) >= 4:
            articles.append(sentences)
    if not articles:
        raise SystemExit(f"no training articles in {raw}; this benchmark needs ../shared/data")
    rng = random.Random(seed)
    lengths = []
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n_docs):
            sources = rng.sample(articles, 3)
            title = sources[0][0]
            body: list[str] = []
            size = 0
            for sentences in sources:
                start = rng.randrange(max(1, len(sentences) - 8))
                for sentence in sentences[start:start + 12]:
                    if size + len(sentence) > chars:
                        break
                    body.append(sentence)
                    size += len(sentence) + 1
            text = " ".join(body)
            lengths.append(len(title) + len(text))
            fh.write(json.dumps({"id": f"doc{i:05d}", "title": title, "text": text,
                                 "date": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}"}, ensure_ascii=False) + "\n")
    return sum(lengths) / len(lengths)


def modes(corpus: Path, out: Path) -> dict[str, list[str]]:
    return {
        "analyze, one process": ["analyze", str(corpus), "--workers", "1", "--quiet", "--json", str(out / "a.jsonl")],
        "batch --workers 2": ["batch", str(corpus), "--out", str(out / "b.parquet"), "--workers", "2", "--no-dedup"],
        "spark local[2]": ["spark", str(corpus), str(out / "s.parquet"), "--master", "local[2]", "--overwrite"],
        "dedup, MinHash only": ["dedup", str(corpus), "--out", str(out / "d.parquet"), "--no-embeddings"],
        "dedup, MinHash + embeddings": ["dedup", str(corpus), "--out", str(out / "e.parquet"), "--threads", "2"],
    }


def measure(corpus: Path, n_docs: int, runs: int, out: Path, only: list[str]) -> dict:
    results = {}
    for name, args in modes(corpus, out).items():
        if only and name not in only:
            continue
        rates, peaks = [], []
        for i in range(runs):
            for old in out.glob("b.parquet*"):  # batch would resume a finished output
                shutil.rmtree(old) if old.is_dir() else old.unlink()
            wall, _pss, peak, _cpu = run(args)  # resident sets summed, as this benchmark has always reported
            rates.append(n_docs / wall)
            peaks.append(peak)
            console.print(f"{n_docs} docs, {name}, run {i + 1}: {rates[-1]:.2f} docs/s, peak RSS {peak:.0f} MB")
        results[name] = {"docs_per_s_median": round(median(rates), 2), "docs_per_s_runs": [round(r, 2) for r in rates],
                         "peak_rss_mb_median": round(median(peaks)), "peak_rss_mb_runs": [round(p) for p in peaks]}
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="Re-measure these modes (comma-separated names, as in the "
                        "table) and keep the others from benchmarks/results/batch.json.")
    args = parser.parse_args()
    only = [name.strip() for name in args.only.split(",") if name.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        out = tmp_path / "out"
        out.mkdir()
        small_corpus, large_corpus = tmp_path / "small.jsonl", tmp_path / "large.jsonl"
        mean_chars = build_corpus(large_corpus, args.docs)
        build_corpus(small_corpus, args.small)
        small = measure(small_corpus, args.small, args.runs, out, only)
        large = measure(large_corpus, args.docs, 1, out, only)
    if only:  # the other modes from the last full run
        previous = json.loads((RESULTS / "batch.json").read_text(encoding="utf-8"))
        small = {**previous["small"], **small}
        large = {**previous["large"], **large}
    single = large["analyze, one process"]["docs_per_s_median"]
    batch2 = large["batch --workers 2"]["docs_per_s_median"]
    spark = large["spark local[2]"]["docs_per_s_median"]
    rss_small = small["batch --workers 2"]["peak_rss_mb_median"]
    rss_large = large["batch --workers 2"]["peak_rss_mb_median"]
    per_core = spark / 2
    scaling = {f"{n} executors x 4 cores": round(CC_NEWS_PER_DAY[1] / (per_core * n * 4) / 3600, 2)
               for n in (1, 4, 16)}
    derived = {
        "batch2_over_single": round(batch2 / single, 2), "spark_over_batch2": round(spark / batch2, 2),
        "rss_change_pct": round(100 * (rss_large / rss_small - 1), 1), "spark_per_core_docs_per_s": round(per_core, 2),
        "cc_news_hours_for_500k_docs": scaling,
    }
    rows = []
    for name in small:
        rows.append([name, small[name]["docs_per_s_median"], large[name]["docs_per_s_median"],
                     small[name]["peak_rss_mb_median"], large[name]["peak_rss_mb_median"]])
    table(f"throughput on {os.cpu_count()} cores, ~{mean_chars:.0f}-char articles (small: median of {args.runs} runs)",
          ["measure", f"docs/s, {args.small}", f"docs/s, {args.docs}", f"peak MB, {args.small}",
           f"peak MB, {args.docs}"], rows)
    table("bars", ["measure", "value", "bar"], [
        ["batch --workers 2 / one process", derived["batch2_over_single"], "≥ 1.7"],
        ["spark local[2] / batch --workers 2", derived["spark_over_batch2"], "≥ 0.8"],
        ["dedup docs/s (MinHash)", large["dedup, MinHash only"]["docs_per_s_median"], "≥ 1000"],
        [f"peak RSS change {args.small} -> {args.docs} docs (%)", derived["rss_change_pct"], "±10"],
    ] + [[f"hours for 500k articles, {k}", v, ""] for k, v in scaling.items()])
    write_result("batch", {"docs": args.docs, "small_docs": args.small, "runs_small": args.runs,
                           "mean_chars": round(mean_chars), "small": small, "large": large, **derived,
                           "bars": {"batch2_over_single": 1.7, "spark_over_batch2": 0.8, "dedup_docs_per_s": 1000,
                                    "rss_change_pct": 10}})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
