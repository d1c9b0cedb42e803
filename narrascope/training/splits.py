"""Evaluation splits that hold under shift, shared by every task's training and benchmarks.

Random k-fold cross-validation shares stories, outlets and the labelling period
between training and test folds, and overstates quality on next week's news by
0.1-0.2. These splits keep those apart:

* ``topic_folds``: folds made of story/topic clusters of document embeddings (and of
  exact copies), so no cluster is split across folds;
* ``language_folds``: one fold per language (leave-one-language-out);
* ``genre_split``: train on one genre, test on another (opinion -> reporting).

Every tuned number (thresholds, priors, weights) is chosen on these, never on
``random_folds``, which is kept only to be reported beside them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

TOPIC_CLUSTER_SIZE = 8  # articles per topic cluster, on average


@dataclass(frozen=True)
class Split:
    """One train/test split: boolean masks over the same rows."""

    name: str
    train: np.ndarray
    test: np.ndarray


def random_folds(n: int, k: int, seed: int) -> np.ndarray:
    """Fold index (0..k-1) of each of ``n`` rows, at random (the optimistic reference)."""
    fold = np.arange(n) % k
    np.random.RandomState(seed).shuffle(fold)
    return fold


def text_topic_vectors(texts: Sequence[str], dim: int = 100, seed: int = 0) -> np.ndarray:
    """Topic vectors of ``texts`` from their words alone (TF-IDF reduced by LSA): unlike a sentence
    encoder's, they tell stories apart in any script, Hindi included."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        counts = TfidfVectorizer(sublinear_tf=True, min_df=2 if len(texts) >= 20 else 1,
                                 max_features=50_000).fit_transform(texts)
    except ValueError:  # no word at all (empty or symbol-only texts): every text is its own topic
        return np.eye(len(texts))
    k = max(1, min(dim, counts.shape[1] - 1, len(texts) - 1))
    reduced = TruncatedSVD(k, random_state=seed).fit_transform(counts) if k > 1 else counts.toarray()
    return reduced / np.maximum(np.linalg.norm(reduced, axis=1, keepdims=True), 1e-12)


def topic_clusters(vectors: np.ndarray, cluster_size: int = TOPIC_CLUSTER_SIZE,
                   groups: Sequence[object] | None = None, languages: Sequence[str] | None = None) -> np.ndarray:
    """Cluster id of each row: agglomerative (Ward) clusters of the unit document ``vectors``, about
    ``cluster_size`` rows each, within each of ``languages`` when given
    (a story is told in one language; across languages an encoder's vectors cluster by language);
    rows sharing a ``groups`` value (exact copies of one article) always share a cluster."""
    n = len(vectors)
    if languages is not None:
        langs = np.asarray(languages)
        labels = np.zeros(n, dtype=int)
        offset = 0
        for lang in sorted(set(langs.tolist())):
            rows = np.where(langs == lang)[0]
            labels[rows] = _clusters(np.asarray(vectors)[rows], cluster_size) + offset
            offset = labels[rows].max() + 1
    else:
        labels = _clusters(vectors, cluster_size)
    return _merge_groups(labels, groups)


def _clusters(vectors: np.ndarray, cluster_size: int) -> np.ndarray:
    from sklearn.cluster import AgglomerativeClustering

    n = len(vectors)
    if n < 2:
        return np.zeros(n, dtype=int)
    n_clusters = max(2, min(n, round(n / cluster_size)))
    # Ward linkage on unit vectors (Euclidean distance there is a function of cosine): clusters of even size,
    # where average linkage chains most articles into one cluster and leaves many single ones
    unit = np.asarray(vectors, dtype=np.float64)
    unit = unit / np.maximum(np.linalg.norm(unit, axis=1, keepdims=True), 1e-12)
    return AgglomerativeClustering(n_clusters=n_clusters, linkage="ward").fit_predict(unit)


def _merge_groups(labels: np.ndarray, groups: Sequence[object] | None) -> np.ndarray:
    """``labels`` with the clusters that copies of one article (equal ``groups``) fell into merged."""
    n_clusters = int(labels.max()) + 1 if len(labels) else 0
    if groups is not None:  # merge the clusters that copies of one article fell into
        parent = list(range(n_clusters))

        def root(c: int) -> int:
            while parent[c] != c:
                parent[c] = parent[parent[c]]
                c = parent[c]
            return c

        first: dict[object, int] = {}
        for label, group in zip(labels, groups, strict=True):
            if group in first:
                parent[root(int(label))] = root(first[group])
            else:
                first[group] = int(label)
        labels = np.array([root(int(c)) for c in labels])
    return np.unique(labels, return_inverse=True)[1]


def group_folds(clusters: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Fold index of each row: whole ``clusters`` dealt to ``k`` folds, largest first, each to the
    fold with the fewest rows so far (ties broken by a seeded shuffle)."""
    ids, sizes = np.unique(clusters, return_counts=True)
    rng = np.random.RandomState(seed)
    order = rng.permutation(len(ids))
    order = order[np.argsort(-sizes[order], kind="stable")]
    load = np.zeros(k, dtype=int)
    fold_of_cluster = {}
    for c in order:
        f = int(np.argmin(load + rng.uniform(0, 0.5, k)))  # the least loaded fold; random among ties
        fold_of_cluster[ids[c]] = f
        load[f] += sizes[c]
    return np.array([fold_of_cluster[c] for c in clusters], dtype=int)


def topic_folds(vectors: np.ndarray, k: int, seed: int, groups: Sequence[object] | None = None,
                cluster_size: int = TOPIC_CLUSTER_SIZE, languages: Sequence[str] | None = None) -> np.ndarray:
    """Fold index of each row such that no topic cluster (``topic_clusters``) is split across folds."""
    return group_folds(topic_clusters(vectors, cluster_size, groups, languages), k, seed)


def folds_to_splits(prefix: str, fold: np.ndarray, names: Sequence[str] | None = None) -> list[Split]:
    """One ``Split`` per fold value: that fold is the test set, the others the training set."""
    values = sorted(set(fold.tolist()))
    return [Split(f"{prefix}:{names[v] if names else v}", fold != v, fold == v) for v in values]


def language_folds(languages: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """``(fold of each row, the language of each fold)``: leave-one-language-out."""
    names = sorted(set(languages))
    return np.array([names.index(lang) for lang in languages], dtype=int), names


def genre_split(genres: Sequence[str | None], train: str = "opinion", test: str = "reporting") -> Split:
    """Train on the articles of genre ``train``, test on those of genre ``test`` (opinion -> reporting)."""
    g = np.array([x or "" for x in genres])
    return Split(f"{train}->{test}", g == train, g == test)


def reweighted_confusion(gold: np.ndarray, pred: np.ndarray, target: Sequence[float], n_classes: int
                         ) -> np.ndarray:
    """Confusion matrix (gold x predicted) of ``pred`` with each gold class weighted to the share
    ``target[c]``: what the same classifier would score on a set with that class mix (label shift)."""
    m = np.zeros((n_classes, n_classes))
    for c in range(n_classes):
        rows = gold == c
        if rows.any():
            m[c] = np.bincount(pred[rows], minlength=n_classes) / rows.sum() * target[c]
    return m


def macro_f1_of(confusion: np.ndarray, classes: Sequence[int] | None = None) -> float:
    """Macro-F1 over ``classes`` (by default those with gold weight) of a confusion matrix."""
    if classes is None:
        classes = [c for c in range(len(confusion)) if confusion[c].sum() > 0]
    scores = []
    for c in classes:
        tp, gold, pred = confusion[c, c], confusion[c].sum(), confusion[:, c].sum()
        scores.append(0.0 if tp == 0 else 2 * tp / (gold + pred))
    return float(np.mean(scores)) if scores else 0.0
