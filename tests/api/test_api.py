"""The REST API and web app through FastAPI's TestClient (a real app, pipeline and DuckDB file)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from narrascope.api.app import Settings, create_app

ARTICLE = ("Long-range missiles and the brink\n\n"
           "Washington approved strikes deep inside Russia. Moscow warned that NATO would become a party to "
           "the war. One miscalculation could lead to a nuclear confrontation and World War III.\n")


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    db = tmp_path_factory.mktemp("api") / "corpus.duckdb"
    app = create_app(Settings(db=str(db), token="s3cret", max_body_bytes=20_000))
    with TestClient(app) as c:
        yield c


AUTH = {"Authorization": "Bearer s3cret"}


def test_analyze_returns_the_full_analysis(client: TestClient):
    response = client.post("/analyze", json={"text": ARTICLE})
    assert response.status_code == 200
    doc = response.json()
    assert doc["schema_version"] == 3 and doc["labels"]["narratives"]
    assert doc["explanation"]["quotes"] and doc["entities"]
    html = client.post("/analyze", json={"html": f"<html><body><article><h1>T</h1><p>{ARTICLE}</p></article></body></html>"})
    assert html.status_code == 200 and html.json()["labels"]["narratives"]
    given = client.post("/analyze", json={"text": ARTICLE, "lang": "PT"}).json()  # as in JSONL: not detected
    assert given["language"] == "pt"


def test_bad_requests_get_clear_errors(client: TestClient):
    malformed = client.post("/analyze", content=b"{not json", headers={"content-type": "application/json"})
    assert malformed.status_code == 422 and "JSON" in malformed.text
    assert client.post("/analyze", json={}).status_code == 422  # no text, html or url
    big = client.post("/analyze", json={"text": "word " * 10_000})
    assert big.status_code == 413 and "larger than" in big.json()["detail"]
    for url in ("file:///etc/passwd", "http://127.0.0.1:8000/", "http://169.254.169.254/latest"):
        refused = client.post("/analyze", json={"url": url})
        assert refused.status_code == 422, url
    assert client.get("/documents/nope").status_code == 404
    menu = client.post("/analyze", json={"html": "<html><body><nav>Home</nav></body></html>"})
    assert menu.status_code == 422 and menu.json()["code"] == "E105" and "[E105]" in menu.json()["detail"]
    assert client.post("/analyze", json={"text": "  \n "}).status_code == 422  # blank text
    misspelt = client.post("/analyze", json={"text": ARTICLE, "titel": "A title"})
    assert misspelt.status_code == 422 and "titel" in misspelt.text  # not dropped without a word
    assert client.post("/analyze", json={"text": ARTICLE, "lang": "english"}).status_code == 422
    for date in ("06/05/2024", "2024-13-45", "yesterday"):  # not guessed: the timeline would be wrong
        refused = client.post("/documents", json={"text": "NATO sent more weapons.", "date": date}, headers=AUTH)
        assert refused.status_code == 422 and "ISO 8601" in refused.text, date


def test_store_list_filter_export_and_statistics(client: TestClient):
    assert client.post("/documents", json={"text": ARTICLE}).status_code == 401  # the token protects writes
    first = client.post("/documents", json={"text": ARTICLE, "date": "2026-02-03", "source": "site-a"}, headers=AUTH)
    assert first.status_code == 201 and first.json()["status"] == "added"
    again = client.post("/documents", json={"text": ARTICLE}, headers=AUTH)
    assert again.status_code == 200 and again.json() == {"id": first.json()["id"], "status": "unchanged"}
    other = ("Net zero rules\n\nThe climate rules will ruin farmers and raise food prices for every family. These "
             "arrogant, reckless eco-zealots in Brussels despise ordinary people.\n")  # loaded words: techniques
    client.post("/documents", json={"text": other, "date": "2026-02-20", "source": "site-b"}, headers=AUTH)
    page = client.get("/documents", params={"limit": 1}).json()
    assert page["total"] == 2 and len(page["items"]) == 1 and page["items"][0]["day"] == "2026-02-20"
    # sorted on the server, so every page follows one order; "-" first: descending
    for sort, days in (("date", ["2026-02-03", "2026-02-20"]), ("-date", ["2026-02-20", "2026-02-03"]),
                       ("source", ["2026-02-03", "2026-02-20"]), ("-source", ["2026-02-20", "2026-02-03"]),
                       ("title", ["2026-02-03", "2026-02-20"]), ("-title", ["2026-02-20", "2026-02-03"])):
        assert [d["day"] for d in client.get("/documents", params={"sort": sort}).json()["items"]] == days, sort
    assert client.get("/documents", params={"sort": "-title", "limit": 1, "offset": 1}).json()["items"][0][
        "day"] == "2026-02-03"
    for bad in ("text", "--date", "date;drop", ""):
        assert client.get("/documents", params={"sort": bad}).status_code == 422, bad
    # what the filters can take (the dashboard's suggestions), under the other filters
    sources = client.get("/stats/values", params={"field": "source"}).json()
    assert sources == [{"value": "site-a", "articles": 1}, {"value": "site-b", "articles": 1}]
    assert client.get("/stats/values", params={"field": "source", "q": "farmers"}).json() == [
        {"value": "site-b", "articles": 1}]
    techniques = client.get("/stats/values", params={"field": "technique"}).json()
    assert techniques and all(v["value"] != "Other" and v["articles"] >= 1 for v in techniques)
    assert client.get("/stats/values", params={"field": "entity", "limit": 3}).json()
    assert client.get("/stats/values", params={"field": "text"}).status_code == 422
    fear = client.get("/documents", params={"q": "miscalculation"}).json()
    assert fear["total"] == 1 and fear["items"][0]["id"] == first.json()["id"]
    narrative = fear["items"][0]["narratives"][0]
    assert client.get("/documents", params={"narrative": narrative, "from": "2026-02-01", "to": "2026-02-10"}
                      ).json()["total"] == 1
    doc = client.get(f"/documents/{first.json()['id']}").json()
    assert doc["text"] == ARTICLE
    stats = client.get("/stats/narratives", params={"interval": "week", "by": "source"}).json()
    assert any(s["narrative"] == narrative and s["source"] == "site-a" and s["articles"] == 1 for s in stats)
    assert client.get("/stats/narratives", params={"interval": "year"}).status_code == 422
    actors = client.get("/entities", params={"limit": 5}).json()
    assert actors and {"name", "role", "articles", "mentions"} <= set(actors[0])
    export = client.get("/documents/export", params={"format": "csv", "q": "miscalculation"})
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert export.text.count("\n") >= 2 and "miscalculation" in export.text


def test_a_changed_article_keeps_its_earlier_versions(client: TestClient):
    url = "https://news.example/changing"
    first = client.post("/documents", json={"text": "Talks\n\nNATO provoked the war, the minister said.",
                                             "url": url}, headers=AUTH).json()
    second = client.post("/documents", json={"text": "Talks\n\nNATO provoked the war. Update: talks resume.",
                                              "url": url}, headers=AUTH).json()
    assert second["status"] == "updated"
    assert client.get(f"/documents/{first['id']}").status_code == 404  # replaced
    history = client.get(f"/documents/{second['id']}/history").json()
    assert [(h["id"], h["replaced_by"]) for h in history] == [(first["id"], second["id"])]
    earlier = client.get(f"/history/{first['id']}").json()
    assert "Update" not in earlier["text"] and earlier["labels"]["narratives"]
    assert client.get("/history/nope").status_code == 404 and client.get("/documents/nope/history").status_code == 404


def test_filters_match_part_of_a_name_in_any_case(client: TestClient):
    text = ("Putin and the talks\n\nVladimir Putin said on Monday that NATO had provoked the war, "
            "and that Russia would not negotiate while the West sends weapons.\n")
    posted = client.post("/documents", json={"text": text, "source": "Éxample Nëws São Paulo"}, headers=AUTH)
    key = posted.json()["id"]
    doc = client.get(f"/documents/{key}").json()
    assert any(e["name"] == "Vladimir Putin" for e in doc["entities"])
    for params in ({"entity": "putin"}, {"entity": "PUTIN"}, {"entity": "vladimir put"}, {"source": "example"},
                   {"source": "sao paulo"}, {"source": "ÉXAMPLE NËWS"}, {"entity": "pütin"}):  # nor accents
        found = client.get("/documents", params=params).json()
        assert key in [item["id"] for item in found["items"]], params
    assert client.get("/documents", params={"entity": "putinism"}).json()["total"] == 0
    techniques = doc["labels"]["techniques"]
    if techniques:  # "loaded language" finds Loaded_Language: underscores and hyphens read as spaces
        loose = techniques[0]["name"].replace("_", " ").replace("-", " ").lower()
        assert key in [i["id"] for i in client.get("/documents", params={"technique": loose}).json()["items"]]


def test_web_app_and_openapi(client: TestClient):
    page = client.get("/")
    assert page.status_code == 200 and "Corpus dashboard" in page.text
    assert client.get("/static/vendor/chart.umd.min.js").status_code == 200  # served locally, no CDN
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg")
    script = client.get("/static/app.js").text
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script  # text nodes only
    spec = client.get("/openapi.json").json()
    assert {"/analyze", "/documents", "/documents/{doc_id}", "/stats/narratives", "/entities"} <= set(spec["paths"])


def test_no_model_loads_at_import():
    import importlib
    import sys

    for name in [m for m in sys.modules if m.startswith("narrascope.api")]:
        del sys.modules[name]
    module = importlib.import_module("narrascope.api.app")
    assert "narrascope.components.narratives" not in vars(module)
    app = module.create_app(Settings(db=str(Path("/nonexistent/never-opened.duckdb"))))
    assert app.title == "narrascope"  # creating the app opens nothing; the lifespan does


def test_an_analysis_comes_back_typed_and_whole(client: TestClient):
    """The API's analysis schema (OpenAPI) is the Document's JSON, and typing it drops or adds nothing."""
    from narrascope.report.view import reader_view
    from narrascope.schema import Document

    answer = client.post("/analyze", json={"text": ARTICLE}).json()
    view = answer.pop("view")  # what a reader is shown, beside the Document's JSON
    doc = Document.from_dict(answer)
    assert doc.to_dict() == answer  # every field kept, none added (no nulls for unset)
    assert view == reader_view(doc) and view["narratives"] and view["actors"]
    assert [row["name"] for row in view["narratives"] if not row["sub"]] == [n.name for n in doc.narratives]
    answer["view"] = view
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert {"Analysis", "LabelOut", "EntityOut", "SpanOut", "ReaderView"} <= set(schema)
    assert set(schema["Analysis"]["properties"]) == set(answer)
    assert schema["LabelOut"]["properties"]["score"]["description"].startswith("Calibrated probability")
