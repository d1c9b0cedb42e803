"""The component protocol."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import ClassVar

from narrascope.schema import Document


class Component:
    """A pipeline step. ``requires``/``assigns`` name the Document fields it reads and writes."""

    name: ClassVar[str] = "component"
    requires: ClassVar[tuple[str, ...]] = ()
    assigns: ClassVar[tuple[str, ...]] = ()

    def __call__(self, doc: Document) -> Document:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Document], batch_size: int = 32) -> Iterator[Document]:
        for doc in docs:
            yield self(doc)


def minibatches(docs: Iterable[Document], size: int) -> Iterator[list[Document]]:
    """Consecutive lists of at most ``size`` documents (streaming)."""
    batch: list[Document] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
