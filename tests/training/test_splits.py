"""Shift-aware evaluation splits: topic clusters stay whole, copies stay together, label shift is scored."""

from __future__ import annotations

import numpy as np

from narrascope.training.splits import (
    genre_split,
    group_folds,
    language_folds,
    macro_f1_of,
    random_folds,
    reweighted_confusion,
    topic_clusters,
    topic_folds,
)


def _stories(n_stories: int = 6, per_story: int = 8, dim: int = 16, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors around ``n_stories`` well-separated centres, and the story of each."""
    rng = np.random.RandomState(seed)
    centres = rng.normal(size=(n_stories, dim))
    story = np.repeat(np.arange(n_stories), per_story)
    vectors = centres[story] + 0.05 * rng.normal(size=(len(story), dim))
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True), story


def test_topic_folds_never_split_a_story_across_folds():
    vectors, story = _stories()
    fold = topic_folds(vectors, k=3, seed=0)
    for s in np.unique(story):
        assert len(set(fold[story == s])) == 1, s  # a story lies in one fold
    assert len(set(fold)) == 3
    assert np.array_equal(fold, topic_folds(vectors, k=3, seed=0))  # reproducible
    random = random_folds(len(story), 3, 0)
    assert any(len(set(random[story == s])) > 1 for s in np.unique(story))  # which random folds do not ensure


def test_copies_of_one_article_share_a_cluster_even_when_far_apart():
    vectors, story = _stories(n_stories=4, per_story=6)
    groups = list(range(len(story)))
    groups[0] = groups[-1] = "copy"  # two rows of different stories marked as copies of one article
    clusters = topic_clusters(vectors, cluster_size=6, groups=groups)
    assert clusters[0] == clusters[-1]


def test_group_folds_balance_rows_and_keep_groups_whole():
    clusters = np.array([0] * 10 + [1] * 5 + [2] * 5 + [3] * 4 + [4] * 4 + [5] * 2)
    fold = group_folds(clusters, 3, seed=1)
    assert all(len(set(fold[clusters == c])) == 1 for c in np.unique(clusters))
    sizes = np.bincount(fold, minlength=3)
    assert sizes.max() - sizes.min() <= 4


def test_language_and_genre_splits():
    fold, names = language_folds(["en", "ru", "en", "pt"])
    assert names == ["en", "pt", "ru"] and fold.tolist() == [0, 2, 0, 1]
    split = genre_split(["opinion", "reporting", None, "opinion", "satire"])
    assert split.train.tolist() == [True, False, False, True, False]
    assert split.test.tolist() == [False, True, False, False, False]


def test_reweighting_scores_a_classifier_as_if_the_class_mix_had_shifted():
    # 8 class-0 rows (all right), 2 class-1 rows (one right); always predicting 0 would look fine as is
    gold = np.array([0] * 8 + [1] * 2)
    pred = np.array([0] * 8 + [1, 0])
    as_is = reweighted_confusion(gold, pred, [0.8, 0.2], 2)
    shifted = reweighted_confusion(gold, pred, [0.2, 0.8], 2)
    assert np.isclose(as_is.sum(), 1.0) and np.isclose(shifted.sum(), 1.0)
    # when class 1 dominates, missing half of it costs far more
    assert macro_f1_of(shifted) < macro_f1_of(as_is)
    assert np.isclose(shifted[:, 0].sum(), 0.2 + 0.4)  # the share predicted as class 0 after the shift
    assert macro_f1_of(np.zeros((2, 2))) == 0.0
