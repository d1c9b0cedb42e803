"""The component contract (spaCy's): ``predict`` reads a batch and changes nothing; ``set_annotations``
writes what it returned; ``pipe`` is the two over batches."""

from __future__ import annotations

import copy

from narrascope.schema import Document
from tests.conftest import CLIMATE_TEXT, WAR_TEXT


def test_predict_changes_no_document_and_set_annotations_writes_what_pipe_writes(nlp):
    from narrascope.ingest.readers import read_text

    docs = [read_text(WAR_TEXT), read_text(CLIMATE_TEXT)]
    for component in nlp.components:
        before = [d.to_json() for d in docs]
        scores = component.predict(docs)
        assert [d.to_json() for d in docs] == before, f"{component.name}: predict changed a Document"
        piped = list(component.pipe(copy.deepcopy(docs)))
        component.set_annotations(docs, scores)
        assert [d.to_json() for d in docs] == [d.to_json() for d in piped], component.name
    assert docs[0].narratives and docs[0].entities  # the whole pipeline ran, roles included
    assert all(isinstance(d, Document) for d in piped)
