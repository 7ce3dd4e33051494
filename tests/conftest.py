"""Fixtures: one migrated throw-away database for the run (SQLite, or TEST_DATABASE_URL), emptied after each test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from eventapp import create_app
from eventapp.db import get_engine
from eventapp.models import Base

ROOT = Path(__file__).resolve().parent.parent
DIA_SEED = ROOT / "seed" / "dia-japan-2025.yaml"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")


# For tests that only mean something on PostgreSQL.
requires_postgres = pytest.mark.skipif(
    not (POSTGRES_URL or "").startswith("postgresql"),
    reason="TEST_DATABASE_URL is not set to a PostgreSQL database (.ci/run sets it)",
)


def reset_database(app) -> None:
    """Drop everything in the database, so that migrations start from empty."""
    engine = get_engine(app)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    else:
        with engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(text(f'DROP TABLE IF EXISTS "{table.name}"'))
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def make_app(url: str, **config):
    """An app on url, in testing mode; rate limits off unless config turns them on (tests/test_limits.py)."""
    return create_app({"TESTING": True, "DATABASE_URL": url, "RATELIMIT_ENABLED": False, **config})


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return POSTGRES_URL or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(database_url):
    app = make_app(database_url)
    reset_database(app)
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    yield app
    get_engine(app).dispose()


@pytest.fixture(autouse=True)
def _empty_tables(request):
    """Each test starts from the migrated, empty schema."""
    yield
    if "app" in request.fixturenames:
        empty_tables(request.getfixturevalue("app"))


def empty_tables(app) -> None:
    """Delete every row, keeping the schema (and restarting ids on PostgreSQL)."""
    engine = get_engine(app)
    tables = [t.name for t in Base.metadata.sorted_tables]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                connection.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def seeded(runner):
    """The DIA Japan 2025 seed, loaded through the CLI."""
    result = runner.invoke(args=["seed", "load", str(DIA_SEED)])
    assert result.exit_code == 0, result.output
    return result


def issue_token(runner, *args: str) -> dict[str, str]:
    """Authorization headers for a token made with `flask tokens create ARGS`."""
    result = runner.invoke(args=["tokens", "create", *args])
    assert result.exit_code == 0, result.output
    return {"Authorization": f"Bearer {result.output.strip()}"}


@pytest.fixture
def admin(runner) -> dict[str, str]:
    """Headers of an admin token."""
    return issue_token(runner, "--role", "admin")
