"""The job queue: Huey, on Redis when there is one (every server's workers share it), else on a SQLite file.

Tasks are small functions over the delivery code: `deliver` sends one delivery (enqueued when the transaction
that made it commits), and `sweep`, every minute, hands over whatever is due and was not enqueued (a process
that died between its commit and the hand-over, retries whose back-off ran out) and runs the periodic jobs
other areas add (expiring seat offers); `statistics`, every hour, keeps SQLite's query planner statistics
current (eventapp/db.py's refresh_statistics).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask
from huey import Huey, RedisHuey, SqliteHuey, crontab

from eventapp.db import get_engine, refresh_statistics
from eventapp.notifications import delivery, events

log = logging.getLogger(__name__)

# fn(app), run by the sweep every minute (and by `flask worker --once`).
periodic_jobs: list[Callable[[Flask], object]] = []


def _make_huey(app: Flask) -> Huey:
    url = app.config["QUEUE_URL"] or app.config["REDIS_URL"]
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("eventapp", url=url, results=False)
    path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else app.config["QUEUE_SQLITE_PATH"]
    return SqliteHuey("eventapp", filename=path, results=False)


def run_periodic_jobs(app: Flask) -> None:
    """Every periodic job once; one that fails is logged and does not keep the others from running."""
    for job in periodic_jobs:
        try:
            with app.app_context():
                job(app)
        except Exception:
            log.exception("periodic job %s failed", getattr(job, "__name__", job))


def init_app(app: Flask) -> None:
    """The app's queue and its tasks, and the outbox hooks that feed it."""
    huey = _make_huey(app)

    @huey.task(name="deliver")
    def deliver(delivery_id: int) -> None:
        delivery.attempt(app, delivery_id)

    @huey.periodic_task(crontab(), name="sweep")
    def sweep() -> None:
        run_periodic_jobs(app)
        for delivery_id in delivery.due(app):
            deliver(delivery_id)

    @huey.periodic_task(crontab(minute="17"), name="statistics")
    def statistics() -> None:
        # A meeting that grows through the API, not a seed load, is analyzed here; PostgreSQL's autovacuum
        # does it there.
        engine = get_engine(app)
        if engine.dialect.name == "sqlite":
            refresh_statistics(engine)

    def enqueue(delivery_ids: list[int]) -> None:
        try:
            for delivery_id in delivery_ids:
                deliver(delivery_id)
        except Exception as exc:
            # The rows are committed: the next sweep finds them. A queue that is down must not fail a request
            # whose change is already stored.
            log.warning("could not enqueue deliveries %s: %s", delivery_ids, exc)

    app.extensions["eventapp.queue"] = huey
    events.init_app(app, enqueue)


def queue_of(app: Flask) -> Huey:
    """The app's Huey."""
    return app.extensions["eventapp.queue"]
