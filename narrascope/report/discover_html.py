"""A self-contained HTML page of ``narrascope discover``'s clusters: new ones first, each with its
time line (a sparkline), quotes, languages and sources; the first ``MAX_CLUSTERS`` in that order only (a
page of every cluster of 100,000 articles weighs 200 MB, more than a browser opens), all of them in the JSON."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape
from typing import Any

STYLE = """body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:1.5rem auto;padding:0 1rem;color:#222}
section{border-top:1px solid #ddd;padding:.6rem 0}h2{font-size:1.05rem;margin:.2rem 0}
.new{color:#a33}.known{color:#357}.muted{color:#666;font-size:.9rem}q{display:block;margin:.2rem 0 .2rem 1rem}
svg{vertical-align:middle}"""
MAX_CLUSTERS = 1000


def sparkline(counts: dict[str, int], width: int = 160, height: int = 24) -> str:
    """Articles per day as an inline SVG bar chart (empty days included)."""
    if not counts:
        return '<span class="muted">undated</span>'
    first, last = date.fromisoformat(min(counts)), date.fromisoformat(max(counts))
    days = [(first + timedelta(d)).isoformat() for d in range(min((last - first).days + 1, 366))]
    top = max(counts.values())
    step = width / len(days)
    bars = "".join(f'<rect x="{i * step:.1f}" y="{height - height * counts.get(d, 0) / top:.1f}" '
                   f'width="{max(step - 1, 1):.1f}" height="{height * counts.get(d, 0) / top:.1f}"><title>{d}: '
                   f'{counts.get(d, 0)}</title></rect>' for i, d in enumerate(days))
    return f'<svg width="{width}" height="{height}" role="img" aria-label="articles per day">{bars}</svg>'


def render_clusters(result: dict[str, Any], limit: int = MAX_CLUSTERS) -> str:
    """The page: new clusters first, then known ones, each group largest first; at most ``limit``."""
    clusters = sorted(result["clusters"], key=lambda c: (c["status"] != "new", -len(c["documents"])))
    shown = (f"; only the first {limit:,} (new first, then the largest) are shown here: all {len(clusters):,} "
             "are in the JSON" if len(clusters) > limit else "")
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>narrascope discover</title>"
             f"<style>{STYLE}</style></head><body><h1>Recurring claims</h1>"
             f"<p class='muted'>{len(clusters)} clusters ({sum(c['status'] == 'new' for c in clusters)} new) from "
             f"{result['claims']} claims in {result['articles']} articles; known means explained by "
             f"{escape(str(result.get('known_from', 'the taxonomy')))}{shown}.</p>"]
    for key in ("note", "not_read_note"):
        if result.get(key):
            parts.append(f"<p>{escape(result[key])}</p>")
    for c in clusters[:limit]:
        status = "new" if c["status"] == "new" else f"known: {escape(c['known_narrative'] or '')}"
        quotes = "".join(f"<q>{escape(q['text'])}</q><span class='muted'>{escape(q['document'])}</span>"
                         for q in c["quotes"])
        parts.append(
            f"<section id='{escape(c['id'])}'><h2>{escape(c['label'])} <span class='{c['status']}'>({status})</span>"
            f"</h2><div class='muted'>{len(c['documents'])} articles · {', '.join(map(escape, c['languages']))} · "
            f"{escape(', '.join(c['sources'][:5]))} {sparkline(c['counts_by_day'])} {escape(c['first_seen'] or '')}"
            f"{' – ' + escape(c['last_seen']) if c['last_seen'] and c['last_seen'] != c['first_seen'] else ''} · "
            f"id {escape(c['id'])}</div>{quotes}</section>")
    parts.append("</body></html>")
    return "".join(parts)
