import json

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from narrascope.heads.decision import HierarchyDecoder, best_first
from narrascope.heads.multilabel import MultiLabelLogistic
from narrascope.heads.tfidf import CharNgramCounts, TfidfFeaturizer, WordNgramCounts


def test_multilabel_logistic_matches_scikit_learn():
    rng = np.random.default_rng(0)
    X = sp.random(120, 400, density=0.05, random_state=1, format="csr")
    Y = (X @ rng.normal(size=(400, 2)) > 0.2).astype(int)
    ours = MultiLabelLogistic(C=2.0).fit(X, Y)
    for j in range(2):
        ref = LogisticRegression(C=2.0, class_weight="balanced", tol=1e-8, max_iter=5000).fit(X, Y[:, j])
        assert np.abs(ref.predict_proba(X)[:, 1] - ours.predict_proba(X)[:, j]).max() < 1e-3


def test_a_cell_of_weight_zero_leaves_the_sample_out_of_that_label_only():
    rng = np.random.default_rng(3)
    X = sp.random(90, 300, density=0.06, random_state=2, format="csr")
    Y = (X @ rng.normal(size=(300, 2)) > 0.1).astype(int)
    cells = np.ones(Y.shape)
    cells[:30, 1] = 0.0  # the first 30 samples' answers for label 1 are unknown
    ours = MultiLabelLogistic(C=2.0, tol=1e-8, max_iter=2000).fit(X, Y, cells)
    alone = MultiLabelLogistic(C=2.0, tol=1e-8, max_iter=2000).fit(X[30:], Y[30:, 1:])
    everything = MultiLabelLogistic(C=2.0, tol=1e-8, max_iter=2000).fit(X, Y)
    assert np.abs(ours.predict_proba(X)[:, 1] - alone.predict_proba(X)[:, 0]).max() < 1e-3
    assert np.abs(ours.predict_proba(X)[:, 0] - everything.predict_proba(X)[:, 0]).max() < 1e-3
    assert np.abs(ours.predict_proba(X)[:, 1] - everything.predict_proba(X)[:, 1]).max() > 1e-2
    for bad in (np.ones((90, 3)), -cells, np.where(cells == 0, np.nan, cells)):
        with pytest.raises(ValueError, match="cell_weight"):
            MultiLabelLogistic().fit(X, Y, bad)


def test_multilabel_logistic_round_trips_through_arrays():
    X = np.eye(6)
    Y = np.array([[1, 0], [1, 0], [0, 1], [0, 1], [1, 1], [0, 0]])
    model = MultiLabelLogistic().fit(X, Y)
    again = MultiLabelLogistic.from_arrays(model.get_arrays("h_"), "h_")
    assert np.allclose(again.predict_proba(X), model.predict_proba(X), atol=1e-2)


def test_tfidf_state_round_trip():
    texts = ["the west provoked the war", "climate policies hurt farmers", "the war and the west again",
             "farmers protest climate policies", "nato expansion provoked russia"] * 2
    fz = TfidfFeaturizer(100, 200).fit(texts)
    meta, arrays = fz.get_state()
    again = TfidfFeaturizer.from_state(meta, arrays)
    assert np.allclose(again.transform(texts).toarray(), fz.transform(texts).toarray(), atol=1e-6)


def _sklearn_counts(vectorizer, texts):
    """The count matrix a fitted scikit-learn TfidfVectorizer builds before weighting."""
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer.transform(vectorizer, texts)


NGRAM_TRAIN = ["The West provoked the war.", "Climate policies hurt farmers!", "NATO expansion provoked Russia",
               "Запад спровоцировал войну", "हिंदी को बढ़ावा", "Sofia's ΟΔΟΣ ΣΟΦΙΑΣ"] * 3
NGRAM_TEXTS = NGRAM_TRAIN + ["", " ", "war  war\t\twar", "ǅungla İstanbul ß ﬁnance", "a\u00a0\u00a0b\u2003c x\x1c\x1dy",
                             "\ufeffTitle line\r\n\r\nThe war.", "nothing known here: qqq zzz", "war " * 40,
                             "the West the West provoked", "a"]


def test_char_ngram_counts_are_the_vectorizers_own():
    fz = TfidfFeaturizer(50, 300).fit(NGRAM_TRAIN)
    want_counts = _sklearn_counts(fz.char_, NGRAM_TEXTS)
    want = fz.char_.transform(NGRAM_TEXTS)
    for max_words in (50_000, 3):  # 3: the cache is emptied many times over
        counts = CharNgramCounts(fz.char_, max_words=max_words)
        for _ in range(2):  # cold, then from the cache
            assert (counts.counts(NGRAM_TEXTS) != want_counts).nnz == 0  # the same n-grams, counted alike
            got = counts.transform(NGRAM_TEXTS)
            assert got.dtype == want.dtype and got.shape == want.shape
            assert np.allclose(got.toarray(), want.toarray(), atol=1e-6)  # weighted alike, to float rounding
            assert len(counts._columns) <= max_words
    assert np.allclose(fz.transform(NGRAM_TEXTS)[:, len(fz.word_.vocabulary_):].toarray(), want.toarray(), atol=1e-6)
    assert CharNgramCounts(fz.char_).transform([]).shape == (0, want.shape[1])
    long_word = "war" * 1000  # analysed, not cached
    assert (CharNgramCounts(fz.char_).counts([long_word]) != _sklearn_counts(fz.char_, [long_word])).nnz == 0


def test_word_ngram_counts_are_the_vectorizers_own():
    fz = TfidfFeaturizer(300, 50).fit(NGRAM_TRAIN)
    counts = WordNgramCounts(fz.word_)
    assert (counts.counts(NGRAM_TEXTS) != _sklearn_counts(fz.word_, NGRAM_TEXTS)).nnz == 0
    assert np.allclose(counts.transform(NGRAM_TEXTS).toarray(), fz.word_.transform(NGRAM_TEXTS).toarray(), atol=1e-6)
    assert counts.transform([]).shape == (0, len(fz.word_.vocabulary_))


def test_a_loaded_featurizer_needs_no_scikit_learn():
    """A stored featurizer transforms without importing scikit-learn (a second of every start)."""
    import subprocess
    import sys

    fz = TfidfFeaturizer(100, 200).fit(NGRAM_TRAIN)
    meta, arrays = fz.get_state()
    code = ("import json, sys, numpy as np\n"
            "from narrascope.heads.tfidf import TfidfFeaturizer\n"
            "meta = json.loads(sys.stdin.read())\n"
            "arrays = {k: np.asarray(v, np.float32) for k, v in meta.pop('arrays').items()}\n"
            "X = TfidfFeaturizer.from_state(meta, arrays).transform(meta['texts'])\n"
            "print(X.nnz, 'sklearn' in sys.modules)")
    payload = json.dumps({**meta, "texts": NGRAM_TEXTS, "arrays": {k: v.tolist() for k, v in arrays.items()}})
    done = subprocess.run([sys.executable, "-c", code], input=payload, capture_output=True, text=True, check=True)
    assert done.stdout.split() == [str(fz.transform(NGRAM_TEXTS).nnz), "False"]


def test_decoder_keeps_hierarchy_consistent():
    coarse = ("A: x", "B: y", "Other")
    fine = ("A: x: one", "A: x: Other", "B: y: two", "Other")
    parents = ("A: x", "A: x", "B: y", "Other")
    dec = HierarchyDecoder(coarse, fine, parents, 0.5, 0.5)
    # narrative passes, no child passes -> "<narrative>: Other"
    narr, sub = dec.decode(np.array([0.9, 0.1, 0.2]), np.array([0.3, 0.4, 0.9, 0.1]))
    assert [n for n, _ in narr] == ["A: x"]
    assert [s for s, _ in sub] == ["A: x: Other"]  # "B: y: two" is dropped: its parent was not chosen
    # child passes
    narr, sub = dec.decode(np.array([0.9, 0.6, 0.2]), np.array([0.8, 0.4, 0.9, 0.1]))
    assert {n for n, _ in narr} == {"A: x", "B: y"} and {s for s, _ in sub} == {"A: x: one", "B: y: two"}
    # nothing passes, or Other on top -> Other/Other
    assert dec.decode(np.array([0.1, 0.2, 0.3]), np.zeros(4))[0][0][0] == "Other"
    assert dec.decode(np.array([0.6, 0.2, 0.95]), np.zeros(4))[1][0][0] == "Other"


def test_best_first_keeps_text_order_among_scores_tied_up_to_rounding():
    # two copies of one sentence, scored 4.1461644 and 4.1461654 by encodings from different batches
    scores = np.array([1.0, 4.1461654, 0.2, 4.1461644, 4.9, 1e-7, 2e-7], np.float32)
    assert best_first(scores).tolist() == [4, 1, 3, 0, 2, 5, 6]
    assert best_first(scores[[0, 3, 2, 1, 4, 5, 6]]).tolist() == [4, 1, 3, 0, 2, 5, 6]
    assert best_first(np.array([3.0, 2.0, 1.0])).tolist() == [0, 1, 2]  # distinct scores: by score alone
    assert best_first(np.array([])).tolist() == []
    assert best_first([0.5, float("nan"), 0.9, 0.5]).tolist() == [2, 0, 3, 1]  # NaN last, apart


def test_ngram_offsets_are_char_wbs_and_only_word_lengths_are_kept():
    from narrascope.heads.tfidf import _kept_bounds, gram_bounds

    word = " ukraine "
    assert [word[i:j] for i, j in gram_bounds(len(word), 2, 5)] == \
        [word[i:i + n] for n in range(2, 6) for i in range(len(word) - n + 1)]
    assert [" a "[i:j] for i, j in gram_bounds(3, 2, 5)] == [" a", "a ", " a "]  # shorter than n: once, whole
    _kept_bounds.cache_clear()
    assert len(gram_bounds(10_000, 2, 5)) == 4 * 10_000 - 10 and _kept_bounds.cache_info().currsize == 0


def test_label_scores_are_each_labels_product_whatever_the_sparse_format():
    from narrascope.components.narratives import label_scores

    rng = np.random.RandomState(0)
    X = sp.random(6, 40, density=0.2, format="csr", dtype=np.float32, random_state=rng)
    coefs = [rng.randn(40).astype(np.float32) for _ in range(3)]
    expected = np.stack([np.asarray(X @ c).ravel() for c in coefs], axis=1)
    np.testing.assert_array_equal(label_scores(X, coefs), expected)
    np.testing.assert_allclose(label_scores(X.tocsc(), coefs), expected, rtol=1e-6)
    assert label_scores(X, []).shape == (6, 0)
