"""eventapp: conferences, their programme and their people, published as JSON, iCal and frab."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask_cors import CORS
from werkzeug.middleware.proxy_fix import ProxyFix

from eventapp import db, ratelimits, schedule_versioning, security
from eventapp.changelog import operations as changelog
from eventapp.config import from_environment, normalize_database_url
from eventapp.feeds import cache as feed_cache
from eventapp.notifications import queue as notification_queue
from eventapp.openapi import EventApi, init_openapi
from eventapp.pages import i18n as page_languages
from eventapp.views import require_json_body


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings from the environment, overridden by config (tests pass theirs here)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(from_environment(app.instance_path))
    if config:
        app.config.update(config)
    app.config["DATABASE_URL"] = normalize_database_url(app.config["DATABASE_URL"])
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.json.sort_keys = False  # keep the order the schemas declare
    app.json.ensure_ascii = False  # Japanese and Chinese names as UTF-8, not \u escapes
    logging.basicConfig(level=app.config["LOG_LEVEL"])
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    register_extensions(app)
    register_blueprints(app, init_openapi(app))
    register_feed_replay(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    """The database and its hook that versions schedules, the outbox and its job queue, the feed cache, rate
    limits, CORS, security headers."""
    import eventapp.models  # noqa: F401 - complete the mappers

    db.init_app(app)
    schedule_versioning.init_app(app)
    notification_queue.init_app(app)  # after versioning: its flush hook reads the moved SEQUENCE
    changelog.init_app(app)
    feed_cache.init_app(app)
    page_languages.init_app(app)
    ratelimits.init_app(app)
    app.before_request(require_json_body)
    app.after_request(security.add_headers)
    if proxies := app.config.get("TRUSTED_PROXIES", 0):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    # Public reads from any web page; Bearer tokens (never cookies) keep cross-origin writes as safe as any other.
    CORS(
        app,
        resources={r"/api/v1/*": {"origins": "*"}},
        allow_headers=[
            "Authorization",
            "Content-Type",
            "Idempotency-Key",
            "If-Match",
            "If-None-Match",
            "If-Modified-Since",
        ],
        expose_headers=["ETag", "Last-Modified", "Retry-After"],
        max_age=3600,
        send_wildcard=True,
    )


def register_blueprints(app: Flask, api: EventApi) -> None:
    """Every blueprint, on the Api that documents it in the OpenAPI document (personal agendas nested in the
    feeds' blueprint, eventapp/feeds/routes.py)."""
    from eventapp import health
    from eventapp.changelog import routes as changelog
    from eventapp.conferences import routes as conferences
    from eventapp.feeds import routes as feeds
    from eventapp.notifications import routes as webhooks
    from eventapp.people import routes as people
    from eventapp.program import routes as program
    from eventapp.registrations import routes as registrations

    for area in (health, conferences, program, people, feeds, webhooks, changelog, registrations):
        api.register_blueprint(area.blp)
    # The attendee's HTML pages: on the app, not the Api, so that they stay out of the OpenAPI document.
    from eventapp.pages import routes as pages

    app.register_blueprint(pages.blp)


def register_feed_replay(app: Flask) -> None:
    """Polled feeds answered with what Flask answered for their version (eventapp/feeds/replay.py)."""
    from eventapp.feeds import replay

    replay.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    """Every error in the one JSON shape."""
    from eventapp.errors import register_errorhandlers as register

    register(app)


def register_commands(app: Flask) -> None:
    """flask db ... and flask seed ..."""
    from eventapp.cli import register_commands as register

    register(app)
