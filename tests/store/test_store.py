"""The corpus store (DuckDB): idempotent ingest, filters with exact counts, statistics, export, migrations."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from narrascope.cli import app
from narrascope.errors import DataError
from narrascope.schema import Document, Entity, Explanation, Label, Mention
from narrascope.store.corpus import CorpusStore, DocumentFilter, content_hash
from narrascope.store.migrations import SCHEMA_VERSION

FEAR = "URW: Amplifying war-related fears"
WEST = "URW: Blaming the war on others rather than the invader"


def _doc(text: str, narrative: str, *, date: str = "", url: str = "", language: str = "en",
         source: str = "site-a", role: str = "Antagonist", technique: str = "Loaded_Language") -> Document:
    doc = Document(text=text, id=f"{abs(hash(text))}.txt", title=text.split("\n")[0], url=url, date=date,
                   language=language, source=source)
    doc.labels["narratives"] = [Label(narrative, 0.8)]
    doc.labels["subnarratives"] = [Label(f"{narrative}: Other", 0.4, parent=narrative)]
    doc.labels["techniques"] = [Label(technique, 0.6)]
    mention = Mention(0, 4, text[:4], "e1", Label(role, 0.7), [Label("Instigator", 0.6, parent=role)])
    doc.entities = [Entity("e1", "NATO", "organisation", "nato", [mention], Label(role, 0.7),
                           [Label("Instigator", 0.6, parent=role)])]
    doc.explanation = Explanation(narrative, None, "The article ...", [], 0.8)
    return doc


PG_URL = os.environ.get("NARRASCOPE_TEST_PG", "")


def _empty_postgres(url: str) -> None:
    psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'narrascope[postgres]')")
    with psycopg.connect(url, autocommit=True) as con:
        for table in ("labels", "entities", "documents", "history", "runs", "schema_version"):
            con.execute(f"DROP TABLE IF EXISTS {table}")
        con.execute("DROP SEQUENCE IF EXISTS run_ids")


@pytest.fixture(params=["duckdb", "postgresql"])
def db(request, tmp_path: Path) -> str:
    """A fresh database of each backend; PostgreSQL is the server .ci/run starts (NARRASCOPE_TEST_PG)."""
    if request.param == "duckdb":
        return str(tmp_path / "c.duckdb")
    if not PG_URL:
        pytest.skip("no PostgreSQL to test against: set NARRASCOPE_TEST_PG=postgresql://USER:PASSWORD@HOST/DB "
                    "(.ci/run starts Debian's postgresql on loopback and sets it)")
    _empty_postgres(PG_URL)
    return PG_URL


@pytest.fixture
def store(db: str):
    with CorpusStore(db) as s:
        s.add(_doc("NATO pushes us to war\n\nMissiles everywhere.", FEAR, date="2026-03-02"))
        s.add(_doc("NATO started it\n\nThe West provoked Russia.", WEST, date="2026-03-10", language="ru",
                   source="site-b", role="Protagonist", technique="Doubt"))
        s.add(_doc("Sirens again\n\nNuclear missiles could fly tonight.", FEAR, date="2026-03-11",
                   url="https://news.example/sirens"))
        yield s


def test_the_same_article_is_stored_once_and_a_changed_page_replaces_its_old_version(store: CorpusStore):
    again = _doc("NATO pushes us to war\r\n\r\nMissiles   everywhere.", FEAR)  # only whitespace differs
    assert store.add(again) == (content_hash(again.text), "unchanged")
    changed = _doc("Sirens again\n\nNuclear missiles could fly tonight. Update: they did not.", FEAR,
                   url="https://news.example/sirens")
    key, status = store.add(changed)
    assert status == "updated" and store.count() == 3
    assert "Update" in store.get(key).text
    old_key = content_hash("Sirens again\n\nNuclear missiles could fly tonight.")
    assert store.get(old_key) is None
    # the replaced version is kept, with its analysis, as the article's history
    history = store.history(key)
    assert [(h["id"], h["replaced_by"], h["title"]) for h in history] == [(old_key, key, "Sirens again")]
    earlier = store.earlier(old_key)
    assert earlier is not None and "Update" not in earlier.text and earlier.narratives
    again_changed = _doc("Sirens again\n\nA third text.", FEAR, url="https://news.example/sirens")
    third, status = store.add(again_changed)
    assert status == "updated" and [h["id"] for h in store.history(third)] == [key, old_key]  # newest first
    assert store.count() == 3 and store.history(content_hash("NATO started it\n\nThe West provoked Russia.")) == []


def test_a_page_twice_in_one_batch_and_an_edit_undone_keep_a_true_history(db: str):
    url = "https://news.example/live"
    one, two, three = (_doc(f"Live page\n\nVersion {n} of the page.", FEAR, url=url) for n in (1, 2, 3))
    with CorpusStore(db) as s:
        (k1, st1), (k2, st2) = s.add_many([one, two])  # the later text replaces the earlier, in one batch
        assert (st1, st2) == ("added", "updated") and s.get(k1) is None and s.get(k2) is not None
        assert [h["id"] for h in s.history(k2)] == [k1] and s.earlier(k1).text == one.text
        k3, _ = s.add(three)
        assert [h["id"] for h in s.history(k3)] == [k2, k1]
        back, status = s.add(_doc(one.text, FEAR, url=url))  # the first text again: an edit undone
        assert back == k1 and status == "updated"
        assert [h["id"] for h in s.history(k1)] == [k3, k2]  # not itself
        assert s.count() == 1


def test_sorting_follows_what_the_table_shows(db: str):
    with CorpusStore(db) as s:
        s.add(_doc("Beta\n\nOne.", FEAR, date="2026-03-05", source="zeta", language="ru"))
        s.add(_doc("alpha\n\nTwo.", WEST, date="2026-03-01", source="Alpha", language="en"))
        s.add(_doc("\n\nNo title here, three.", FEAR, source="", language=""))  # undated, untitled, unknown
        def order(sort: str) -> list[str]:
            return [row["title"] or "-" for row in s.search(sort=sort)[1]]
        assert order("-date") == ["Beta", "alpha", "-"] and order("date") == ["alpha", "Beta", "-"]  # undated last
        assert order("source") == ["alpha", "Beta", "-"] and order("-source") == ["Beta", "alpha", "-"]
        assert order("language") == ["alpha", "Beta", "-"]
        assert order("title") == ["-", "alpha", "Beta"]  # by what is shown, case aside: the untitled one by its id
        assert order("-title") == ["Beta", "alpha", "-"]
        with pytest.raises(ValueError):
            s.search(sort="text")


def test_a_database_of_the_first_schema_is_migrated_and_keeps_its_articles(tmp_path: Path):
    import duckdb

    from narrascope.store.migrations import MIGRATIONS

    path = str(tmp_path / "v1.duckdb")
    con = duckdb.connect(path)
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL)")
    for statement in MIGRATIONS[0]:
        con.execute(statement)
    con.execute("INSERT INTO schema_version VALUES (1, now())")
    con.close()
    with CorpusStore(path) as s:
        assert s.schema_version() == SCHEMA_VERSION
        key, _ = s.add(_doc("Sirens again\n\nOne.", FEAR, url="https://news.example/x"))
        new, status = s.add(_doc("Sirens again\n\nTwo.", FEAR, url="https://news.example/x"))
        assert status == "updated" and [h["id"] for h in s.history(new)] == [key]


def test_filters_combine_and_counts_are_exact(store: CorpusStore):
    assert store.count(DocumentFilter(narrative=FEAR)) == 2
    assert store.count(DocumentFilter(narrative=f"{WEST}: Other")) == 1  # sub-narratives too
    assert store.count(DocumentFilter(language="ru")) == 1
    assert store.count(DocumentFilter(entity="nato", role="Antagonist")) == 2
    assert store.count(DocumentFilter(role="Instigator")) == 3  # a fine role
    assert store.count(DocumentFilter(technique="Doubt")) == 1
    assert store.count(DocumentFilter(q="nuclear TONIGHT")) == 1
    assert store.count(DocumentFilter(q="100%")) == 0  # LIKE wildcards are literal
    assert store.count(DocumentFilter(date_from=dt.date(2026, 3, 5), date_to=dt.date(2026, 3, 10))) == 1
    total, page = store.search(DocumentFilter(narrative=FEAR), limit=1, offset=1)
    assert total == 2 and len(page) == 1 and page[0]["day"] == "2026-03-02"
    assert page[0]["narratives"] == [FEAR] and page[0]["dominant"] == FEAR


def test_statistics_per_period_and_source(store: CorpusStore):
    weekly = store.narrative_counts(interval="week")
    assert {(r["period"][:10], r["narrative"], r["articles"]) for r in weekly} == {
        ("2026-03-02", FEAR, 1), ("2026-03-09", WEST, 1), ("2026-03-09", FEAR, 1)}
    by_source = store.narrative_counts(DocumentFilter(narrative=FEAR), "month", by="source")
    assert [(r["source"], r["articles"]) for r in by_source] == [("site-a", 2)]
    top = store.top_entities(role="Antagonist")
    assert top == [{"name": "NATO", "role": "Antagonist", "articles": 2, "mentions": 2}]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_export_formats(store: CorpusStore, tmp_path: Path, fmt: str):
    path = tmp_path / f"out.{fmt}"
    assert store.export(path, fmt, DocumentFilter(narrative=FEAR)) == 2
    reader = {"csv": "read_csv", "jsonl": "read_json", "parquet": "read_parquet"}[fmt]
    rows = duckdb.sql(f"SELECT narratives, text FROM {reader}('{path}')").fetchall()
    assert len(rows) == 2 and all(r[0] == FEAR for r in rows)


def test_schema_is_versioned_and_a_newer_database_is_refused(db: str):
    with CorpusStore(db) as s:
        assert s.schema_version() == SCHEMA_VERSION
    with CorpusStore(db) as s:  # reopening migrates nothing
        assert s.schema_version() == SCHEMA_VERSION
        with s._cursor() as con:
            s._run(con, "INSERT INTO schema_version VALUES (?, ?)", [SCHEMA_VERSION + 1, dt.datetime.now()])
    with pytest.raises(DataError, match="newer"):
        CorpusStore(db)


def test_unreachable_postgres_is_a_clear_error():
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'narrascope[postgres]')")
    with pytest.raises(DataError, match="cannot connect to PostgreSQL") as info:
        CorpusStore("postgresql://someone:hunter2@127.0.0.1:1/nowhere")
    assert "hunter2" not in str(info.value)  # the password is not echoed


def test_reingesting_unchanged_articles_loads_no_model(tmp_path: Path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        (folder / f"{i}.txt").write_text(f"Story {i}\n\nNATO sent weapons, and Moscow warned of war number {i}.\n",
                                         encoding="utf-8")
    db = tmp_path / "c.duckdb"
    runner = CliRunner()
    assert "3 added" in runner.invoke(app, ["ingest", str(folder), "--db", str(db)]).output

    def no_analysis(*args, **kwargs):
        raise AssertionError("an unchanged article was analysed again")

    monkeypatch.setattr("narrascope.cli.store.analysed", no_analysis)
    again = runner.invoke(app, ["ingest", str(folder), "--db", str(db)])
    assert again.exit_code == 0 and "0 added" in again.output and "3 already stored" in again.output
    (folder / "1.txt").write_text("Story 1\n\nThe text changed: NATO denied it.\n", encoding="utf-8")
    monkeypatch.undo()
    changed = runner.invoke(app, ["ingest", str(folder), "--db", str(db)])
    assert "1 added" in changed.output and "2 already stored" in changed.output


def test_ingest_command_is_idempotent(tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Missiles and the brink\n\nOne wrong step could start World War III.\n",
                                  encoding="utf-8")
    (folder / "b.txt").write_bytes(b"\x00\x01binary")
    db = tmp_path / "c.duckdb"
    runner = CliRunner()
    first = runner.invoke(app, ["ingest", str(folder), "--db", str(db)])
    assert first.exit_code == 1 and "1 added" in first.output and "1 failed" in first.output
    second = runner.invoke(app, ["ingest", str(folder / "a.txt"), "--db", str(db)])
    assert second.exit_code == 0 and "1 already stored" in second.output
    with CorpusStore(db) as s:
        assert s.count() == 1
        runs = s.runs()
        assert [(r["added"], r["unchanged"], r["failed"]) for r in runs] == [(1, 0, 1), (0, 1, 0)]
        doc = s.get(s.search()[1][0]["id"])
        assert doc.narratives and json.loads(doc.to_json())["schema_version"] == 3


def test_a_batch_is_stored_in_one_go_with_the_same_rules(db: str):
    a = _doc("Batch one\n\nMissiles everywhere.", FEAR)
    same = _doc("Batch one\r\n\r\nMissiles everywhere.", FEAR)
    b = _doc("Batch two\n\nThe West provoked Russia.", WEST, url="https://news.example/b")
    b_new = _doc("Batch two\n\nThe West provoked Russia, again.", WEST, url="https://news.example/b")
    with CorpusStore(db) as s:
        statuses = [status for _, status in s.add_many([a, same, b])]
        assert statuses == ["added", "unchanged", "added"]
        assert [status for _, status in s.add_many([b_new, a])] == ["updated", "unchanged"]
        assert s.count() == 2 and s.count(DocumentFilter(q="again")) == 1
        assert s.top_entities() == [{"name": "NATO", "role": "Antagonist", "articles": 2, "mentions": 2}]


def test_an_undated_article_is_undated_not_dated_by_its_ingestion(db: str):
    dated = _doc("Dated\n\nMissiles and the brink.", FEAR, date="2026-02-03")
    undated = _doc("Undated\n\nThe West provoked Russia.", WEST)
    with CorpusStore(db) as s:
        s.add_many([dated, undated])
        total, rows = s.search()
        assert total == 2 and {r["title"]: r["day"] for r in rows} == {"Dated": "2026-02-03", "Undated": None}
        counts = s.narrative_counts()
        assert [(c["period"][:10], c["narrative"]) for c in counts] == [("2026-02-03", FEAR)]  # on the time axis
