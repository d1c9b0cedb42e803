"""A self-contained HTML report (no external assets): narratives and highlighted evidence."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from narrascope import __version__
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
"""


def _colors(doc: Document) -> dict[str, str]:
    return {lb.name: _PALETTE[i % len(_PALETTE)] for i, lb in enumerate(doc.narratives)}


def _render_text(doc: Document, colors: dict[str, str], anchor: str) -> str:
    marks: dict[tuple[int, int], list[str]] = {}
    for label in doc.narratives + doc.subnarratives:
        for span in label.evidence:
            names = marks.setdefault((span.start, span.end), [])
            if label.name not in names:
                names.append(label.name)
    for names in marks.values():
        names.sort(key=lambda n: (n not in colors, n))  # a narrative's own colour first
    kept = doc.spans.get("kept") or []
    regions = [(s.start, s.end) for s in kept] or [(0, len(doc.text))]
    out: list[str] = []
    for r_start, r_end in regions:
        pos = r_start
        for (start, end), names in sorted(marks.items()):
            if start < pos or end > r_end or start < r_start:
                continue
            out.append(escape(doc.text[pos:start]))
            first = names[0]
            color = colors.get(first) or colors.get(_parent_of(doc, first), "#e9ecef")
            title = escape("; ".join(names))
            out.append(f'<mark id="{anchor}-{start}" style="background:{color}" title="{title}">'
                       f"{escape(doc.text[start:end])}</mark>")
            pos = end
        out.append(escape(doc.text[pos:r_end]))
    return "".join(out)


def _parent_of(doc: Document, name: str) -> str:
    for label in doc.subnarratives:
        if label.name == name and label.parent:
            return label.parent
    return name


def render_document(doc: Document, index: int) -> str:
    colors = _colors(doc)
    anchor = f"d{index}"
    rows = []
    for narrative in doc.narratives:
        color = colors.get(narrative.name, "#e9ecef")
        link = (f' <a href="#{anchor}-{narrative.evidence[0].start}">evidence</a>' if narrative.evidence else "")
        rows.append(f'<tr><td><span class="swatch" style="background:{color}"></span><b>{escape(narrative.name)}</b>'
                    f'{link}</td><td class="score">{narrative.score:.2f}</td></tr>')
        for sub in doc.subnarratives:
            if sub.parent == narrative.name and sub.name != narrative.name:
                short = sub.name[len(narrative.name) + 2 :] if sub.name.startswith(narrative.name + ": ") else sub.name
                link = f' <a href="#{anchor}-{sub.evidence[0].start}">evidence</a>' if sub.evidence else ""
                rows.append(f'<tr><td class="subn">{escape(short)}{link}</td>'
                            f'<td class="score">{sub.score:.2f}</td></tr>')
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
        f'<tbody>{"".join(rows)}</tbody></table>'
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
        f"<title>narrascope report</title><style>{_CSS}</style></head><body><main>"
        f"<h1>narrascope report</h1><div class=\"sub\">{len(docs)} article(s) · narrascope {__version__}</div>"
        f"{error_html}{body}</main></body></html>"
    )
