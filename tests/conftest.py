"""Fixtures: one migrated throw-away database for the run (SQLite, or TEST_DATABASE_URL), emptied after each test."""

from __future__ import annotations

import pytest
from helpers import DIA_SEED, POSTGRES_URL, empty_tables, issue_token, make_app, reset_database

from eventapp.db import get_engine


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


@pytest.fixture
def admin(runner) -> dict[str, str]:
    """Headers of an admin token."""
    return issue_token(runner, "--role", "admin")
