"""The schema is built by alembic only, and the migrations build exactly what the models describe."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from helpers import POSTGRES_URL, make_app, requires_postgres, reset_database
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from eventapp.db import get_engine
from eventapp.models import Base


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=requires_postgres)])
def fresh_app(request, tmp_path, app):
    """An app on an empty database of each kind (on PostgreSQL, the suite's database, emptied)."""
    url = POSTGRES_URL if request.param == "postgresql" else f"sqlite:///{tmp_path / 'migrate.sqlite3'}"
    fresh = make_app(url)
    reset_database(fresh)
    yield fresh
    # Leave the suite's PostgreSQL database freshly migrated, as the other tests expect it.
    reset_database(fresh)
    assert fresh.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    get_engine(fresh).dispose()


def _cli(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result


def _tables(app) -> set[str]:
    return set(inspect(get_engine(app)).get_table_names())


def _diff(app) -> list:
    with get_engine(app).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_upgrade_builds_schema_from_empty_and_matches_models(fresh_app):
    assert _tables(fresh_app) == set()
    _cli(fresh_app, "db", "upgrade")
    assert _tables(fresh_app) == {t.name for t in Base.metadata.sorted_tables} | {"alembic_version"}
    assert _diff(fresh_app) == []


def test_downgrade_to_base_and_upgrade_again(fresh_app):
    _cli(fresh_app, "db", "upgrade")
    _cli(fresh_app, "db", "downgrade", "base")
    assert _tables(fresh_app) <= {"alembic_version"}
    _cli(fresh_app, "db", "upgrade")
    assert _diff(fresh_app) == []
    assert "(head)" in _cli(fresh_app, "db", "current").output


def test_models_and_migrations_differ_is_detected(fresh_app):
    """The comparison is real: a schema missing a column is reported."""
    _cli(fresh_app, "db", "upgrade")
    with get_engine(fresh_app).begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.execute(text("DROP INDEX ix_participations_person_id"))
        else:
            connection.execute(text("ALTER TABLE people DROP COLUMN biography"))
    assert _diff(fresh_app) != []


NOW = datetime(2025, 10, 20, 4, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("statement", "constraint"),
    [
        (
            "INSERT INTO conferences (slug, name, name_translations, timezone, start_date, end_date, languages,"
            " status, schedule_version, schedule_changed_at, created_at, updated_at) VALUES ('x', 'X', '{}',"
            " 'Asia/Tokyo', '2025-10-21', '2025-10-19', '[]', 'published', 1, :now, :now, :now)",
            "dates_ordered",
        ),
        (
            "INSERT INTO conferences (slug, name, name_translations, timezone, start_date, end_date, languages,"
            " status, schedule_version, schedule_changed_at, created_at, updated_at) VALUES ('x', 'X', '{}',"
            " 'Asia/Tokyo', '2025-10-19', '2025-10-21', '[]', 'archived', 1, :now, :now, :now)",
            "status_valid",
        ),
        (
            "INSERT INTO program_sessions (conference_id, title, title_translations, abstract_translations, kind,"
            " status, starts_at, ends_at, interpretation, delivery, sequence, created_at, updated_at) VALUES"
            " (:conference, 'T', '{}', '{}', 'session', 'confirmed', :now, :now, '[]', 'in_person', 0, :now, :now)",
            "ends_after_start",
        ),
        (
            "INSERT INTO program_sessions (conference_id, title, title_translations, abstract_translations, kind,"
            " status, starts_at, ends_at, interpretation, delivery, sequence, created_at, updated_at) VALUES"
            " (:conference, 'T', '{}', '{}', 'satellite_symposium', 'confirmed', :now, :later, '[]', 'in_person',"
            " 0, :now, :now)",
            "satellite_has_sponsor",
        ),
    ],
    ids=["conference-dates", "conference-status", "session-times", "satellite-sponsor"],
)
def test_database_enforces_hard_invariants(app, seeded, statement, constraint):
    """Invariants hold even for writers that bypass the app: the migrated schema refuses them."""
    engine = get_engine(app)
    with engine.connect() as connection:
        conference = connection.execute(text("SELECT id FROM conferences")).scalar_one()
        params = {"now": NOW, "later": NOW.replace(hour=5), "conference": conference}
        if engine.dialect.name == "sqlite":
            params = {k: v.replace(tzinfo=None) if isinstance(v, datetime) else v for k, v in params.items()}
        with pytest.raises(IntegrityError) as caught:
            connection.execute(text(statement), params)
        connection.rollback()
    if engine.dialect.name == "postgresql":
        assert constraint in str(caught.value)
