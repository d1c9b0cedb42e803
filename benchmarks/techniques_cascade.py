"""Which cascade to ship: the fine-tuned technique encoder's band, weight and threshold, chosen on held-out splits.

Reads the probabilities ``benchmarks.techniques_encoder --keep FOLDER`` kept (the heads' and the int8
encoder's on each split's English test paragraphs; no fine-tuning here, seconds to run). For each
story-cluster fold held out in turn, the cascade (``Cascade``: the band [low, high) of unsure head
probabilities, the encoder's weight in the mix) that scores best in micro-F1 over the other story folds'
paragraphs is chosen from a grid and scored on the held-out fold: a nested estimate, no number chosen
on what it is scored on. opinion -> reporting is scored with the cascade chosen on all the story folds.
Also shown: the shipped ``Cascade()``, and the earlier rule that decided the unsure paragraphs by a
threshold on the mix (0.3) instead of keeping the heads' count of techniques per article.

    python -m benchmarks.techniques_cascade FOLDER

Writes benchmarks/results/techniques_cascade.json.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import numpy as np

from benchmarks.common import console, table, write_result
from benchmarks.techniques_shift import micro

HEADS_THRESHOLD = 0.45  # the shipped heads' threshold (persuasion meta.json)
GRID = {"low": (0.2, 0.25, 0.3, 0.35), "high": (0.6, 0.7, 1.01), "weight": (0.3, 0.5, 0.7)}


def cascade_labels(cascade, P: np.ndarray, F: np.ndarray, article: np.ndarray) -> np.ndarray:
    """The techniques ``cascade`` decides for paragraphs of several articles (``F``: the encoder's
    probabilities for every paragraph; each article gets those of the paragraphs it reads)."""
    out = np.zeros(P.shape, dtype=bool)
    for a in np.unique(article):
        rows = np.flatnonzero(article == a)
        unsure = np.flatnonzero(cascade.unsure(P[rows]))
        out[rows] = cascade.decide(P[rows], F[rows][unsure], unsure, HEADS_THRESHOLD)[1]
    return out


def threshold_rule(P: np.ndarray, F: np.ndarray, low: float = 0.3, high: float = 0.6, weight: float = 0.5,
                   threshold: float = 0.3) -> np.ndarray:
    """The earlier rule (session 38): on the unsure paragraphs the mix decides at ``threshold``."""
    from narrascope.persuasion.encoder import Cascade

    unsure = Cascade(low, high).unsure(P)
    out = P >= HEADS_THRESHOLD
    out[unsure] = (1 - weight) * P[unsure] + weight * F[unsure] >= threshold
    return out


def decide(split: dict, low: float, high: float, weight: float) -> np.ndarray:
    from narrascope.persuasion.encoder import Cascade

    return cascade_labels(Cascade(low, high, weight), split["P"], split["F"], split["article"])


def pooled_f1(splits: list[dict], params: dict) -> float:
    tp = n_pred = n_gold = 0.0
    for split in splits:
        pred = decide(split, **params)
        tp += float((split["Y"] & pred).sum())
        n_pred += float(pred.sum())
        n_gold += float(split["Y"].sum())
    return 2 * tp / max(n_pred + n_gold, 1.0)


def best(splits: list[dict]) -> dict:
    candidates = [dict(zip(GRID, values, strict=True)) for values in itertools.product(*GRID.values())]
    return max(candidates, key=lambda params: pooled_f1(splits, params))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", help="the --keep folder of benchmarks.techniques_encoder")
    args = parser.parse_args()
    from narrascope.persuasion.encoder import Cascade

    splits = {}
    for path in sorted(Path(args.folder).glob("*.npz")):
        data = np.load(path)
        splits[path.stem.replace("_", " ")] = {"Y": data["Y"].astype(bool), "P": data["P"],
                                               "F": data["int8_stored_int8_run"], "article": data["article"]}
    story = [name for name in splits if name.startswith("story")]
    shipped = Cascade().__dict__
    result, rows = {}, []
    for name, split in splits.items():
        others = [splits[s] for s in story if s != name]
        chosen = best(others)
        scores = {"heads alone": micro(split["Y"], split["P"] >= HEADS_THRESHOLD),
                  "shipped cascade": micro(split["Y"], decide(split, **shipped)),
                  "earlier rule: the mix at 0.3 on unsure paragraphs": micro(split["Y"],
                                                                              threshold_rule(split["P"], split["F"])),
                  "cascade chosen on the other story folds": micro(split["Y"], decide(split, **chosen))}
        result[name] = {"chosen": chosen, "scores": scores}
        for rule, s in scores.items():
            rows.append([name, rule, s["micro_f1"], round(s["micro_f1"] - scores["heads alone"]["micro_f1"], 4),
                         s["precision"], s["recall"], s["per_paragraph"],
                         " ".join(f"{v}" for v in chosen.values()) if rule.startswith("cascade chosen") else ""])
    on_all = best([splits[s] for s in story])
    table("Cascades on held-out splits, English paragraphs (chosen: low high weight)",
          ["split", "rule", "micro-F1", "vs heads", "precision", "recall", "predicted / paragraph", "chosen"], rows)
    console.print(f"chosen on every story fold: {on_all}")
    write_result("techniques_cascade", {"grid": GRID, "shipped": shipped, "chosen_on_all_story_folds": on_all,
                                        "splits": result})


if __name__ == "__main__":
    main()
