"""A fast path in front of Flask for what calendar apps do all day: poll an unfiltered conference feed.

A GET of `/api/v1/conferences/<slug>/<feed>` without a query, a body or credentials is answered here when it
can be answered from the version alone: a 304, or the cached bytes. The version comes from one query, the
same statement the Flask view runs, on a connection of the worker's own in autocommit mode (so every poll
sees the last committed write, and no pool checkout, transaction or ORM stands in between). The answer for a
given version (status, headers and bytes, plain and gzipped) is built once by the same functions as the
Flask view's and then kept, so a poll costs the query and a dictionary lookup. Anything else (a filter, a
miss that needs rendering, an unknown or draft conference, a database error) goes on to Flask unchanged. The
headers Flask's after-request handlers add (CORS, security) are added here too; a test compares the two
paths header by header.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import Engine, event
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.http import parse_accept_header, parse_date
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.utils import get_content_type
from werkzeug.wsgi import get_host

from eventapp import security
from eventapp.db import get_engine
from eventapp.feeds.cache import FeedCache
from eventapp.feeds.http import GZIP_SUFFIX, etag_matches, feed_etag, validators
from eventapp.feeds.publish import PUBLISHED_STATE

FEED_PATH = re.compile(r"^/api/v1/conferences/([a-z0-9]+(?:-[a-z0-9]+)*)/(schedule(?:\.ics|\.xml|\.frab\.json)?)$")
# What flask-cors adds to every API answer with this app's settings (origins "*", send_wildcard).
CORS_HEADERS = [
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Expose-Headers", "ETag, Last-Modified, Retry-After"),
]
STATIC_HEADERS = CORS_HEADERS + [
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Content-Security-Policy", security.API_POLICY),
]
# Answers kept per worker: one per feed, version and host in use; old versions are simply dropped.
MAX_PREPARED = 256
Headers = list[tuple[str, str]]


class VersionReader:
    """The published state of a conference (PUBLISHED_STATE), read on one DBAPI connection per process and
    thread, outside the pool, in autocommit mode. Rows come back as the driver gives them; `convert` turns
    one into the values the ORM would give (timezone-aware datetimes), for building an answer once."""

    def __init__(self, engine: Engine):
        self.engine = engine
        dialect = engine.dialect
        compiled = PUBLISHED_STATE.compile(dialect=dialect)
        self.sql = compiled.string
        fixed = compiled.construct_params({"slug": ""})  # the status, a plain string
        order = compiled.positiontup
        self._params: Callable[[str], Any] = (
            (lambda slug: tuple(slug if name == "slug" else fixed[name] for name in order)) if order
            else (lambda slug: {**fixed, "slug": slug})
        )
        self._processors = [column.type.dialect_impl(dialect).result_processor(dialect, None)
                            for column in PUBLISHED_STATE.selected_columns]
        self.errors = dialect.loaded_dbapi.Error
        self._local = threading.local()
        self._opened: list[tuple[int, Any]] = []
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
        return tuple(process(value) if process else value for process, value in zip(self._processors, row))

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
            self._opened.append((os.getpid(), connection))
        return connection

    def _discard(self, connection: Any) -> None:
        self._local.connection = None
        with self._lock:
            self._opened = [(pid, c) for pid, c in self._opened if c is not connection]
        try:
            connection.close()
        except self.errors:
            pass  # already gone with the server

    def close(self, _engine: Engine | None = None) -> None:
        """Close this process's connections (when the engine is disposed); forget a parent process's ones
        without touching them (gunicorn disposes the engine after forking)."""
        with self._lock:
            opened, self._opened = self._opened, []
        self._local = threading.local()
        for pid, connection in opened:
            if pid == os.getpid():
                try:
                    connection.close()
                except self.errors:
                    pass


@dataclass(frozen=True)
class Prepared:
    """Everything the fast path answers for one version of one feed, built once."""

    etag: str
    changed_at: datetime
    not_modified: Headers
    plain: tuple[Headers, bytes] | None  # None while the feed is not rendered yet
    gzipped: tuple[Headers, bytes] | None


class FeedFastPath:
    """WSGI middleware answering conditional and cached feed requests before Flask sees them."""

    def __init__(self, app: Flask, inner: Callable):
        self.app = app
        self.inner = inner
        self.versions = VersionReader(get_engine(app))
        self.prepared: dict[tuple, Prepared] = {}
        self.takes_gzip: dict[str | None, bool] = {}

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or environ.get("QUERY_STRING")
            or "HTTP_AUTHORIZATION" in environ
            or environ.get("CONTENT_LENGTH") not in (None, "", "0")
        ):
            return self.inner(environ, start_response)
        match = FEED_PATH.match(environ.get("PATH_INFO", ""))
        if match is None:
            return self.inner(environ, start_response)
        answer = self._answer(environ, *match.groups())
        if answer is None:
            return self.inner(environ, start_response)
        status, headers, body = answer
        start_response(status, headers)
        return [body]

    def _answer(self, environ: dict[str, Any], slug: str, suffix: str) -> tuple[str, Headers, bytes] | None:
        try:
            row = self.versions.read(slug)
        except (SQLAlchemyError, self.versions.errors):  # no connection to be had, or the query failed
            return None  # Flask answers the 503
        if row is None:
            return None
        scheme = environ["wsgi.url_scheme"]
        base_url = self.app.config["PUBLIC_BASE_URL"] or f"{scheme}://{get_host(environ)}"
        key = (suffix, row, base_url, scheme)
        prepared = self.prepared.get(key)
        if prepared is None:
            prepared = self._prepare(suffix, self.versions.convert(row), base_url, scheme)
            if prepared.plain is not None:  # not before the bytes exist: the next poll looks again
                if len(self.prepared) >= MAX_PREPARED:
                    self.prepared.clear()
                self.prepared[key] = prepared

        if "HTTP_IF_NONE_MATCH" in environ:
            fresh = etag_matches(prepared.etag, environ["HTTP_IF_NONE_MATCH"])
        else:
            since = parse_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
            fresh = since is not None and prepared.changed_at.replace(microsecond=0) <= since
        if fresh:
            return "304 NOT MODIFIED", prepared.not_modified, b""
        if prepared.plain is None or prepared.gzipped is None:
            return None  # Flask renders it, and caches it for the next request
        headers, body = prepared.gzipped if self._takes_gzip(environ.get("HTTP_ACCEPT_ENCODING")) else prepared.plain
        return "200 OK", headers, body

    def _takes_gzip(self, accept_encoding: str | None) -> bool:
        takes = self.takes_gzip.get(accept_encoding)
        if takes is None:
            takes = bool(parse_accept_header(accept_encoding)["gzip"])
            if len(self.takes_gzip) >= MAX_PREPARED:
                self.takes_gzip.clear()
            self.takes_gzip[accept_encoding] = takes
        return takes

    def _prepare(self, suffix: str, state: tuple, base_url: str, scheme: str) -> Prepared:
        """The answers for one version of a feed, with the same validators and headers as the Flask view."""
        conference_id, created_at, version, changed_at = state
        config = self.app.config
        etag = feed_etag(suffix, conference_id, created_at, version, [], base_url)
        headers = validators(etag, changed_at, max_age=config["FEED_MAX_AGE"])
        extra = list(STATIC_HEADERS)
        if scheme == "https":
            extra.append(("Strict-Transport-Security", security.HSTS))
        if config.get("SQL_COUNT_HEADER"):
            extra.append(("X-SQL-Queries", "1"))
        not_modified = [(k, v) for k, v in headers.items() if k != "Last-Modified"] + extra  # as werkzeug sends it
        cache: FeedCache = self.app.extensions["eventapp.feed_cache"]
        feed = cache.get(etag)
        if feed is None:
            return Prepared(etag, changed_at, not_modified, None, None)
        content_type = get_content_type(feed.mimetype, "utf-8")  # as werkzeug writes it for the Flask path

        def answer(body: bytes, **changed: str) -> tuple[Headers, bytes]:
            return [*{**headers, **changed}.items(), ("Content-Type", content_type),
                    ("Content-Length", str(len(body))), *extra], body

        return Prepared(etag, changed_at, not_modified, answer(feed.body),
                        answer(feed.gzipped, **{"Content-Encoding": "gzip",
                                                "ETag": etag.removesuffix('"') + GZIP_SUFFIX}))


def init_app(app: Flask) -> None:
    """Put the fast path in front of the app (FEED_FAST_PATH=0 turns it off), behind ProxyFix if there is one,
    so that it sees the same scheme and host, and so computes the same ETags, as the app. An in-memory SQLite
    database has nothing a second connection could read: there, Flask answers everything."""
    if not app.config.get("FEED_FAST_PATH", True):
        return
    url = get_engine(app).url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return
    if isinstance(app.wsgi_app, ProxyFix):
        app.wsgi_app.app = FeedFastPath(app, app.wsgi_app.app)
    else:
        app.wsgi_app = FeedFastPath(app, app.wsgi_app)  # type: ignore[method-assign]
