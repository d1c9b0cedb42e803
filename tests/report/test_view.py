"""The reader's view of a Document, shared by the terminal summary and the HTML report."""

from __future__ import annotations

from rich.console import Console

from narrascope.report.html import render_document as render_html
from narrascope.report.terminal import render_document as render_terminal
from narrascope.report.view import NO_NARRATIVE, narrative_rows, ranked_entities, reader_view
from narrascope.schema import Document, Entity, Label, Mention, Span

TEXT = "NATO provoked the war. Kyiv and Brussels will drag Europe into World War III.\n"


def _document() -> Document:
    doc = Document(text=TEXT, id="a1", language="en")
    doc.spans["kept"] = [Span(0, len(TEXT))]
    said = Span(0, 22, TEXT[:22], score=0.9)
    doc.labels["narratives"] = [Label("URW: Blaming the war on others", 0.8, [said]),
                                Label("URW: Amplifying war-related fears", 0.6)]
    doc.labels["subnarratives"] = [
        Label("URW: Amplifying war-related fears: By continuing the war we risk WWIII", 0.5,
              parent="URW: Amplifying war-related fears"),
        Label("URW: Blaming the war on others: The West are the aggressors", 0.7, [said],
              parent="URW: Blaming the war on others"),
        Label("URW: Blaming the war on others: Other", 0.2, parent="URW: Blaming the war on others")]
    role = Label("Antagonist", 0.9, [said])
    doc.entities = [Entity(f"e{i}", name, mentions=[Mention(0, 4, "NATO")] * count, main_role=role)
                    for i, (name, count) in enumerate([("Kyiv", 1), ("NATO", 3), ("Brussels", 1), ("Moscow", 2)])]
    doc.entities.append(Entity("e9", "Europe", mentions=[Mention(60, 66, "Europe")]))  # given no role
    return doc


def test_each_narrative_is_followed_by_its_own_subnarratives_named_short_and_no_other():
    rows = narrative_rows(_document())
    assert [(row.name, row.sub) for row in rows] == [
        ("URW: Blaming the war on others", False), ("The West are the aggressors", True),
        ("URW: Amplifying war-related fears", False), ("By continuing the war we risk WWIII", True)]


def test_an_article_with_no_narrative_says_so_in_words():
    doc = Document(text=TEXT, id="a2", language="en")
    doc.labels["narratives"] = [Label("Other", 0.8)]
    assert [row.name for row in narrative_rows(doc)] == [NO_NARRATIVE]
    assert reader_view(doc)["narratives"] == [{"name": "Other", "shown": NO_NARRATIVE, "sub": False, "score": 0.8}]


def test_entities_with_a_role_most_mentioned_first_and_how_many_more():
    shown, more = ranked_entities(_document(), 3)
    assert [e.name for e in shown] == ["NATO", "Moscow", "Brussels"] and more == 1  # Europe has no role


def test_the_terminal_and_the_html_report_show_the_same_rows_in_the_same_order():
    doc = _document()
    console = Console(record=True, width=200)
    console.print(render_terminal(doc))
    terminal, html = console.export_text(), render_html(doc, 0)
    for text in (terminal, html):
        places = [text.index(row.name) for row in narrative_rows(doc)]
        assert places == sorted(places)
        after = text[text.index("×") - 60:]  # the actor table ("NATO ×3"), after the narratives' quotes
        assert after.index("NATO") < after.index("Moscow") < after.index("Brussels") < after.index("Kyiv")


def test_the_web_app_colours_techniques_as_the_html_report_does():
    import json
    import re

    from narrascope.report.persuasion_html import COLOR
    from tests.paths import PACKAGE

    script = (PACKAGE / "api" / "static" / "app.js").read_text(encoding="utf-8")
    block = re.search(r"const TECHNIQUE_COLOURS = (\{.*?\});", script, re.S).group(1)
    assert json.loads(re.sub(r",\s*}", "}", block)) == COLOR
