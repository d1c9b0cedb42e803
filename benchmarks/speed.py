"""End-to-end speed of ``narrascope analyze``: docs/s, cold start and peak RSS (median of runs).

The corpus is 200 articles of about 3,000 characters built from the training
articles in ../shared/data (never committed); without it, from the bundled
examples. Each run is a fresh ``narrascope analyze DIR --json ... --quiet``
process, so model loading is included.

    python -m benchmarks.speed [--docs 200] [--runs 3]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import DATA, ROOT, console, median, table, write_result


def build_corpus(folder: Path, n_docs: int, chars: int = 3000) -> float:
    sources = sorted((DATA / "semeval2025_t10" / "train").glob("*/raw-documents/*.txt"))
    if not sources:
        sources = sorted((ROOT / "examples").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in sources]
    lengths = []
    for i in range(n_docs):
        text = texts[(i * 7) % len(texts)]
        j = 1
        while len(text) < chars:  # pad short articles with another article's body
            text += "\n" + texts[(i * 7 + j) % len(texts)]
            j += 1
        cut = text.rfind(" ", 0, chars)
        text = text[: cut if cut > 0 else chars]
        lengths.append(len(text))
        (folder / f"doc{i:04d}.txt").write_text(text, encoding="utf-8")
    return sum(lengths) / len(lengths)


def run(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one CLI process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "narrascope", *args], check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        mean_chars = build_corpus(corpus, args.docs)
        one = corpus / "doc0000.txt"
        cold, batch, rss = [], [], []
        for i in range(args.runs):
            wall, _ = run(["analyze", str(one), "--quiet"])
            cold.append(wall)
            wall, peak = run(["analyze", str(corpus), "--json", str(Path(tmp) / "out.jsonl"), "--quiet"])
            batch.append(wall)
            rss.append(peak)
            console.print(f"run {i + 1}: cold start {cold[-1]:.2f}s, {args.docs} docs in {wall:.1f}s")
    docs_per_s = [args.docs / w for w in batch]
    result = {
        "docs": args.docs, "mean_chars": round(mean_chars), "runs": args.runs,
        "docs_per_s_median": round(median(docs_per_s), 2), "docs_per_s_runs": [round(x, 2) for x in docs_per_s],
        "cold_start_s_median": round(median(cold), 2), "cold_start_s_runs": [round(x, 2) for x in cold],
        "peak_rss_mb_max": round(max(rss)),
        "bars": {"docs_per_s": 20, "cold_start_s": 5, "peak_rss_mb": 1536},
    }
    table("analyze: end-to-end speed (median of runs, model loading included)", ["measure", "value", "bar"], [
        ["docs/s", result["docs_per_s_median"], "≥ 20"],
        ["cold start, one file (s)", result["cold_start_s_median"], "≤ 5"],
        ["peak RSS (MB)", result["peak_rss_mb_max"], "≤ 1536"],
    ])
    write_result("speed", result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
