"""Comparing analyses made in different processes: equal, but floats only up to float32 rounding.

A worker encodes mention names in other batches than one process does (its cache of names seen differs),
and OpenBLAS on some CPUs (AMD EPYC here) rounds a row's product differently with the batch's size: scores
then move in the seventh digit while every label and span stays the same.
"""

from __future__ import annotations

import math
from typing import Any


def same_analysis(a: Any, b: Any, path: str = "") -> list[str]:
    """Where ``a`` and ``b`` (JSON-like) differ beyond float rounding (relative 1e-5): empty when they do not."""
    if isinstance(a, float) or isinstance(b, float):
        ok = isinstance(a, (int, float)) and isinstance(b, (int, float)) and math.isclose(a, b, rel_tol=1e-5,
                                                                                          abs_tol=1e-6)
        return [] if ok else [f"{path}: {a!r} != {b!r}"]
    if type(a) is not type(b):
        return [f"{path}: {type(a).__name__} != {type(b).__name__}"]
    if isinstance(a, dict):
        if a.keys() != b.keys():
            return [f"{path}: keys {sorted(a.keys() ^ b.keys())}"]
        return [d for k in a for d in same_analysis(a[k], b[k], f"{path}/{k}")]
    if isinstance(a, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} != {len(b)} items"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in same_analysis(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]
