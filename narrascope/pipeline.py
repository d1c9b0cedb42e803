"""``Pipeline``: an ordered list of components that Documents flow through."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path

from narrascope.components.base import Component
from narrascope.errors import InputError, ModelError
from narrascope.schema import Document

DEFAULT_MODEL = "narratives"


def default_model_path() -> Path:
    return Path(str(resources.files("narrascope.models").joinpath(DEFAULT_MODEL)))


class Pipeline:
    """Runs components in order; ``pipe`` streams documents through in batches."""

    def __init__(self, components: Iterable[Component] = ()) -> None:
        self.components: list[Component] = list(components)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.components]

    def add(self, component: Component) -> Pipeline:
        self.components.append(component)
        return self

    def get(self, name: str) -> Component:
        for component in self.components:
            if component.name == name:
                return component
        raise KeyError(f"no component named {name!r}; the pipeline has {self.names}")

    def make_doc(self, text: str | Document) -> Document:
        if isinstance(text, Document):
            return text
        if not isinstance(text, str):
            raise InputError(f"expected a str or Document, got {type(text).__name__}")
        if not text.strip():
            raise InputError("the text is empty; give the article's text")
        from narrascope.ingest.readers import read_text

        return read_text(text)

    def __call__(self, text: str | Document) -> Document:
        return next(self.pipe([text]))

    def pipe(self, docs: Iterable[str | Document], batch_size: int = 32) -> Iterator[Document]:
        stream: Iterable[Document] = (self.make_doc(d) for d in docs)
        for component in self.components:
            stream = component.pipe(stream, batch_size=batch_size)
        yield from stream


def build_pipeline(model_path: str | Path | None = None, *, narratives: bool = True) -> Pipeline:
    """The default pipeline: clean -> language -> segment -> embed -> narratives."""
    from narrascope.components.clean import Cleaner
    from narrascope.components.language import LanguageDetector
    from narrascope.components.narratives import NarrativeClassifier, NarrativeModel
    from narrascope.components.segment import SentenceEmbedder, SentenceSegmenter
    from narrascope.embed.base import get_embedder

    pipeline = Pipeline([Cleaner(), LanguageDetector(), SentenceSegmenter()])
    if not narratives:
        return pipeline
    path = Path(model_path) if model_path else default_model_path()
    if not (path / "meta.json").is_file():
        raise ModelError(
            "no narrative model here; train one with `narrascope train narratives --data "
            "../shared/data/semeval2025_t10/train --out DIR` and pass --model DIR",
            source=str(path),
        )
    model = NarrativeModel.from_disk(path)
    pipeline.add(SentenceEmbedder(get_embedder(model.embedder)))
    pipeline.add(NarrativeClassifier(model))
    return pipeline
