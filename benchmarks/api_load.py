"""Load test of the REST API: concurrent clients posting ~3,000-character articles to /analyze.

Starts `narrascope serve --workers N` on loopback in its own process (fresh corpus file),
warms it up, then runs N client threads for D seconds, each posting one article after
another; reports requests/s, p50/p99 latency and errors, and writes JSON.

    python -m benchmarks.api_load [--seconds 60] [--clients 4] [--workers 2] [--runs 3]
    python -m benchmarks.api_load --rate 80 --seconds 10     # open loop: 80 requests/s offered

With ``--rate``, requests are sent at that rate whatever the answers (an open loop, as a crowd of
users would), each in its own thread: every request must be answered, 200 or 503/429 (shed), none
may time out, and the 200s' p99 must stay under 2 s.
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from benchmarks.common import ROOT, console, table, write_result

BARS = {"requests_per_second": 15.0, "p99_seconds": 1.5}
TARGET_CHARS = 3000


def articles(n: int, seed: int = 0) -> list[str]:
    """``n`` articles of ~3,000 characters recombined from the sentences of the bundled examples."""
    import re

    sentences = []
    for path in sorted((ROOT / "examples").glob("*.txt")):
        body = path.read_text(encoding="utf-8").split("\n", 1)[-1]
        sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+", body) if len(s.split()) > 4]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        text, title = [], f"Report {i}: " + rng.choice(sentences)[:60]
        while sum(len(s) + 1 for s in text) < TARGET_CHARS:
            text.append(rng.choice(sentences))
        out.append(title + "\n\n" + " ".join(text))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url: str, text: str, timeout: float = 30.0) -> int:
    request = urllib.request.Request(url, data=json.dumps({"text": text}).encode(),
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        response.read()
        return response.status


def load(url: str, texts: list[str], clients: int, seconds: float, seed: int) -> dict:
    """``clients`` threads posting articles for ``seconds``: throughput and latency percentiles."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.time() + seconds

    def client(k: int) -> None:
        rng = random.Random(seed * 100 + k)
        while time.time() < stop:
            text = rng.choice(texts)
            start = time.perf_counter()
            try:
                ok, status = post(url, text) == 200, ""
            except OSError as exc:
                ok, status = False, str(exc)
            with lock:
                (latencies.append(time.perf_counter() - start) if ok else errors.append(status))

    started = time.time()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.time() - started
    latencies.sort()
    return {"seconds": round(elapsed, 1), "requests": len(latencies), "error_list": errors,
            "requests_per_second": round(len(latencies) / elapsed, 2),
            "p50_seconds": round(latencies[len(latencies) // 2], 3) if latencies else float("inf"),
            "p99_seconds": round(latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))], 3)
            if latencies else float("inf")}


OPEN_LOOP_BARS = {"timeouts": 0, "p99_seconds": 2.0}


def open_loop(url: str, texts: list[str], rate: float, seconds: float, seed: int, timeout: float = 30.0) -> dict:
    """``rate`` requests per second for ``seconds``, each sent on time whatever the others' fate: how many
    were answered 200, shed (503/429) or not answered (timeouts, errors), and the 200s' latencies."""
    import urllib.error

    rng = random.Random(seed)
    outcomes: list[tuple[str, float]] = []
    lock = threading.Lock()

    def one(text: str) -> None:
        start = time.perf_counter()
        try:
            kind = "ok" if post(url, text, timeout) == 200 else "other"
        except urllib.error.HTTPError as exc:
            kind = "shed" if exc.code in (429, 503) else f"http {exc.code}"
        except OSError as exc:
            kind = "timeout" if "timed out" in str(exc) else f"error: {exc}"
        with lock:
            outcomes.append((kind, time.perf_counter() - start))

    threads = []
    begin = time.perf_counter()
    for i in range(int(rate * seconds)):
        delay = begin + i / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        thread = threading.Thread(target=one, args=(rng.choice(texts),))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    ok = sorted(t for kind, t in outcomes if kind == "ok")
    kinds = [kind for kind, _ in outcomes]
    return {"offered_per_second": rate, "seconds": seconds, "sent": len(outcomes), "answered_200": len(ok),
            "shed_503_429": kinds.count("shed"), "timeouts": kinds.count("timeout"),
            "other_errors": len(kinds) - len(ok) - kinds.count("shed") - kinds.count("timeout"),
            "served_per_second": round(len(ok) / seconds, 2),
            "p50_seconds": round(ok[len(ok) // 2], 3) if ok else None,
            "p99_seconds": round(ok[min(len(ok) - 1, int(0.99 * len(ok)))], 3) if ok else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="server analysis processes")
    parser.add_argument("--runs", type=int, default=3, help="load runs against the same server (medians)")
    parser.add_argument("--rate", type=float, default=0.0, help="open loop: requests per second offered")
    args = parser.parse_args()
    port = free_port()
    db = Path(tempfile.mkdtemp()) / "corpus.duckdb"
    server = subprocess.Popen([sys.executable, "-m", "narrascope", "serve", "--db", str(db), "--port", str(port),
                               "--workers", str(args.workers)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/analyze"
    texts = articles(200)
    try:
        deadline = time.time() + 120
        while True:
            try:
                post(url, texts[0])
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    console.print(f"[red]the server did not start[/]: {server.stderr.read().decode()[-2000:]}")
                    return 2
                time.sleep(0.5)
        for text in texts[1:9]:  # warm-up: every worker loads and runs its model once
            post(url, text)
        if args.rate:
            runs = [open_loop(url, texts, args.rate, args.seconds, seed) for seed in range(args.runs)]
        else:
            runs = [load(url, texts, args.clients, args.seconds, seed) for seed in range(args.runs)]
    finally:
        server.terminate()
        server.wait(30)
    if args.rate:
        return report_open_loop(runs, args)
    errors = [e for r in runs for e in r.pop("error_list")]
    result = {"clients": args.clients, "server_workers": args.workers, "runs": args.runs,
              "seconds_per_run": args.seconds, "article_chars": round(statistics.mean(len(t) for t in texts)),
              "requests": sum(r["requests"] for r in runs), "errors": len(errors)}
    for key in ("requests_per_second", "p50_seconds", "p99_seconds"):
        result[key] = statistics.median(r[key] for r in runs)
    result["per_run"] = runs
    table(f"POST /analyze, {args.clients} clients, {args.workers} analysis process(es), median of {args.runs} "
          f"x {args.seconds:.0f} s", ["measure", "value"], [[k, v] for k, v in result.items() if k != "per_run"])
    failures = []
    if result["requests_per_second"] < BARS["requests_per_second"]:
        failures.append(f"throughput {result['requests_per_second']} < {BARS['requests_per_second']} req/s")
    if result["p99_seconds"] >= BARS["p99_seconds"]:
        failures.append(f"p99 {result['p99_seconds']} s >= {BARS['p99_seconds']} s")
    if errors:
        failures.append(f"{len(errors)} errors (first: {errors[0]})")
    write_result("api_load", {**result, "bars": BARS, "failures": failures})
    for failure in failures:
        console.print(f"[red]bar not met[/]: {failure}")
    return 1 if failures else 0



def report_open_loop(runs: list[dict], args: argparse.Namespace) -> int:
    """Print and write the open-loop runs; 1 when a bar is missed (a timeout, or p99 of the 200s over 2 s)."""
    rows = [[k, r[k]] for r in runs for k in r] if len(runs) == 1 else \
        [[f"run {i + 1}: {k}", r[k]] for i, r in enumerate(runs) for k in r]
    table(f"POST /analyze, open loop at {args.rate:g} requests/s for {args.seconds:g} s, {args.workers} analysis "
          "process(es)", ["measure", "value"], rows)
    write_result("api_open_loop", {"server_workers": args.workers, "runs": runs, "bars": OPEN_LOOP_BARS})
    missed = [r for r in runs if r["timeouts"] > OPEN_LOOP_BARS["timeouts"] or r["other_errors"]
              or (r["p99_seconds"] or 0) > OPEN_LOOP_BARS["p99_seconds"]]
    return 1 if missed else 0

if __name__ == "__main__":
    raise SystemExit(main())
