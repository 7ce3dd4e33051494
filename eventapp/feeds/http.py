"""Conditional GET for feeds: validators computed from the schedule version alone, checked before any rendering."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from flask import Response, current_app, request
from werkzeug.http import http_date, parse_etags

from eventapp.feeds.cache import CachedFeed


def feed_etag(kind: str, *parts: Any) -> str:
    """A strong ETag from what decides a feed's bytes: its kind, its versions and its filter."""
    digest = hashlib.sha256(json.dumps([kind, *parts], default=str, sort_keys=True).encode()).hexdigest()
    return f'"{kind}-{digest[:24]}"'


GZIP_SUFFIX = '-gzip"'


def _etags(header: str | None) -> set[str]:
    # The gzipped representation's tag names the same version: either validates.
    tags = parse_etags(header)
    star = {"*"} if tags.star_tag else set()
    return star | {f'"{tag}"'.replace(GZIP_SUFFIX, '"') for tag in tags.as_set(include_weak=True)}


def etag_matches(etag: str, if_none_match: str) -> bool:
    """Whether an If-None-Match header names etag (or any version, *)."""
    tags = _etags(if_none_match)
    return etag in tags or "*" in tags


def validators(etag: str, last_modified: datetime, *, private: bool = False,
               max_age: int | None = None) -> dict[str, str]:
    """The caching headers every answer of a feed carries, 200 or 304."""
    max_age = current_app.config["FEED_MAX_AGE"] if max_age is None else max_age
    # Calendar apps poll; shared caches may answer for us, and serve a stale copy while they revalidate.
    cache = f"private, max-age={max_age}" if private else f"public, max-age={max_age}, stale-while-revalidate={max_age * 5}"
    return {
        "ETag": etag,
        "Last-Modified": http_date(last_modified),
        "Cache-Control": cache,
        "Vary": "Accept-Encoding",
    }


def not_modified(etag: str, last_modified: datetime, headers: dict[str, str]) -> Response | None:
    """304 when the client's copy is current (If-None-Match first, else If-Modified-Since); else None."""
    if "If-None-Match" in request.headers:
        fresh = etag_matches(etag, request.headers["If-None-Match"])
    elif request.if_modified_since is not None:
        fresh = last_modified.replace(microsecond=0) <= request.if_modified_since
    else:
        fresh = False
    return Response(status=304, headers=headers) if fresh else None


def feed_response(feed: CachedFeed, headers: dict[str, str]) -> Response:
    """The feed with its validators: gzipped (compressed once, when it was cached) for clients that take it."""
    headers = dict(headers)
    body = feed.body
    if request.accept_encodings["gzip"]:
        body = feed.gzipped
        headers["Content-Encoding"] = "gzip"
        headers["ETag"] = headers["ETag"].removesuffix('"') + GZIP_SUFFIX
    response = Response(body, mimetype=feed.mimetype, headers=headers)
    if feed.mimetype.startswith("text/"):
        response.headers["Content-Type"] = f"{feed.mimetype}; charset=utf-8"
    return response
