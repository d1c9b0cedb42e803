"""The persuasion part of the HTML report: genre, frames, technique counts and the text with technique spans."""

from __future__ import annotations

from html import escape
from itertools import pairwise

from narrascope.persuasion.model import TECHNIQUES
from narrascope.report.names import display_name
from narrascope.schema import Document, Span

# one fixed colour per technique, so the legend means the same in every article
_COLORS = [
    "#e6194b", "#3cb44b", "#c9a400", "#4363d8", "#f58231", "#911eb4", "#2aa1a1", "#d63ad6", "#7fa700", "#c98a8a",
    "#008080", "#9a6324", "#8a8200", "#800000", "#d1495b", "#808000", "#b5651d", "#000075", "#e4572e", "#5f6caf",
    "#6b8e23", "#a0522d", "#2f4f4f",
]
COLOR = {name: _COLORS[i % len(_COLORS)] for i, name in enumerate(TECHNIQUES)}

CSS = """
.tech{border-bottom:3px solid;padding:0 1px;background:#fafafa}
.tech.multi{border-bottom-style:double}
.chip{display:inline-block;font-size:12px;border-left:10px solid;padding:0 6px;margin:2px 6px 2px 0;background:#f3f4f6}
"""


def _segments(doc: Document, spans: list[Span], start: int, end: int) -> list[tuple[int, int, list[Span]]]:
    """Cut ``[start, end)`` at every span boundary: ``(seg_start, seg_end, spans covering it)``."""
    cuts = {start, end}
    for s in spans:
        if s.end > start and s.start < end:
            cuts.update((max(s.start, start), min(s.end, end)))
    points = sorted(cuts)
    out = []
    for a, b in pairwise(points):
        covering = [s for s in spans if s.start <= a and s.end >= b]
        out.append((a, b, covering))
    return out


def technique_text(doc: Document, anchor: str) -> str:
    """The kept text, escaped, with every technique span underlined in its technique's colour."""
    spans = sorted(doc.spans.get("techniques", []), key=lambda s: (s.start, -s.end))
    kept = doc.spans.get("kept") or []
    regions = [(s.start, s.end) for s in kept] or [(0, len(doc.text))]
    first_of = {id(s): f"{anchor}-t{i}" for i, s in enumerate(spans)}
    out: list[str] = []
    for r_start, r_end in regions:
        for a, b, covering in _segments(doc, spans, r_start, r_end):
            piece = escape(doc.text[a:b])
            if not covering:
                out.append(piece)
                continue
            names = sorted({s.label or "" for s in covering})
            title = escape("; ".join(f"{display_name(s.label or '')} (span confidence {s.score or 0:.2f})" for s in covering))
            ids = "".join(f'<a id="{first_of[id(s)]}"></a>' for s in covering if s.start == a)
            css = "tech multi" if len(names) > 1 else "tech"
            out.append(f'{ids}<span class="{css}" style="border-color:{COLOR.get(names[0], "#888")}" '
                       f'title="{title}">{piece}</span>')
    return "".join(out)


def persuasion_section(doc: Document, anchor: str) -> str:
    """Genre and frames line, technique table (count, quote with a link) and the highlighted text."""
    techniques = doc.labels.get("techniques")
    genre = doc.labels.get("genre")
    frames = doc.labels.get("frames")
    if techniques is None and genre is None:
        return ""
    parts = []
    summary = []
    if genre:
        summary.append(f"genre <b>{escape(display_name(genre[0].name))}</b> ({genre[0].score:.2f})")
    if frames:
        summary.append("frames " + ", ".join(f"{escape(display_name(f.name))} ({f.score:.2f})" for f in frames))
    reader = doc.meta.get("persuasion_reader")
    if reader and summary:  # the second reader: heads trained on other languages, read through another encoder
        summary.append(f"read by {escape(str(reader))}, from other languages' training data")
    if summary:
        parts.append(f'<div class="meta">{" · ".join(summary)}</div>')
    spans = sorted(doc.spans.get("techniques", []), key=lambda s: (s.start, -s.end))
    index = {id(s): i for i, s in enumerate(spans)}
    if techniques:
        rows = []
        for label in techniques:
            best = label.surest_evidence()  # the span that most surely carries the technique
            quote = escape(" ".join(best.text.split())[:160]) if best else ""
            link = (f'<a href="#{anchor}-t{index[id(best)]}">{quote}</a>'
                    if best is not None and id(best) in index else quote)
            rows.append(f'<tr><td><span class="swatch" style="background:{COLOR.get(label.name, "#888")}"></span>'
                        f'{escape(display_name(label.name))}</td><td class="score">{len(label.evidence)}</td>'
                        f'<td class="score">{label.score:.2f}</td><td><i>{link}</i></td></tr>')
        total = sum(len(lb.evidence) for lb in techniques)
        parts.append(f'<table><thead><tr><th>Persuasion technique ({total} spans)</th><th>spans</th><th>score</th>'
                     f'<th>Surest quote</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')
        legend = "".join(f'<span class="chip" style="border-color:{COLOR.get(lb.name, "#888")}">{escape(display_name(lb.name))}'
                         f'</span>' for lb in techniques)
        parts.append(f'<details open><summary>Text with persuasion techniques highlighted</summary>'
                     f'<div class="legend">{legend}</div><div class="text">{technique_text(doc, anchor)}</div>'
                     f'</details>')
    elif techniques is not None and not doc.meta.get("persuasion_unread"):  # unread: the warning says why
        parts.append('<div class="meta">No persuasion technique found.</div>')
    return "".join(parts)
