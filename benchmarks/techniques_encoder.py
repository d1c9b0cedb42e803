"""The fine-tuned technique encoder (the ``accurate`` extra) on shift-aware splits: what its cascade adds.

For each split (the five story-cluster folds of ``benchmarks.techniques_shift``, and opinion -> reporting),
the shipped recipe fitted on the training articles only:

* the technique heads (all six SemEval-2023 T3 languages, lexical + semantic, as shipped);
* the encoder, fine-tuned on the training articles' English paragraphs (``EncoderTrainingConfig``),
  saved and loaded back as shipped (int8 weights; run in int8 and in float32).

Scored on the test articles' English paragraphs, micro-F1 (the official subtask-3 measure), precision,
recall, predicted techniques per paragraph, of: the heads alone (the shipped threshold); the cascade
(``Cascade``: the encoder reads the paragraphs where some technique's head probability is in
[0.3, 0.6), the mean of the two replaces the heads' there, and each article keeps the heads' count of
techniques, the most probable after the mix), with the share of paragraphs it reads; the mean over
every paragraph at 0.3; the encoder alone at 0.5. ``benchmarks.techniques_cascade`` chooses the
cascade's numbers on held-out folds from the probabilities ``--keep`` saves; ``--rescore`` scores
them again from there, without fine-tuning.

    python -m benchmarks.techniques_encoder                  # every split, about an hour on 2 cores
    python -m benchmarks.techniques_encoder --splits 3,5     # some of them

Needs ``pip install torch==2.13.0 'narrascope[accurate]'``. Results of each split are merged into
benchmarks/results/techniques_encoder.json as it finishes.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from benchmarks.common import RESULTS, console, table, write_result
from benchmarks.techniques_cascade import HEADS_THRESHOLD, cascade_labels
from benchmarks.techniques_shift import MIX, micro, shift_splits

NAME = "techniques_encoder"
KINDS = ("float32 in memory", "int8 stored, int8 run", "int8 stored, float32 run")


def key(text: str) -> str:
    """A split's or a kind's name as a file or array name."""
    return text.replace(" ", "_").replace(",", "")


def score(Y: np.ndarray, P: np.ndarray, F: dict[str, np.ndarray], article: np.ndarray) -> tuple[dict, float]:
    """Every rule's scores on one split's English test paragraphs, and the share of them the cascade reads."""
    from narrascope.persuasion.encoder import Cascade

    cascade = Cascade()
    scores: dict[str, dict] = {"heads alone": micro(Y, P >= HEADS_THRESHOLD)}
    for kind, probs in F.items():
        scores[f"cascade ({kind})"] = micro(Y, cascade_labels(cascade, P, probs, article))
    shipped = F["int8 stored, int8 run"]
    scores["mean on every paragraph @0.3"] = micro(Y, 0.5 * P + 0.5 * shipped >= 0.3)
    scores["encoder alone @0.5"] = micro(Y, shipped >= 0.5)
    return scores, round(float(cascade.unsure(P).mean()) if len(P) else 0.0, 3)


def rescore(folder: Path, result: dict) -> None:
    """Score again every split kept in ``folder`` (``--keep``), with today's rules."""
    for path in sorted(folder.glob("*.npz")):
        data = np.load(path)
        name = next((n for n in result if key(n) == path.stem), path.stem.replace("_", " "))
        scores, share = score(data["Y"].astype(bool), data["P"], {k: data[key(k)] for k in KINDS}, data["article"])
        result[name] = {**result.get(name, {}), "share_read": share, "scores": scores}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--splits", default="1,2,3,4,5,opinion",
                        help="comma-separated: story-cluster fold numbers 1-5 and/or 'opinion'")
    parser.add_argument("--keep", default="", help="a folder to keep each split's probabilities in (npz), to "
                                                   "study other cascades without fine-tuning again")
    parser.add_argument("--rescore", default="", help="a --keep folder: score its splits again, fine-tune nothing")
    args = parser.parse_args()
    from narrascope.persuasion.encoder import Cascade, EncoderTrainingConfig

    path = RESULTS / f"{NAME}.json"
    result = json.loads(path.read_text(encoding="utf-8")).get("splits", {}) if path.is_file() else {}
    if args.rescore:
        rescore(Path(args.rescore), result)
        write_result(NAME, {"cascade": asdict(Cascade()), "encoder_config": asdict(EncoderTrainingConfig()),
                            "splits": result})
        return show(result)
    from narrascope.persuasion.encoder import TechniqueEncoder
    from narrascope.training.persuasion import fit_paragraph_heads, paragraph_probabilities
    from narrascope.training.persuasion_data import PersuasionTrainingConfig
    from narrascope.training.technique_encoder import fit_encoder

    config, encoder_config = PersuasionTrainingConfig(), EncoderTrainingConfig()
    data, every_split = shift_splits(config)
    names = {"opinion": "opinion -> reporting", **{str(k): f"story clusters, fold {k}" for k in range(1, 6)}}
    splits = {names[chosen.strip()]: every_split[names[chosen.strip()]] for chosen in args.splits.split(",")}
    english = data.language == "en"
    Y = data.Y.astype(bool)
    for name, (train_mask, test_mask) in splits.items():
        started = time.time()
        console.print(f"[bold]{name}[/]: fitting the technique heads")
        train, test = np.where(train_mask)[0], np.where(test_mask & english)[0]
        featurizer, lexical, semantic = fit_paragraph_heads(data, train, config)
        p_lex, p_sem = paragraph_probabilities(featurizer, lexical, semantic, data, test, config.lexical_languages)
        P = ((1 - MIX) * p_lex + MIX * p_sem).astype(np.float32)
        fit_rows = np.where(train_mask & english)[0]
        encoder = fit_encoder([data.texts[i] for i in fit_rows], data.Y[fit_rows].astype(np.float32), encoder_config,
                              console, f"fine-tuning on {len(fit_rows)} paragraphs")
        texts = [data.texts[i] for i in test]
        with tempfile.TemporaryDirectory() as folder:
            encoder.to_disk(folder)
            F = {"float32 in memory": encoder.predict_proba(texts),
                 "int8 stored, int8 run": TechniqueEncoder.from_disk(folder, threads=2).predict_proba(texts),
                 "int8 stored, float32 run": TechniqueEncoder.from_disk(folder, threads=2,
                                                                        quantize=False).predict_proba(texts)}
        if args.keep:
            Path(args.keep).mkdir(parents=True, exist_ok=True)
            np.savez_compressed(Path(args.keep) / f"{key(name)}.npz", Y=Y[test], P=P, article=data.article[test],
                                **{key(k): v for k, v in F.items()})
        scores, share = score(Y[test], P, F, data.article[test])
        result[name] = {"train_paragraphs_en": len(fit_rows), "test_paragraphs_en": len(test), "share_read": share,
                        "seconds": round(time.time() - started), "scores": scores}
        write_result(NAME, {"cascade": asdict(Cascade()), "encoder_config": asdict(encoder_config),
                            "splits": result})
    show(result)


def show(result: dict) -> None:
    rows = []
    for name, entry in result.items():
        base = entry["scores"]["heads alone"]["micro_f1"]
        for rule, s in entry["scores"].items():
            rows.append([name, rule, s["micro_f1"], round(s["micro_f1"] - base, 4), s["precision"], s["recall"],
                         s["per_paragraph"], entry["share_read"] if rule.startswith("cascade") else ""])
    table("Techniques with the fine-tuned encoder, English paragraphs of the test articles",
          ["split", "rule", "micro-F1", "vs heads", "precision", "recall", "predicted / paragraph", "share read"], rows)


if __name__ == "__main__":
    main()
