"""gunicorn settings for eventapp: `gunicorn wsgi:app` reads this file from the working directory.

Workers are stateless: the database holds everything, each worker keeps rendered feeds in memory, and with
REDIS_URL set they share rendered feeds through Redis, so any number of workers and servers can sit behind a
load balancer. Every setting can be changed by the environment variable named beside it.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}")
# Sync workers: requests are short (a version check and cached bytes); two per core keeps the CPUs busy.
workers = int(os.environ.get("WORKERS", multiprocessing.cpu_count() * 2))
worker_class = os.environ.get("WORKER_CLASS", "sync")
# With WORKER_CLASS=gthread, each worker serves this many requests at once (one waits on the database while
# another runs); sync workers ignore it.
threads = int(os.environ.get("THREADS", 1))
timeout = int(os.environ.get("WORKER_TIMEOUT", 60))  # a cold render of a 5,000-session feed takes ~3 s
graceful_timeout = 30
keepalive = 5
# Restart workers now and then, so that a slow leak in any library cannot grow without bound.
max_requests = int(os.environ.get("MAX_REQUESTS", 20000))
max_requests_jitter = 2000
accesslog = os.environ.get("ACCESS_LOG", "-") or None  # ACCESS_LOG= (empty) turns it off
errorlog = "-"
# Load the app before forking: workers share its code pages, and a broken configuration fails at start.
preload_app = True


def post_fork(server, worker):
    """Connections are per process: drop any the master opened before forking."""
    app = worker.app.wsgi()
    state = getattr(app, "extensions", {}).get("eventapp.db")
    if state is not None:
        state.engine.dispose(close=False)
    queue = getattr(app, "extensions", {}).get("eventapp.queue")
    if queue is not None and hasattr(queue.storage, "close"):
        queue.storage.close()  # the SQLite queue's connection: each worker opens its own


def when_ready(server):
    """Say at start what a missing Redis means for rate limits when several workers count them."""
    app = server.app.wsgi()
    config = getattr(app, "config", {})
    if server.cfg.workers > 1 and config.get("RATELIMIT_ENABLED") and not config.get("REDIS_URL"):
        server.log.warning(
            "Rate limits are counted in each of the %d workers, not together: without REDIS_URL a client "
            "gets up to %d times each limit, and its answers may alternate between 429 and 401. Set REDIS_URL "
            "(or WORKERS=1) for one count.",
            server.cfg.workers,
            server.cfg.workers,
        )
