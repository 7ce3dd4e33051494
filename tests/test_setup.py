"""Set-up as a newcomer meets it: one settings file for the CLI and the server, and what gunicorn says at start."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from helpers import MINIMAL, ROOT, issue_token, make_app

from eventapp.db import get_engine

PYTHON = sys.executable


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any setting of ours, so that only the files under test speak."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "FLASK_APP", "WORKERS")
    }
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def test_the_cli_and_the_server_read_the_same_env_file(tmp_path):
    database = tmp_path / "from-dotenv.sqlite3"
    (tmp_path / ".env").write_text(f"DATABASE_URL=sqlite:///{database}\n", encoding="utf-8")
    seed = tmp_path / "tiny.yaml"
    seed.write_text(MINIMAL, encoding="utf-8")
    env = clean_env()
    for args in (["db", "upgrade"], ["seed", "load", str(seed)]):
        done = subprocess.run(
            [PYTHON, "-m", "flask", "--app", "wsgi", *args],
            check=False,
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
    assert database.exists()

    # The server's entry point, as gunicorn imports it, finds the same database.
    served = subprocess.run(
        [
            PYTHON,
            "-c",
            "import wsgi; print(wsgi.app.test_client().get('/api/v1/conferences').get_json()['total'])",
        ],
        check=False,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert served.returncode == 0, served.stderr
    assert served.stdout.strip() == "1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _gunicorn_start_log(tmp_path, **env: str) -> str:
    """What gunicorn logs until it has started its workers (then it is stopped)."""
    log = tmp_path / "gunicorn.log"
    settings = clean_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'g.sqlite3'}", PORT=str(_free_port()), ACCESS_LOG="", **env
    )
    with log.open("w") as out:
        server = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"), "wsgi:app"],
            cwd=ROOT,
            env=settings,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while "Booting worker" not in log.read_text() and time.monotonic() < deadline:
                assert server.poll() is None, log.read_text()
                time.sleep(0.1)
        finally:
            # A quick shutdown (SIGQUIT): a graceful one waits up to graceful_timeout for a worker still booting.
            server.send_signal(signal.SIGQUIT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    return log.read_text()


def test_several_workers_without_redis_are_warned_about_rate_limits(tmp_path):
    text = _gunicorn_start_log(tmp_path, WORKERS="2")
    assert "Booting worker" in text
    assert "Rate limits are counted in each of the 2 workers" in text and "REDIS_URL" in text


def test_one_worker_or_no_limits_need_no_warning(tmp_path):
    for env in ({"WORKERS": "1"}, {"WORKERS": "2", "RATE_LIMITS": "0"}):
        text = _gunicorn_start_log(tmp_path, **env)
        assert "Booting worker" in text
        assert "Rate limits are counted" not in text, env


# `make run` seeds a database once: what the API changed afterwards survives every restart.


def _make(tmp_path, target: str, database_url: str, *args: str) -> subprocess.CompletedProcess:
    """A make target of the project, on database_url, with this run's virtual environment (never reinstalled)."""
    venv = tmp_path / "venv"
    if not venv.exists():
        venv.mkdir()
        (venv / "bin").symlink_to(Path(sys.prefix) / "bin")
        (venv / ".installed-runtime").touch()  # newer than requirements.txt: make installs nothing
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), target, f"VENV={venv}", *args],
        check=False,
        env=clean_env(DATABASE_URL=database_url),
        capture_output=True,
        text=True,
        timeout=300,
    )


def _edit_through_the_api(database_url: str) -> None:
    """Move the roundtable a day on and book its old room and hour for a new session, as an organizer would."""
    app = make_app(database_url)
    client = app.test_client()
    headers = issue_token(app.test_cli_runner(), "--role", "admin")
    base = "/api/v1/conferences/dia-japan-2025"
    roundtable = client.get(f"{base}/sessions/by-code/RT-CN-JP").get_json()
    moved = client.patch(
        f"{base}/sessions/{roundtable['id']}",
        headers=headers,
        json={"title": "Roundtable (moved)", "starts_at": "2025-10-21T16:00", "ends_at": "2025-10-21T17:00"},
    )
    assert moved.status_code == 200, moved.get_json()
    created = client.post(
        f"{base}/sessions",
        headers=headers,
        json={
            "code": "OPEN",
            "title": "Open slot",
            "kind": "other",
            "status": "confirmed",
            "room_id": roundtable["room_id"],
            "starts_at": roundtable["starts_at"],
            "ends_at": roundtable["ends_at"],
        },
    )
    assert created.status_code == 201, created.get_json()
    get_engine(app).dispose()


def _roundtable(database_url: str) -> dict:
    app = make_app(database_url)
    body = app.test_client().get("/api/v1/conferences/dia-japan-2025/sessions/by-code/RT-CN-JP").get_json()
    get_engine(app).dispose()
    return body


def test_make_runs_seeding_step_keeps_what_the_api_changed(tmp_path):
    url = f"sqlite:///{tmp_path / 'run.sqlite3'}"
    first = _make(tmp_path, "seed-if-absent", url)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "loaded dia-japan-2025 from seed/dia-japan-2025.yaml" in first.stdout

    _edit_through_the_api(url)
    edited = _roundtable(url)

    # The edit would make the seed double-book Room 605; the start does not care, and changes nothing.
    again = _make(tmp_path, "seed-if-absent", url)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "dia-japan-2025 is in the database already: seed/dia-japan-2025.yaml not loaded" in again.stdout
    assert _roundtable(url) == edited
    assert (edited["title"], edited["starts_at"]) == ("Roundtable (moved)", "2025-10-21T16:00:00+09:00")

    # That step is the one `make run` takes before it serves (-n: say the commands, run none).
    planned = _make(tmp_path, "run", url, "-n")
    assert planned.returncode == 0, planned.stdout + planned.stderr
    commands = planned.stdout.splitlines()
    assert any(c.endswith("seed load --if-absent seed/dia-japan-2025.yaml") for c in commands), commands
    assert not any("seed load seed/" in c for c in commands), commands
    assert "honcho start --procfile Procfile" in commands[-1]


def test_make_run_serves_and_runs_a_worker_that_delivers(tmp_path):
    """`make run` starts the web server and the notification worker: a session moved through the API leaves
    its speaker's message as an .eml file (no mail server configured), and so does a registration."""
    url = f"sqlite:///{tmp_path / 'run.sqlite3'}"
    seed = tmp_path / "tiny.yaml"
    # The tiny meeting, taking registrations (with every default).
    seed.write_text(MINIMAL.replace("  status: published\n", "  status: published\n  registration: {}\n", 1))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    venv = tmp_path / "venv"
    venv.mkdir()
    (venv / "bin").symlink_to(Path(sys.prefix) / "bin")
    (venv / ".installed-runtime").touch()
    mail = tmp_path / "mail"
    env = clean_env(
        DATABASE_URL=url,
        MAIL_DIR=str(mail),
        QUEUE_URL=f"sqlite:///{tmp_path / 'queue.sqlite3'}",
        SPEAKER_BATCH_SECONDS="0",
    )
    log = (tmp_path / "run.log").open("w")
    server = subprocess.Popen(
        [
            "make",
            "--no-print-directory",
            "-C",
            str(ROOT),
            "run",
            f"VENV={venv}",
            f"PORT={port}",
            f"SEED={seed}",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError((tmp_path / "run.log").read_text())
        app = make_app(url)
        headers = issue_token(app.test_cli_runner(), "--role", "admin")
        get_engine(app).dispose()
        sessions = json.load(urllib.request.urlopen(f"{base}/api/v1/conferences/tiny-2025/sessions"))
        move = json.dumps({"starts_at": "2025-10-19T11:00", "ends_at": "2025-10-19T12:00"}).encode()
        request = urllib.request.Request(
            f"{base}/api/v1/conferences/tiny-2025/sessions/{sessions['items'][0]['id']}",
            data=move,
            method="PATCH",
            headers={**headers, "Content-Type": "application/json"},
        )
        assert urllib.request.urlopen(request).status == 200
        for _ in range(150):
            if list(mail.glob("*.eml")):
                break
            time.sleep(0.2)
        (written,) = mail.glob("*.eml")
        assert "To: sun@example.com" in written.read_text()

        # An attendee registering leaves their confirmation, with the self-service link, beside it.
        registrant = {"given_name": "Aoi", "family_name": "Mori", "email": "aoi@example.org"}
        request = urllib.request.Request(
            f"{base}/api/v1/conferences/tiny-2025/registrations",
            data=json.dumps(registrant).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request) as answer:
            assert answer.status == 201
            token = json.load(answer)["token"]
        for _ in range(150):
            confirmations = [m for m in mail.glob("*.eml") if "To: aoi@example.org" in m.read_text()]
            if confirmations:
                break
            time.sleep(0.2)
        (confirmation,) = confirmations
        assert token in confirmation.read_text()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
        log.close()


def test_make_seed_applies_the_file_again_and_an_empty_seed_loads_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'seed.sqlite3'}"
    skipped = _make(tmp_path, "seed-if-absent", url, "SEED=")
    assert skipped.returncode == 0, skipped.stdout + skipped.stderr
    assert "SEED is empty: no seed file loaded" in skipped.stdout
    app = make_app(url)
    assert app.test_client().get("/api/v1/conferences").get_json()["total"] == 0
    get_engine(app).dispose()

    assert _make(tmp_path, "seed-if-absent", url).returncode == 0
    _edit_through_the_api(url)
    # On purpose: the file wins, and says what stands in its way.
    reapplied = _make(tmp_path, "seed", url)
    assert reapplied.returncode != 0
    assert "sessions[4].room: Room 605 is booked at that time by session OPEN" in reapplied.stderr
