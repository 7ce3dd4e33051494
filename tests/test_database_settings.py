"""How the app's connections are set up: SQLite as run behind a server, PostgreSQL with a statement timeout."""

from __future__ import annotations

import os

import pytest
from helpers import make_app
from sqlalchemy import text

from eventapp.db import get_engine

PG_URL = os.environ.get("TEST_DATABASE_URL", "")


def test_sqlite_connections_run_wal_with_foreign_keys_and_a_busy_timeout(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'settings.sqlite3'}")
    with get_engine(app).connect() as connection:
        settings = {
            pragma: connection.execute(text(f"PRAGMA {pragma}")).scalar()
            for pragma in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
        }
    get_engine(app).dispose()
    assert settings == {"journal_mode": "wal", "synchronous": 1, "busy_timeout": 30000, "foreign_keys": 1}


def test_a_sqlite_commit_does_not_wait_for_an_open_read(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'readers.sqlite3'}")
    engine = get_engine(app)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
    reader, writer = engine.raw_connection(), engine.raw_connection()
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM t").fetchone()[0] == 1
        # In rollback-journal mode the commit needs every reader gone, and would fail after the busy timeout.
        writer.execute("PRAGMA busy_timeout=100")
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO t VALUES (2)")
        writer.execute("COMMIT")
        assert reader.execute("SELECT count(*) FROM t").fetchone()[0] == 1  # its snapshot, still
        reader.execute("COMMIT")
        assert reader.execute("SELECT count(*) FROM t").fetchone()[0] == 2
    finally:
        reader.close()
        writer.close()
        engine.dispose()


@pytest.mark.skipif(not PG_URL.startswith("postgresql"), reason="TEST_DATABASE_URL is not set to PostgreSQL")
def test_postgresql_statement_timeout_is_the_configured_one():
    app = make_app(PG_URL, SQLALCHEMY_ENGINE_OPTIONS={"statement_timeout_ms": 1234})
    try:
        with get_engine(app).connect() as connection:
            assert connection.execute(text("SHOW statement_timeout")).scalar() == "1234ms"
    finally:
        get_engine(app).dispose()
