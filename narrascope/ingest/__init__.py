"""Readers: files, folders and streams -> ``Document``.

``read_inputs`` is the front door: it expands directories and globs, picks a
reader by file type and yields either a ``Document`` or an ``InputError`` for
each article, so one bad input never stops a batch.
"""

from narrascope.ingest.decode import MAX_ARTICLE_CHARS
from narrascope.ingest.readers import (
    MAX_BYTES,
    read_html,
    read_inputs,
    read_jsonl,
    read_path,
    read_text,
    read_text_file,
)
from narrascope.ingest.semeval import read_semeval_folder

__all__ = [
    "MAX_ARTICLE_CHARS",
    "MAX_BYTES",
    "read_html",
    "read_inputs",
    "read_jsonl",
    "read_path",
    "read_semeval_folder",
    "read_text",
    "read_text_file",
]
