"""Helpers shared by the benchmarks: data location, result tables and JSON output."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("NARRASCOPE_DATA", ROOT.parent / "shared" / "data"))
RESULTS = ROOT / "benchmarks" / "results"
# wide enough for the result tables when the output goes to a file or a pipe
console = Console() if sys.stdout.isatty() else Console(width=160)


def machine() -> dict:
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}


def write_result(name: str, payload: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"benchmark": name, "when": time.strftime("%Y-%m-%dT%H:%M:%S"), "machine": machine(), **payload}
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False), encoding="utf-8")
    console.print(f"results written to {path}")
    return path


def table(title: str, columns: list[str], rows: list[list]) -> None:
    t = Table(title=title)
    for col in columns:
        t.add_column(col, justify="right" if col not in ("language", "measure") else "left")
    for row in rows:
        t.add_row(*[f"{v:.3f}" if isinstance(v, float) else str(v) for v in row])
    console.print(t)


def median(values: list[float]) -> float:
    return float(statistics.median(values))
