"""Database lifecycle: the declarative base, the UTC datetime type, engines and request-scoped sessions."""

from __future__ import annotations

import logging
import select
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

# Constraint names must be stable for alembic (and for SQLite batch migrations) to find them again.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC; refuses naive values instead of guessing their zone."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: give it a time zone")
        value = value.astimezone(UTC)
        # SQLite has no time zone storage; every value in it is UTC by this type's contract.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base for every model, with the naming convention for constraints."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Timestamped:
    """created_at and updated_at, kept by the ORM on every insert and update."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


@dataclass
class DatabaseState:
    """What one app holds: its engine and the factory of its sessions."""

    engine: Engine
    sessionmaker: sessionmaker[Session]


# How SQLite runs behind a server: readers never wait for the writer (WAL), a commit syncs once at checkpoints
# instead of twice per transaction (NORMAL is durable across a crash of the process, and keeps the database
# consistent across a power cut), a writer waits for the lock instead of failing, and references are enforced.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=30000",
    "PRAGMA foreign_keys=ON",
)


def _configure_sqlite_connection(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()
    # SQLAlchemy, not the sqlite3 module, decides when transactions begin (see _begin_sqlite).
    dbapi_connection.isolation_level = None


def _begin_sqlite(connection) -> None:
    # The sqlite3 module would begin a transaction only at the first write, after the reads that decided it
    # (is the room free?): two writers could both decide so. A write transaction takes the write lock before
    # its first read instead, so writes to one database are serialized, as on PostgreSQL with SERIALIZABLE.
    write = connection.get_execution_options().get("isolation_level") == "SERIALIZABLE"
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_engine(url: str, **options) -> Engine:
    """An engine for url; SQLite gets WAL, foreign keys and a busy timeout, PostgreSQL a checked pool."""
    statement_timeout_ms = options.pop("statement_timeout_ms", 0)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _configure_sqlite_connection)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    if statement_timeout_ms:
        # Set at connect so that a runaway query is cancelled by the server, whatever code path issued it.
        options.setdefault("connect_args", {})["options"] = (
            f"-c statement_timeout={int(statement_timeout_ms)}"
        )
    engine = create_engine(url, **options)
    _check_connections_on_checkout(engine)
    return engine


# A pooled connection idle longer than this is asked with a ping before use; a fresher one is looked at only.
PING_AFTER_IDLE_S = 10.0


def _check_connections_on_checkout(engine: Engine) -> None:
    """Hand out only live connections, without a round trip to the server for the common case.

    SQLAlchemy's pool_pre_ping asks the server before every checkout: one more round trip a request, a twelfth
    of a registration's and more of a feed's. A connection the server closed (a restart, an idle timeout, a
    terminated backend) has something to read, the server's FATAL notice and the end of the stream, where a
    live idle one has nothing: a zero-timeout poll of its socket tells without asking. One that stayed idle
    longer than PING_AFTER_IDLE_S is pinged as pre_ping would (a network that dropped it says nothing). A dead
    one raises DisconnectionError, which makes the pool discard it and check out another (SQLAlchemy's
    documented way of checking connections in a checkout event).
    """

    @event.listens_for(engine, "checkin")
    def checked_in(_dbapi_connection, record) -> None:
        record.info["eventapp.idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def checked_out(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.pop("eventapp.idle_since", None)
        if idle_since is None:
            return  # a new connection
        if _has_input(dbapi_connection.fileno()):
            raise DisconnectionError("the server closed this connection")
        if time.monotonic() - idle_since > PING_AFTER_IDLE_S:
            try:
                engine.dialect.do_ping(dbapi_connection)
            except engine.dialect.loaded_dbapi.Error as exc:
                raise DisconnectionError("this connection did not answer a ping") from exc


def _has_input(fd: int) -> bool:
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))


def init_app(app: Flask) -> None:
    """Bind an engine to the app and close each request's session when its context ends."""
    engine = make_engine(app.config["DATABASE_URL"], **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
    app.extensions["eventapp.db"] = DatabaseState(
        engine=engine, sessionmaker=sessionmaker(bind=engine, expire_on_commit=False)
    )
    app.teardown_appcontext(close_session)
    if app.config.get("SQL_COUNT_HEADER"):
        _count_statements(app, engine)


# Statements that only open or close a transaction: not queries.
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def _count_statements(app: Flask, engine: Engine) -> None:
    def count(_conn, _cursor, statement, *_args) -> None:
        if has_app_context() and not statement.startswith(TRANSACTION_CONTROL):
            g.sql_statements = g.get("sql_statements", 0) + 1

    event.listen(engine, "before_cursor_execute", count)

    @app.after_request
    def header(response):
        response.headers["X-SQL-Queries"] = str(g.get("sql_statements", 0))
        return response


def get_engine(app: Flask | None = None) -> Engine:
    """The app's engine."""
    return (app or current_app).extensions["eventapp.db"].engine


def sessionmaker_of(app: Flask) -> sessionmaker[Session]:
    """The factory of the app's sessions (every session the app uses comes from it)."""
    return app.extensions["eventapp.db"].sessionmaker


def get_session() -> Session:
    """The session of the current app context, created on first use; the caller owns the commit."""
    if "db_session" not in g:
        g.db_session = sessionmaker_of(current_app)()
    return g.db_session


# The tables the schedule's rules and lists query by range and by join (eventapp/program/operations.py's
# Bookings, the pages of sessions): what the planner must know the sizes of.
PLANNED_TABLES = ("program_sessions", "participations", "rooms", "people", "seats", "seat_counters")


def refresh_statistics(engine: Engine) -> None:
    """Tell the query planner how big the tables are now, after a bulk load (and every hour on SQLite).

    SQLite keeps no statistics until ANALYZE: without them it answers "is the room free from 10:00 to 11:00?"
    by walking every session of the meeting that starts before 11:00 (the conference-and-start index uses two
    of the query's terms) instead of the room's few sessions, 0.75 ms against 0.03 ms a rule on a 5,000-session
    meeting, and it joins a person's sessions from the wrong side. `analysis_limit` bounds the work on a large
    file. PostgreSQL's autovacuum analyzes too, but only a minute or so after a load: the first requests after
    `flask seed load` would be planned on empty tables.
    """
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA analysis_limit=1000")
            connection.exec_driver_sql("ANALYZE")
        else:
            connection.exec_driver_sql(f"ANALYZE {', '.join(PLANNED_TABLES)}")


def hold(session: Session, objects: Iterable[Any]) -> None:
    """Keep objects referenced while session lives. Its identity map holds only objects something references,
    so a row a request read once (the conference of the sessions it lists, the rooms and people its rules
    checked) would otherwise be read again when the answer reaches it through a relationship."""
    session.info.setdefault("eventapp.held", []).extend(objects)


def close_session(_exc: BaseException | None = None) -> None:
    """Close the context's session; anything not committed is rolled back."""
    session = g.pop("db_session", None)
    if session is not None:
        try:
            session.close()
        except SQLAlchemyError as exc:
            # The database went away after the answer was made (a restart): the transaction is gone with the
            # connection, which SQLAlchemy has already dropped from the pool. Nothing to undo, nothing to report.
            log.warning("closing the session failed: %s", exc)
