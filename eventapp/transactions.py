"""Write transactions: opened before a writing request's first query, run again when they lose a race.

PostgreSQL runs every write SERIALIZABLE, so that read-then-write rules (is the room free?) hold against
concurrent writers: the loser fails with a serialization failure and its request is run again from the start,
seeing the winner's rows. SQLite takes its write lock when the transaction begins (see db._begin_sqlite).
"""

from __future__ import annotations

import functools
import random
import time

from flask import g, request
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from eventapp.db import close_session, get_session

READ_METHODS = ("GET", "HEAD", "OPTIONS")
ATTEMPTS = 10

# SQLSTATEs of a transaction that lost a race and may simply be run again.
RETRYABLE = {"40001", "40P01"}  # serialization_failure, deadlock_detected


def begin_write() -> Session:
    """The context's session, in a transaction that is safe for read-then-write rules (no double booking).

    PostgreSQL runs it SERIALIZABLE (a conflicting concurrent writer fails and is retried, see
    retry_serialization_failures); SQLite takes its write lock at the start. Call it before the session's
    first query.
    """
    session = get_session()
    session.connection(execution_options={"isolation_level": "SERIALIZABLE"})
    return session


def begin_write_transaction() -> None:
    """Before a writing request's first query (the token check is one): open its write transaction."""
    if request.method not in READ_METHODS:
        begin_write()


def is_retryable(error: BaseException) -> bool:
    """True for a database error that another attempt of the same transaction may not meet."""
    return getattr(getattr(error, "orig", None), "sqlstate", None) in RETRYABLE


def retry_serialization_failures(view):
    """Run a writing view again when its transaction lost a race to a concurrent one (PostgreSQL SERIALIZABLE);
    the second attempt sees the winner's rows, and answers 409 where the rules say so."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if request.method in READ_METHODS:
            return view(*args, **kwargs)
        for attempt in range(ATTEMPTS):
            try:
                return view(*args, **kwargs)
            except DBAPIError as error:
                if not is_retryable(error) or attempt == ATTEMPTS - 1:
                    raise
                close_session()
                # The token was read in the lost transaction: the next attempt reads it again in its own.
                g.pop("api_token", None)
                time.sleep(random.uniform(0, 0.01 * 2**attempt))
                begin_write()
        raise AssertionError("unreachable")

    return wrapper
