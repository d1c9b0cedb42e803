"""A self-contained HTML report (no external assets): narratives, entity roles and highlighted evidence."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from narrascope import __version__
from narrascope.report.persuasion_html import CSS as PERSUASION_CSS
from narrascope.report.persuasion_html import persuasion_section
from narrascope.report.view import narrative_rows, ranked_entities
from narrascope.schema import Document

_PALETTE = ["#ffd6a5", "#caffbf", "#9bf6ff", "#bdb2ff", "#ffc6ff", "#fdffb6", "#a0c4ff", "#ffadad"]

_CSS = """
body{font:15px/1.55 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f6f7f9;color:#1d232b}
main{max-width:980px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px} .sub{color:#5b6573;font-size:13px;margin-bottom:20px}
article{background:#fff;border:1px solid #dde2e8;border-radius:8px;padding:20px 24px;margin-bottom:28px}
article h2{font-size:19px;margin:0 0 4px} .meta{color:#5b6573;font-size:13px;margin-bottom:12px}
table{border-collapse:collapse;width:100%;margin:8px 0 16px;font-size:14px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eef1f4;vertical-align:top}
td.score{width:60px;text-align:right;font-variant-numeric:tabular-nums}
.swatch{display:inline-block;width:12px;height:12px;border-radius:3px;margin-right:6px;vertical-align:-1px}
.subn{padding-left:26px;color:#37414d}
.text{white-space:pre-wrap;border-top:1px solid #eef1f4;padding-top:12px}
mark{border-radius:3px;padding:1px 0} mark:target{outline:2px solid #1d232b}
.warn{background:#fff4d6;border:1px solid #f0d28a;border-radius:6px;padding:6px 10px;margin:8px 0;font-size:13px}
details{margin-top:8px} summary{cursor:pointer;color:#37414d}
.ent{border-bottom:3px solid;padding:0 1px} .ent.protagonist{border-color:#2e7d32;background:#e8f5e9}
.ent.antagonist{border-color:#c62828;background:#ffebee} .ent.innocent{border-color:#1565c0;background:#e3f2fd}
.role{font-weight:600} .role.protagonist{color:#1b5e20} .role.antagonist{color:#b71c1c} .role.innocent{color:#0d47a1}
.legend{font-size:13px;color:#37414d;margin:4px 0 8px} .legend .ent{margin-right:10px}
.explain{background:#f3f6fb;border-left:4px solid #5c7cfa;border-radius:4px;padding:8px 12px;margin:4px 0 16px}
.explain p{margin:4px 0} a.quote{font-style:italic;color:#1d3f9e}
span.quote{text-decoration:underline dotted #5c7cfa 2px} span.quote:target{background:#dbe4ff}
"""

_ROLE_CLASS = {"Protagonist": "protagonist", "Antagonist": "antagonist", "Innocent": "innocent"}
MAX_ENTITIES = 15


def _colors(doc: Document) -> dict[str, str]:
    return {lb.name: _PALETTE[i % len(_PALETTE)] for i, lb in enumerate(doc.narratives)}


def _mention_marks(doc: Document) -> list[tuple[int, int, str, str]]:
    """``(start, end, css class, tooltip)`` of each classified mention, non-overlapping."""
    out = []
    names = {e.id: e.name for e in doc.entities}
    for entity in doc.entities:
        for m in entity.mentions:
            if m.main_role is None:
                continue
            fines = ", ".join(f"{r.name} {r.score:.2f}" for r in m.fine_roles)
            tip = f"{names.get(m.entity, m.text)}: {m.main_role.name} {m.main_role.score:.2f} ({fines})"
            out.append((m.start, m.end, _ROLE_CLASS.get(m.main_role.name, ""), tip))
    out.sort()
    kept, last = [], -1
    for item in out:
        if item[0] >= last:
            kept.append(item)
            last = item[1]
    return kept


def _plain(doc: Document, start: int, end: int, mentions: list[tuple[int, int, str, str]], anchor: str) -> str:
    """``text[start:end]`` escaped, with the mentions that lie wholly inside it wrapped."""
    out, pos = [], start
    for m_start, m_end, css, tip in mentions:
        if m_start < pos or m_end > end:
            continue
        out.append(escape(doc.text[pos:m_start]))
        out.append(f'<span class="ent {css}" id="{anchor}-m{m_start}" title="{escape(tip)}">'
                   f"{escape(doc.text[m_start:m_end])}</span>")
        pos = m_end
    out.append(escape(doc.text[pos:end]))
    return "".join(out)


def _inline(doc: Document, start: int, end: int, mentions: list[tuple[int, int, str, str]],
            quotes: list[tuple[int, int, int]], anchor: str) -> str:
    """Like ``_plain``, with the explanation's quotes that lie wholly inside wrapped as link targets."""
    out, pos = [], start
    for q_start, q_end, k in quotes:
        if q_start < pos or q_end > end:
            continue
        out.append(_plain(doc, pos, q_start, mentions, anchor))
        out.append(f'<span class="quote" id="{anchor}-q{k}">{_plain(doc, q_start, q_end, mentions, anchor)}</span>')
        pos = q_end
    out.append(_plain(doc, pos, end, mentions, anchor))
    return "".join(out)


def _explanation(doc: Document, anchor: str) -> str:
    """The dominant narrative and its explanation; each quote links to its place in the text."""
    from narrascope.explain.claims import quote_marks
    from narrascope.explain.compose import CUT_QUOTE

    explanation = doc.explanation
    if explanation is None:
        return ""
    opening, closing = quote_marks(doc.language)
    index = {id(q): k for k, q in enumerate(explanation.quotes)}
    html = []
    previous = None
    for piece, quote in explanation.parts():
        if quote is None:  # the ellipsis after a cut quote moves inside its quotation marks
            cut_before = previous is not None and previous.label == CUT_QUOTE
            html.append(escape(piece.removeprefix("…") if cut_before else piece))
        else:
            cut = "…" if quote.label == CUT_QUOTE else ""
            html.append(f'<a class="quote" href="#{anchor}-q{index[id(quote)]}">'
                        f'{escape(opening)}{escape(piece)}{cut}{escape(closing)}</a>')
        previous = quote
    label = explanation.subnarrative or explanation.narrative
    return (f'<div class="explain"><div class="meta">Dominant narrative: <b>{escape(label)}</b></div>'
            f'<p>{"".join(html)}</p></div>')


def _render_text(doc: Document, colors: dict[str, str], anchor: str) -> str:
    marks: dict[tuple[int, int], list[str]] = {}
    for label in doc.narratives + doc.subnarratives:
        for span in label.evidence:
            names = marks.setdefault((span.start, span.end), [])
            if label.name not in names:
                names.append(label.name)
    for names in marks.values():
        names.sort(key=lambda n: (n not in colors, n))  # a narrative's own colour first
    mentions = _mention_marks(doc)
    quotes = sorted((q.start, q.end, k) for k, q in enumerate(doc.explanation.quotes)) if doc.explanation else []
    kept = doc.spans.get("kept") or []
    regions = [(s.start, s.end) for s in kept] or [(0, len(doc.text))]
    out: list[str] = []
    for r_start, r_end in regions:
        pos = r_start
        for (start, end), names in sorted(marks.items()):
            if start < pos or end > r_end or start < r_start:
                continue
            out.append(_inline(doc, pos, start, mentions, quotes, anchor))
            first = names[0]
            color = colors.get(first) or colors.get(_parent_of(doc, first), "#e9ecef")
            title = escape("; ".join(names))
            out.append(f'<mark id="{anchor}-{start}" style="background:{color}" title="{title}">'
                       f"{_inline(doc, start, end, mentions, quotes, anchor)}</mark>")
            pos = end
        out.append(_inline(doc, pos, r_end, mentions, quotes, anchor))
    return "".join(out)


def _parent_of(doc: Document, name: str) -> str:
    for label in doc.subnarratives:
        if label.name == name and label.parent:
            return label.parent
    return name


def _entity_table(doc: Document, anchor: str) -> str:
    entities, more = ranked_entities(doc, MAX_ENTITIES)
    if not entities:
        return ""
    rows = []
    for entity in entities:
        role = entity.main_role
        css = _ROLE_CLASS.get(role.name, "")
        fines = ", ".join(escape(r.name) for r in entity.fine_roles)
        first = next((m for m in entity.mentions if m.main_role and m.main_role.name == role.name), entity.mentions[0])
        quote = escape(" ".join(role.evidence[0].text.split())[:200]) if role.evidence else ""
        rows.append(f'<tr><td><a href="#{anchor}-m{first.start}"><b>{escape(entity.name)}</b></a>'
                    f' <span class="meta">×{len(entity.mentions)}</span></td>'
                    f'<td><span class="role {css}">{escape(role.name)}</span>: {fines}</td>'
                    f'<td class="score">{role.score:.2f}</td><td><i>{quote}</i></td></tr>')
    noun = "entity" if more == 1 else "entities"
    note = f'<div class="meta">and {more} more {noun}, highlighted in the text</div>' if more > 0 else ""
    legend = ('<div class="legend">Mentions in the text: <span class="ent protagonist">protagonist</span>'
              '<span class="ent antagonist">antagonist</span><span class="ent innocent">innocent</span></div>')
    return (f'<table><thead><tr><th>Entity</th><th>Role</th><th>score</th><th>Evidence</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>{note}{legend}')


def render_document(doc: Document, index: int) -> str:
    colors = _colors(doc)
    anchor = f"d{index}"
    rows = []
    for row in narrative_rows(doc):
        label = row.label
        link = f' <a href="#{anchor}-{label.evidence[0].start}">evidence</a>' if label.evidence else ""
        if row.sub:
            rows.append(f'<tr><td class="subn">{escape(row.name)}{link}</td>'
                        f'<td class="score">{label.score:.2f}</td></tr>')
            continue
        color = colors.get(label.name, "#e9ecef")
        rows.append(f'<tr><td><span class="swatch" style="background:{color}"></span><b>{escape(row.name)}</b>'
                    f'{link}</td><td class="score">{label.score:.2f}</td></tr>')
    meta = [f"id {escape(doc.id)}", f"language {escape(doc.language or '?')}"]
    for key in ("source", "url", "date"):
        value = getattr(doc, key)
        if value:
            meta.append(f"{key} {escape(value)}")
    warnings = "".join(f'<div class="warn">{escape(w)}</div>' for w in doc.warnings)
    return (
        f'<article id="{anchor}"><h2>{escape(doc.title or doc.id)}</h2>'
        f'<div class="meta">{" · ".join(meta)}</div>{warnings}'
        f'<table><thead><tr><th>Narrative / sub-narrative</th><th>score</th></tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table>{_explanation(doc, anchor)}'
        f'{_entity_table(doc, anchor)}{persuasion_section(doc, anchor)}'
        f'<details open><summary>Cleaned text with evidence highlighted</summary>'
        f'<div class="text">{_render_text(doc, colors, anchor)}</div></details></article>'
    )


def render_report(docs: Iterable[Document], errors: Iterable[str] = ()) -> str:
    docs = list(docs)
    errors = list(errors)
    body = "".join(render_document(d, i) for i, d in enumerate(docs))
    error_html = "".join(f'<div class="warn">{escape(e)}</div>' for e in errors)
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        f"<title>narrascope report</title><style>{_CSS}{PERSUASION_CSS}</style></head><body><main>"
        f"<h1>narrascope report</h1><div class=\"sub\">{len(docs)} article(s) · narrascope {__version__}</div>"
        f"{error_html}{body}</main></body></html>"
    )
