"""Attacks through the REST API and the fetcher: private addresses and DNS rebinding, links that are not
web addresses, spreadsheet formulas in exports, SQL in filters, oversized bodies, floods of requests,
an empty token, and the same article posted many times at once."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from narrascope.api.app import Settings, create_app
from narrascope.errors import InputError
from narrascope.ingest.fetch import check_url

ARTICLE = ("Long-range missiles and the brink\n\n"
           "Washington approved strikes deep inside Russia. Moscow warned that NATO would become a party to "
           "the war. One miscalculation could lead to a nuclear confrontation and World War III.\n")
AUTH = {"Authorization": "Bearer s3cret"}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    db = tmp_path_factory.mktemp("attacks") / "corpus.duckdb"
    app = create_app(Settings(db=str(db), token="s3cret", max_body_bytes=20_000))
    with TestClient(app) as c:
        yield c


def test_url_rules():
    with pytest.raises(InputError, match="http"):
        check_url("ftp://example.org/a")
    with pytest.raises(InputError, match="non-public"):
        check_url("http://10.0.0.1/")
    with pytest.raises(InputError, match="non-public"):  # shared address space: a cloud's metadata service
        check_url("http://100.100.100.200/latest/meta-data")
    check_url("http://10.0.0.1/", allow_private=True)


def test_the_fetch_connects_to_the_address_it_checked(monkeypatch):
    """DNS rebinding: a name that answers a public address to the check and 127.0.0.1 afterwards must not
    reach loopback. The connection is recorded and refused here: no packet leaves the machine."""
    import socket

    from narrascope.ingest import fetch

    answers = iter(["93.184.216.34", "127.0.0.1", "127.0.0.1"])
    lookups, connected = [], []

    def rebinding(host, port, *args, **kwargs):
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    def refuse(address, *args, **kwargs):
        connected.append(address)
        raise OSError("connection refused by the test")

    monkeypatch.setattr(fetch.socket, "getaddrinfo", rebinding)
    monkeypatch.setattr(fetch.socket, "create_connection", refuse)
    with pytest.raises(InputError, match="cannot fetch"):
        fetch.fetch_url("http://rebinding.example/article")
    assert lookups == ["rebinding.example"]  # resolved once, by the check
    assert connected == [("93.184.216.34", 80)]  # and connected to what was checked, not 127.0.0.1


def test_links_that_are_not_web_addresses_are_refused_and_nothing_is_stored(client: TestClient):
    before = client.get("/documents").json()["total"]
    for url in ("javascript:alert(3)", "data:text/html,<script>alert(1)</script>", "file:///etc/passwd",
                "ftp://example.org/a", "JavaScript:alert(1)", "http://"):
        refused = client.post("/documents", json={"text": "A test article about NATO.\n\nBody.", "url": url},
                              headers=AUTH)
        assert refused.status_code == 422 and "http:// or https://" in refused.text, url
    assert client.get("/documents").json()["total"] == before


def test_csv_export_cells_a_spreadsheet_would_run_are_written_as_text(client: TestClient):
    text = '=HYPERLINK("http://x")\n\n+1 -2 @SUM(A1) NATO sent weapons and the war goes on.\n'
    posted = client.post("/documents", json={"text": text, "source": "@evil"}, headers=AUTH)
    assert posted.status_code in (200, 201)
    export = client.get("/documents/export", params={"format": "csv", "q": "HYPERLINK"}).text
    assert "'=HYPERLINK" in export and "'@evil" in export
    assert not any(line.startswith("=") for line in export.splitlines())
    jsonl = client.get("/documents/export", params={"format": "jsonl", "q": "HYPERLINK"}).text
    assert '"=HYPERLINK' in jsonl  # only CSV, which spreadsheets open, is escaped


def test_a_chunked_body_over_the_limit_gets_413(client: TestClient):
    def chunks():
        for _ in range(30):
            yield b"x" * 1000

    response = client.post("/analyze", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413 and "larger than" in response.json()["detail"]


def test_when_every_analysis_slot_is_taken_a_request_gets_503_at_once(tmp_path):
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    app = create_app(Settings(db=str(tmp_path / "c.duckdb"), max_pending=1))
    with TestClient(app) as c:
        real = app.state.pipeline
        release = threading.Event()

        def slow(doc):
            release.wait(10)
            return real(doc)

        app.state.pipeline = slow
        with ThreadPoolExecutor(4) as pool:
            first = pool.submit(c.post, "/analyze", json={"text": ARTICLE})
            time.sleep(0.5)  # the first request holds the only slot
            started = time.time()
            busy = [pool.submit(c.post, "/analyze", json={"text": ARTICLE}) for _ in range(3)]
            answers = [f.result() for f in busy]
            waited = time.time() - started
            release.set()
            assert first.result().status_code == 200
        assert all(a.status_code == 503 and a.headers["retry-after"] == "1" for a in answers)
        assert waited < 5 and "again" in answers[0].json()["detail"]  # refused at once, not queued


def test_an_empty_token_is_refused_at_start(tmp_path):
    from narrascope.errors import UsageError

    for token in ("", "  "):
        with pytest.raises(UsageError, match="empty"):
            create_app(Settings(db=str(tmp_path / "c.duckdb"), token=token))


def test_sql_in_filters_and_sort_is_read_as_plain_text(client: TestClient):
    posted = client.post("/documents", json={"text": ARTICLE, "source": "Plain News"}, headers=AUTH)
    assert posted.status_code in (200, 201)
    before = client.get("/documents").json()["total"]
    for field in ("q", "entity", "source", "narrative", "technique", "language"):
        for value in ("x' OR '1'='1", "'; DROP TABLE documents; --", "%' OR 1=1 --", "\\'; SELECT 1; --"):
            answer = client.get("/documents", params={field: value})
            assert answer.status_code in (200, 422), (field, value)
            if answer.status_code == 200:
                assert answer.json()["total"] == 0, (field, value)  # matched as text, not as SQL
    for order in ("title; DROP TABLE documents", "date) --", "-title, (SELECT 1)"):
        assert client.get("/documents", params={"sort": order}).status_code in (200, 422), order
    assert client.get("/documents").json()["total"] == before
    assert client.get(f"/documents/{posted.json()['id']}").status_code == 200


def test_the_same_article_posted_many_times_at_once_is_stored_once(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    text = "Grain talks\n\nMoscow said the West had blocked the grain deal, and the ministers met again in Istanbul."
    app = create_app(Settings(db=str(tmp_path / "c.duckdb"), token="s3cret", max_pending=12))  # none shed
    with TestClient(app) as client, ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(lambda _: client.post("/documents", json={"text": text}, headers=AUTH), range(12)))
        codes = sorted(a.status_code for a in answers)
        assert codes == [200] * 11 + [201], codes
        assert len({a.json()["id"] for a in answers}) == 1
        assert client.get("/documents").json()["total"] == 1
