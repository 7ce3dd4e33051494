"""Rate limits per client address: failed authentications, and agenda creation.

Flask-Limiter holds the storage (Redis when REDIS_URL is set, so that all workers and servers count together;
otherwise each worker's memory) and the moving-window strategy. The limits are checked where they apply
rather than by route decorators, because a failed authentication counts only once it has failed. A limiter is
made for each app: Flask-Limiter keeps its storage on the instance, and tests build apps of several configs.
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter, RateLimiter

from eventapp.errors import TooManyRequests

log = logging.getLogger(__name__)

# The settings that hold the limits (eventapp/config.py), and what a client is told when it reaches one.
AUTH_FAILURES = "AUTH_FAILURE_LIMIT"
AGENDA_CREATION = "AGENDA_CREATION_LIMIT"
REFUSALS = {
    AUTH_FAILURES: "Too many failed authentications from this address",
    AGENDA_CREATION: "Too many agendas made from this address",
}


@dataclass
class RateLimits:
    limiter: Limiter
    # Should the shared storage fail (Redis gone), each worker goes on counting on its own.
    fallback: RateLimiter


def init_app(app: Flask) -> None:
    """Bind a limiter to the app; refuse to start with a limit that does not parse."""
    for setting in REFUSALS:
        _item(app.config[setting])
    storage_uri = app.config["REDIS_URL"] or "memory://"
    options = {"wrap_exceptions": True}
    if storage_uri != "memory://":
        options |= {"socket_timeout": 1, "socket_connect_timeout": 1}
    limiter = Limiter(get_remote_address, storage_uri=storage_uri, storage_options=options, strategy="moving-window")
    limiter.init_app(app)
    # Our limits are checked where they apply (count, refuse_if_reached); the extension's own check of every
    # request, which has no limits to apply, cost a third of a cached feed's time.
    checks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in checks:
        checks.remove(limiter._check_request_limit)
    app.extensions["eventapp.ratelimits"] = RateLimits(limiter, MovingWindowRateLimiter(MemoryStorage()))


@functools.lru_cache(maxsize=16)
def _item(limit: str) -> RateLimitItem:
    return parse(limit)


def _run(action: Callable[[RateLimiter], Any]) -> Any:
    state: RateLimits = current_app.extensions["eventapp.ratelimits"]
    try:
        return action(state.limiter.limiter)
    except StorageError as exc:
        log.warning("rate limit storage unavailable, counting in this worker: %s", exc)
        return action(state.fallback)


def _applies() -> bool:
    return current_app.extensions["eventapp.ratelimits"].limiter.enabled


def _key(setting: str) -> tuple[RateLimitItem, tuple[str, ...]]:
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "eventapp")
    return _item(current_app.config[setting]), (prefix, setting.lower(), get_remote_address())


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
