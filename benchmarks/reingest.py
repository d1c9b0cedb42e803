"""Re-ingesting unchanged articles: `narrascope ingest` run twice on the same folder.

The second run finds every article's text already stored (by its content hash) and neither
analyses it nor loads a model. Each measure is a fresh CLI process into a fresh DuckDB file,
model loading included; median of 3 runs.

    python -m benchmarks.reingest [--articles 180]

Writes benchmarks/results/reingest.json.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import DATA, median, table, write_result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=180)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    source = sorted((DATA / "semeval2025_t10" / "train" / "EN" / "raw-documents").glob("*.txt"))[:args.articles]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    first, again = [], []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        for path in source:
            shutil.copy(path, folder / path.name)
        for run in range(args.runs):
            db = Path(tmp) / f"corpus-{run}.duckdb"
            command = [sys.executable, "-m", "narrascope", "ingest", str(folder), "--db", str(db)]
            for times in (first, again):
                start = time.time()
                subprocess.run(command, check=True, env=env, capture_output=True)
                times.append(time.time() - start)
    speedup = median(first) / median(again)
    table(f"ingest of {len(source)} English articles, then again unchanged (s, median of {args.runs})",
          ["measure", "first ingest", "re-ingest", "speed-up"],
          [["wall s", round(median(first), 2), round(median(again), 2), f"{speedup:.1f}x"]])
    write_result("reingest", {"articles": len(source), "first_s": [round(t, 2) for t in first],
                              "again_s": [round(t, 2) for t in again], "speedup_median": round(speedup, 2)})


if __name__ == "__main__":
    main()
