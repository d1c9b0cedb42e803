"""Persuasion techniques on shift-aware splits: which decision rule holds on news unlike the training set.

Out-of-fold paragraph probabilities of the technique heads (the shipped recipe: lexical
TF-IDF head for en/ru mixed with the semantic head, all six SemEval-2023 T3 languages
pooled) under two splits: story-cluster folds within each language, and opinion ->
reporting (trained on the opinion articles, scored on the reporting ones, which use
fewer techniques). On the English paragraphs of each, micro-F1 (the official
subtask-3 measure), precision, recall and predicted techniques per paragraph of:

* the shipped global threshold (0.45, tuned on random folds) and lower ones;
* a per-paragraph floor: each paragraph also gets its best technique when that scores at least f;
* a density rule: each article also gets its top d x (its paragraphs) (paragraph, technique) pairs.

    python -m benchmarks.techniques_shift

About 30 minutes on 2 cores. Writes benchmarks/results/techniques_shift.json.
"""

from __future__ import annotations

import numpy as np

from benchmarks.common import DATA, console, table, write_result

MIX = 0.3               # the shipped lexical / semantic mix
SEMANTIC_THRESHOLD = 0.7  # the shipped threshold where no lexical head applies


def rules() -> list[tuple[str, dict]]:
    out = [(f"threshold {t}", {"threshold": t}) for t in (0.45, 0.35, 0.3, 0.25)]
    out += [(f"0.45 + paragraph floor {f}", {"threshold": 0.45, "floor": f}) for f in (0.2, 0.3)]
    out += [(f"0.45 + article density {d}", {"threshold": 0.45, "density": d}) for d in (0.4, 0.6, 0.8)]
    return out


def decide(P: np.ndarray, has_lex: np.ndarray, article: np.ndarray, threshold: float, floor: float | None = None,
           density: float | None = None) -> np.ndarray:
    """Boolean (paragraphs x techniques) labels of ``P`` under one rule."""
    labels = np.where(has_lex[:, None], P >= threshold, P >= SEMANTIC_THRESHOLD)
    if floor is not None:
        best = P.argmax(axis=1)
        sure = np.where(P.max(axis=1) >= floor)[0]
        labels[sure, best[sure]] = True
    if density is not None:
        for a in np.unique(article):
            rows = np.where(article == a)[0]
            m = int(round(density * len(rows)))
            if m:
                flat = np.zeros(P[rows].size, dtype=bool)
                flat[np.argsort(-P[rows].ravel())[:m]] = True
                labels[rows] |= flat.reshape(len(rows), -1)
    return labels


def micro(Y: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    tp, n_pred, n_gold = float((Y & pred).sum()), float(pred.sum()), float(Y.sum())
    return {"micro_f1": round(2 * tp / (n_pred + n_gold), 4) if n_pred + n_gold else 0.0,
            "precision": round(tp / n_pred, 4) if n_pred else 0.0, "recall": round(tp / n_gold, 4) if n_gold else 0.0,
            "per_paragraph": round(n_pred / max(len(Y), 1), 3)}


def shift_splits(config) -> tuple:
    """The SemEval-2023 T3 training paragraphs (all languages, embedded) and the shift splits over them:
    ``{name: (train mask, test mask)}`` for the five story-cluster folds and opinion -> reporting."""
    from narrascope.training.persuasion_data import load_persuasion_dataset, paragraph_data
    from narrascope.training.prepare import embed_documents
    from narrascope.training.splits import text_topic_vectors, topic_folds

    dataset = load_persuasion_dataset(DATA / "semeval2023_t3" / "train",
                                      process=lambda docs: embed_documents(docs, console))
    data = paragraph_data(dataset, 512)
    languages = [a.language for a in dataset.articles]
    genre = np.array([a.genre or "" for a in dataset.articles])[data.article]
    topic = topic_folds(text_topic_vectors([a.doc.text for a in dataset.articles]), 5, config.seed,
                        languages=languages)[data.article]
    splits = {f"story clusters, fold {k + 1}": (topic != k, topic == k) for k in range(5)}
    splits["opinion -> reporting"] = (genre == "opinion", genre == "reporting")
    return data, splits


def main() -> None:
    from narrascope.training.persuasion import fit_paragraph_heads, paragraph_probabilities
    from narrascope.training.persuasion_data import PersuasionTrainingConfig

    config = PersuasionTrainingConfig()
    data, masks = shift_splits(config)
    splits = {name: (np.where(train)[0], np.where(test)[0]) for name, (train, test) in masks.items()}
    P = {"story clusters": np.full(data.Y.shape, np.nan), "opinion -> reporting": np.full(data.Y.shape, np.nan)}
    has_lex = {key: np.zeros(len(data.Y), dtype=bool) for key in P}
    for name, (train, test) in splits.items():
        console.print(f"fitting: {name}")
        key = name.split(",")[0]
        featurizer, lexical, semantic = fit_paragraph_heads(data, train, config)
        p_lex, p_sem = paragraph_probabilities(featurizer, lexical, semantic, data, test, config.lexical_languages)
        P[key][test] = np.where(np.isnan(p_lex), p_sem, (1 - MIX) * np.nan_to_num(p_lex) + MIX * p_sem)
        has_lex[key][test] = ~np.isnan(p_lex[:, 0])
    Y = data.Y.astype(bool)
    result, rows = {}, []
    for key in P:
        english = np.where((data.language == "en") & ~np.isnan(P[key][:, 0]))[0]
        gold_density = float(Y[english].sum() / max(len(english), 1))
        result[key] = {"paragraphs": len(english), "gold_per_paragraph": round(gold_density, 3), "rules": {}}
        for name, params in rules():
            pred = decide(P[key][english], has_lex[key][english], data.article[english], **params)
            scores = micro(Y[english], pred)
            result[key]["rules"][name] = scores
            rows.append([key, name, scores["micro_f1"], scores["precision"], scores["recall"],
                         scores["per_paragraph"], round(gold_density, 3)])
    table("Techniques, English paragraphs, out of fold", ["split", "rule", "micro-F1", "precision", "recall",
                                                         "predicted / paragraph", "gold / paragraph"], rows)
    write_result("techniques_shift", result)


if __name__ == "__main__":
    main()
