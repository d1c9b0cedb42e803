"""The corpus store: analysed articles in an embedded DuckDB file (no server)."""
