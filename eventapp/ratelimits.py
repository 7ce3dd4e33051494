"""Rate limits per client address: failed authentications, agenda and registration creation.

The `limits` library holds the storage (Redis when REDIS_URL is set, so that all workers and servers count
together; otherwise each worker's memory) and the moving-window strategy. The limits are checked where they
apply rather than by route decorators, because a failed authentication counts only once it has failed, so
there is no per-route machinery for an extension (Flask-Limiter) to provide. Each app gets its own storage:
tests build apps of several configs.
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request
from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter, RateLimiter

from eventapp.errors import TooManyRequests

log = logging.getLogger(__name__)

# The settings that hold the limits (eventapp/config.py), and what a client is told when it reaches one.
AUTH_FAILURES = "AUTH_FAILURE_LIMIT"
AGENDA_CREATION = "AGENDA_CREATION_LIMIT"
REGISTRATION_CREATION = "REGISTRATION_CREATION_LIMIT"
REFUSALS = {
    AUTH_FAILURES: "Too many failed authentications from this address",
    AGENDA_CREATION: "Too many agendas made from this address",
    REGISTRATION_CREATION: "Too many registrations made from this address",
}


@dataclass
class RateLimits:
    """What one app counts with."""

    enabled: bool
    strategy: RateLimiter
    # Should the shared storage fail (Redis gone), each worker goes on counting on its own.
    fallback: RateLimiter


def init_app(app: Flask) -> None:
    """Give the app its rate limit storage; refuse to start with a limit that does not parse."""
    for setting in REFUSALS:
        _item(app.config[setting])
    if app.config["REDIS_URL"]:
        # Any failure of Redis is a StorageError (wrap_exceptions), met within a second, then counted locally.
        storage = storage_from_string(
            app.config["REDIS_URL"], wrap_exceptions=True, socket_timeout=1, socket_connect_timeout=1
        )
    else:
        storage = MemoryStorage()
    app.extensions["eventapp.ratelimits"] = RateLimits(
        enabled=app.config.get("RATELIMIT_ENABLED", True),
        strategy=MovingWindowRateLimiter(storage),
        fallback=MovingWindowRateLimiter(MemoryStorage()),
    )


@functools.lru_cache(maxsize=16)
def _item(limit: str) -> RateLimitItem:
    return parse(limit)


def _run(action: Callable[[RateLimiter], Any]) -> Any:
    state: RateLimits = current_app.extensions["eventapp.ratelimits"]
    try:
        return action(state.strategy)
    except StorageError as exc:
        log.warning("rate limit storage unavailable, counting in this worker: %s", exc)
        return action(state.fallback)


def _applies() -> bool:
    return current_app.extensions["eventapp.ratelimits"].enabled


def _client_address() -> str:
    # With TRUSTED_PROXIES, ProxyFix has already put the client's own address here.
    return request.remote_addr or "127.0.0.1"


def _key(setting: str) -> tuple[RateLimitItem, tuple[str, ...]]:
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "eventapp")
    return _item(current_app.config[setting]), (prefix, setting.lower(), _client_address())


def _refusal(setting: str, item: RateLimitItem, ids: tuple[str, ...]) -> TooManyRequests:
    reset_at = _run(lambda strategy: strategy.get_window_stats(item, *ids).reset_time)
    retry_after = max(1, math.ceil(reset_at - time.time()))
    return TooManyRequests(f"{REFUSALS[setting]}: try again in {retry_after} s.", retry_after)


def refuse_if_reached(setting: str) -> None:
    """429 with Retry-After when this client address has reached the limit; counts nothing."""
    if _applies():
        item, ids = _key(setting)
        if not _run(lambda strategy: strategy.test(item, *ids)):
            raise _refusal(setting, item, ids)


def count(setting: str) -> None:
    """Count one against this client address's limit."""
    if _applies():
        item, ids = _key(setting)
        _run(lambda strategy: strategy.hit(item, *ids))


def spend(setting: str) -> None:
    """Count one against this client address's limit; 429 with Retry-After, and nothing counted, past it."""
    if _applies():
        item, ids = _key(setting)
        if not _run(lambda strategy: strategy.hit(item, *ids)):
            raise _refusal(setting, item, ids)
