"""Conditional GET for feeds: validators computed from the schedule version alone, checked before any rendering."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from flask import Response, current_app, request
from werkzeug.http import http_date, parse_etags, unquote_etag
from werkzeug.sansio.http import is_resource_modified

from eventapp.feeds.cache import CachedFeed


def feed_etag(kind: str, *parts: Any) -> str:
    """A strong ETag from what decides a feed's bytes: its kind, its versions and its filter."""
    digest = hashlib.sha256(json.dumps([kind, *parts], default=str, sort_keys=True).encode()).hexdigest()
    return f'"{kind}-{digest[:24]}"'


GZIP_SUFFIX = '-gzip"'


def gzip_etag(etag: str) -> str:
    """The ETag of a feed's gzipped representation: the same version, told apart for caches."""
    return etag.removesuffix('"') + GZIP_SUFFIX


def is_fresh(
    etag: str, last_modified: datetime, if_none_match: str | None, if_modified_since: str | None
) -> bool:
    """Whether the client's copy is current, by werkzeug's rules: If-None-Match names etag, its gzipped twin
    (either names the same version) or *, weakly compared; or, only without If-None-Match, If-Modified-Since
    is not before last_modified. (No If-Match, If-Range or Range: they mean nothing to a feed's GET.)"""
    if if_none_match is not None:
        # The comparison werkzeug's is_resource_modified makes, parsing the header once for both tags.
        tags = parse_etags(if_none_match)
        return any(tags.contains_weak(unquote_etag(tag)[0]) for tag in (etag, gzip_etag(etag)))
    if if_modified_since is None:
        return False  # what werkzeug would say, without parsing anything: most polls send no validator
    return not is_resource_modified(http_if_modified_since=if_modified_since, last_modified=last_modified)


def validators(
    etag: str, last_modified: datetime, *, private: bool = False, max_age: int | None = None
) -> dict[str, str]:
    """The caching headers every answer of a feed carries, 200 or 304."""
    max_age = current_app.config["FEED_MAX_AGE"] if max_age is None else max_age
    # Calendar apps poll; shared caches may answer for us, and serve a stale copy while they revalidate.
    cache = (
        f"private, max-age={max_age}"
        if private
        else f"public, max-age={max_age}, stale-while-revalidate={max_age * 5}"
    )
    return {
        "ETag": etag,
        "Last-Modified": http_date(last_modified),
        "Cache-Control": cache,
        "Vary": "Accept-Encoding",
    }


def not_modified(etag: str, last_modified: datetime, headers: dict[str, str]) -> Response | None:
    """304 when the client's copy is current (If-None-Match first, else If-Modified-Since); else None."""
    environ = request.environ
    fresh = is_fresh(
        etag, last_modified, environ.get("HTTP_IF_NONE_MATCH"), environ.get("HTTP_IF_MODIFIED_SINCE")
    )
    return Response(status=304, headers=headers) if fresh else None


def feed_response(feed: CachedFeed, headers: dict[str, str]) -> Response:
    """The feed with its validators: gzipped (compressed once, when it was cached) for clients that take it."""
    headers = dict(headers)
    body = feed.body
    if request.accept_encodings["gzip"]:
        body = feed.gzipped
        headers["Content-Encoding"] = "gzip"
        headers["ETag"] = gzip_etag(headers["ETag"])
    response = Response(body, mimetype=feed.mimetype, headers=headers)
    if feed.mimetype.startswith("text/"):
        response.headers["Content-Type"] = f"{feed.mimetype}; charset=utf-8"
    return response
