"""From label probabilities to a consistent narrative / sub-narrative label set."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from narrascope.schema.document import TIE_TOLERANCE
from narrascope.schema.taxonomy import OTHER


def best_first(scores: ArrayLike, tolerance: float = TIE_TOLERANCE) -> NDArray[np.intp]:
    """Indices of ``scores`` from the highest to the lowest, a score within ``tolerance`` (relative, or
    absolute below 1) of the next one up counting as tied with it: tied scores keep their order (text
    order). A sentence an article repeats scores the same in both places up to float rounding, which
    depends on the batch it was encoded in: without this, the batch size or the CPU would decide which
    copy is quoted first. Ties chain, so the first index may score a hair (under ``tolerance`` a step)
    below the maximum; NaN scores come last, each on its own."""
    scores = np.asarray(scores, np.float64).ravel()
    if len(scores) < 2:  # most entities have one mention: nothing to order
        return np.arange(len(scores), dtype=np.intp)
    order = np.argsort(-scores, kind="stable")
    ranked = scores[order]
    with np.errstate(invalid="ignore"):  # inf - inf
        tied = -np.diff(ranked) <= tolerance * np.maximum(np.abs(ranked[:-1]), 1.0)
    group = np.concatenate([np.zeros(min(1, len(order)), np.int64), np.cumsum(~tied)])
    return order[np.lexsort((order, group))]


@dataclass(frozen=True)
class HierarchyDecoder:
    """Thresholds plus the taxonomy structure: always yields a consistent hierarchy.

    A narrative is output when its probability passes ``coarse_threshold`` and
    ``Other`` is not the single most probable coarse label; each output narrative
    gets the sub-narratives of its own that pass ``fine_threshold`` or, if none
    does, ``"<narrative>: Other"``. Nothing passing means ``Other`` / ``Other``.
    """

    coarse_labels: tuple[str, ...]
    fine_labels: tuple[str, ...]
    parents: tuple[str, ...]  # parent narrative of each fine label
    coarse_threshold: float = 0.5
    fine_threshold: float = 0.5
    max_narratives: int = 6

    def decode(self, p_coarse: np.ndarray, p_fine: np.ndarray) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        """One document: ``([(narrative, p)], [(sub-narrative, p)])``."""
        coarse = dict(zip(self.coarse_labels, map(float, p_coarse), strict=True))
        p_other = coarse.pop(OTHER, 0.0)
        ranked = sorted(coarse.items(), key=lambda kv: -kv[1])
        chosen = [(n, p) for n, p in ranked if p >= self.coarse_threshold][: self.max_narratives]
        if not chosen or (ranked and p_other > ranked[0][1]):
            return [(OTHER, max(p_other, 1.0 - (ranked[0][1] if ranked else 0.0)))], [(OTHER, p_other)]
        fine_out: list[tuple[str, float]] = []
        for narrative, p_n in chosen:
            children = [
                (f, float(p)) for f, parent, p in zip(self.fine_labels, self.parents, p_fine, strict=True)
                if parent == narrative and not f.endswith(": " + OTHER)
            ]
            passing = sorted([c for c in children if c[1] >= self.fine_threshold], key=lambda kv: -kv[1])
            if passing:
                fine_out.extend(passing)
            else:
                other_name = f"{narrative}: {OTHER}"
                p_other_child = next(
                    (float(p) for f, p in zip(self.fine_labels, p_fine, strict=True) if f == other_name), p_n
                )
                fine_out.append((other_name, p_other_child))
        return chosen, fine_out

    def decode_many(self, P_coarse: np.ndarray, P_fine: np.ndarray) -> list[tuple[list[str], list[str]]]:
        out = []
        for pc, pf in zip(P_coarse, P_fine, strict=True):
            narr, sub = self.decode(pc, pf)
            out.append(([n for n, _ in narr], [s for s, _ in sub]))
        return out
