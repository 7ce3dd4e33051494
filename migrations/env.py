"""Alembic environment: runs on the connection `flask db ...` hands over, or on DATABASE_URL."""

from __future__ import annotations

from alembic import context

from eventapp.db import UTCDateTime
from eventapp.models import Base

config = context.config
target_metadata = Base.metadata


def _render_item(type_: str, obj, autogen_context):
    """Write the app's UTCDateTime as the plain column type, so migrations never import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite alters tables by copying them; the naming convention lets it find constraints again.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return

    from eventapp import create_app
    from eventapp.db import get_engine

    with get_engine(create_app()).begin() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run them against a database")
run_migrations_online()
