"""Rendered feeds, kept ready to send: in each worker's memory first, in Redis (when REDIS_URL is set) second.

A feed's key is its ETag, which already holds everything its bytes depend on (format, conference, schedule
version, filter, base URL): a change moves the version, so a stale feed is never found, only new keys.
Old entries simply age out (least recently used first here, by TTL in Redis).
"""

from __future__ import annotations

import gzip
import json
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

log = logging.getLogger(__name__)

REDIS_TTL = 24 * 3600


@dataclass(frozen=True)
class CachedFeed:
    """A feed as sent: its bytes, the same gzipped once, and its media type."""

    body: bytes
    gzipped: bytes
    mimetype: str

    @classmethod
    def of(cls, body: bytes | str, mimetype: str) -> CachedFeed:
        """The feed of body (text is UTF-8), gzipped once now."""
        data = body.encode() if isinstance(body, str) else body
        return cls(data, gzip.compress(data, compresslevel=5, mtime=0), mimetype)

    @property
    def size(self) -> int:
        """Its bytes, plain and gzipped, for the memory budget."""
        return len(self.body) + len(self.gzipped)


class BytesLRU:
    """A thread-safe least-recently-used map bounded by the bytes of its values."""

    def __init__(self, budget: int):
        self.budget = budget
        self.used = 0
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._sizes: dict[Any, int] = {}
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        """The value under key, now the most recently used, or None."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Any, value: Any, size: int) -> None:
        """Keep value under key, dropping the least recently used until the budget holds (never one too large)."""
        if size > self.budget:
            return
        with self._lock:
            if key in self._items:
                self.used -= self._sizes.pop(key)
                del self._items[key]
            self._items[key] = value
            self._sizes[key] = size
            self.used += size
            while self.used > self.budget:
                old, _ = self._items.popitem(last=False)
                self.used -= self._sizes.pop(old)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._items.clear()
            self._sizes.clear()
            self.used = 0


class FragmentLRU(BytesLRU):
    """Rendered pieces (one session's VEVENT or JSON entry), bounded by their size."""

    def keep(self, key: Any, value: str | bytes) -> None:
        """Keep a rendered piece, sized by what it holds."""
        self.put(key, value, len(value) * 2 if isinstance(value, str) else len(value))


class FeedCache:
    """Two levels of rendered feeds, and the per-session fragments the renderers assemble feeds from."""

    def __init__(self, memory_budget: int, fragment_budget: int, redis_url: str | None):
        self.memory = BytesLRU(memory_budget)
        self.fragments = FragmentLRU(fragment_budget)
        self.redis = None
        if redis_url:
            import redis

            self.redis = redis.Redis.from_url(redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def get(self, key: str) -> CachedFeed | None:
        """The feed under key: from memory, else from Redis (and then kept in memory too)."""
        feed = self.memory.get(key)
        if feed is not None or self.redis is None:
            return feed
        try:
            stored = self.redis.hmget(f"eventapp:feed:{key}", "body", "gzipped", "mimetype")
        except Exception as exc:  # a cache that does not answer is a cache miss, not an error
            log.warning("redis unavailable for feed cache: %s", exc)
            return None
        if stored[0] is None:
            return None
        feed = CachedFeed(stored[0], stored[1], stored[2].decode())
        self.memory.put(key, feed, feed.size)
        return feed

    def put(self, key: str, feed: CachedFeed) -> None:
        """Keep feed under key in memory and, when configured, in Redis for the other workers and servers."""
        self.memory.put(key, feed, feed.size)
        if self.redis is None:
            return
        try:
            name = f"eventapp:feed:{key}"
            pipe = self.redis.pipeline()
            pipe.hset(name, mapping={"body": feed.body, "gzipped": feed.gzipped, "mimetype": feed.mimetype})
            pipe.expire(name, REDIS_TTL)
            pipe.execute()
        except Exception as exc:
            log.warning("redis unavailable for feed cache: %s", exc)


def init_app(app: Flask) -> None:
    """Give the app its feed cache."""
    app.extensions["eventapp.feed_cache"] = FeedCache(
        memory_budget=app.config["FEED_CACHE_BYTES"],
        fragment_budget=app.config["FEED_FRAGMENT_BYTES"],
        redis_url=app.config.get("REDIS_URL") or None,
    )


def feed_cache() -> FeedCache:
    """The current app's feed cache."""
    return current_app.extensions["eventapp.feed_cache"]


def dumps_compact(value: Any) -> str:
    """JSON text for a fragment, in the app's JSON style."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
