"""Rich summary of an analysed article for the terminal."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from narrascope.report.names import display_name
from narrascope.report.view import narrative_rows, ranked_entities
from narrascope.schema import Document

_ROLE_STYLE = {"Protagonist": "green", "Antagonist": "red", "Innocent": "blue"}
MAX_ENTITIES = 8
MAX_TECHNIQUES = 6


def _quote(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_document(doc: Document) -> Panel:
    table = Table(show_header=True, header_style="bold", expand=True, box=None)
    table.add_column("narrative / sub-narrative", ratio=3)
    table.add_column("score", justify="right", width=6)
    table.add_column("evidence", ratio=4)
    for row in narrative_rows(doc):
        label = row.label
        surest = label.surest_evidence()
        quote = _quote(surest.text) if surest else ""
        if row.sub:
            table.add_row(f"  └ {row.name}", f"{label.score:.2f}", Text(quote, style="dim italic"))
            continue
        table.add_row(Text(row.name, style="bold"), f"{label.score:.2f}", Text(quote, style="italic"))
        if label.example:  # a user taxonomy's example the evidence is closest to
            table.add_row(Text("  closest example", style="dim"), "", Text(_quote(label.example, 120), style="dim"))
    lang = doc.language or "?"
    subtitle = f"{doc.id} · language {lang}" + (f" ({doc.language_score:.2f})" if doc.language_score else "")
    parts: list = [table]
    if doc.explanation is not None:
        parts.append(_explanation(doc))
    entities, more = ranked_entities(doc, MAX_ENTITIES)
    if entities:
        roles = Table(show_header=True, header_style="bold", expand=True, box=None)
        roles.add_column("entity", ratio=2)
        roles.add_column("role", ratio=2)
        roles.add_column("score", justify="right", width=6)
        roles.add_column("evidence", ratio=4)
        for entity in entities:
            role = entity.main_role
            fines = ", ".join(r.name for r in entity.fine_roles)
            quote = _quote(role.evidence[0].text, 120) if role.evidence else ""
            roles.add_row(f"{entity.name} ×{len(entity.mentions)}",
                          Text(f"{role.name}: {fines}", style=_ROLE_STYLE.get(role.name, "")),
                          f"{role.score:.2f}", Text(quote, style="italic"))
        parts.append(roles)
        if more:
            noun = "entity" if more == 1 else "entities"
            parts.append(Text(f"and {more} more {noun} (--html shows them all in the text)", style="dim"))
    parts.extend(_persuasion(doc))
    for warning in doc.warnings:
        parts.append(Text(f"⚠ {warning}", style="yellow"))
    return Panel(Group(*parts), title=Text(_quote(doc.title or doc.id, 100), style="bold cyan"),
                 subtitle=subtitle, title_align="left")


def _explanation(doc: Document) -> Text:
    """The dominant narrative, then its explanation with the article's own words in quotation marks."""
    from narrascope.explain.claims import quote_marks
    from narrascope.explain.compose import CUT_QUOTE

    explanation = doc.explanation
    opening, closing = quote_marks(doc.language)
    text = Text("dominant: ", style="bold")
    text.append(explanation.subnarrative or explanation.narrative, style="bold")
    text.append("\n")
    previous = None
    for piece, quote in explanation.parts():
        if quote is None:  # the ellipsis after a cut quote moves inside its quotation marks
            text.append(piece.removeprefix("…") if previous is not None and previous.label == CUT_QUOTE else piece)
        else:
            text.append(f"{opening}{piece}{'…' if quote.label == CUT_QUOTE else ''}{closing}", style="italic")
        previous = quote
    return text


def _persuasion(doc: Document) -> list:
    """Genre and frames on one line, then the top techniques with a quote each."""
    parts: list = []
    genre, frames = doc.labels.get("genre"), doc.labels.get("frames")
    line = []
    if genre:
        line.append(f"genre: {display_name(genre[0].name)} ({genre[0].score:.2f})")
    if frames:
        line.append("frames: " + ", ".join(display_name(f.name) for f in frames))
    if line:
        parts.append(Text("  ·  ".join(line), style="bold"))
        reader = doc.meta.get("persuasion_reader")
        if reader:  # the second reader: heads trained on other languages, read through another encoder
            parts.append(Text(f"persuasion read by {reader}, from other languages' training data", style="dim"))
    techniques = doc.labels.get("techniques") or []
    if techniques:
        table = Table(show_header=True, header_style="bold", expand=True, box=None)
        table.add_column("persuasion technique", ratio=2)
        table.add_column("spans", justify="right", width=6)
        table.add_column("quote", ratio=4)
        for label in techniques[:MAX_TECHNIQUES]:
            best = label.surest_evidence()  # the span that most surely carries the technique
            quote = _quote(best.text, 120) if best else ""
            table.add_row(display_name(label.name), str(len(label.evidence)), Text(quote, style="italic"))
        parts.append(table)
    return parts


def print_document(doc: Document, console: Console) -> None:
    console.print(render_document(doc))
