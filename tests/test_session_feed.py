"""Every published session has its own .ics: the event of the conference's feed, kept in step with it."""

from __future__ import annotations

import re

import icalendar
from helpers import libical_read

DIA = "/api/v1/conferences/dia-japan-2025"
FEED = f"{DIA}/schedule.ics"


def _vevents(data: bytes) -> dict[str, bytes]:
    """Each VEVENT block of a feed, as sent, by its UID."""
    blocks = re.findall(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", data, re.DOTALL)
    return {re.search(rb"\r\nUID:(.*?)\r\n", block).group(1).decode(): block for block in blocks}


def _town_hall(client) -> dict:
    items = client.get(f"{DIA}/sessions?page_size=200").get_json()["items"]
    return next(s for s in items if s["title"] == "China Town Hall")


def test_a_sessions_ics_holds_the_very_event_of_the_conference_feed(client, seeded):
    session = _town_hall(client)
    by_id = client.get(f"{DIA}/sessions/{session['id']}.ics")
    assert by_id.status_code == 200, by_id.get_data(as_text=True)
    assert by_id.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert by_id.headers["Cache-Control"].startswith("public")
    by_code = client.get(f"{DIA}/sessions/by-code/{session['code']}.ics")
    assert by_code.status_code == 200 and by_code.data == by_id.data
    own, in_feed = _vevents(by_id.data), _vevents(client.get(FEED).data)
    uid = f"session-{session['id']}@eventapp"
    assert list(own) == [uid] and own[uid] == in_feed[uid]
    calendar = icalendar.Calendar.from_ical(by_id.data)
    assert str(calendar["X-WR-CALNAME"]) == "22nd DIA Japan Annual Meeting: China Town Hall"
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["Asia/Tokyo"]
    assert libical_read(by_id.data) == {"events": 1, "problems": []}


def test_a_sessions_ics_answers_conditional_gets_and_follows_the_session(client, seeded, admin):
    session = _town_hall(client)
    path = f"{DIA}/sessions/{session['id']}.ics"
    first = client.get(path)
    assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
    moved = client.patch(
        f"{DIA}/sessions/{session['id']}",
        json={"starts_at": "2025-10-21T13:30", "ends_at": "2025-10-21T15:00"},
        headers=admin,
    )
    assert moved.status_code == 200, moved.get_data(as_text=True)
    after = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != first.headers["ETag"]
    event = icalendar.Calendar.from_ical(after.data).walk("VEVENT")[0]
    assert event["SEQUENCE"] == session["sequence"] + 1
    assert event["DTSTART"].to_ical() == b"20251021T133000"
    client.patch(f"{DIA}/sessions/{session['id']}", json={"status": "cancelled"}, headers=admin)
    cancelled = icalendar.Calendar.from_ical(client.get(path).data).walk("VEVENT")[0]
    assert (str(cancelled["STATUS"]), cancelled["SEQUENCE"]) == ("CANCELLED", session["sequence"] + 2)
    assert _vevents(client.get(path).data) == {
        uid: block
        for uid, block in _vevents(client.get(FEED).data).items()
        if uid.startswith(f"session-{session['id']}@")
    }


def test_a_draft_or_unknown_session_has_no_ics(client, seeded, admin):
    draft = client.post(
        f"{DIA}/sessions",
        json={
            "code": "DRAFT-1",
            "title": "Secret draft",
            "starts_at": "2025-10-19T10:00",
            "ends_at": "2025-10-19T11:00",
        },
        headers=admin,
    )
    assert draft.status_code == 201 and draft.get_json()["status"] == "draft"
    for path in (f"{DIA}/sessions/{draft.get_json()['id']}.ics", f"{DIA}/sessions/by-code/DRAFT-1.ics"):
        for headers in ({}, admin):
            response = client.get(path, headers=headers)
            assert response.status_code == 404 and b"Secret draft" not in response.data
    assert client.get(f"{DIA}/sessions/99999.ics").status_code == 404
    assert client.get(f"{DIA}/sessions/by-code/NOPE.ics").status_code == 404
    assert client.get("/api/v1/conferences/nope/sessions/1.ics").status_code == 404
    session = _town_hall(client)
    error = client.get(f"{DIA}/sessions/{session['id']}.ics?track=1").get_json()["errors"][0]
    assert (error["location"], error["field"]) == ("query", "track")


def test_the_openapi_document_lists_the_sessions_ics(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/conferences/{slug}/sessions/{session_id}.ics",
        "/api/v1/conferences/{slug}/sessions/by-code/{code}.ics",
    ):
        get = paths[path]["get"]
        assert "text/calendar" in get["responses"]["200"]["content"]
        assert {"304", "404"} <= set(get["responses"])
