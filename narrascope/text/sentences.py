"""A fast, offset-preserving sentence splitter for the five supported languages.

Rules: a line break always ends a sentence; inside a line a sentence ends at
``. ! ? … ।`` (plus closing quotes/brackets) followed by white space. Fragments
shorter than ``min_chars`` are merged into their neighbour (abbreviations such
as "Mr." or "U.S."), and runs longer than ``max_chars`` are cut at white space
so that an unpunctuated paragraph never becomes one huge "sentence".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

_LINE = re.compile(r"[^\r\n]+")
_BOUNDARY = re.compile(r"(?<=[.!?…।॥])[\"'”’»)\]]*\s+")
_SPACE = re.compile(r"\s")


def split_sentences(
    text: str,
    regions: Iterable[tuple[int, int]] | None = None,
    *,
    min_chars: int = 15,
    max_chars: int = 600,
) -> list[tuple[int, int]]:
    """Return ``(start, end)`` offsets of sentences in ``text`` (inside ``regions`` if given)."""
    if regions is None:
        regions = [(0, len(text))]
    out: list[tuple[int, int]] = []
    for r_start, r_end in regions:
        for line in _LINE.finditer(text, r_start, r_end):
            out.extend(_split_line(text, line.start(), line.end(), min_chars, max_chars))
    return out


def _split_line(text: str, start: int, end: int, min_chars: int, max_chars: int) -> Iterator[tuple[int, int]]:
    pieces: list[tuple[int, int]] = []
    pos = start
    for m in _BOUNDARY.finditer(text, start, end):
        pieces.append((pos, m.start()))
        pos = m.end()
    pieces.append((pos, end))
    merged: list[tuple[int, int]] = []
    for s, e in pieces:
        s, e = _strip(text, s, e)
        if s >= e:
            continue
        if merged and (merged[-1][1] - merged[-1][0] < min_chars):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    if len(merged) > 1 and merged[-1][1] - merged[-1][0] < min_chars:
        last = merged.pop()
        merged[-1] = (merged[-1][0], last[1])
    for s, e in merged:
        yield from _cut_long(text, s, e, max_chars)


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _cut_long(text: str, s: int, e: int, max_chars: int) -> Iterator[tuple[int, int]]:
    while e - s > max_chars:
        cut = s + max_chars
        space = text.rfind(" ", s + max_chars // 2, cut)
        if space > s:
            cut = space
        yield _strip(text, s, cut)
        s, _ = _strip(text, cut, e)
    if s < e:
        yield s, e
