import numpy as np

from narrascope.components.clean import Cleaner, kept_regions
from narrascope.schema import Document
from narrascope.text.residue import is_residue
from narrascope.text.sentences import split_sentences
from tests.conftest import WAR_TEXT


def test_residue_lines():
    for line in ["Share.", "Leave A Reply", "Exit mobile version", "Share Tweet Email",
                 "We use cookies to improve your experience.", "Subscribe to our newsletter",
                 "Copyright 2024 The Ledger. All rights reserved."]:
        assert is_residue(line), line
    for line in ["The share of renewables rose to 40 percent.", "Leaders did not reply to questions.",
                 "Putin said the West would pay."]:
        assert not is_residue(line), line


def test_cleaner_removes_residue_and_keeps_offsets():
    doc = Cleaner()(Document(text=WAR_TEXT))
    clean = doc.clean_text
    assert "Share." not in clean and "Leave A Reply" not in clean and "Exit mobile" not in clean
    assert "World War III" in clean
    for span in doc.spans["kept"]:
        assert WAR_TEXT[span.start : span.end] in clean


def test_kept_regions_of_plain_text_is_everything():
    text = "Title\n\nBody sentence one. Body sentence two.\n"
    assert kept_regions(text) == [(0, len(text))]


def test_sentences_have_exact_offsets_across_crlf_bom_and_hindi():
    text = "\ufeffTitle line\r\n\r\nMr. Smith went to Washington. He said no to the offer!\r\nयह पहला वाक्य है। यह दूसरा वाक्य है।"
    spans = split_sentences(text)
    pieces = [text[s:e] for s, e in spans]
    assert pieces[0] == "\ufeffTitle line" or pieces[0] == "Title line"
    assert "Mr. Smith went to Washington." in pieces
    assert "He said no to the offer!" in pieces
    assert "यह पहला वाक्य है।" in pieces
    for s, e in spans:
        assert text[s:e].strip() == text[s:e]


def test_long_unpunctuated_text_is_cut():
    text = "word " * 400
    spans = split_sentences(text, max_chars=200)
    assert len(spans) > 5 and all(e - s <= 200 for s, e in spans)


def test_feature_hashing_gives_scikit_learns_columns():
    """The span tagger was trained on FeatureHasher's columns; ours must be the same, for every byte length."""
    from sklearn.feature_extraction import FeatureHasher
    from sklearn.utils import murmurhash3_32 as reference

    from narrascope.text.hashing import hashed_counts, murmurhash3_32

    rng = np.random.default_rng(3)
    alphabet = list("abcXYZ|=_ 0123") + ["é", "ख", "ф", "😀"]
    strings = ["".join(rng.choice(alphabet, size=n)) for n in rng.integers(0, 24, size=2000)] + ["", "w=войну"]
    # longer ones (hashed one by one), up to a 100,000-character token: time and memory stay linear
    strings += ["".join(rng.choice(alphabet, size=n)) for n in rng.integers(24, 300, size=200)] + ["w=" + "_" * 100_000]
    assert murmurhash3_32(strings).tolist() == [reference(s, seed=0) for s in strings]
    rows = [strings[i:i + 14] for i in range(0, len(strings), 14)] + [[]]
    want = FeatureHasher(n_features=2**17, input_type="string", alternate_sign=False, dtype=np.float32).transform(rows)
    got = hashed_counts(rows, 2**17)
    assert got.dtype == np.float32 and got.shape == want.shape and (got != want.tocsr()).nnz == 0
    assert hashed_counts([], 2**17).shape == (0, 2**17)


def test_english_stop_words_are_scikit_learns():
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from narrascope.persuasion.spans import english_stop_words

    assert english_stop_words() == ENGLISH_STOP_WORDS
