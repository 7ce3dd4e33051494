"""Rendered feeds are cached ready to send, in memory and in Redis, and never served stale."""

from __future__ import annotations

import gzip
import os

import pytest
from helpers import DIA, FEED, counted_queries, make_app

from eventapp.db import get_engine

REDIS_URL = os.environ.get("TEST_REDIS_URL")
requires_redis = pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is not set (.ci/run sets it)")


def test_warm_feed_costs_one_small_query(app, client, seeded):
    client.get(FEED)
    with counted_queries(app) as statements:
        response = client.get(FEED)
    assert response.status_code == 200 and len(statements) == 1


def test_gzip_once_for_clients_that_take_it(client, seeded):
    plain = client.get(FEED)
    zipped = client.get(FEED, headers={"Accept-Encoding": "gzip, deflate"})
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    for etag in (plain.headers["ETag"], zipped.headers["ETag"]):
        assert client.get(FEED, headers={"If-None-Match": etag, "Accept-Encoding": "gzip"}).status_code == 304


def test_feed_assembled_from_cached_pieces_equals_a_fresh_render(app, client, admin, seeded, database_url):
    """After a one-session change only that session is rendered again; the result is what a cold render gives."""
    for path in ("schedule.ics", "schedule"):
        client.get(f"{DIA}/{path}")
    sessions = client.get(f"{DIA}/sessions").get_json()["items"]
    client.patch(f"{DIA}/sessions/{sessions[2]['id']}", json={"title": "Moved to the morning"}, headers=admin)
    warm = {path: client.get(f"{DIA}/{path}").data for path in ("schedule.ics", "schedule")}
    assert b"Moved to the morning" in warm["schedule.ics"]
    fresh_app = make_app(database_url)  # another worker: nothing cached
    fresh = fresh_app.test_client()
    for path, body in warm.items():
        assert fresh.get(f"{DIA}/{path}").data == body
    get_engine(fresh_app).dispose()


def _change_room(client, admin, session):
    return client.patch(
        f"{DIA}/rooms/{session['room_id']}", json={"name": "Room 101 East"}, headers=admin
    ), "Room 101 East"


def _change_track(client, admin, session):
    return client.patch(
        f"{DIA}/tracks/{session['track_id']}", json={"name": "Sponsored Symposia"}, headers=admin
    ), "Sponsored Symposia"


def _change_sponsor(client, admin, session):
    # A sponsor that is nobody's organization in the session, so that only the sponsor's own change can show.
    sponsor = client.post(
        "/api/v1/organizations",
        json={"name": "Sponsor KK", "kind": "industry", "country": "JP"},
        headers=admin,
    ).get_json()["id"]
    assert (
        client.patch(
            f"{DIA}/sessions/{session['id']}", json={"sponsor_id": sponsor}, headers=admin
        ).status_code
        == 200
    )
    for path in ("schedule.ics", "schedule"):
        client.get(f"{DIA}/{path}")  # the pieces with the new sponsor, kept
    return client.patch(
        f"/api/v1/organizations/{sponsor}", json={"name": "Sponsor Group KK"}, headers=admin
    ), "Sponsored by Sponsor Group KK"


def _change_person(client, admin, session):
    person = session["participants"][0]["person_id"]
    return client.patch(f"/api/v1/people/{person}", json={"family_name": "Sunn"}, headers=admin), "Sunn Lixia"


def _change_employer(client, admin, session):
    # Not the satellite's sponsor: the organization of a speaker in a session without one (the roundtable).
    roundtable = next(s for s in client.get(f"{DIA}/sessions").get_json()["items"] if s["code"] == "RT-CN-JP")
    organization = roundtable["participants"][0]["person"]["organization_id"]
    return client.patch(
        f"/api/v1/organizations/{organization}", json={"name": "PMDA (Japan)"}, headers=admin
    ), "PMDA (Japan)"


def _change_participation(client, admin, session):
    participants = [{"person_id": p["person_id"], "role": "panelist"} for p in session["participants"]]
    return client.patch(
        f"{DIA}/sessions/{session['id']}", json={"participants": participants}, headers=admin
    ), "Panelist: Sun Lixia"


def _change_venue(client, admin, session):
    venue = {
        "name": "Tokyo Big Sight",
        "address": "3-11-1 Ariake, Koto-ku",
        "city": "Tokyo (Ariake)",
        "country": "JP",
    }
    return client.patch(DIA, json={"venue": venue}, headers=admin), "Tokyo (Ariake)"


@pytest.mark.parametrize(
    "change",
    [
        _change_room,
        _change_track,
        _change_sponsor,
        _change_person,
        _change_employer,
        _change_participation,
        _change_venue,
    ],
)
def test_a_change_to_anything_a_session_shows_renders_it_again(
    app, client, admin, seeded, database_url, change
):
    """A session's kept pieces are found by when anything it shows last changed, read from the database before
    anything is loaded: a change to its room, track, sponsor, people, their organizations or the venue must
    reach the warm feed, exactly as a cold render gives it."""
    paths = ("schedule.ics", "schedule")
    before = {path: client.get(f"{DIA}/{path}").data for path in paths}
    sessions = client.get(f"{DIA}/sessions").get_json()["items"]
    satellite = next(s for s in sessions if s["code"] == "SAT-TIGERMED")
    response, shown = change(client, admin, satellite)
    assert response.status_code == 200, response.get_json()
    warm = {path: client.get(f"{DIA}/{path}").data for path in paths}
    fresh_app = make_app(database_url)  # another worker: nothing cached
    try:
        assert shown.encode() in warm["schedule.ics"].replace(b"\r\n ", b"")
        assert shown.encode() not in before["schedule.ics"].replace(b"\r\n ", b"")
        for path in paths:
            assert warm[path] != before[path]
            assert fresh_app.test_client().get(f"{DIA}/{path}").data == warm[path]
    finally:
        get_engine(fresh_app).dispose()


@pytest.fixture
def redis_apps(database_url):
    """Two apps on one database and one Redis: two workers, or two servers behind a load balancer."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    apps = [make_app(database_url) for _ in range(2)]
    for app in apps:
        app.config["REDIS_URL"] = REDIS_URL
        from eventapp.feeds import cache

        cache.init_app(app)
    yield apps
    for app in apps:
        get_engine(app).dispose()
    redis.Redis.from_url(REDIS_URL).flushdb()


@requires_redis
def test_one_render_serves_every_worker_through_redis(redis_apps, admin, seeded):
    first, second = (app.test_client() for app in redis_apps)
    rendered = first.get(FEED)
    assert rendered.status_code == 200
    with counted_queries(redis_apps[1]) as statements:
        shared = second.get(FEED)
    assert shared.data == rendered.data and shared.headers["ETag"] == rendered.headers["ETag"]
    assert len(statements) == 1  # the version check; the bytes came from Redis


@requires_redis
def test_no_stale_feed_after_a_change_with_redis(redis_apps, admin, seeded):
    first, second = (app.test_client() for app in redis_apps)
    before = second.get(FEED)
    sessions = first.get(f"{DIA}/sessions").get_json()["items"]
    assert (
        first.patch(
            f"{DIA}/sessions/{sessions[0]['id']}", json={"title": "Renamed everywhere"}, headers=admin
        ).status_code
        == 200
    )
    for client in (second, first):
        after = client.get(FEED)
        assert after.headers["ETag"] != before.headers["ETag"]
        assert b"Renamed everywhere" in after.data


def test_redis_outage_is_a_cache_miss_not_an_error(database_url, seeded):
    app = make_app(database_url)
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    from eventapp.feeds import cache

    cache.init_app(app)
    response = app.test_client().get(FEED)
    assert response.status_code == 200 and b"BEGIN:VCALENDAR" in response.data
    get_engine(app).dispose()
