"""The fast path for polled feeds answers exactly what Flask would, and only what it can."""

from __future__ import annotations

import pytest
from conftest import make_app
from test_feeds import DIA

from eventapp.db import get_engine

FEEDS = ["schedule", "schedule.ics", "schedule.xml", "schedule.frab.json"]
IGNORED = {"Date", "Server"}


@pytest.fixture
def apps(database_url, seeded):
    fast, plain = make_app(database_url), make_app(database_url)
    plain.config["FEED_FAST_PATH"] = False
    plain.wsgi_app = plain.wsgi_app.inner if hasattr(plain.wsgi_app, "inner") else plain.wsgi_app
    yield fast, plain
    for app in (fast, plain):
        get_engine(app).dispose()


def answer(client, path, headers):
    response = client.get(path, headers=headers)
    return response.status_code, {k: v for k, v in response.headers.items() if k not in IGNORED}, response.data


@pytest.mark.parametrize("feed", FEEDS)
def test_fast_path_answers_what_flask_answers(apps, feed):
    fast, plain = (app.test_client() for app in apps)
    path = f"{DIA}/{feed}"
    fast.get(path)  # rendered and cached by Flask behind the fast path
    etag = plain.get(path).headers["ETag"]
    for headers in ({}, {"Accept-Encoding": "gzip"}, {"Origin": "https://app.example"}, {"If-None-Match": etag},
                    {"If-None-Match": '"other"'}, {"If-Modified-Since": plain.get(path).headers["Last-Modified"]},
                    {"X-Forwarded-Proto": "https"}):
        assert answer(fast, path, headers) == answer(plain, path, headers), headers


def test_fast_path_answers_without_flask(apps):
    fast_app, _ = apps
    client = fast_app.test_client()
    client.get(f"{DIA}/schedule.ics")

    flask_saw: list[str] = []
    fast_app.before_request_funcs.setdefault(None, []).insert(0, lambda: flask_saw.append("request"))
    assert client.get(f"{DIA}/schedule.ics").status_code == 200
    etag = client.get(f"{DIA}/schedule.ics").headers["ETag"]
    assert client.get(f"{DIA}/schedule.ics", headers={"If-None-Match": etag}).status_code == 304
    assert flask_saw == []
    # What it cannot answer goes on to Flask: a filter, an unknown conference.
    assert client.get(f"{DIA}/schedule.ics?kind=roundtable").status_code == 200
    assert client.get("/api/v1/conferences/nope/schedule.ics").status_code == 404
    assert flask_saw == ["request", "request"]


def test_a_database_it_cannot_reach_is_a_503_from_flask_not_an_error(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'missing' / 'no.sqlite3'}")  # a directory that does not exist
    try:
        for _ in range(2):  # the second time too: no half-opened connection is kept
            response = app.test_client().get(f"{DIA}/schedule.ics")
            assert response.status_code == 503
            assert response.get_json()["status"] == 503
    finally:
        get_engine(app).dispose()
