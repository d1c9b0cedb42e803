"""Sentence embedders behind one small protocol."""

from narrascope.embed.base import Embedder, get_embedder

__all__ = ["Embedder", "get_embedder"]
