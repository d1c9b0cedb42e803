"""The store's schema as an ordered list of migrations; ``schema_version`` records how far a database is.

The SQL is the common subset of DuckDB and PostgreSQL, so both backends share it.
"""

from __future__ import annotations

# Each entry upgrades the schema by one version; never edit a released one, append a new one.
MIGRATIONS: list[list[str]] = [
    [  # 1: documents, their labels and entities, ingestion runs
        "CREATE SEQUENCE run_ids START 1",
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY DEFAULT nextval('run_ids'),
            started_at TIMESTAMP NOT NULL,
            finished_at TIMESTAMP,
            inputs VARCHAR,
            added INTEGER DEFAULT 0,
            updated INTEGER DEFAULT 0,
            unchanged INTEGER DEFAULT 0,
            failed INTEGER DEFAULT 0,
            narrascope_version VARCHAR)""",
        """CREATE TABLE documents (
            id VARCHAR PRIMARY KEY,          -- content hash of the text
            url VARCHAR,
            external_id VARCHAR,             -- the id the input gave (file name, JSONL id)
            title VARCHAR,
            source VARCHAR,
            language VARCHAR,
            published DATE,                  -- the article's date when it has one
            day DATE NOT NULL,               -- published, else the day it was ingested: the time axis
            text VARCHAR NOT NULL,
            analysis JSON NOT NULL,          -- Document.to_json(): spans, labels, entities, explanation
            dominant VARCHAR,
            run_id INTEGER,
            ingested_at TIMESTAMP NOT NULL)""",
        "CREATE INDEX documents_url ON documents (url)",
        "CREATE INDEX documents_day ON documents (day)",
        """CREATE TABLE labels (
            doc_id VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,           -- narrative, subnarrative, technique, genre, frame
            name VARCHAR NOT NULL,
            parent VARCHAR,
            score DOUBLE PRECISION)""",
        "CREATE INDEX labels_doc ON labels (doc_id)",
        "CREATE INDEX labels_name ON labels (kind, name)",
        """CREATE TABLE entities (
            doc_id VARCHAR NOT NULL,
            name VARCHAR NOT NULL,
            actor VARCHAR,
            main_role VARCHAR,
            fine_roles VARCHAR,              -- comma-separated
            mentions INTEGER,
            score DOUBLE PRECISION)""",
        "CREATE INDEX entities_doc ON entities (doc_id)",
    ],
    [  # 2: earlier versions of changed articles (the same URL, another text), with their analysis
        """CREATE TABLE history (
            id VARCHAR NOT NULL,             -- the earlier text's content hash
            url VARCHAR NOT NULL,
            replaced_by VARCHAR NOT NULL,    -- the id of the text that replaced it
            replaced_at TIMESTAMP NOT NULL,
            title VARCHAR,
            published DATE,
            text VARCHAR NOT NULL,
            analysis JSON NOT NULL,
            dominant VARCHAR,
            ingested_at TIMESTAMP NOT NULL)""",
        "CREATE INDEX history_url ON history (url)",
    ],
]

SCHEMA_VERSION = len(MIGRATIONS)
