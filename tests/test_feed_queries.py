"""What a feed's query may hold: a parameter it does not take is a 400 naming it, and a filter naming a room,
track or person that is not there is a 404 with the reason, never a feed of everything or of nothing."""

from __future__ import annotations

import pytest

DIA = "/api/v1/conferences/dia-japan-2025"
CONFERENCE_FEEDS = ["schedule", "schedule.ics", "schedule.xml", "schedule.frab.json"]


def _person_id(client, slug: str = "su-ling") -> int:
    return client.get(f"/api/v1/people/by-slug/{slug}").get_json()["id"]


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == status
    [error] = body["errors"]
    return error


@pytest.mark.parametrize("feed", CONFERENCE_FEEDS)
@pytest.mark.parametrize("query", ["tracks=2", "speaker=7"])
def test_a_conference_feed_refuses_a_parameter_it_does_not_take(client, seeded, feed, query):
    error = _error(client.get(f"{DIA}/{feed}?{query}"), 400)
    assert (error["location"], error["field"]) == ("query", query.split("=")[0])
    assert "Unknown parameter" in error["message"] and "track" in error["message"]


def test_the_person_and_agenda_feeds_refuse_parameters_they_do_not_take(client, seeded):
    person = _person_id(client)
    for query, field in (("speaker=7", "speaker"), ("day=2025-10-21", "day"), ("person=1", "person")):
        error = _error(client.get(f"/api/v1/people/{person}/schedule.ics?{query}"), 400)
        assert (error["location"], error["field"]) == ("query", field)
    sessions = client.get(f"{DIA}/sessions").get_json()["items"]
    agenda = client.post(f"{DIA}/agendas", json={"session_ids": [sessions[0]["id"]]}).get_json()
    error = _error(client.get(agenda["feeds"]["ics"] + "?track=1"), 400)
    assert (error["location"], error["field"]) == ("query", "track")
    assert client.get(agenda["feeds"]["ics"] + "?lang=ja").status_code == 200


@pytest.mark.parametrize("feed", CONFERENCE_FEEDS)
def test_a_conference_feed_filter_naming_nothing_there_is_404(client, seeded, runner, tmp_path, feed):
    other = client.get("/api/v1/conferences").get_json()["items"]
    assert [c["slug"] for c in other] == ["dia-japan-2025"]
    for field in ("track", "room", "person"):
        error = _error(client.get(f"{DIA}/{feed}?{field}=99999"), 404)
        assert (error["location"], error["field"]) == ("query", field)
        assert "99999" in error["message"]
    # A track of the conference works, with its 304; the same id a second time does too.
    track = client.get(f"{DIA}/tracks").get_json()["items"][0]["id"]
    first = client.get(f"{DIA}/{feed}?track={track}")
    assert first.status_code == 200
    again = client.get(f"{DIA}/{feed}?track={track}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_a_filter_naming_another_conferences_track_is_404(client, seeded, admin):
    created = client.post(
        "/api/v1/conferences",
        json={
            "slug": "other-2026",
            "name": "Other",
            "timezone": "Europe/Berlin",
            "start_date": "2026-05-04",
            "end_date": "2026-05-05",
            "status": "published",
        },
        headers=admin,
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    track = client.post("/api/v1/conferences/other-2026/tracks", json={"name": "Elsewhere"}, headers=admin)
    assert track.status_code == 201, track.get_data(as_text=True)
    error = _error(client.get(f"{DIA}/schedule.ics?track={track.get_json()['id']}"), 404)
    assert error["field"] == "track" and "in this conference" in error["message"]
    # A person's feed spans conferences: any conference's track is a filter there (here, an empty one).
    person = _person_id(client)
    assert (
        client.get(f"/api/v1/people/{person}/schedule.ics?track={track.get_json()['id']}").status_code == 200
    )


def test_a_person_feed_filter_naming_nothing_there_is_404(client, seeded):
    person = _person_id(client)
    for field in ("track", "room"):
        error = _error(client.get(f"/api/v1/people/{person}/schedule.ics?{field}=99999"), 404)
        assert (error["location"], error["field"]) == ("query", field)
