"""Configuration from the environment, and errors that never leak a traceback."""

from __future__ import annotations

from eventapp import create_app
from eventapp.config import normalize_database_url


def test_database_url_defaults_to_sqlite_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"TESTING": True})
    assert app.config["DATABASE_URL"] == f"sqlite:///{app.instance_path}/eventapp.sqlite3"


def test_database_url_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://someone@db.example/eventapp")
    app = create_app({"TESTING": True})
    assert app.config["DATABASE_URL"] == "postgresql+psycopg://someone@db.example/eventapp"


def test_postgres_urls_use_psycopg3():
    assert normalize_database_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalize_database_url("postgresql+psycopg://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalize_database_url("sqlite:///x.sqlite3") == "sqlite:///x.sqlite3"


def test_unreachable_database_is_503_in_the_error_shape(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3"})
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["code"] == "service_unavailable"
    response = client.get("/api/v1/conferences")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    body = response.get_json()
    assert body["code"] == "service_unavailable"
    assert "Traceback" not in response.get_data(as_text=True)
    assert "sqlite" not in response.get_data(as_text=True).lower()


def test_unmigrated_database_is_503_not_a_leak(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/empty.sqlite3"})
    response = app.test_client().get("/api/v1/conferences")
    assert response.status_code == 503
    assert "no such table" not in response.get_data(as_text=True)


def test_unexpected_error_is_500_without_a_traceback(tmp_path, caplog):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"})

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_json()
    assert body == {
        "status": 500,
        "code": "internal_error",
        "message": "The server could not complete the request.",
        "errors": [],
    }
    assert "secret internals" not in response.get_data(as_text=True)
    assert "secret internals" in caplog.text  # logged for the operator instead
