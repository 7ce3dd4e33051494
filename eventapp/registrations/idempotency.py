"""Idempotency-Key (IETF httpapi draft "The Idempotency-Key HTTP Header Field") on registration POSTs.

The first request with a key claims it in a transaction of its own, so that a second request with the same key
sees the claim at once: 409 while the first still runs, 422 if its body differs, and once the first has
succeeded, the first answer again (and nothing more stored). A request that fails gives its claim back, so
the client may retry with the same key. No library for Flask implements the draft with a database store that
works on SQLite and PostgreSQL alike; this is the small piece it takes.
"""

from __future__ import annotations

import functools
import hashlib
import json
import random
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Response, current_app, g, request
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from eventapp import lengths
from eventapp.db import close_session, get_session, sessionmaker_of, utcnow
from eventapp.errors import Conflict, DomainError
from eventapp.registrations.models import IdempotencyKey
from eventapp.transactions import ATTEMPTS, begin_write, is_retryable

HEADER = "Idempotency-Key"
# A claim this old whose request never finished (its process died) may be taken over.
STALE = timedelta(minutes=5)
# How long a finished request's answer is kept to be answered again (the draft leaves it to the server).
KEPT = timedelta(hours=24)

DOC = {
    "parameters": [
        {
            "in": "header",
            "name": HEADER,
            "required": False,
            "description": "Makes the POST safe to retry: the same key with the same body answers the first answer "
            "again and stores nothing more; with another body 422; while the first request runs 409.",
            "schema": {"type": "string", "minLength": 1, "maxLength": lengths.NAME},
        }
    ]
}


class KeyReused(DomainError):
    status = 422
    code = "validation_failed"


def _fingerprint() -> str:
    body = request.get_json(silent=True)
    canonical = (
        json.dumps(body, sort_keys=True, ensure_ascii=False)
        if body is not None
        else request.get_data(as_text=True)
    )
    return hashlib.sha256(f"{request.method} {request.path}\n{canonical}".encode()).hexdigest()


def _claim(key: str, scope: str, fingerprint: str):
    """The claim's id when this request may run; otherwise the stored answer (a Response) or an error."""
    sessions = sessionmaker_of(current_app)
    with sessions() as db:
        row = IdempotencyKey(scope=scope, key=key, fingerprint=fingerprint, created_at=utcnow())
        db.add(row)
        try:
            db.commit()
            return row.id
        except IntegrityError:
            db.rollback()
        found = db.scalar(
            select(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
        )
        if found is None:  # given back between our insert and this read: try once more
            return _claim(key, scope, fingerprint) if not g.get("idempotency_retry") else None
        if found.fingerprint != fingerprint:
            raise KeyReused(
                "This Idempotency-Key was used with another request body.", HEADER, location="header"
            )
        if found.status is None:
            if utcnow() - found.created_at > STALE:
                found.created_at = utcnow()
                db.commit()
                return found.id
            error = Conflict(
                "A request with this Idempotency-Key is still running.", HEADER, location="header"
            )
            error.headers = {"Retry-After": "1"}
            raise error
        return Response(
            json.dumps(found.body, ensure_ascii=False) if found.body is not None else None,
            status=found.status,
            headers={**(found.headers or {}), "Idempotent-Replayed": "true"},
            mimetype="application/json",
        )


def _store(claim_id: int, response: Response) -> None:
    sessions = sessionmaker_of(current_app)
    with sessions() as db:
        if response.status_code < 300:
            headers = {k: v for k, v in response.headers.items() if k in ("Location", "ETag")}
            body = json.loads(response.get_data(as_text=True)) if response.get_data() else None
            db.execute(
                update(IdempotencyKey)
                .where(IdempotencyKey.id == claim_id)
                .values(status=response.status_code, body=body, headers=headers)
            )
        else:
            db.execute(delete(IdempotencyKey).where(IdempotencyKey.id == claim_id))
        db.commit()


def _give_back(claim_id: int) -> None:
    sessions = sessionmaker_of(current_app)
    with sessions() as db:
        db.execute(delete(IdempotencyKey).where(IdempotencyKey.id == claim_id))
        db.commit()


def begin_registration_write() -> None:
    """Open the request's write transaction: READ COMMITTED on PostgreSQL, where the counters' conditional
    updates and row locks are the guard (a writer waits for the row instead of failing and retrying), and
    SQLite's write lock taken at BEGIN."""
    db = get_session()
    if db.get_bind().dialect.name == "postgresql":
        db.connection(execution_options={"isolation_level": "READ COMMITTED"})
    else:
        begin_write()


def _run(view, auth, args, kwargs):
    for attempt in range(ATTEMPTS):
        begin_registration_write()
        try:
            if auth is not None:
                auth(**kwargs)
            return current_app.make_response(view(*args, **kwargs))
        except DBAPIError as error:  # a deadlock between two writers: run again
            if not is_retryable(error) or attempt == ATTEMPTS - 1:
                raise
            close_session()
            g.pop("api_token", None)
            time.sleep(random.uniform(0, 0.01 * 2**attempt))
    raise AssertionError("unreachable")


def write(auth: Callable[..., Any] | None = None):
    """A writing view of this area: its transaction, auth (before the body is read: who may not write learns
    nothing about a valid body), retries after a deadlock, and Idempotency-Key on POST."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            key = request.headers.get(HEADER)
            if key is None or request.method != "POST":
                return _run(view, auth, args, kwargs)
            if not key.strip() or len(key) > lengths.NAME:
                raise DomainError(
                    f"An Idempotency-Key has 1 to {lengths.NAME} characters.", HEADER, location="header"
                )
            claim = _claim(key, f"{request.method} {request.path}", _fingerprint())
            if isinstance(claim, Response):
                return claim
            try:
                response = _run(view, auth, args, kwargs)
            except BaseException:
                close_session()
                _give_back(claim)
                raise
            _store(claim, response)
            return response

        return wrapper

    return decorator


def forget_old_keys(db) -> int:
    """Delete the keys older than KEPT (their answers may hold a registration's token)."""
    result = db.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < utcnow() - KEPT))
    return result.rowcount or 0
