"""What the test modules share: the database's set-up and clean-up, apps, tokens and seed files.

Fixtures live in conftest.py; everything a test module imports lives here, so that no test module imports
another.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.message
import email.policy
import json
import os
import socket
import sqlite3
import subprocess
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, text
from werkzeug.serving import make_server

from eventapp import create_app
from eventapp.db import TRANSACTION_CONTROL, get_engine
from eventapp.models import Base

ROOT = Path(__file__).resolve().parent.parent
DIA_SEED = ROOT / "seed" / "dia-japan-2025.yaml"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
DIA = "/api/v1/conferences/dia-japan-2025"
FEED = f"{DIA}/schedule.ics"
# Where `make test` installs the npm tools the tests run (package.json).
NODE_BIN = ROOT / "node_modules" / ".bin"


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


def issue_token(runner, *args: str) -> dict[str, str]:
    """Authorization headers for a token made with `flask tokens create ARGS`."""
    result = runner.invoke(args=["tokens", "create", *args])
    assert result.exit_code == 0, result.output
    return {"Authorization": f"Bearer {result.output.strip()}"}


MINIMAL = textwrap.dedent(
    """\
    conference:
      slug: tiny-2025
      name: Tiny Meeting
      timezone: Asia/Tokyo
      start_date: "2025-10-19"
      end_date: "2025-10-20"
      status: published
    organizations:
      - name: Tigermed
        kind: cro
    people:
      - slug: sun-lixia
        given_name: Lixia
        family_name: Sun
        family_name_first: true
        organization: Tigermed
        email: sun@example.com
    rooms:
      - name: Room 101
    sessions:
      - code: S1
        title: Opening
        kind: plenary
        status: confirmed
        starts_at: "2025-10-19T09:00"
        ends_at: "2025-10-19T10:00"
        room: Room 101
        participants:
          - person: sun-lixia
            role: speaker
    """
)


def write(tmp_path, text: str, name: str = "seed.yaml") -> str:
    """Write a seed file's text under tmp_path; its path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def load(runner, path):
    """`flask seed load path`, as a user runs it."""
    return runner.invoke(args=["seed", "load", str(path)])


def row_counts(app) -> dict[str, int]:
    """Rows in every table: what a refused request or command must leave as it was."""
    with get_engine(app).connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        }


@contextmanager
def counted_queries(app):
    """Every statement the app's database connections send, the replay cache's own connection included
    (BEGIN, COMMIT and the like aside): traced in the driver, on connections opened inside the block."""
    statements: list[str] = []

    def record(statement: str) -> None:
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            statements.append(statement)

    def trace(dbapi_connection, _record) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.set_trace_callback(record)
        else:
            dbapi_connection.cursor_factory = recording_cursor(record)

    engine = get_engine(app)
    engine.dispose()  # closes the pool's connections and the fast path's: those used below are new, and traced
    event.listen(engine, "connect", trace)
    try:
        yield statements
    finally:
        event.remove(engine, "connect", trace)
        engine.dispose()


def recording_cursor(record):
    """A psycopg cursor class that passes each statement it executes to record."""
    import psycopg

    class RecordingCursor(psycopg.Cursor):
        def execute(self, query, *args, **kwargs):
            record(
                query
                if isinstance(query, str)
                else query.decode()
                if isinstance(query, bytes)
                else str(query)
            )
            return super().execute(query, *args, **kwargs)

        def executemany(self, query, *args, **kwargs):
            record(str(query))
            return super().executemany(query, *args, **kwargs)

    return RecordingCursor


@contextlib.contextmanager
def live_server(app) -> Iterator[str]:
    """app served over real HTTP on a free port of 127.0.0.1, in a thread, for clients that need a socket; its
    base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


# libical, through GObject introspection in the system's Python (Debian: python3-gi, gir1.2-ical-3.0; the
# Makefile installs them for `make test` when run as root). It reads a calendar on stdin and prints, as JSON,
# how many events it found and every problem it reports: its parser's and RFC 5545/5546's restrictions, as
# X-LIC-ERROR properties where they were found.
SYSTEM_PYTHON = "/usr/bin/python3"
LIBICAL_CHECK = textwrap.dedent(
    """\
    import json, sys
    import gi
    gi.require_version("ICalGLib", "3.0")
    from gi.repository import ICalGLib as ICal
    calendar = ICal.Component.new_from_string(sys.stdin.read())
    if calendar is None:
        print(json.dumps({"events": 0, "problems": ["libical could not parse the calendar"]}))
        sys.exit()
    calendar.check_restrictions()  # adds an X-LIC-ERROR where a restriction fails
    problems, events = [], 0
    def walk(component):
        global events
        kind = ICal.Component.kind_to_string(component.isa())
        events += kind == "VEVENT"
        found = component.get_first_property(ICal.PropertyKind.XLICERROR_PROPERTY)
        while found is not None:
            problems.append(kind + ": " + found.get_xlicerror())
            found = component.get_next_property(ICal.PropertyKind.XLICERROR_PROPERTY)
        inner = component.get_first_component(ICal.ComponentKind.ANY_COMPONENT)
        while inner is not None:
            walk(inner)
            inner = component.get_next_component(ICal.ComponentKind.ANY_COMPONENT)
    walk(calendar)
    print(json.dumps({"events": events, "problems": problems}))
    """
)


def require_libical() -> None:
    """Skip the test when the system's Python cannot load libical; under CI (CI=true), fail saying why."""
    probe = 'import gi; gi.require_version("ICalGLib", "3.0"); from gi.repository import ICalGLib'
    try:
        found = subprocess.run(
            [SYSTEM_PYTHON, "-c", probe], check=False, capture_output=True, text=True, timeout=60
        )
        reason = found.stderr.strip().splitlines()[-1] if found.returncode else ""
    except OSError as error:
        reason = str(error)
    if reason:
        message = (
            f"libical is not available to {SYSTEM_PYTHON} ({reason}): install python3-gi and gir1.2-ical-3.0 "
            "(`make test` as root does)"
        )
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(message)
        pytest.skip(message)


def libical_read(feed: bytes) -> dict:
    """What libical makes of a calendar: {"events": how many VEVENTs, "problems": every error it reports}."""
    require_libical()
    done = subprocess.run(
        [SYSTEM_PYTHON, "-c", LIBICAL_CHECK], check=False, input=feed, capture_output=True, timeout=60
    )
    assert done.returncode == 0, f"libical failed on the calendar: {done.stderr.decode()}"
    return json.loads(done.stdout)


class SmtpInbox:
    """What a real SMTP server (aiosmtpd) started by a test received; hold() makes it keep the next message
    waiting until release() (a server that is slow, or a worker killed mid-send)."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.arrived = threading.Event()
        self._gate = threading.Event()
        self._gate.set()

    def hold(self) -> None:
        self._gate.clear()

    def release(self) -> None:
        self._gate.set()

    async def handle_DATA(self, _server, _session, envelope):
        self.arrived.set()
        while not self._gate.is_set():
            await asyncio.sleep(0.05)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        """The messages whose To is address."""
        return [m for m in self.messages if m["To"] == address]


@contextlib.contextmanager
def smtp_server() -> Iterator[tuple[SmtpInbox, str]]:
    """A real SMTP server on a free port of 127.0.0.1; its inbox and the MAIL_URL that reaches it."""
    from aiosmtpd.controller import Controller

    inbox = SmtpInbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, f"smtp://127.0.0.1:{port}"
    finally:
        inbox.release()
        controller.stop()


def calendar_part(message: email.message.EmailMessage) -> tuple[str, bytes]:
    """The METHOD parameter and the bytes of a message's text/calendar alternative (its iMIP invitation)."""
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return part.get_param("method"), part.get_content().encode()
    raise AssertionError("the message carries no text/calendar part")


class WebhookReceiver:
    """Records the webhook deliveries it gets; answers each with the next of its statuses (then 204)."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.requests: list[tuple[dict[str, str], bytes]] = []


@contextlib.contextmanager
def webhook_receiver(statuses: list[int] | None = None) -> Iterator[tuple[WebhookReceiver, str]]:
    """An HTTP server on a free port of 127.0.0.1 taking webhook POSTs; the receiver and its URL."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    receiver = WebhookReceiver(statuses)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
            status = receiver.statuses.pop(0) if receiver.statuses else 204
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver, f"http://127.0.0.1:{server.server_port}/hooks/eventapp"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
