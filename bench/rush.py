"""The registration rush: 2,000 attendees at once for a meeting and 3 of its 20 sessions of 100 seats each.

    .venv/bin/python bench/rush.py                                  # PostgreSQL at 127.0.0.1, prints a table
    .venv/bin/python bench/rush.py --database postgresql+psycopg://postgres@127.0.0.1:5432/rush
    .venv/bin/python bench/rush.py --write BENCHMARKS.md

It empties and migrates the database, starts `gunicorn -c gunicorn.conf.py` with 2 sync workers on
127.0.0.1 (rate limits off), makes the meeting through the API (registration open, waitlist auto, 20
sessions that do not overlap, 100 seats each), then 64 concurrent clients each take
attendees from one queue: an attendee registers for the meeting (POST .../registrations), then takes a seat
in each of 3 sessions chosen at random (POST /api/v1/registrations/<token>/sessions). It reports seat
registrations per second (the seat POSTs over the wall time of the whole rush), the median and p99 latency
of the seat POSTs, the 5xx count, and the confirmed seats of each session, checked against the counter rows.

In the same run, pgbench (64 clients, 2 threads) runs the SQL transaction at the heart of a seat POST: the
registration's row lock, the conditional update of the session's counter, the waitlist ticket, and the
seat's insert. Its transactions per second are the floor a database-bound seat write cannot beat on this
machine; the ratio of the app to it is printed beside it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import queue
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import Server, flask  # noqa: E402

ATTENDEES = 2000
SESSIONS = 20
SEATS = 100
PER_ATTENDEE = 3
CLIENTS = 64
SLUG = "rush-2030"
TARGETS = {"seats_per_s": 250.0, "p99_ms": 250.0}

PGBENCH_SCRIPT = """\
\\set sid random(1, {sessions})
\\set rid random(1, {registrations})
BEGIN;
SELECT id FROM registrations WHERE id = :rid FOR UPDATE;
UPDATE seat_counters SET taken = taken + 1 WHERE session_id = :sid AND (capacity IS NULL OR taken < capacity) RETURNING taken;
UPDATE seat_counters SET queued = queued + 1 WHERE session_id = :sid RETURNING queued;
INSERT INTO seats (registration_id, session_id, status, active, ticket, revision, created_at, updated_at)
  VALUES (:rid, :sid, 'cancelled', NULL, 0, 0, now(), now());
COMMIT;
"""


def reset(url: str) -> None:
    """An empty, migrated database."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


class Client:
    """One client's HTTP connection (reopened when a sync worker closes it)."""

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)

    def call(self, method: str, path: str, body=None, headers=None) -> tuple[int, dict, float]:
        data = json.dumps(body) if body is not None else None
        started = time.perf_counter()
        self.connection.request(
            method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})}
        )
        response = self.connection.getresponse()
        payload = response.read()
        elapsed = time.perf_counter() - started
        return response.status, json.loads(payload) if payload else {}, elapsed


def setup(base: str, admin: dict[str, str]) -> list[int]:
    client = Client(base)
    conference = {
        "slug": SLUG,
        "name": "Rush Meeting",
        "timezone": "Asia/Tokyo",
        "start_date": "2030-10-18",
        "end_date": "2030-10-18",
        "status": "published",
        "registration": {"waitlist_mode": "auto"},
    }
    status, body, _ = client.call("POST", "/api/v1/conferences", conference, admin)
    assert status == 201, body
    ids = []
    for n in range(SESSIONS):
        start = 8 * 60 + n * 30  # 08:00, 08:30, ... : no two overlap
        session = {
            "code": f"W{n + 1}",
            "title": f"Workshop {n + 1}",
            "kind": "workshop",
            "status": "confirmed",
            "starts_at": f"2030-10-18T{start // 60:02d}:{start % 60:02d}",
            "ends_at": f"2030-10-18T{(start + 25) // 60:02d}:{(start + 25) % 60:02d}",
            "registration_required": True,
            "capacity": SEATS,
        }
        status, body, _ = client.call("POST", f"/api/v1/conferences/{SLUG}/sessions", session, admin)
        assert status == 201, body
        ids.append(body["id"])
    return ids


def rush(base: str, session_ids: list[int], seed: int = 13) -> dict:
    rng = random.Random(seed)
    work: queue.Queue = queue.Queue()
    for n in range(ATTENDEES):
        work.put((n, rng.sample(session_ids, PER_ATTENDEE)))
    seat_latencies: list[float] = []
    meeting_latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS)

    def worker() -> None:
        client = Client(base)
        barrier.wait()
        while True:
            try:
                n, chosen = work.get_nowait()
            except queue.Empty:
                return
            body = {"given_name": f"G{n}", "family_name": "Rush", "email": f"a{n}@example.org"}
            status, answer, elapsed = client.call("POST", f"/api/v1/conferences/{SLUG}/registrations", body)
            with lock:
                meeting_latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
            if status != 201:
                continue
            for session_id in chosen:
                status, _answer, elapsed = client.call(
                    "POST", f"/api/v1/registrations/{answer['token']}/sessions", {"session_id": session_id}
                )
                with lock:
                    seat_latencies.append(elapsed)
                    statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    ordered = sorted(seat_latencies)
    return {
        "wall_s": wall,
        "seats": len(seat_latencies),
        "seats_per_s": len(seat_latencies) / wall,
        "requests_per_s": (len(seat_latencies) + len(meeting_latencies)) / wall,
        "seat_median_ms": statistics.median(ordered) * 1000,
        "seat_p99_ms": ordered[int(len(ordered) * 0.99) - 1] * 1000,
        "meeting_median_ms": statistics.median(meeting_latencies) * 1000,
        "statuses": statuses,
        "5xx": sum(n for s, n in statuses.items() if s >= 500),
    }


def confirmed_per_session(url: str, base: str, session_ids: list[int]) -> tuple[list[int], bool]:
    import sqlalchemy as sa

    client = Client(base)
    confirmed = []
    for session_id in session_ids:
        status, body, _ = client.call("GET", f"/api/v1/conferences/{SLUG}/sessions/{session_id}/availability")
        assert status == 200, body
        confirmed.append(body["confirmed"])
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        mismatches = connection.execute(
            sa.text(
                "SELECT count(*) FROM seat_counters c WHERE c.taken <> (SELECT count(*) FROM seats s"
                " WHERE s.session_id = c.session_id AND s.status IN ('confirmed', 'offered'))"
            )
        ).scalar_one()
    engine.dispose()
    return confirmed, mismatches == 0


def pgbench(url: str, duration: int) -> float:
    """Transactions per second of the seat transaction under pgbench, 64 clients."""
    parts = urlsplit(url.replace("postgresql+psycopg", "postgresql"))
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(PGBENCH_SCRIPT.format(sessions=SESSIONS, registrations=ATTENDEES))
    # pgbench's own counters: a copy of the session counters with room for every transaction.
    result = subprocess.run(
        [
            "pgbench",
            "-n",
            "-c",
            str(CLIENTS),
            "-j",
            "2",
            "-T",
            str(duration),
            "-f",
            script.name,
            "-h",
            parts.hostname or "127.0.0.1",
            "-p",
            str(parts.port or 5432),
            "-U",
            parts.username or "postgres",
            parts.path.lstrip("/"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    os.unlink(script.name)
    match = re.search(r"tps = ([\d.]+)", result.stdout)
    assert match, result.stdout + result.stderr
    return float(match.group(1))


def report(result: dict, confirmed: list[int], consistent: bool, floor: float, threads: int) -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    ok = lambda good: "yes" if good else "**no**"  # noqa: E731
    exact = all(n == SEATS for n in confirmed)
    lines = [
        f"Machine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, PostgreSQL, gunicorn with 2 "
        + ("sync workers" if threads == 1 else f"gthread workers of {threads} threads")
        + f", {CLIENTS} concurrent clients, all on 127.0.0.1 (the clients share the machine with the server "
        "and the database).",
        "",
        "| figure | measured | target | met |",
        "|---|---:|---:|---|",
        f"| seat registrations/s | {result['seats_per_s']:.0f} | >= {TARGETS['seats_per_s']:.0f} | "
        f"{ok(result['seats_per_s'] >= TARGETS['seats_per_s'])} |",
        f"| seat POST median (ms) | {result['seat_median_ms']:.1f} | | |",
        f"| seat POST p99 (ms) | {result['seat_p99_ms']:.1f} | < {TARGETS['p99_ms']:.0f} | "
        f"{ok(result['seat_p99_ms'] < TARGETS['p99_ms'])} |",
        f"| meeting registration median (ms) | {result['meeting_median_ms']:.1f} | | |",
        f"| 5xx answers | {result['5xx']} | 0 | {ok(result['5xx'] == 0)} |",
        f"| confirmed per session | {min(confirmed)}-{max(confirmed)} | exactly {SEATS} | {ok(exact)} |",
        f"| counters equal to the seat rows | {'yes' if consistent else 'no'} | yes | {ok(consistent)} |",
        f"| pgbench, the seat transaction alone (tps) | {floor:.0f} | | |",
        f"| app / pgbench | {result['seats_per_s'] / floor:.2f} | | |",
        "",
        f"{ATTENDEES} attendees, {result['seats']} seat POSTs in {result['wall_s']:.1f} s "
        f"({result['requests_per_s']:.0f} requests/s with the meeting registrations); statuses "
        + ", ".join(f"{s}: {n}" for s, n in sorted(result["statuses"].items()))
        + ".",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/rush")
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    parser.add_argument("--queue", default="redis://127.0.0.1:6379/11", help="the app's QUEUE_URL")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads of each of the 2 workers (gthread workers when > 1)"
    )
    parser.add_argument("--write", help="Put the table into this Markdown file between the rush markers")
    args = parser.parse_args()

    env = {
        "DATABASE_URL": args.database,
        "RATE_LIMITS": "0",
        "FLASK_SKIP_DOTENV": "1",
        "REDIS_URL": "",
        # The job queue in Redis, as on several servers: each confirmed seat enqueues its invitation.
        "QUEUE_URL": args.queue,
        "WORKER_CLASS": "gthread" if args.threads > 1 else "sync",
        "THREADS": str(args.threads),
    }
    reset(args.database)
    flask(env, "db", "upgrade")
    token = flask(env, "tokens", "create", "--role", "admin").strip()
    admin = {"Authorization": f"Bearer {token}"}
    server = Server("wsgi:app", env)
    try:
        session_ids = setup(server.url, admin)
        result = rush(server.url, session_ids)
        confirmed, consistent = confirmed_per_session(args.database, server.url, session_ids)
    finally:
        server.stop()
    floor = pgbench(args.database, args.pgbench_seconds)
    table = report(result, confirmed, consistent, floor, args.threads)
    print(table)
    if args.write:
        path = Path(args.write)
        text = path.read_text()
        marker = "rush" if args.threads == 1 else f"rush-threads-{args.threads}"
        start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
        block = f"{start}\n{table}\n{end}"
        text = (
            re.sub(f"{start}.*?{end}", block, text, flags=re.S)
            if start in text
            else text + "\n" + block + "\n"
        )
        path.write_text(text)


if __name__ == "__main__":
    main()
