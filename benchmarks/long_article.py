"""How ``narrascope analyze`` scales with the length of one article: wall seconds and peak RSS (median of runs).

Two kinds of article of each length: ``joined``, the English training articles in ../shared/data
(never committed) joined one after another, cut at a word (without them, the bundled examples
repeated): many actors, each named a few times; ``one topic``, sentences written here about the
same six actors (a live blog, a long transcript): each actor named in thousands of sentences,
which is where a cost that grows with the square of an actor's mentions shows. Each run is a fresh ``narrascope analyze FILE --json ... --quiet`` process (one
process, everything on), so model loading is included; the time should grow in proportion
to the length (an article longer than ``MAX_ARTICLE_CHARS`` is refused by the readers).

    python -m benchmarks.long_article [--lengths 50000,250000,999000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from benchmarks.common import DATA, ROOT, console, median, table, write_result
from benchmarks.speed import run


def long_text(chars: int, language: str = "EN") -> str:
    sources = sorted((DATA / "semeval2025_t10" / "train" / language / "raw-documents").glob("*.txt"))
    sources = sources or sorted((ROOT / "examples").glob("*.txt"))
    parts, total, k = [], 0, 0
    while total < chars:
        text = sources[k % len(sources)].read_text(encoding="utf-8").strip()
        parts.append(text)
        total += len(text) + 2
        k += 1
    text = "\n\n".join(parts)
    cut = text.rfind(" ", 0, chars)
    return text[: cut if cut > 0 else chars]


ACTORS = ("NATO", "Russia", "Ukraine", "Joe Biden", "Volodymyr Zelensky", "Vladimir Putin")
VERBS = ("warned", "accused", "armed", "threatened", "praised", "blamed", "met", "defied")
ENDS = ("on Monday", "over the missiles", "at the summit", "after the strikes on the border",
        "in a speech to parliament", "before the talks")


def one_topic_text(chars: int, seed: int = 0) -> str:
    """Sentences in which the same six actors act on one another, in paragraphs of four."""
    import random

    rng = random.Random(seed)
    sentences, total = ["Live: the war and the talks"], 0
    while total < chars:
        a, b = rng.sample(ACTORS, 2)
        sentence = f"{a} {rng.choice(VERBS)} {b} {rng.choice(ENDS)}."
        sentences.append(sentence)
        total += len(sentence) + 1
    paragraphs = [" ".join(sentences[i:i + 4]) for i in range(1, len(sentences), 4)]
    return "\n\n".join([sentences[0], *paragraphs])[:chars]


KINDS = {"joined": long_text, "one topic": one_topic_text}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lengths", default="50000,250000,999000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    lengths = [int(x) for x in args.lengths.split(",")]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind, chars in [(kind, chars) for kind in KINDS for chars in lengths]:
            path = Path(tmp) / f"article-{chars}.txt"
            path.write_text(KINDS[kind](chars), encoding="utf-8")
            out = Path(tmp) / "out.jsonl"
            walls, peaks = [], []
            for _ in range(args.runs):
                wall, _pss, peak, _cpu = run(["analyze", str(path), "--json", str(out), "--quiet"])
                walls.append(wall)
                peaks.append(peak)
            doc = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
            mentions = sum(len(e["mentions"]) for e in doc["entities"])
            results.append({"kind": kind, "chars": chars, "sentences": len(doc["spans"].get("sentences", [])),
                            "entities": len(doc["entities"]), "mentions": mentions,
                            "wall_s": median(walls), "peak_rss_mb": median(peaks), "walls": walls})
            console.print(f"{kind}, {chars:,} characters: {median(walls):.1f} s, {median(peaks):.0f} MB")
    table("analyze on one long article (median of runs)",
          ["article", "characters", "entities", "mentions", "wall s", "s per 100k chars", "peak RSS MB"],
          [[r["kind"], f"{r['chars']:,}", r["entities"], r["mentions"], f"{r['wall_s']:.1f}",
            f"{100_000 * r['wall_s'] / r['chars']:.2f}", f"{r['peak_rss_mb']:.0f}"] for r in results])
    write_result("long_article", {"runs": args.runs, "articles": results})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
