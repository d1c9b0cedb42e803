import pytest

from narrascope.errors import DataError
from narrascope.schema import SCHEMA_VERSION, Document, Label, Span, Taxonomy


def make_doc() -> Document:
    text = "\ufeffTitle\r\n\r\nThe West provoked the war. Nobody asked."
    start = text.index("The West")
    ev = Span(start, start + 26, text[start : start + 26], label="URW: Blaming the war on others rather than the invader")
    return Document(
        text=text, id="a1", title="Title", language="en", language_score=0.9,
        spans={"kept": [Span(0, len(text))], "sentences": [ev]},
        labels={"narratives": [Label("URW: Blaming the war on others rather than the invader", 0.8, [ev])],
                "subnarratives": [Label("URW: Blaming the war on others rather than the invader: "
                                        "The West are the aggressors", 0.7, [ev],
                                        parent="URW: Blaming the war on others rather than the invader")]},
        warnings=["w"], meta={"k": 1},
    )


def test_json_round_trip_is_lossless():
    doc = make_doc()
    again = Document.from_json(doc.to_json())
    assert again == doc
    assert again.to_dict()["schema_version"] == SCHEMA_VERSION
    assert again.narratives[0].evidence[0].text == "The West provoked the war."


def test_unknown_schema_version_is_a_clear_error():
    data = make_doc().to_dict()
    data["schema_version"] = 999
    with pytest.raises(DataError, match="schema version"):
        Document.from_dict(data)


def test_clean_text_joins_kept_regions():
    doc = Document(text="abc\nSHARE\ndef", spans={"kept": [Span(0, 4), Span(10, 13)]})
    assert doc.clean_text == "abc\ndef"


def test_taxonomy_hierarchy():
    tax = Taxonomy.default()
    assert len(tax.narratives) == 22 and "Other" in tax.narratives
    assert len(tax.subnarratives) == 91
    sub = "URW: Discrediting Ukraine: Ukraine is a puppet of the West"
    assert tax.parent(sub) == "URW: Discrediting Ukraine"
    assert tax.parent("CC: Amplifying Climate Fears: Other") == "CC: Amplifying Climate Fears"
    assert tax.parent("Other") == "Other"
    with pytest.raises(KeyError):
        tax.parent("Nope: nothing")


def test_codes_are_shown_as_names():
    from narrascope.report.names import display_name

    assert display_name("Name_Calling-Labeling") == "Name calling / labeling"
    assert display_name("Security_and_defense") == "Security and defense"
    assert display_name("satire") == "Satire"
    assert display_name("URW: Discrediting the West, Diplomacy") == "URW: Discrediting the West, Diplomacy"
