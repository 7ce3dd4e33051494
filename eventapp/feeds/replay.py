"""A replay cache in front of Flask for what calendar apps do all day: poll a conference's feed.

Flask answers every feed. When it answers a public GET of `/api/v1/conferences/<slug>/<feed>[?filter]`,
or of a conference's page (`/conferences/<slug>/[changes|sessions/<id>][?filter]`, keyed by Accept-Language
too) (no credentials, no body) with a 200 or a 304, this layer records the status, headers and body exactly as
Flask sent them, under the feed's path and query, the conference's version row, the host, the scheme, whether
and whether the client takes gzip; but only when the answer's ETag is the one that version row implies (a
write may land between the version read here and Flask's render), and when it varies by no other request
header than Accept-Encoding (the CORS headers, for any Origin, are the same "*"). A later request for the same key costs the
version query and a lookup: freshness (If-None-Match, If-Modified-Since) is decided by `feeds.http.is_fresh`,
werkzeug's rules, as the Flask view decides it, and the recorded 304 or 200 is sent again. With a 200 kept,
Flask is asked for that version's 304 too, so that the next conditional poll is replayed as well. Nothing is
written by hand here: every header value, flask-cors' and security.py's included, is one Flask sent (but
X-SQL-Queries, when SQL_COUNT_HEADER turns it on: a replay runs one statement). Anything else (no recording
yet, an unknown or draft conference, a database error, an error answer) goes to Flask.

The version comes from one query, the same statement the Flask view runs, on a connection of the worker's
own in autocommit mode (so every poll sees the last committed write, and no pool checkout, transaction or ORM
stands in between); the row is handed to the view (publish.VERSION_ROW), which then does not ask again.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import Engine, event
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.http import parse_accept_header
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wsgi import get_host

from eventapp.db import get_engine
from eventapp.feeds.cache import BytesLRU
from eventapp.feeds.http import gzip_etag, is_fresh
from eventapp.feeds.publish import ETAG_OF_VERSION, PUBLISHED_STATE, VERSION_ROW

FEED_PATH = re.compile(
    r"^/api/v1/conferences/([a-z0-9]+(?:-[a-z0-9]+)*)/schedule(?:\.ics|\.xml|\.frab\.json)?$"
)
# A conference's pages (eventapp/pages) that depend on its version alone: the schedule, the change log and a
# session. They vary by Accept-Language too (the language of a page without ?lang=), which their key holds.
PAGE_PATH = re.compile(r"^/conferences/([a-z0-9]+(?:-[a-z0-9]+)*)/(?:changes|sessions/[0-9]+)?$")
# Accept-Encoding values seen, and whether each takes gzip: a handful in practice, bounded all the same.
MAX_ENCODINGS = 256
# Validator values (If-None-Match, If-Modified-Since) whose freshness an entry remembers, as is_fresh decided
# it: a poller sends the same ones every time.
MAX_DECIDED = 64
# What a recorded answer costs beside its body (headers, key, bookkeeping), for the cache's budget.
ENTRY_OVERHEAD = 2048
Headers = list[tuple[str, str]]


class VersionReader:
    """The published state of a conference (PUBLISHED_STATE), read on one DBAPI connection per process and
    thread, outside the pool, in autocommit mode. Rows come back as the driver gives them; `convert` turns
    one into the values the ORM would give (timezone-aware datetimes), to check a recorded answer's ETag."""

    def __init__(self, engine: Engine):
        self.engine = engine
        dialect = engine.dialect
        compiled = PUBLISHED_STATE.compile(dialect=dialect)
        self.sql = compiled.string
        fixed = compiled.construct_params({"slug": ""})  # the status, a plain string
        order = compiled.positiontup
        self._params: Callable[[str], Any] = (
            (lambda slug: tuple(slug if name == "slug" else fixed[name] for name in order))
            if order
            else (lambda slug: {**fixed, "slug": slug})
        )
        self._processors = [
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in PUBLISHED_STATE.selected_columns
        ]
        self.errors = dialect.loaded_dbapi.Error
        self._local = threading.local()
        self._opened: list[tuple[int, threading.Thread, Any]] = []  # (process, thread, connection)
        self._lock = threading.Lock()
        event.listen(engine, "engine_disposed", self.close)

    def read(self, slug: str) -> tuple | None:
        """The conference's raw state row, or None when no published conference has that slug.
        A database error propagates, with the connection closed so that the next read opens a new one."""
        connection = self._connection()
        try:
            return connection.execute(self.sql, self._params(slug)).fetchone()
        except self.errors:
            self._discard(connection)
            raise

    def convert(self, row: tuple) -> tuple:
        """row as the ORM reads it: (id, created_at, schedule_version, schedule_changed_at)."""
        return tuple(
            process(value) if process else value for process, value in zip(self._processors, row, strict=True)
        )

    def _connection(self) -> Any:
        connection = getattr(self._local, "connection", None)
        if connection is not None and self._local.pid == os.getpid():
            return connection
        proxied = self.engine.raw_connection()  # with the engine's connect hooks (SQLite pragmas)
        connection = proxied.driver_connection
        proxied.detach()  # ours to keep and close; the pool does not lend it out
        if self.engine.dialect.name == "postgresql":
            connection.rollback()  # anything a pre-ping began
            connection.autocommit = True  # each poll its own snapshot; never idle in a transaction
        self._local.connection, self._local.pid = connection, os.getpid()
        with self._lock:
            # A server that starts a thread per request (flask run) would otherwise leave one open connection
            # behind each finished thread: close those first.
            ended = [c for pid, thread, c in self._opened if pid == os.getpid() and not thread.is_alive()]
            self._opened = [entry for entry in self._opened if entry[2] not in ended]
            self._opened.append((os.getpid(), threading.current_thread(), connection))
        for old in ended:
            with contextlib.suppress(self.errors):
                old.close()
        return connection

    def _discard(self, connection: Any) -> None:
        self._local.connection = None
        with self._lock:
            self._opened = [entry for entry in self._opened if entry[2] is not connection]
        with contextlib.suppress(self.errors):  # already gone with the server
            connection.close()

    def close(self, _engine: Engine | None = None) -> None:
        """Close this process's connections (when the engine is disposed); forget a parent process's ones
        without touching them (gunicorn disposes the engine after forking)."""
        with self._lock:
            opened, self._opened = self._opened, []
        self._local = threading.local()
        for pid, _thread, connection in opened:
            if pid == os.getpid():
                with contextlib.suppress(self.errors):
                    connection.close()


@dataclass(frozen=True)
class Recorded:
    """One answer as Flask sent it."""

    status: str
    headers: Headers
    body: bytes


@dataclass(frozen=True)
class Entry:
    """What was recorded for one key: the version's validators, and Flask's 200 and 304 as they came."""

    etag: str  # the plain representation's, which the gzipped one validates like
    last_modified: datetime
    answers: dict[int, Recorded]
    decided: dict[tuple, bool] = field(default_factory=dict)

    @property
    def size(self) -> int:
        """What the entry costs the cache's budget."""
        return sum(len(answer.body) + ENTRY_OVERHEAD for answer in self.answers.values())

    def fresh(self, environ: dict[str, Any]) -> bool:
        """Whether the request's validators name this version (feeds.http.is_fresh, as the Flask view asks)."""
        validators = (environ.get("HTTP_IF_NONE_MATCH"), environ.get("HTTP_IF_MODIFIED_SINCE"))
        fresh = self.decided.get(validators)
        if fresh is None:
            fresh = is_fresh(self.etag, self.last_modified, *validators)
            if len(self.decided) < MAX_DECIDED:
                self.decided[validators] = fresh
        return fresh


class FeedReplay:
    """WSGI middleware replaying Flask's recorded answers to feed requests whose version has not moved."""

    def __init__(self, app: Flask, inner: Callable):
        self.app = app
        self.inner = inner
        self.versions = VersionReader(get_engine(app))
        # Bounded like the rendered feeds; the bodies are mostly the feed cache's own bytes, not copies.
        self.entries = BytesLRU(app.config["FEED_CACHE_BYTES"])
        self.takes_gzip: dict[str | None, bool] = {}
        # X-SQL-Queries counts the statements of the request that answers: a replay runs one, the version query.
        self.count_header = bool(app.config.get("SQL_COUNT_HEADER"))

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or "HTTP_AUTHORIZATION" in environ
            or environ.get("CONTENT_LENGTH") not in (None, "", "0")
        ):
            return self.inner(environ, start_response)
        path = environ.get("PATH_INFO", "")
        match = FEED_PATH.match(path)
        page = match is None and (match := PAGE_PATH.match(path)) is not None
        if match is None:
            return self.inner(environ, start_response)
        try:
            row = self.versions.read(match.group(1))
        except (SQLAlchemyError, self.versions.errors):  # no connection to be had, or the query failed
            return self.inner(environ, start_response)  # Flask answers the 503
        if row is None:
            return self.inner(environ, start_response)  # Flask answers the 404
        key = (
            environ.get("SCRIPT_NAME", ""),
            environ["PATH_INFO"],
            environ.get("QUERY_STRING", ""),
            row,
            get_host(environ),
            environ["wsgi.url_scheme"],
            self._takes_gzip(environ.get("HTTP_ACCEPT_ENCODING")),
            page,
            environ.get("HTTP_ACCEPT_LANGUAGE") if page else None,
        )
        entry: Entry | None = self.entries.get(key)
        if entry is not None:
            answer = entry.answers.get(304 if entry.fresh(environ) else 200)
            if answer is not None:
                start_response(answer.status, list(answer.headers))
                return [answer.body]
        return self._record(environ, start_response, key, row, entry)

    def _record(
        self, environ: dict[str, Any], start_response: Callable, key: tuple, row: tuple, entry: Entry | None
    ) -> Iterable[bytes]:
        """Let Flask answer, and keep its answer under key if it is a 200 or 304 of the version row read. With
        a 200 kept and no 304 yet, Flask is asked for its 304 too, so that the next poll that has this version
        is answered here, with the very 304 Flask gives."""
        state = self.versions.convert(row)
        environ[VERSION_ROW] = state  # the view's version query, made already
        status, headers, body = self._through_flask(environ, start_response)
        entry = self._keep(key, state, entry, environ, status, headers, body)
        if entry is not None and 304 not in entry.answers:
            conditional = {**environ, "HTTP_IF_NONE_MATCH": entry.etag, "wsgi.input": io.BytesIO()}
            for name in ("HTTP_IF_MODIFIED_SINCE", ETAG_OF_VERSION):
                conditional.pop(name, None)
            self._keep(key, state, entry, conditional, *self._through_flask(conditional, _ignore))
        return [body]

    def _through_flask(self, environ: dict[str, Any], start_response: Callable) -> tuple[str, Headers, bytes]:
        """Flask's answer (status, headers, body) to environ, passed on to start_response as it comes."""
        sent: list = []

        def capture(status: str, headers: Headers, exc_info: Any = None) -> Callable:
            sent[:] = [status, list(headers)]
            return start_response(status, headers, exc_info)

        chunks = self.inner(environ, capture)
        try:
            body = b"".join(chunks)  # a feed is sent in one piece anyway
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        return sent[0], sent[1], body

    def _keep(
        self,
        key: tuple,
        state: tuple,
        entry: Entry | None,
        environ: dict[str, Any],
        status: str,
        headers: Headers,
        body: bytes,
    ) -> Entry | None:
        """Keep a 200 or 304 of a conference feed under key, if its ETag is the one the version read implies."""
        etag_of = environ.get(ETAG_OF_VERSION)  # set by the view once it has found the conference
        code = int(status.split(" ", 1)[0])
        if etag_of is None or code not in (200, 304):
            return None
        conference_id, created_at, version, changed_at = state
        expected = etag_of(conference_id, created_at, version)
        etag = next((value for name, value in headers if name == "ETag"), None)
        if etag not in (expected, gzip_etag(expected)):
            return None  # a write landed between the version read and the render
        varies = {
            part.strip().lower()
            for name, value in headers
            if name.lower() == "vary"
            for part in value.split(",")
        }
        held = {"accept-encoding", "accept-language"} if key[-2] else {"accept-encoding"}
        if varies - held:
            return None  # the answer depends on a request header the key does not hold (an Origin, say)
        if self.count_header:
            headers = [(name, "1" if name == "X-SQL-Queries" else value) for name, value in headers]
        answers = {**(entry.answers if entry is not None else {}), code: Recorded(status, headers, body)}
        kept = Entry(expected, changed_at, answers)
        self.entries.put(key, kept, kept.size)
        return kept

    def _takes_gzip(self, accept_encoding: str | None) -> bool:
        takes = self.takes_gzip.get(accept_encoding)
        if takes is None:
            takes = bool(parse_accept_header(accept_encoding)["gzip"])  # as Flask's request.accept_encodings
            if len(self.takes_gzip) >= MAX_ENCODINGS:
                self.takes_gzip.clear()
            self.takes_gzip[accept_encoding] = takes
        return takes


def _ignore(_status: str, _headers: Headers, _exc_info: Any = None) -> Callable:
    """start_response for an answer no client is waiting for."""
    return lambda _data: None


def init_app(app: Flask) -> None:
    """Put the replay cache in front of the app (FEED_FAST_PATH=0 turns it off), behind ProxyFix if there is
    one, so that it sees the scheme and host the app sees. An in-memory SQLite database has nothing a second
    connection could read: there, Flask answers everything."""
    if not app.config.get("FEED_FAST_PATH", True):
        return
    url = get_engine(app).url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return
    if isinstance(app.wsgi_app, ProxyFix):
        app.wsgi_app.app = FeedReplay(app, app.wsgi_app.app)
    else:
        app.wsgi_app = FeedReplay(app, app.wsgi_app)  # type: ignore[method-assign]
