"""The change log: a session moved and another cancelled through the API appear in /changes and its Atom feed."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from helpers import DIA

ATOM = "{http://www.w3.org/2005/Atom}"


def _two_sessions(client):
    days = client.get(f"{DIA}/schedule").get_json()["days"]
    sessions = [s for day in days for s in day["sessions"] if s["status"] == "confirmed"]
    return sessions[0], sessions[1]


def test_moved_and_cancelled_sessions_are_logged_with_old_and_new_values(client, seeded, admin):
    version = client.get(f"{DIA}/schedule").get_json()["conference"]["schedule_version"]
    assert client.get(f"{DIA}/changes?since={version}").get_json()["total"] == 0
    moved, cancelled = _two_sessions(client)
    new_start, new_end = "2025-10-21T19:00:00+09:00", "2025-10-21T19:15:00+09:00"
    answer = client.patch(
        f"{DIA}/sessions/{moved['id']}", json={"starts_at": new_start, "ends_at": new_end}, headers=admin
    )
    assert answer.status_code == 200, answer.get_json()
    answer = client.patch(f"{DIA}/sessions/{cancelled['id']}", json={"status": "cancelled"}, headers=admin)
    assert answer.status_code == 200, answer.get_json()

    page = client.get(f"{DIA}/changes?since={version}").get_json()
    by_kind = {item["kind"]: item for item in page["items"]}
    assert page["total"] == 2
    assert by_kind["moved"]["session_id"] == moved["id"]
    assert by_kind["moved"]["old_value"] == {"starts_at": moved["starts_at"], "ends_at": moved["ends_at"]}
    assert by_kind["moved"]["new_value"] == {"starts_at": new_start, "ends_at": new_end}
    assert by_kind["moved"]["schedule_version"] == version + 1
    assert by_kind["cancelled"]["session_id"] == cancelled["id"]
    assert (by_kind["cancelled"]["old_value"], by_kind["cancelled"]["new_value"]) == (
        "confirmed",
        "cancelled",
    )
    assert by_kind["cancelled"]["schedule_version"] == version + 2
    assert client.get(f"{DIA}/schedule").get_json()["conference"]["schedule_version"] == version + 2
    # since counts versions: the cancellation alone is after the move's version
    later = client.get(f"{DIA}/changes?since={version + 1}").get_json()
    assert [item["kind"] for item in later["items"]] == ["cancelled"]

    atom = client.get(f"{DIA}/changes.atom")
    assert atom.status_code == 200 and atom.mimetype == "application/atom+xml"
    titles = [e.findtext(f"{ATOM}title") for e in ET.fromstring(atom.data).iter(f"{ATOM}entry")]
    assert any("moved" in t and moved["title"] in t for t in titles)
    assert any("cancelled" in t and cancelled["title"] in t for t in titles)
    again = client.get(f"{DIA}/changes.atom", headers={"If-None-Match": atom.headers["ETag"]})
    assert again.status_code == 304


def test_an_unchanged_write_and_a_new_conference_log_nothing(client, seeded, admin):
    moved, _ = _two_sessions(client)
    client.patch(f"{DIA}/sessions/{moved['id']}", json={"title": moved["title"]}, headers=admin)
    assert client.get(f"{DIA}/changes").get_json()["total"] == 0


def test_bad_since_is_a_400_naming_it_and_unknown_conference_a_404(client, seeded):
    answer = client.get(f"{DIA}/changes?since=-1")
    assert answer.status_code in (400, 422) and "since" in answer.get_data(as_text=True)
    assert client.get("/api/v1/conferences/nope/changes").status_code == 404
