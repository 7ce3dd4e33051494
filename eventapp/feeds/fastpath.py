"""A fast path in front of Flask for what calendar apps do all day: poll an unfiltered conference feed.

A GET of `/api/v1/conferences/<slug>/<feed>` without a query, a body or credentials is answered here when it
can be answered from the version alone: a 304, or the cached bytes. The version comes from one prepared query
on a pooled connection; the validators are computed by the same function as the Flask view's, so both paths
give the same ETag for the same bytes. Anything else (a filter, a miss that needs rendering, an unknown or
draft conference, a database error) goes on to Flask unchanged. The headers Flask's after-request handlers add
(CORS, security) are added here too; a test compares the two paths header by header.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.http import parse_accept_header, parse_date
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.utils import get_content_type
from werkzeug.wsgi import get_host

from eventapp import security
from eventapp.db import get_engine
from eventapp.feeds.cache import FeedCache
from eventapp.feeds.http import GZIP_SUFFIX, etag_matches, feed_etag, validators
from eventapp.feeds.routes import PUBLISHED_STATE

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


class FeedFastPath:
    """WSGI middleware answering conditional and cached feed requests before Flask sees them."""

    def __init__(self, app: Flask, inner: Callable):
        self.app = app
        self.inner = inner

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

    def _answer(self, environ: dict[str, Any], slug: str, suffix: str) -> tuple[str, list, bytes] | None:
        try:
            with get_engine(self.app).connect() as connection:
                state = connection.execute(PUBLISHED_STATE, {"slug": slug}).first()
        except SQLAlchemyError:
            return None  # Flask answers the 503
        if state is None:
            return None
        config = self.app.config
        base_url = config["PUBLIC_BASE_URL"] or f"{environ['wsgi.url_scheme']}://{get_host(environ)}"
        etag = feed_etag(suffix, state.id, state.created_at, state.schedule_version, [], base_url)
        headers = validators(etag, state.schedule_changed_at, max_age=config["FEED_MAX_AGE"])
        extra = list(STATIC_HEADERS)
        if environ["wsgi.url_scheme"] == "https":
            extra.append(("Strict-Transport-Security", security.HSTS))
        if config.get("SQL_COUNT_HEADER"):
            extra.append(("X-SQL-Queries", "1"))

        if "HTTP_IF_NONE_MATCH" in environ:
            fresh = etag_matches(etag, environ["HTTP_IF_NONE_MATCH"])
        else:
            since = parse_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
            fresh = since is not None and state.schedule_changed_at.replace(microsecond=0) <= since
        if fresh:
            kept = [(k, v) for k, v in headers.items() if k != "Last-Modified"]  # as werkzeug sends a 304
            return "304 NOT MODIFIED", kept + extra, b""

        cache: FeedCache = self.app.extensions["eventapp.feed_cache"]
        feed = cache.get(etag)
        if feed is None:
            return None  # Flask renders it, and caches it for the next request
        body = feed.body
        accepts = parse_accept_header(environ.get("HTTP_ACCEPT_ENCODING"))
        if accepts["gzip"]:
            body = feed.gzipped
            headers["Content-Encoding"] = "gzip"
            headers["ETag"] = etag.removesuffix('"') + GZIP_SUFFIX
        content_type = get_content_type(feed.mimetype, "utf-8")  # as werkzeug writes it for the Flask path
        return "200 OK", [*headers.items(), ("Content-Type", content_type),
                          ("Content-Length", str(len(body))), *extra], body


def init_app(app: Flask) -> None:
    """Put the fast path in front of the app (FEED_FAST_PATH=0 turns it off), behind ProxyFix if there is one,
    so that it sees the same scheme and host, and so computes the same ETags, as the app."""
    if not app.config.get("FEED_FAST_PATH", True):
        return
    if isinstance(app.wsgi_app, ProxyFix):
        app.wsgi_app.app = FeedFastPath(app, app.wsgi_app.app)
    else:
        app.wsgi_app = FeedFastPath(app, app.wsgi_app)  # type: ignore[method-assign]
