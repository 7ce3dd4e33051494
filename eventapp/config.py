"""Settings, read from the environment in one place."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def normalize_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs that name no driver (as hosting platforms hand them out)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def from_environment(instance_path: str) -> dict[str, Any]:
    """The app's settings: DATABASE_URL (default: a SQLite file in the instance folder), LOG_LEVEL."""
    default_url = "sqlite:///" + str(Path(instance_path) / "eventapp.sqlite3")
    return {
        "DATABASE_URL": normalize_database_url(os.environ.get("DATABASE_URL", default_url)),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        # PostgreSQL connection pool of each worker process (SQLite needs none).
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_size": int(os.environ.get("DB_POOL_SIZE", "5")),
            "max_overflow": int(os.environ.get("DB_MAX_OVERFLOW", "5")),
            "pool_recycle": int(os.environ.get("DB_POOL_RECYCLE", "1800")),
            # PostgreSQL cancels any statement running longer (milliseconds); 0 leaves the server's setting.
            "statement_timeout_ms": int(os.environ.get("DB_STATEMENT_TIMEOUT_MS", "30000")),
        },
        # Answer with X-SQL-Queries: the number of statements a request ran (for benchmarks and debugging).
        "SQL_COUNT_HEADER": os.environ.get("SQL_COUNT_HEADER", "") == "1",
        # Refuse request bodies over 1 MiB with 413 before reading them.
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(1024 * 1024))),
        # The domain in every iCalendar UID: set it once, never change it, or calendars see new events.
        "UID_DOMAIN": os.environ.get("UID_DOMAIN", "eventapp"),
        # The public address of the service (https://events.example.org) for the URLs in feeds; by default the
        # address each request came to.
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "").rstrip("/"),
        # Where a person reads a session (https://events.example.org/{conference}/sessions/{id}: the
        # conference's slug and the session's id), for the URL of each event in the feeds; by default its page here.
        "SESSION_PAGE_URL": os.environ.get("SESSION_PAGE_URL", ""),
        # How long clients and shared caches may keep a feed before asking again (seconds).
        "FEED_MAX_AGE": int(os.environ.get("FEED_MAX_AGE", "60")),
        # Rendered feeds kept in each worker's memory (bytes), and per-session pieces to assemble them from.
        "FEED_CACHE_BYTES": int(os.environ.get("FEED_CACHE_BYTES", str(96 * 1024 * 1024))),
        "FEED_FRAGMENT_BYTES": int(os.environ.get("FEED_FRAGMENT_BYTES", str(64 * 1024 * 1024))),
        # Replay Flask's own answers to polled feeds (feeds/replay.py); FEED_FAST_PATH=0 leaves every request to
        # Flask. (The name is the one earlier releases documented.)
        "FEED_FAST_PATH": os.environ.get("FEED_FAST_PATH", "1") != "0",
        # A shared second level of the feed cache for several workers and servers, e.g. redis://127.0.0.1:6379/0.
        # With it, rate limits are counted there too, for all workers together; without, in each worker.
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        # Rate limits per client address, as "20 per minute" or "30/hour"; RATE_LIMITS=0 turns them off.
        "RATELIMIT_ENABLED": os.environ.get("RATE_LIMITS", "1") != "0",
        "AUTH_FAILURE_LIMIT": os.environ.get("AUTH_FAILURE_LIMIT", "20 per minute"),
        "AGENDA_CREATION_LIMIT": os.environ.get("AGENDA_CREATION_LIMIT", "30 per hour"),
        # A registration desk or a company behind one address registers many people: more than agendas.
        "REGISTRATION_CREATION_LIMIT": os.environ.get("REGISTRATION_CREATION_LIMIT", "60 per hour"),
        # Proxies (load balancers) in front whose X-Forwarded-For and -Proto are believed: without them every
        # client would have the proxy's address (one rate limit for all) and https would look like http.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        # Outgoing mail: smtp://user:pass@host:587 (STARTTLS when the server offers it) or smtps://...:465; with
        # none, messages are written as .eml files under instance/mail/ (nothing leaves the machine).
        "MAIL_URL": os.environ.get("MAIL_URL", ""),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "eventapp@localhost"),
        "MAIL_DIR": os.environ.get("MAIL_DIR", str(Path(instance_path) / "mail")),
        # The job queue the workers take deliveries from: redis://... (shared by every server), sqlite:///file
        # (one machine); by default REDIS_URL's Redis when it is set, else a SQLite file in the instance folder.
        "QUEUE_URL": os.environ.get("QUEUE_URL", ""),
        "QUEUE_SQLITE_PATH": str(Path(instance_path) / "queue.sqlite3"),
        # A worker's claim on a delivery it is sending; another worker takes it over only after this long.
        "DELIVERY_LEASE_SECONDS": int(os.environ.get("DELIVERY_LEASE_SECONDS", "300")),
        # Retries back off from this many seconds, doubling, for a day.
        "DELIVERY_RETRY_SECONDS": float(os.environ.get("DELIVERY_RETRY_SECONDS", "30")),
        "DELIVERY_RETRY_FOR_SECONDS": int(os.environ.get("DELIVERY_RETRY_FOR_SECONDS", str(24 * 3600))),
        # A speaker's changes are collected this long into one message.
        "SPEAKER_BATCH_SECONDS": int(os.environ.get("SPEAKER_BATCH_SECONDS", "300")),
        # Webhooks may reach loopback, private and link-local addresses only when this is 1 (intranets, tests).
        "WEBHOOK_ALLOW_PRIVATE": os.environ.get("WEBHOOK_ALLOW_PRIVATE", "") == "1",
        "WEBHOOK_TIMEOUT_SECONDS": float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "5")),
        "API_TITLE": "eventapp",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        # swagger-ui's files come from the swagger-ui-bundle package, served by the app (eventapp/openapi.py):
        # the docs work offline, and their Content-Security-Policy names only this service.
        "OPENAPI_SWAGGER_UI_URL": "/api/v1/docs/",
        # No badge from the online validator: the page reaches nothing but this service.
        "OPENAPI_SWAGGER_UI_CONFIG": {"validatorUrl": None},
    }
