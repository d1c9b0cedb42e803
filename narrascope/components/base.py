"""The component protocol."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from narrascope.schema import Document


class Component:
    """A pipeline step, on spaCy's contract. ``requires``/``assigns`` name the Document fields it reads
    and writes (the pipeline checks them as it is built). ``predict(docs)`` reads a batch and returns its
    scores, changing nothing; ``set_annotations(docs, scores)`` writes them; ``pipe`` runs the two over
    batches. A step whose work is one document at a time implements ``__call__`` instead: its
    ``predict`` returns nothing, and ``set_annotations`` calls it on each document."""

    name: ClassVar[str] = "component"
    requires: ClassVar[tuple[str, ...]] = ()
    assigns: ClassVar[tuple[str, ...]] = ()

    def __call__(self, doc: Document) -> Document:
        if type(self).set_annotations is Component.set_annotations:
            raise NotImplementedError(f"{type(self).__name__} implements neither __call__ nor set_annotations")
        self.set_annotations([doc], self.predict([doc]))
        return doc

    def predict(self, docs: list[Document]) -> Any:
        """The scores of a batch; the Documents are not changed."""
        return None

    def set_annotations(self, docs: list[Document], scores: Any) -> None:
        """Write ``scores`` (what ``predict`` returned for ``docs``) into the Documents."""
        for doc in docs:
            self(doc)

    def pipe(self, docs: Iterable[Document], batch_size: int = 32) -> Iterator[Document]:
        for batch in minibatches(docs, batch_size):
            self.set_annotations(batch, self.predict(batch))
            yield from batch


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
