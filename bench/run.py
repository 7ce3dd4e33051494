"""The schedule-publishing benchmark: eventapp under gunicorn on 127.0.0.1, next to a bare reference app.

    .venv/bin/python bench/run.py                      # 150, 1,000 and 5,000 sessions; prints a table
    .venv/bin/python bench/run.py --sizes 150 --duration 2
    .venv/bin/python bench/run.py --write BENCHMARKS.md

For each meeting size it generates a meeting (bench/generate.py), loads it through `flask seed load` (timed),
starts `gunicorn -c gunicorn.conf.py` with 2 workers, and measures the full JSON schedule, the full iCal
feed, a one-track feed, a personal agenda feed, the frab exports, the schedule page of the DIA Japan meeting
(loaded beside it) and one day's page of the meeting, and the 304 path: the first render after
the start, the render after a one-session change, and warm median latency and requests per second under a
bounded load (wrk when installed, else a bounded Python client), with the SQL statements each request ran and
each worker's peak memory. The same load goes, in turns with the app, to bench/reference.py serving the very
bytes and headers eventapp answered, and every warm figure is printed as a ratio to it, so the result holds on a
noisy machine.
Clients send Accept-Encoding: gzip, as calendar apps and CDNs do. Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import meeting  # noqa: E402

DIA_SEED = ROOT / "seed" / "dia-japan-2025.yaml"
from eventapp.seeding.export import to_yaml  # noqa: E402

PYTHON = sys.executable
BIN = Path(PYTHON).parent
ROOMS = {150: 10, 1000: 25, 5000: 60}
HEADERS = {"Accept-Encoding": "gzip"}

# What the issue asks of the 5,000-session meeting.
TARGETS = {
    "warm_median_ms": 20.0,
    "warm_rps": 500.0,
    "warm_ratio": 0.7,
    "not_modified_median_ms": 3.0,
    "not_modified_ratio": 0.5,
    "after_change_s": 1.0,
    "first_render_s": 3.0,
    "page_first_render_s": 1.0,
    "peak_worker_mb": 300.0,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(url: str, method: str = "GET", body: dict | None = None, headers: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={**HEADERS, **(headers or {}), **({"Content-Type": "application/json"} if data else {})},
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=120) as response:
            payload = response.read()
            return response.status, dict(response.headers), payload, time.perf_counter() - started
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read(), time.perf_counter() - started


class Server:
    """gunicorn with 2 workers on a free loopback port."""

    def __init__(self, app: str, env: dict[str, str]):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "-c",
                str(ROOT / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                app,
            ],
            cwd=ROOT,
            env={**os.environ, "ACCESS_LOG": "", "MAX_REQUESTS": "0", "PYTHONPATH": str(ROOT), **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def worker_peak_mb(self) -> list[float]:
        peaks = []
        for child in Path("/proc").iterdir():
            try:
                status = (child / "status").read_text()
            except OSError:
                continue
            if re.search(rf"^PPid:\s+{self.process.pid}$", status, re.M):
                match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
                if match:
                    peaks.append(int(match.group(1)) / 1024)
        return peaks

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def load_test(url: str, duration: float, connections: int, headers: dict[str, str]) -> tuple[float, float]:
    """(median latency in ms, requests per second) under a bounded load."""
    if shutil.which("wrk"):
        args = ["wrk", "-t2", f"-c{connections}", f"-d{duration:g}s", "--latency"]
        for name, value in headers.items():
            args += ["-H", f"{name}: {value}"]
        out = subprocess.run([*args, url], capture_output=True, text=True, timeout=duration + 60).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        value, unit = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        median = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
        return median, rps
    return python_load(url, duration, connections, headers)


def python_load(url: str, duration: float, connections: int, headers: dict[str, str]) -> tuple[float, float]:
    """A bounded load from threads with keep-alive connections, when wrk is not installed."""
    import http.client

    host, port = url.split("//")[1].split("/")[0].split(":")
    path = "/" + url.split("//")[1].split("/", 1)[1]
    latencies: list[float] = []
    stop = time.perf_counter() + duration

    def worker() -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        while time.perf_counter() < stop and len(latencies) < 200_000:
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            conn.getresponse().read()
            latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statistics.median(latencies) * 1000, len(latencies) / (time.perf_counter() - started)


def warm_up(url: str, cold_queries: int, connections: int, timeout: float = 120.0) -> None:
    """Wait until every worker answers url from its cache: rounds of concurrent requests until three rounds in
    a row find no answer that ran the cold path's statements. A worker still rendering its first copy (seconds,
    for 5,000 sessions) would otherwise take its share of the measured load."""
    from concurrent.futures import ThreadPoolExecutor

    warm_rounds, deadline = 0, time.time() + timeout
    with ThreadPoolExecutor(connections * 2) as pool:
        while warm_rounds < 3:
            if time.time() > deadline:
                raise RuntimeError(f"{url} did not get warm in {timeout:g} s")
            answers = list(pool.map(lambda _: request(url)[1], range(connections * 2)))
            cold = any(int(h["X-SQL-Queries"]) >= cold_queries for h in answers)
            warm_rounds = 0 if cold else warm_rounds + 1


def flask(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def bench_size(size: int, work: Path, duration: float, connections: int, rounds: int) -> dict:
    database = work / f"bench-{size}.sqlite3"
    database.unlink(missing_ok=True)
    seed = work / f"bench-{size}.yaml"
    seed.write_text(to_yaml(meeting(size, ROOMS.get(size, 25))), encoding="utf-8")
    env = {"DATABASE_URL": f"sqlite:///{database}", "SQL_COUNT_HEADER": "1", "LOG_LEVEL": "WARNING"}
    flask(env, "db", "upgrade")
    started = time.perf_counter()
    flask(env, "seed", "load", str(seed))
    seed_load_s = time.perf_counter() - started
    flask(env, "seed", "load", str(DIA_SEED))  # the DIA Japan meeting, for its schedule page
    token = flask(env, "tokens", "create", "--role", "admin").strip()

    server = Server("wsgi:app", env)
    base = f"{server.url}/api/v1/conferences/bench"
    try:
        sessions = json.loads(
            request(f"{base}/sessions?page_size=200", headers={"Accept-Encoding": "identity"})[2]
        )
        conference = json.loads(request(base, headers={"Accept-Encoding": "identity"})[2])
        track = conference["tracks"][0]["id"]
        chosen = [s["id"] for s in sessions["items"][:20]]
        agenda = json.loads(
            request(
                f"{base}/agendas", "POST", {"session_ids": chosen}, headers={"Accept-Encoding": "identity"}
            )[2]
        )
        endpoints = {
            "JSON schedule": "/api/v1/conferences/bench/schedule",
            "iCal feed": "/api/v1/conferences/bench/schedule.ics",
            "iCal, one track": f"/api/v1/conferences/bench/schedule.ics?track={track}",
            "agenda feed": f"/api/v1/agendas/{agenda['token']}.ics",
            "frab XML": "/api/v1/conferences/bench/schedule.xml",
            "frab JSON": "/api/v1/conferences/bench/schedule.frab.json",
            # The attendee's pages (eventapp/pages), in English: the DIA meeting's whole schedule, and one day.
            "page, DIA schedule": "/conferences/dia-japan-2025/?lang=en",
            "page, one day": f"/conferences/bench/?day={conference['start_date']}&lang=en",
        }
        results: dict = {"size": size, "seed_load_s": seed_load_s, "endpoints": {}}
        captured = {}
        for name, path in endpoints.items():
            status, headers, body, first = request(server.url + path)
            assert status == 200, (name, status)
            warm_up(server.url + path, int(headers["X-SQL-Queries"]), connections)
            _, warm_headers, body, _ = request(server.url + path)
            captured[path] = (
                "200 OK",
                [
                    (k, v)
                    for k, v in warm_headers.items()
                    if k.lower() not in ("date", "server", "connection", "x-sql-queries")
                ],
                body,
            )
            results["endpoints"][name] = {
                "first_s": first,
                "bytes": len(body),
                "sql_cold": int(headers.get("X-SQL-Queries", -1)),
                "sql_warm": int(warm_headers.get("X-SQL-Queries", -1)),
            }
        etag = request(server.url + endpoints["iCal feed"])[1]["ETag"]
        results["not_modified"] = {
            "sql": int(
                request(server.url + endpoints["iCal feed"], headers={"If-None-Match": etag})[1][
                    "X-SQL-Queries"
                ]
            )
        }

        # The reference serves the very bytes and headers captured above. Both servers run side by side (the
        # idle one costs nothing) and take the load in turns, round after round, so that a machine whose speed
        # drifts (a noisy neighbour) slows both alike; each figure is the median of its rounds, and the ratio
        # the median of the rounds' ratios.
        responses = work / f"responses-{size}.pickle"
        responses.write_bytes(pickle.dumps(captured))
        reference = Server("bench.reference:app", {"REFERENCE_RESPONSES": str(responses)})
        try:
            figures = [
                (results["endpoints"][name], path, HEADERS, HEADERS) for name, path in endpoints.items()
            ]
            figures.append(
                (
                    results["not_modified"],
                    endpoints["iCal feed"],
                    {**HEADERS, "If-None-Match": etag},
                    {**HEADERS, "If-None-Match": "x"},
                )
            )
            for figure, path, headers, reference_headers in figures:
                load_test(server.url + path, 1.0, connections, headers)
                load_test(reference.url + path, 1.0, connections, reference_headers)
                ours, theirs = [], []
                for _ in range(rounds):
                    ours.append(load_test(server.url + path, duration, connections, headers))
                    theirs.append(load_test(reference.url + path, duration, connections, reference_headers))
                figure.update(
                    {
                        "median_ms": statistics.median(m for m, _ in ours),
                        "rps": statistics.median(r for _, r in ours),
                        "reference_median_ms": statistics.median(m for m, _ in theirs),
                        "reference_rps": statistics.median(r for _, r in theirs),
                        "ratio": statistics.median(o[1] / t[1] for o, t in zip(ours, theirs, strict=True)),
                    }
                )
        finally:
            reference.stop()

        # One session changes: the next feed renders again, from the pieces of the other sessions. Each worker
        # renders its own copy once; concurrent requests reach both, until every answer comes from a cache.
        target = sessions["items"][len(sessions["items"]) // 2]["id"]
        status = request(
            f"{base}/sessions/{target}",
            "PATCH",
            {"title": "Changed for the benchmark"},
            headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"},
        )[0]
        assert status == 200, status
        results["after_change_s"] = after_change(server.url + endpoints["iCal feed"])
        results["peak_worker_mb"] = server.worker_peak_mb()
    finally:
        server.stop()
    return results


def after_change(url: str) -> float:
    """The slowest render of url after a change, across the workers: pairs of concurrent requests until a
    pair is answered from the workers' caches (one statement, the version)."""
    from concurrent.futures import ThreadPoolExecutor

    renders = []
    with ThreadPoolExecutor(2) as pool:
        for _ in range(20):
            answers = list(pool.map(lambda _: request(url), range(2)))
            rendered = [seconds for _, headers, _, seconds in answers if int(headers["X-SQL-Queries"]) > 1]
            renders += rendered
            if not rendered:
                break
    return max(renders)


def mark(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def cpu_name() -> str:
    return next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )


def report(all_results: list[dict], duration: float, connections: int, rounds: int) -> str:
    cpu = cpu_name()
    lines = [
        f"Machine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, SQLite, "
        f"gunicorn with 2 sync workers; load: {'wrk' if shutil.which('wrk') else 'Python client'}, "
        f"{connections} connections, {rounds} rounds of {duration:g} s a figure taken in turns with the reference, "
        "Accept-Encoding: gzip, all on 127.0.0.1. Figures are medians of the rounds; a ratio is the median of the "
        "rounds' ratios.",
        "",
        "| sessions | endpoint | first render (s) | warm median (ms) | warm req/s | reference req/s | ratio | "
        "body (gzip bytes) | SQL cold / warm |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in all_results:
        for name, e in result["endpoints"].items():
            lines.append(
                f"| {result['size']:,} | {name} | {e['first_s']:.2f} | {e['median_ms']:.2f} | {e['rps']:.0f} | "
                f"{e['reference_rps']:.0f} | {e['ratio']:.2f} | {e['bytes']:,} | "
                f"{e['sql_cold']} / {e['sql_warm']} |"
            )
        nm = result["not_modified"]
        lines.append(
            f"| {result['size']:,} | 304 (iCal) | - | {nm['median_ms']:.2f} | {nm['rps']:.0f} | "
            f"{nm['reference_rps']:.0f} | {nm['ratio']:.2f} | 0 | {nm['sql']} |"
        )
    lines += [
        "",
        "| sessions | seed load (s) | iCal after a one-session change (s) | peak memory per worker (MB) |",
        "|---:|---:|---:|---:|",
    ]
    for result in all_results:
        lines.append(
            f"| {result['size']:,} | {result['seed_load_s']:.1f} | {result['after_change_s']:.2f} | "
            f"{', '.join(f'{m:.0f}' for m in result['peak_worker_mb'])} |"
        )
    big = next((r for r in all_results if r["size"] == 5000), None)
    if big:
        t = TARGETS
        ical, js, nm = big["endpoints"]["iCal feed"], big["endpoints"]["JSON schedule"], big["not_modified"]
        day, dia = big["endpoints"]["page, one day"], big["endpoints"]["page, DIA schedule"]
        checks = [
            (
                "warm iCal median",
                f"{ical['median_ms']:.2f} ms",
                f"< {t['warm_median_ms']:g} ms",
                ical["median_ms"] < t["warm_median_ms"],
            ),
            (
                "warm JSON median",
                f"{js['median_ms']:.2f} ms",
                f"< {t['warm_median_ms']:g} ms",
                js["median_ms"] < t["warm_median_ms"],
            ),
            ("warm iCal req/s", f"{ical['rps']:.0f}", f">= {t['warm_rps']:g}", ical["rps"] >= t["warm_rps"]),
            ("warm JSON req/s", f"{js['rps']:.0f}", f">= {t['warm_rps']:g}", js["rps"] >= t["warm_rps"]),
            (
                "warm iCal / reference",
                f"{ical['ratio']:.2f}",
                f">= {t['warm_ratio']}",
                ical["ratio"] >= t["warm_ratio"],
            ),
            (
                "warm JSON / reference",
                f"{js['ratio']:.2f}",
                f">= {t['warm_ratio']}",
                js["ratio"] >= t["warm_ratio"],
            ),
            (
                "304 median",
                f"{nm['median_ms']:.2f} ms",
                f"< {t['not_modified_median_ms']:g} ms",
                nm["median_ms"] < t["not_modified_median_ms"],
            ),
            (
                "304 / bare 304",
                f"{nm['ratio']:.2f}",
                f">= {t['not_modified_ratio']}",
                nm["ratio"] >= t["not_modified_ratio"],
            ),
            (
                "iCal after a one-session change",
                f"{big['after_change_s']:.2f} s",
                f"< {t['after_change_s']:g} s",
                big["after_change_s"] < t["after_change_s"],
            ),
            (
                "first iCal render after a start",
                f"{ical['first_s']:.2f} s",
                f"< {t['first_render_s']:g} s",
                ical["first_s"] < t["first_render_s"],
            ),
            (
                "warm day page / reference",
                f"{day['ratio']:.2f}",
                f">= {t['warm_ratio']}",
                day["ratio"] >= t["warm_ratio"],
            ),
            (
                "warm DIA schedule page / reference",
                f"{dia['ratio']:.2f}",
                f">= {t['warm_ratio']}",
                dia["ratio"] >= t["warm_ratio"],
            ),
            (
                "first render of a day page",
                f"{day['first_s']:.2f} s",
                f"< {t['page_first_render_s']:g} s",
                day["first_s"] < t["page_first_render_s"],
            ),
            (
                "peak memory per worker",
                f"{max(big['peak_worker_mb']):.0f} MB",
                f"< {t['peak_worker_mb']:g} MB",
                max(big["peak_worker_mb"]) < t["peak_worker_mb"],
            ),
            (
                "SQL statements, 150 vs 5,000 sessions",
                " / ".join(str(r["endpoints"]["iCal feed"]["sql_cold"]) for r in all_results),
                "the same",
                len({r["endpoints"]["iCal feed"]["sql_cold"] for r in all_results}) == 1,
            ),
            ("seed load of 5,000 sessions", f"{big['seed_load_s']:.1f} s", "< 20 s", big["seed_load_s"] < 20),
        ]
        lines += [
            "",
            "Targets for the 5,000-session meeting:",
            "",
            "| figure | measured | target | |",
            "|---|---:|---:|---|",
        ]
        lines += [f"| {name} | {value} | {target} | {mark(ok)} |" for name, value, target, ok in checks]
    return "\n".join(lines) + "\n"


# What the write-path issue asks: seed loads of the 5,000-session file, and API writes and a list read within
# these multiples of the reference's insert and select.
WRITE_TARGETS = {"seed_first_s": 6.0, "seed_reload_s": 3.0, "write_ratio": 3.0, "read_ratio": 3.0}
WRITE_SIZE = 5000


def reset_database(url: str) -> None:
    """An empty database at url: the SQLite file is removed, a PostgreSQL database's public schema emptied
    (give --pg-url a database of its own: everything in it is dropped)."""
    if url.startswith("sqlite"):
        Path(url.split("///", 1)[1]).unlink(missing_ok=True)
        return
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def single_client(call, count: int) -> list[float]:
    """Latencies in ms of count requests one after the other, each call() returning the request's seconds."""
    return [call(i) * 1000 for i in range(count)]


def bench_writes(label: str, url: str, work: Path, rounds: int, count: int) -> dict:
    """Seed load of the 5,000-session file (first and unchanged reload) and single-client medians of
    create-session, PATCH-session with If-Match and a 5-item list read, in turns with the reference's insert
    and select."""
    reset_database(url)
    seed = work / f"writes-{WRITE_SIZE}.yaml"
    if not seed.exists():
        seed.write_text(to_yaml(meeting(WRITE_SIZE, ROOMS[WRITE_SIZE])), encoding="utf-8")
    env = {"DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    flask(env, "db", "upgrade")
    results: dict = {"database": label}
    for key in ("seed_first_s", "seed_reload_s"):
        started = time.perf_counter()
        output = flask(env, "seed", "load", str(seed))
        results[key] = time.perf_counter() - started
    # The reload found everything unchanged (and so wrote nothing).
    results["reload_unchanged"] = all(
        " 0 created, 0 changed," in line for line in output.splitlines() if " created, " in line
    )
    token = flask(env, "tokens", "create", "--role", "admin").strip()
    auth = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}

    server = Server("wsgi:app", env)
    reference = Server("bench.reference:writes", {"REFERENCE_DATABASE_URL": url})
    base = f"{server.url}/api/v1/conferences/bench"
    try:
        # A room and a person of their own, so that every created session is checked by every rule (room and
        # people free, references, the code) and passes.
        status, _, body, _ = request(f"{base}/rooms", "POST", {"name": "Bench room"}, headers=auth)
        assert status == 201, (status, body)
        room = json.loads(body)["id"]
        person = {"given_name": "Bench", "family_name": "Speaker", "slug": "bench-speaker"}
        status, _, body, _ = request(f"{server.url}/api/v1/people", "POST", person, headers=auth)
        assert status == 201, (status, body)
        person_id = json.loads(body)["id"]
        slot = iter(range(10**6))

        def create(_: int) -> float:
            minute = next(slot)
            starts = datetime(2026, 10, 18, 0, 0) + timedelta(minutes=minute)
            session = {
                "code": f"BENCH-{minute}",
                "title": f"Bench session {minute}",
                "status": "confirmed",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(minutes=1)).isoformat(),
                "room_id": room,
                "participants": [{"person_id": person_id, "role": "speaker"}],
            }
            status, _, body, seconds = request(f"{base}/sessions", "POST", session, headers=auth)
            assert status == 201, (status, body)
            created.append(json.loads(body)["id"])
            return seconds

        created: list[int] = []
        create(0)
        target = created[0]
        etag = [request(f"{base}/sessions/{target}", headers=auth)[1]["ETag"]]

        def patch(i: int) -> float:
            status, headers, body, seconds = request(
                f"{base}/sessions/{target}", "PATCH", {"title": f"Patched {i}"}, {**auth, "If-Match": etag[0]}
            )
            assert status == 200, (status, body)
            etag[0] = headers["ETag"]
            return seconds

        def listing(_: int) -> float:
            status, _, body, seconds = request(f"{base}/sessions?page_size=5", headers=auth)
            assert status == 200 and len(json.loads(body)["items"]) == 5, status
            return seconds

        def insert(i: int) -> float:
            status, _, body, seconds = request(f"{reference.url}/insert", "POST", {"title": f"Row {i}"}, auth)
            assert status == 201, (status, body)
            return seconds

        def select_five(_: int) -> float:
            status, _, body, seconds = request(f"{reference.url}/select", headers=auth)
            assert status == 200 and len(json.loads(body)["items"]) == 5, status
            return seconds

        for call in (insert, insert, insert, insert, insert):
            call(0)  # five rows for the reference's select, and both servers' connections open
        pairs = {"create": (create, insert), "patch": (patch, insert), "list": (listing, select_five)}
        for name, (ours, theirs) in pairs.items():
            single_client(ours, 5)
            single_client(theirs, 5)
            mine, refs = [], []
            for _ in range(rounds):
                mine.append(statistics.median(single_client(ours, count)))
                refs.append(statistics.median(single_client(theirs, count)))
            results[name] = {
                "median_ms": statistics.median(mine),
                "reference_median_ms": statistics.median(refs),
                "ratio": statistics.median(m / r for m, r in zip(mine, refs, strict=True)),
            }
    finally:
        reference.stop()
        server.stop()
    return results


def write_report(all_results: list[dict], rounds: int, count: int) -> str:
    t = WRITE_TARGETS
    lines = [
        f"Machine: {os.cpu_count()} cores ({cpu_name()}), Python {platform.python_version()}, gunicorn with 2 sync "
        f"workers, one client on 127.0.0.1 (a new connection a request), {rounds} rounds of {count} requests a "
        "figure taken in turns with the reference. A figure is the median of the rounds' medians; a ratio the "
        "median of the rounds' ratios.",
        "",
        "| database | seed load, 5,000 sessions (s) | unchanged reload (s) | reload wrote nothing |",
        "|---|---:|---:|---|",
    ]
    for r in all_results:
        lines.append(
            f"| {r['database']} | {r['seed_first_s']:.1f} | {r['seed_reload_s']:.1f} | "
            f"{'yes' if r['reload_unchanged'] else 'NO'} |"
        )
    lines += [
        "",
        "| database | request | median (ms) | reference | reference median (ms) | ratio | target | |",
        "|---|---|---:|---|---:|---:|---:|---|",
    ]
    names = {
        "create": ("create-session (POST)", "insert + commit"),
        "patch": ("PATCH-session with If-Match", "insert + commit"),
        "list": ("5-item list read (GET)", "select of 5 rows"),
    }
    for r in all_results:
        for key, (ours, theirs) in names.items():
            f = r[key]
            limit = t["read_ratio"] if key == "list" else t["write_ratio"]
            lines.append(
                f"| {r['database']} | {ours} | {f['median_ms']:.2f} | {theirs} | {f['reference_median_ms']:.2f} | "
                f"{f['ratio']:.2f} | <= {limit:g} | {mark(f['ratio'] <= limit)} |"
            )
    lines += ["", "| database | figure | measured | target | |", "|---|---|---:|---:|---|"]
    for r in all_results:
        lines.append(
            f"| {r['database']} | first seed load | {r['seed_first_s']:.1f} s | < {t['seed_first_s']:g} s | "
            f"{mark(r['seed_first_s'] < t['seed_first_s'])} |"
        )
        lines.append(
            f"| {r['database']} | unchanged reload | {r['seed_reload_s']:.1f} s | < {t['seed_reload_s']:g} s | "
            f"{mark(r['seed_reload_s'] < t['seed_reload_s'] and r['reload_unchanged'])} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="150,1000,5000")
    parser.add_argument("--duration", type=float, default=4.0, help="seconds of load for each figure")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--rounds", type=int, default=3, help="turns of load for each figure, app and reference"
    )
    parser.add_argument(
        "--suites",
        default="feeds,writes",
        help="feeds (the publishing benchmark), writes (seed load, API writes)",
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL"),
        help="also run the writes on this PostgreSQL database (EVERYTHING IN IT IS DROPPED); or BENCH_PG_URL",
    )
    parser.add_argument("--requests", type=int, default=200, help="requests a round of each write figure")
    parser.add_argument("--write", help="also write the report into this Markdown file, between its markers")
    args = parser.parse_args()
    suites = args.suites.split(",")
    texts = {}
    with tempfile.TemporaryDirectory(prefix="eventapp-bench-") as work:
        if "feeds" in suites:
            results = []
            for size in (int(s) for s in args.sizes.split(",")):
                print(f"benchmarking {size} sessions ...", file=sys.stderr, flush=True)
                results.append(bench_size(size, Path(work), args.duration, args.connections, args.rounds))
            texts["bench"] = report(results, args.duration, args.connections, args.rounds)
        if "writes" in suites:
            databases = [("SQLite", f"sqlite:///{Path(work) / 'writes.sqlite3'}")]
            if args.pg_url:
                databases.append(("PostgreSQL", args.pg_url))
            results = []
            for label, url in databases:
                print(f"benchmarking writes on {label} ...", file=sys.stderr, flush=True)
                results.append(bench_writes(label, url, Path(work), args.rounds, args.requests))
            texts["bench-writes"] = write_report(results, args.rounds, args.requests)
    for marker, text in texts.items():
        print(text)
        if args.write:
            target = Path(args.write)
            content = target.read_text(encoding="utf-8")
            start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
            before, rest = content.split(start, 1)
            after = rest.split(end, 1)[1]
            target.write_text(f"{before}{start}\n{text}{end}{after}", encoding="utf-8")


if __name__ == "__main__":
    main()
