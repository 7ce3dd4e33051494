"""Set-up as a newcomer meets it: one settings file for the CLI and the server, and what gunicorn says at start."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

from helpers import MINIMAL, ROOT

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
            server.terminate()
            server.wait(timeout=30)
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
