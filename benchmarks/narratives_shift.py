"""Narratives on shift-aware splits: which thresholds hold on news the model was not trained on.

Out-of-fold probabilities of the narrative heads on SemEval-2025 T10 train (five languages
pooled, exact copies removed) under three splits: random stratified folds (what
`narrascope train` used until now), story-cluster folds within each language (the
articles' words clustered: no story on both sides), and leave-one-language-out.
For thresholds tuned on each split, coarse / fine samples-F1 per language on every split
(the official measure), with the predicted and gold share of "Other".

    python -m benchmarks.narratives_shift

About 12 minutes on 2 cores. Writes benchmarks/results/narratives_shift.json.
"""

from __future__ import annotations

import numpy as np

from benchmarks.common import DATA, console, table, write_result
from narrascope.resources import SEMEVAL_LANGUAGES as LANGUAGES


def main() -> None:
    from narrascope.heads.decision import HierarchyDecoder
    from narrascope.schema.taxonomy import OTHER, Taxonomy
    from narrascope.training.data import load_narrative_dataset
    from narrascope.training.narratives import (
        NarrativeTrainingConfig,
        fit_heads,
        folds,
        label_space,
        predict_proba,
        score,
        topic_split,
        tune_thresholds,
    )
    from narrascope.training.prepare import preprocess
    from narrascope.training.splits import language_folds

    taxonomy = Taxonomy.default()
    config = NarrativeTrainingConfig()
    dataset = load_narrative_dataset(DATA / "semeval2025_t10" / "train", LANGUAGES)
    data = preprocess(dataset.examples, "usem3", console)
    coarse, fine, parents = label_space(taxonomy)
    language_fold, _ = language_folds(list(data.languages))
    splits = {
        "random": folds(data, 3, config.seed),
        "topic": topic_split(data, 5, config.seed),
        "language": [(np.where(language_fold != k)[0], np.where(language_fold == k)[0])
                     for k in np.unique(language_fold)],
    }
    oof = {}
    for name, pairs in splits.items():
        Pc, Pf = np.zeros((len(data.gold), len(coarse))), np.zeros((len(data.gold), len(fine)))
        for k, (train, test) in enumerate(pairs):
            console.print(f"{name} split: fold {k + 1}/{len(pairs)}")
            model = fit_heads(data, train, config, taxonomy)
            Pc[test], Pf[test] = predict_proba(model, data, test)
        oof[name] = (Pc, Pf)

    def evaluate(thresholds: tuple[float, float], name: str) -> dict:
        Pc, Pf = oof[name]
        decoder = HierarchyDecoder(tuple(coarse), tuple(fine), tuple(parents), *thresholds)
        out = {}
        for lang in sorted(set(data.languages.tolist())):
            idx = np.where(data.languages == lang)[0]
            gold = [data.gold[i] for i in idx]
            c, f = score(decoder, Pc[idx], Pf[idx], gold, taxonomy)
            pred = decoder.decode_many(Pc[idx], Pf[idx])
            out[lang] = {"coarse": round(c, 4), "fine": round(f, 4),
                         "other_predicted": round(float(np.mean([p[0] == [OTHER] for p in pred])), 3),
                         "other_gold": round(float(np.mean([g[0] == [OTHER] for g in gold])), 3)}
        out["mean"] = {key: round(float(np.mean([v[key] for v in out.values()])), 4) for key in ("coarse", "fine")}
        return out

    result, rows = {"tuned_on": {}}, []
    for tuned_on in splits:
        Pc, Pf = oof[tuned_on]
        thresholds = tune_thresholds(Pc, Pf, data.gold, taxonomy)
        result["tuned_on"][tuned_on] = {"thresholds": thresholds,
                                        "scores": {name: evaluate(thresholds, name) for name in splits}}
        for name in splits:
            scores = result["tuned_on"][tuned_on]["scores"][name]
            rows.append([tuned_on, f"{thresholds[0]:.2f} / {thresholds[1]:.2f}", name,
                         f"{scores['mean']['coarse']:.3f} / {scores['mean']['fine']:.3f}",
                         *[f"{scores[lang]['coarse']:.3f} / {scores[lang]['fine']:.3f} "
                           f"(Other {scores[lang]['other_predicted']:.2f} vs {scores[lang]['other_gold']:.2f})"
                           for lang in sorted(set(data.languages.tolist()))]])
    table("Narratives, coarse / fine F1 (Other: predicted vs gold share), thresholds tuned on one split, "
          "scored on each", ["tuned on", "thresholds", "scored on", "mean", *sorted(set(data.languages.tolist()))],
          rows)
    write_result("narratives_shift", {"documents": len(data.gold), **result})


if __name__ == "__main__":
    main()
