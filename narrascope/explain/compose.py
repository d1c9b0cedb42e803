"""Pick the sentences that carry a narrative and stitch them, with their offsets, into ≤ 80 words."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from narrascope.explain.claims import claim_sentence
from narrascope.heads.decision import best_first
from narrascope.schema import Explanation, Span

MAX_WORDS = 80  # the subtask-3 limit
MIN_QUOTE_WORDS = 4  # shorter fragments say little out of context
MIN_TRIMMED_WORDS = 6
NEAR_REPEAT = 0.9  # cosine above which a sentence repeats one already quoted
QUOTE, CUT_QUOTE = "quote", "cut quote"  # labels of the quote spans
_WORD = re.compile(r"\S+")
_CLAUSE_END = ",;:"
_DASHES = "—–"
_TRAILING = " \t,;:—–-"
_SENTENCE_END = ".!?…।\"'”»)]"


def word_count(text: str) -> int:
    return len(text.split())


def trim_to_words(text: str, start: int, end: int, limit: int) -> tuple[int, int] | None:
    """The longest prefix of ``text[start:end]`` within ``limit`` words that ends a clause (at a comma,
    semicolon, colon or before a dash); ``None`` when no clause of at least ``MIN_TRIMMED_WORDS`` words
    ends in time: a quote is never cut mid-phrase."""
    words = list(_WORD.finditer(text, start, end))
    if len(words) <= limit:
        return start, end
    for k in range(limit - 1, MIN_TRIMMED_WORDS - 2, -1):
        word = words[k].group()
        if word[-1] in _CLAUSE_END or (k + 1 < len(words) and words[k + 1].group() in _DASHES):
            cut = words[k].end()
            while cut > start and text[cut - 1] in _TRAILING:
                cut -= 1
            return (start, cut) if cut > start else None
    return None


def select_quotes(text: str, sentences: Sequence[Span], scores: np.ndarray, vectors: np.ndarray,
                  budget: int) -> list[tuple[int, int, bool]]:
    """``(start, end, trimmed)`` of the best-scoring sentences (cut short if needed) that fit ``budget`` words,
    in text order."""
    chosen: list[int] = []
    regions: list[tuple[int, int, bool]] = []
    remaining = budget
    for i in best_first(scores):
        if remaining < MIN_QUOTE_WORDS:
            break
        sentence = sentences[i]
        n = word_count(sentence.text)
        if n < MIN_QUOTE_WORDS or "\n" in sentence.text or "\r" in sentence.text:
            continue
        if chosen and float(np.max(vectors[chosen] @ vectors[i])) > NEAR_REPEAT:
            continue
        region = trim_to_words(text, sentence.start, sentence.end, remaining)
        if region is None:
            continue
        chosen.append(int(i))
        regions.append((region[0], region[1], region[1] < sentence.end))
        remaining -= word_count(text[region[0]:region[1]])
    return sorted(regions)


def compose(text: str, narrative: str, subnarrative: str | None, language: str,
            regions: Sequence[tuple[int, int, bool]], score: float | None = None) -> Explanation:
    """The claim sentence followed by the quoted regions, as plain prose: displays add quotation marks from
    ``quotes`` (marks in the text cost ~0.03 of embedding similarity to human explanations, which have
    none); each quote is verbatim ``text[start:end]``, a cut one is followed by an ellipsis."""
    claim = claim_sentence(narrative, subnarrative, language)
    pieces = [claim]
    quotes = []
    words = word_count(claim)
    for start, end, trimmed in regions:
        fragment = text[start:end]
        n = word_count(fragment)
        if words + n > MAX_WORDS:
            break
        # a cut quote ends with an ellipsis, a headline without punctuation with a full stop, so the
        # stitched fragments read as sentences; the quote itself stays verbatim
        pieces.append(fragment + ("…" if trimmed else "." if fragment[-1] not in _SENTENCE_END else ""))
        quotes.append(Span(start, end, fragment, label=CUT_QUOTE if trimmed else QUOTE))
        words += n
    return Explanation(narrative, subnarrative, " ".join(pieces), quotes, score)
