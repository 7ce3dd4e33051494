"""What a newcomer to the API runs into first: bodies that are not JSON, where a new item lives."""

from __future__ import annotations

import pytest

SLUG = "edge-2026"
BASE = f"/api/v1/conferences/{SLUG}"
CONFERENCE = {
    "slug": SLUG,
    "name": "Edge Meeting",
    "timezone": "Asia/Tokyo",
    "start_date": "2026-10-18",
    "end_date": "2026-10-20",
}


@pytest.fixture
def conference(client, admin):
    response = client.post("/api/v1/conferences", json=CONFERENCE, headers=admin)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def assert_unsupported(response):
    assert response.status_code == 415, response.get_data(as_text=True)
    body = response.get_json()
    assert body["code"] == "unsupported_media_type"
    assert body["errors"] == [
        {"location": "header", "field": "Content-Type", "message": body["errors"][0]["message"]}
    ]
    assert "application/json" in body["message"]


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("name=Room+9", "application/x-www-form-urlencoded"),  # what curl -d sends
        ('{"name": "Room 9"}', "text/plain"),
        ('{"name": "Room 9"}', None),
    ],
)
def test_a_body_that_is_not_json_is_415_and_changes_nothing(client, admin, conference, data, content_type):
    headers = dict(admin)
    if content_type:
        headers["Content-Type"] = content_type
    assert_unsupported(client.post(f"{BASE}/rooms", data=data, headers=headers))
    assert client.get(f"{BASE}/rooms", headers=admin).get_json()["total"] == 0

    room = client.post(f"{BASE}/rooms", json={"name": "Room 1"}, headers=admin).get_json()
    assert_unsupported(client.patch(f"{BASE}/rooms/{room['id']}", data=data, headers=headers))
    assert client.get(f"{BASE}/rooms/{room['id']}", headers=admin).get_json()["name"] == "Room 1"


def test_json_with_a_charset_or_a_json_suffix_is_read(client, admin, conference):
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        response = client.post(
            f"{BASE}/tracks", data='{"name": "T %s"}' % content_type[:16], headers={**admin, "Content-Type": content_type}
        )
        assert response.status_code == 201, response.get_json()


def test_a_bodiless_write_is_judged_by_its_fields_not_its_type(client, admin, conference):
    response = client.post(f"{BASE}/rooms", headers=admin)
    assert response.status_code == 422
    assert response.get_json()["code"] == "validation_failed"


def test_every_201_carries_the_location_of_what_it_made(client, admin, conference):
    org = client.post("/api/v1/organizations", json={"name": "PMDA", "kind": "regulator"}, headers=admin)
    person = client.post(
        "/api/v1/people", json={"given_name": "Ling", "family_name": "Su", "organization_id": org.get_json()["id"]},
        headers=admin,
    )
    room = client.post(f"{BASE}/rooms", json={"name": "Room 605"}, headers=admin)
    track = client.post(f"{BASE}/tracks", json={"name": "Asia"}, headers=admin)
    booth = client.post(f"{BASE}/booths", json={"label": "A1", "organization_id": org.get_json()["id"]}, headers=admin)
    session = client.post(
        f"{BASE}/sessions",
        json={"code": "S1", "title": "Opening", "starts_at": "2026-10-18T09:00", "ends_at": "2026-10-18T10:00",
              "room_id": room.get_json()["id"]},
        headers=admin,
    )
    again = client.post("/api/v1/conferences", json={**CONFERENCE, "slug": "edge-2027"}, headers=admin)
    for response, path in (
        (org, f"/api/v1/organizations/{org.get_json()['id']}"),
        (person, f"/api/v1/people/{person.get_json()['id']}"),
        (room, f"{BASE}/rooms/{room.get_json()['id']}"),
        (track, f"{BASE}/tracks/{track.get_json()['id']}"),
        (booth, f"{BASE}/booths/{booth.get_json()['id']}"),
        (session, f"{BASE}/sessions/{session.get_json()['id']}"),
        (again, "/api/v1/conferences/edge-2027"),
    ):
        assert response.status_code == 201, response.get_json()
        assert response.headers["Location"] == f"http://localhost{path}"
        read = client.get(path, headers=admin)
        assert read.status_code == 200 and read.get_json() == response.get_json()
