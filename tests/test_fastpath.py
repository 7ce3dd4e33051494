"""The replay cache for polled feeds answers exactly what Flask answered, and only what it recorded."""

from __future__ import annotations

import urllib.request

import pytest
from helpers import DIA, live_server, make_app, requires_postgres
from sqlalchemy import text

from eventapp.db import get_engine
from eventapp.feeds.replay import FeedReplay

FEEDS = ["schedule", "schedule.ics", "schedule.xml", "schedule.frab.json"]
QUERIES = ["", "?kind=roundtable", "?lang=ja&day=2025-10-21"]
IGNORED = {"Date", "Server"}


def replay_of(app) -> FeedReplay:
    """The replay layer in front of app's Flask (inside ProxyFix when proxies are trusted)."""
    wsgi = app.wsgi_app
    wsgi = getattr(wsgi, "app", wsgi) if not isinstance(wsgi, FeedReplay) else wsgi
    assert isinstance(wsgi, FeedReplay)
    return wsgi


def flask_requests(app) -> list[str]:
    """A list that grows by one each time Flask itself handles a request of app."""
    seen: list[str] = []
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: seen.append("flask"))
    return seen


@pytest.fixture
def apps(database_url, seeded):
    # One proxy trusted, so that X-Forwarded-Proto is believed: the https answers really take that path.
    fast = make_app(database_url, TRUSTED_PROXIES=1)
    plain = make_app(database_url, TRUSTED_PROXIES=1, FEED_FAST_PATH=False)
    replay_of(fast)
    yield fast, plain
    for app in (fast, plain):
        get_engine(app).dispose()


def answer(client, path, headers):
    response = client.get(path, headers=headers)
    return (
        response.status_code,
        {k: v for k, v in response.headers.items() if k not in IGNORED},
        response.data,
    )


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("feed", FEEDS)
def test_replay_answers_what_flask_answers(apps, feed, query):
    fast, plain = (app.test_client() for app in apps)
    flask_saw = flask_requests(apps[0])
    path = f"{DIA}/{feed}{query}"
    first = plain.get(path)
    etag, gzip_etag = (
        first.headers["ETag"],
        plain.get(path, headers={"Accept-Encoding": "gzip"}).headers["ETag"],
    )
    https = {"X-Forwarded-Proto": "https"}
    for headers in (
        {},
        {"Accept-Encoding": "gzip"},
        {"Origin": "https://app.example"},
        {"If-None-Match": etag},
        {"If-None-Match": gzip_etag, "Accept-Encoding": "gzip"},
        {"If-None-Match": f'"other", W/{etag}'},
        {"If-None-Match": '"other"'},
        {"If-Modified-Since": first.headers["Last-Modified"]},
        {"If-Modified-Since": first.headers["Last-Modified"], "If-None-Match": '"other"'},
        https,
        {**https, "If-None-Match": plain.get(path, headers=https).headers["ETag"]},
    ):
        expected = answer(plain, path, headers)
        assert answer(fast, path, headers) == expected, headers  # recorded from Flask, or replayed
        del flask_saw[:]
        assert answer(fast, path, headers) == expected, headers  # replayed
        assert flask_saw == [], headers
    https_answer = answer(fast, path, https)
    assert https_answer[1]["Strict-Transport-Security"] and b"https://" in https_answer[2]
    assert "Strict-Transport-Security" not in answer(fast, path, {})[1]


def test_replay_answers_without_flask(apps):
    fast_app, _ = apps
    client = fast_app.test_client()
    flask_saw = flask_requests(fast_app)
    assert client.get(f"{DIA}/schedule.ics").status_code == 200
    assert flask_saw == ["flask", "flask"]  # the render, and the 304 Flask gives for that version
    del flask_saw[:]
    assert client.get(f"{DIA}/schedule.ics").status_code == 200
    etag = client.get(f"{DIA}/schedule.ics").headers["ETag"]
    assert client.get(f"{DIA}/schedule.ics", headers={"If-None-Match": etag}).status_code == 304
    assert flask_saw == []
    # A filtered feed goes the same way: recorded once, then replayed.
    assert client.get(f"{DIA}/schedule.ics?kind=roundtable").status_code == 200
    assert client.get(f"{DIA}/schedule.ics?kind=roundtable").status_code == 200
    assert flask_saw == ["flask", "flask"]
    # What it has not recorded goes on to Flask every time: an unknown conference, a bad filter.
    for _ in range(2):
        assert client.get("/api/v1/conferences/nope/schedule.ics").status_code == 404
        assert client.get(f"{DIA}/schedule.ics?kind=nope").status_code == 422
    assert flask_saw == ["flask"] * 6


def test_a_new_origin_is_no_new_recording(apps):
    fast_app, plain_app = apps
    client = fast_app.test_client()
    flask_saw = flask_requests(fast_app)
    first = client.get(f"{DIA}/schedule.ics", headers={"Origin": "https://one.example"})
    del flask_saw[:]
    for origin in ("https://two.example", "https://three.example", None):
        headers = {"Origin": origin} if origin else {}
        replayed = client.get(f"{DIA}/schedule.ics", headers=headers)
        flask = plain_app.test_client().get(f"{DIA}/schedule.ics", headers=headers)
        assert (
            replayed.headers["Access-Control-Allow-Origin"]
            == flask.headers["Access-Control-Allow-Origin"]
            == "*"
        )
        assert replayed.data == first.data
    assert flask_saw == []  # CORS answers every origin alike: one recording serves them all


@pytest.mark.parametrize("feed", FEEDS)
def test_a_refused_query_is_never_recorded(apps, feed):
    """An unknown parameter (400) and a filter naming nothing there (404) reach Flask every time, and the
    answer through the replay layer is Flask's own."""
    fast, plain = (app.test_client() for app in apps)
    flask_saw = flask_requests(apps[0])
    for query, status in (
        ("?tracks=2", 400),
        ("?speaker=7", 400),
        ("?track=99999", 404),
        ("?person=99999", 404),
    ):
        path = f"{DIA}/{feed}{query}"
        expected = answer(plain, path, {})
        assert expected[0] == status, path
        del flask_saw[:]
        for _ in range(2):
            assert answer(fast, path, {}) == expected, path
        assert flask_saw == ["flask", "flask"], path
    assert replay_of(apps[0]).entries.used == 0  # nothing recorded at all


def test_a_new_version_is_never_answered_from_the_old_recording(apps, admin):
    fast_app, plain_app = apps
    client, writer = fast_app.test_client(), plain_app.test_client()
    before = client.get(f"{DIA}/schedule.ics")
    session = writer.get(f"{DIA}/sessions").get_json()["items"][0]
    writer.patch(f"{DIA}/sessions/{session['id']}", json={"title": "Renamed for the replay"}, headers=admin)
    after = client.get(f"{DIA}/schedule.ics")
    assert after.headers["ETag"] != before.headers["ETag"] and b"Renamed for the replay" in after.data
    assert (
        client.get(f"{DIA}/schedule.ics", headers={"If-None-Match": before.headers["ETag"]}).status_code
        == 200
    )


def test_a_write_between_the_version_read_and_the_render_is_not_recorded_under_the_old_version(apps, admin):
    fast_app, plain_app = apps
    replay, writer = replay_of(fast_app), plain_app.test_client()
    read = replay.versions.read
    stale = read("dia-japan-2025")
    session = writer.get(f"{DIA}/sessions").get_json()["items"][0]

    def read_then_write(slug):
        """The version as it was, then a write lands before Flask renders; reads keep seeing the old row."""
        if not written:
            written.append(
                writer.patch(
                    f"{DIA}/sessions/{session['id']}", json={"title": "Landed in between"}, headers=admin
                ).status_code
            )
        return stale

    written: list[int] = []
    replay.versions.read = read_then_write
    flask_saw = flask_requests(fast_app)
    client = fast_app.test_client()
    first = client.get(f"{DIA}/schedule.ics")
    assert written == [200] and b"Landed in between" in first.data
    assert flask_saw == ["flask"]  # rendered, not recorded: so no 304 asked for either
    second = client.get(f"{DIA}/schedule.ics")
    # Not replayed under the old version's row: Flask answered again, the new version.
    assert flask_saw == ["flask", "flask"]
    assert second.data == first.data and second.headers["ETag"] == first.headers["ETag"]
    replay.versions.read = read  # the truth again: now it is recorded, then replayed
    client.get(f"{DIA}/schedule.ics")
    del flask_saw[:]
    assert client.get(f"{DIA}/schedule.ics").data == first.data and flask_saw == []


def test_replayed_answers_count_their_own_statement(database_url, seeded):
    app = make_app(database_url, SQL_COUNT_HEADER=True)
    try:
        client = app.test_client()
        assert int(client.get(f"{DIA}/schedule.ics").headers["X-SQL-Queries"]) > 1  # rendered by Flask
        assert (
            client.get(f"{DIA}/schedule.ics").headers["X-SQL-Queries"] == "1"
        )  # replayed: the version query
    finally:
        get_engine(app).dispose()


def test_a_database_it_cannot_reach_is_a_503_from_flask_not_an_error(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'missing' / 'no.sqlite3'}")  # a directory that does not exist
    try:
        for _ in range(2):  # the second time too: no half-opened connection is kept
            response = app.test_client().get(f"{DIA}/schedule.ics")
            assert response.status_code == 503
            assert response.get_json()["status"] == 503
    finally:
        get_engine(app).dispose()


@requires_postgres
def test_a_thread_per_request_server_leaves_no_connections_behind(database_url, seeded):
    app = make_app(database_url)
    probe = make_app(database_url)

    def connections() -> int:
        with get_engine(probe).connect() as connection:
            return connection.scalar(
                text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
            )

    try:
        with live_server(app) as base:
            urllib.request.urlopen(f"{base}{DIA}/schedule.ics").read()
            before = connections()
            for _ in range(20):  # each request in a thread of its own, which then ends
                urllib.request.urlopen(f"{base}{DIA}/schedule.ics").read()
            assert connections() <= before + 2
    finally:
        for each in (app, probe):
            get_engine(each).dispose()
