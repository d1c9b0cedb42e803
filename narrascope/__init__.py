"""narrascope: find the narratives an article pushes, with evidence quoted from the text.

>>> import narrascope
>>> nlp = narrascope.load()
>>> doc = nlp("Title\\n\\nBody ...")
>>> doc.narratives
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from narrascope.pipeline import Pipeline
    from narrascope.schema import Document, Entity, Explanation, Label, Mention, Span

__all__ = ["Document", "Entity", "Explanation", "Label", "Mention", "Pipeline", "Span", "__version__", "analyze",
           "load"]


def load(model: str | None = None, taxonomy: str | None = None) -> Pipeline:
    """The analysis pipeline with the shipped model (or the model folder ``model``), offline;
    ``taxonomy``: your own narratives (a YAML file, or a folder from ``narrascope train narratives
    --taxonomy``) in place of SemEval's."""
    from narrascope.pipeline import build_pipeline

    return build_pipeline(model, taxonomy=taxonomy)


def analyze(text: str, model: str | None = None, taxonomy: str | None = None) -> Document:
    """Analyse one article's text with a freshly loaded pipeline (use ``load`` for many)."""
    return load(model, taxonomy)(text)


def __getattr__(name: str) -> Any:
    if name in ("Document", "Entity", "Explanation", "Label", "Mention", "Span"):
        from narrascope import schema

        return getattr(schema, name)
    if name == "Pipeline":
        from narrascope.pipeline import Pipeline

        return Pipeline
    raise AttributeError(f"module 'narrascope' has no attribute {name!r}")
