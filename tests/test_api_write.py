"""The registration API: creating and editing meetings over HTTP, with its rules, auth and preconditions."""

from __future__ import annotations

import pytest
from helpers import issue_token, row_counts

SLUG = "dia-japan-2026"
BASE = f"/api/v1/conferences/{SLUG}"


@pytest.fixture
def meeting(client, admin):
    """A draft conference with two rooms, a track, an organization and four people, made over the API."""
    conference = {
        "slug": SLUG,
        "name": "23rd DIA Japan Annual Meeting",
        "timezone": "Asia/Tokyo",
        "start_date": "2026-10-18",
        "end_date": "2026-10-20",
        "languages": ["en", "ja"],
        "venue": {"name": "Tokyo Big Sight", "city": "Tokyo", "country": "JP"},
    }
    assert client.post("/api/v1/conferences", json=conference, headers=admin).status_code == 201
    ids = {}
    for name in ("Room 605", "Room 101"):
        ids[name] = client.post(
            f"{BASE}/rooms", json={"name": name, "capacity": 200}, headers=admin
        ).get_json()["id"]
    ids["track"] = client.post(
        f"{BASE}/tracks", json={"name": "Asia", "color": "#c0392b"}, headers=admin
    ).get_json()["id"]
    ids["org"] = client.post(
        "/api/v1/organizations", json={"name": "PMDA", "kind": "regulator", "country": "JP"}, headers=admin
    ).get_json()["id"]
    for given, family in (("Yoshiaki", "Uyama"), ("Yasuko", "Asahina"), ("Hitoshi", "Endo"), ("Ling", "Su")):
        response = client.post(
            "/api/v1/people",
            json={
                "given_name": given,
                "family_name": family,
                "organization_id": ids["org"],
                "email": "x@example.org",
            },
            headers=admin,
        )
        assert response.status_code == 201, response.get_json()
        ids[family] = response.get_json()["id"]
    return ids


def session_body(ids, **changes):
    body = {
        "code": "RT-1",
        "title": "China-Japan Roundtable",
        "kind": "roundtable",
        "status": "confirmed",
        "starts_at": "2026-10-19T13:30:00+09:00",
        "ends_at": "2026-10-19T15:00:00+09:00",
        "room_id": ids["Room 605"],
        "track_id": ids["track"],
        "language": "en",
        "interpretation": ["ja"],
        "participants": [
            {"person_id": ids["Uyama"], "role": "organizer", "order": 0},
            {"person_id": ids["Su"], "role": "moderator", "order": 1},
            {
                "person_id": ids["Asahina"],
                "role": "speaker",
                "order": 2,
                "presentation_title": "Current Status of China-Japan Pharmaceutical Development Cooperation",
            },
        ],
    }
    body.update(changes)
    return body


def snapshot(client, app, headers):
    """Everything a refused request must leave as it was."""
    return (
        row_counts(app),
        client.get(BASE, headers=headers).get_json(),
        client.get(f"{BASE}/sessions?page_size=200", headers=headers).get_json(),
    )


def assert_refused(response, status, field=None):
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert set(body) == {"status", "code", "message", "errors"} and body["status"] == status
    if field is not None:
        assert field in [e["field"] for e in body["errors"]], body
    return body


# A full registration, driven by the OpenAPI document


def test_client_with_only_the_openapi_document_registers_a_full_session(client, admin, meeting):
    spec = client.get("/api/v1/openapi.json").get_json()
    post = spec["paths"]["/api/v1/conferences/{slug}/sessions"]["post"]
    assert post["security"] == [{"bearerAuth": []}]
    schema_ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = spec["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]
    body = session_body(meeting)
    assert set(body) <= set(schema["properties"])
    assert set(schema["required"]) <= set(body)

    created = client.post(f"{BASE}/sessions", json=body, headers=admin)
    assert created.status_code == 201, created.get_json()
    assert created.headers["ETag"]
    read = client.get(f"{BASE}/sessions/{created.get_json()['id']}", headers=admin).get_json()
    assert read == created.get_json()
    for key, value in body.items():
        if key == "participants":
            for sent, shown in zip(value, read["participants"], strict=True):
                assert {k: shown[k] for k in sent} == sent
        else:
            assert read[key] == value, key
    assert read["room"]["name"] == "Room 605" and read["track"]["name"] == "Asia"
    assert {p["role"] for p in read["participants"]} == {"organizer", "moderator", "speaker"}
    assert all(p["person"]["organization"]["name"] == "PMDA" for p in read["participants"])


def test_every_resource_has_create_read_update_delete(client, admin, meeting):
    for path, body, change in (
        (
            f"{BASE}/rooms",
            {"name": "Hall C", "location": "1F", "capacity": 50, "is_online": False},
            {"capacity": 60},
        ),
        (f"{BASE}/tracks", {"name": "Digital", "color": "#00aa00"}, {"color": "#00bb00"}),
        (
            f"{BASE}/booths",
            {"label": "E-9", "organization_id": meeting["org"], "location": "Hall"},
            {"location": "West"},
        ),
        ("/api/v1/organizations", {"name": "Tigermed", "kind": "cro", "country": "CN"}, {"country": "JP"}),
        (
            "/api/v1/people",
            {"given_name": "Lixia", "family_name": "Sun", "family_name_first": True},
            {"honorific": "Ms."},
        ),
    ):
        created = client.post(path, json=body, headers=admin)
        assert created.status_code == 201, (path, created.get_json())
        item = f"{path}/{created.get_json()['id']}"
        assert client.get(item, headers=admin).get_json() == created.get_json()
        listed = client.get(path, headers=admin).get_json()
        assert created.get_json()["id"] in [i["id"] for i in listed["items"]]
        changed = client.patch(item, json=change, headers=admin)
        assert changed.status_code == 200, changed.get_json()
        assert {k: changed.get_json()[k] for k in change} == change
        assert client.delete(item, headers=admin).status_code == 204
        assert client.get(item, headers=admin).status_code == 404


def test_conference_create_update_delete(client, admin, meeting):
    changed = client.patch(BASE, json={"status": "published", "edition": 23}, headers=admin)
    assert changed.status_code == 200
    assert (changed.get_json()["status"], changed.get_json()["edition"]) == ("published", 23)
    assert client.get(BASE).status_code == 200  # public now
    assert client.delete(BASE, headers=admin).status_code == 204
    assert client.get(BASE, headers=admin).status_code == 404


# The rules


def test_end_not_after_start_is_422(client, app, admin, meeting):
    before = snapshot(client, app, admin)
    body = session_body(meeting, ends_at="2026-10-19T13:30:00+09:00")
    assert_refused(client.post(f"{BASE}/sessions", json=body, headers=admin), 422, "ends_at")
    assert snapshot(client, app, admin) == before


def test_session_outside_conference_dates_in_its_zone_is_422(client, app, admin, meeting):
    before = snapshot(client, app, admin)
    # 2026-10-20T23:30 in UTC is already 2026-10-21 in Tokyo: after the last day.
    body = session_body(meeting, starts_at="2026-10-20T23:30:00+00:00", ends_at="2026-10-21T00:30:00+00:00")
    assert_refused(client.post(f"{BASE}/sessions", json=body, headers=admin), 422, "starts_at")
    # 2026-10-17T15:30 UTC is 2026-10-18T00:30 in Tokyo: inside.
    body = session_body(meeting, starts_at="2026-10-17T15:30:00Z", ends_at="2026-10-17T16:30:00Z")
    assert client.post(f"{BASE}/sessions", json=body, headers=admin).status_code == 201
    assert snapshot(client, app, admin)[0]["program_sessions"] == before[0]["program_sessions"] + 1


def test_double_booked_room_is_409_naming_the_session(client, app, admin, meeting):
    first = client.post(f"{BASE}/sessions", json=session_body(meeting), headers=admin).get_json()
    before = snapshot(client, app, admin)
    clash = session_body(
        meeting,
        code="RT-2",
        participants=[],
        starts_at="2026-10-19T14:30:00+09:00",
        ends_at="2026-10-19T16:00:00+09:00",
    )
    body = assert_refused(client.post(f"{BASE}/sessions", json=clash, headers=admin), 409, "room_id")
    assert body["errors"][0]["session"]["id"] == first["id"]
    assert str(first["id"]) in body["message"]
    assert snapshot(client, app, admin) == before
    # Back to back is no overlap; another room is no conflict.
    after = session_body(
        meeting,
        code="RT-3",
        participants=[],
        starts_at="2026-10-19T15:00:00+09:00",
        ends_at="2026-10-19T16:00:00+09:00",
    )
    assert client.post(f"{BASE}/sessions", json=after, headers=admin).status_code == 201
    elsewhere = {**clash, "room_id": meeting["Room 101"]}
    assert client.post(f"{BASE}/sessions", json=elsewhere, headers=admin).status_code == 201


@pytest.mark.parametrize("role", ["speaker", "co_host", "panelist"])
def test_person_in_two_overlapping_sessions_is_409_in_any_role(client, app, admin, meeting, role):
    first = client.post(f"{BASE}/sessions", json=session_body(meeting), headers=admin).get_json()
    before = snapshot(client, app, admin)
    clash = session_body(
        meeting,
        code="TH-1",
        room_id=meeting["Room 101"],
        participants=[{"person_id": meeting["Su"], "role": role}],
    )
    body = assert_refused(client.post(f"{BASE}/sessions", json=clash, headers=admin), 409, "participants")
    assert body["errors"][0]["session"]["id"] == first["id"]
    assert "Ling Su" in body["message"]
    assert snapshot(client, app, admin) == before


def test_drafts_and_cancelled_sessions_never_conflict(client, admin, meeting):
    first = client.post(f"{BASE}/sessions", json=session_body(meeting), headers=admin)
    draft = session_body(meeting, code="D-1", status="draft")
    assert client.post(f"{BASE}/sessions", json=draft, headers=admin).status_code == 201
    # Confirming the draft now conflicts
    draft_id = client.get(f"{BASE}/sessions?status=draft", headers=admin).get_json()["items"][0]["id"]
    assert_refused(
        client.patch(f"{BASE}/sessions/{draft_id}", json={"status": "confirmed"}, headers=admin), 409
    )
    # Cancel the first (a status change, not a delete): it stays, and frees the room and its people
    cancelled = client.patch(
        f"{BASE}/sessions/{first.get_json()['id']}", json={"status": "cancelled"}, headers=admin
    )
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    assert (
        client.patch(f"{BASE}/sessions/{draft_id}", json={"status": "confirmed"}, headers=admin).status_code
        == 200
    )
    statuses = {
        s["code"]: s["status"] for s in client.get(f"{BASE}/sessions", headers=admin).get_json()["items"]
    }
    assert statuses == {"RT-1": "cancelled", "D-1": "confirmed"}


def test_moving_a_session_onto_another_is_409(client, app, admin, meeting):
    client.post(f"{BASE}/sessions", json=session_body(meeting), headers=admin)
    other = session_body(
        meeting,
        code="X-1",
        participants=[],
        starts_at="2026-10-19T16:00:00+09:00",
        ends_at="2026-10-19T17:00:00+09:00",
    )
    other_id = client.post(f"{BASE}/sessions", json=other, headers=admin).get_json()["id"]
    before = snapshot(client, app, admin)
    move = {"starts_at": "2026-10-19T14:00:00+09:00"}
    assert_refused(client.patch(f"{BASE}/sessions/{other_id}", json=move, headers=admin), 409, "room_id")
    assert snapshot(client, app, admin) == before


def test_satellite_symposium_needs_a_sponsor(client, app, admin, meeting):
    before = snapshot(client, app, admin)
    body = session_body(meeting, kind="satellite_symposium", participants=[])
    assert_refused(client.post(f"{BASE}/sessions", json=body, headers=admin), 422, "sponsor_id")
    satellite = {k: v for k, v in body.items() if k != "kind"}
    assert_refused(
        client.post(f"{BASE}/satellite-symposia", json=satellite, headers=admin), 422, "sponsor_id"
    )
    assert snapshot(client, app, admin) == before

    created = client.post(
        f"{BASE}/satellite-symposia", json={**satellite, "sponsor_id": meeting["org"]}, headers=admin
    )
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["kind"] == "satellite_symposium"
    assert created.get_json()["sponsor"]["name"] == "PMDA"
    listed = client.get(f"{BASE}/satellite-symposia", headers=admin).get_json()
    assert [s["id"] for s in listed["items"]] == [created.get_json()["id"]]
    # Removing the sponsor of an existing one is refused too
    item = f"{BASE}/satellite-symposia/{created.get_json()['id']}"
    assert_refused(client.patch(item, json={"sponsor_id": None}, headers=admin), 422, "sponsor_id")


def test_times_without_offset_are_read_in_the_conference_zone(client, admin, meeting):
    body = session_body(meeting, starts_at="2026-10-19T13:30:00", ends_at="2026-10-19T15:00")
    created = client.post(f"{BASE}/sessions", json=body, headers=admin).get_json()
    assert created["starts_at"] == "2026-10-19T13:30:00+09:00"
    assert created["ends_at"] == "2026-10-19T15:00:00+09:00"


def test_references_to_nothing_or_elsewhere_are_422(client, app, admin, meeting, seeded):
    before = snapshot(client, app, admin)
    other_room = client.get("/api/v1/conferences/dia-japan-2025").get_json()["rooms"][0]["id"]
    for changes, field in (
        ({"room_id": 99999}, "room_id"),
        ({"room_id": other_room}, "room_id"),
        ({"track_id": 99999}, "track_id"),
        ({"participants": [{"person_id": 99999, "role": "speaker"}]}, "participants.0.person_id"),
        ({"participants": [{"person_id": meeting["Su"], "role": "chairman"}]}, "participants.0.role"),
    ):
        assert_refused(
            client.post(f"{BASE}/sessions", json=session_body(meeting, **changes), headers=admin), 422, field
        )
    assert snapshot(client, app, admin) == before


def test_confirmed_sessions_are_cancelled_not_deleted(client, admin, meeting):
    confirmed = client.post(f"{BASE}/sessions", json=session_body(meeting), headers=admin).get_json()
    assert_refused(client.delete(f"{BASE}/sessions/{confirmed['id']}", headers=admin), 409, "status")
    draft = client.post(
        f"{BASE}/sessions", json=session_body(meeting, code="D", status="draft"), headers=admin
    ).get_json()
    assert client.delete(f"{BASE}/sessions/{draft['id']}", headers=admin).status_code == 204


def test_rooms_in_use_cannot_be_deleted(client, admin, meeting):
    client.post(f"{BASE}/sessions", json=session_body(meeting), headers=admin)
    assert_refused(client.delete(f"{BASE}/rooms/{meeting['Room 605']}", headers=admin), 409)
    assert client.delete(f"{BASE}/rooms/{meeting['Room 101']}", headers=admin).status_code == 204


def test_tracks_people_and_organizations_in_use_cannot_be_deleted(client, app, admin, meeting):
    session = client.post(f"{BASE}/sessions", json=session_body(meeting), headers=admin).get_json()
    booth = client.post(
        f"{BASE}/booths", json={"label": "B-1", "organization_id": meeting["org"]}, headers=admin
    )
    before = snapshot(client, app, admin)
    track = assert_refused(client.delete(f"{BASE}/tracks/{meeting['track']}", headers=admin), 409)
    assert f"sessions {session['id']}" in track["message"]
    person = assert_refused(client.delete(f"/api/v1/people/{meeting['Su']}", headers=admin), 409)
    assert f"sessions {session['id']}" in person["message"]
    organization = assert_refused(
        client.delete(f"/api/v1/organizations/{meeting['org']}", headers=admin), 409
    )
    people = ", ".join(str(meeting[name]) for name in ("Uyama", "Asahina", "Endo", "Su"))
    assert f"people {people}; booths {booth.get_json()['id']}" in organization["message"]
    assert snapshot(client, app, admin) == before
    # Once nothing uses them, they go.
    assert client.delete(f"/api/v1/people/{meeting['Endo']}", headers=admin).status_code == 204
    session_item = f"{BASE}/sessions/{session['id']}"
    assert (
        client.patch(session_item, json={"track_id": None, "participants": []}, headers=admin).status_code
        == 200
    )
    assert client.delete(f"{BASE}/tracks/{meeting['track']}", headers=admin).status_code == 204
    assert client.delete(f"/api/v1/people/{meeting['Su']}", headers=admin).status_code == 204


# Bad input in general


@pytest.mark.parametrize(
    ("kwargs", "status", "field"),
    [
        ({"data": "{not json", "content_type": "application/json"}, 400, None),
        ({"json": ["a", "list"]}, 422, None),
        ({"json": {"title": "x", "colour": "red"}}, 422, "colour"),
        (
            {"json": {"title": 7, "starts_at": "2026-10-19T10:00", "ends_at": "2026-10-19T11:00"}},
            422,
            "title",
        ),
        ({"json": {"title": "x", "starts_at": "tomorrow", "ends_at": "2026-10-19T11:00"}}, 422, "starts_at"),
        (
            {"json": {"title": "x" * 501, "starts_at": "2026-10-19T10:00", "ends_at": "2026-10-19T11:00"}},
            422,
            "title",
        ),
        (
            {
                "json": {
                    "title": "x",
                    "kind": "lecture",
                    "starts_at": "2026-10-19T10:00",
                    "ends_at": "2026-10-19T11:00",
                }
            },
            422,
            "kind",
        ),
        ({"data": "x" * (1024 * 1024 + 1), "content_type": "application/json"}, 413, None),
    ],
    ids=[
        "malformed-json",
        "not-an-object",
        "unknown-field",
        "wrong-type",
        "bad-datetime",
        "too-long",
        "bad-kind",
        "too-large",
    ],
)
def test_bad_input_is_4xx_in_the_one_shape(client, app, admin, meeting, kwargs, status, field):
    before = snapshot(client, app, admin)
    body = assert_refused(client.post(f"{BASE}/sessions", headers=admin, **kwargs), status, field)
    assert body["message"]
    assert snapshot(client, app, admin) == before


def test_filters_and_pagination(client, admin, meeting):
    specs = [
        ("A", "2026-10-18T10:00", "2026-10-18T11:00", "Room 605", "roundtable", "confirmed", "Uyama"),
        ("B", "2026-10-19T10:00", "2026-10-19T11:00", "Room 101", "workshop", "confirmed", "Su"),
        ("C", "2026-10-19T12:00", "2026-10-19T13:00", "Room 605", "workshop", "cancelled", "Su"),
        ("D", "2026-10-20T10:00", "2026-10-20T11:00", "Room 101", "town_hall", "confirmed", "Endo"),
    ]
    for code, start, end, room, kind, status, person in specs:
        body = session_body(
            meeting,
            code=code,
            title=f"Session {code} on MRCT",
            starts_at=start,
            ends_at=end,
            room_id=meeting[room],
            kind=kind,
            status=status,
            participants=[{"person_id": meeting[person], "role": "speaker"}],
        )
        assert client.post(f"{BASE}/sessions", json=body, headers=admin).status_code == 201

    def codes(query):
        body = client.get(f"{BASE}/sessions?{query}", headers=admin).get_json()
        return [s["code"] for s in body["items"]]

    assert codes("") == ["A", "B", "C", "D"]
    assert codes("day=2026-10-19") == ["B", "C"]
    assert codes(f"room={meeting['Room 605']}") == ["A", "C"]
    assert codes(f"track={meeting['track']}") == ["A", "B", "C", "D"]
    assert codes("kind=workshop") == ["B", "C"]
    assert codes("status=cancelled") == ["C"]
    assert codes(f"person={meeting['Su']}") == ["B", "C"]
    assert codes("q=session d") == ["D"]
    assert codes("q=100%") == []
    page = client.get(f"{BASE}/sessions?page=2&page_size=3", headers=admin).get_json()
    assert (page["total"], page["page"], page["page_size"], [s["code"] for s in page["items"]]) == (
        4,
        2,
        3,
        ["D"],
    )
    assert_refused(client.get(f"{BASE}/sessions?kind=lecture", headers=admin), 422, "kind")
    assert_refused(client.get(f"{BASE}/sessions?day=someday", headers=admin), 422, "day")


def test_every_change_moves_the_schedule_version(client, admin, meeting):
    def version():
        return client.get(BASE, headers=admin).get_json()["schedule_version"]

    seen = [version()]
    created = client.post(f"{BASE}/sessions", json=session_body(meeting), headers=admin).get_json()
    for request in (
        lambda: client.patch(f"{BASE}/sessions/{created['id']}", json={"title": "Renamed"}, headers=admin),
        lambda: client.patch(f"{BASE}/rooms/{meeting['Room 605']}", json={"capacity": 300}, headers=admin),
        lambda: client.patch(f"/api/v1/people/{meeting['Su']}", json={"honorific": "Dr."}, headers=admin),
        lambda: client.patch(
            f"/api/v1/organizations/{meeting['org']}", json={"country": "CN"}, headers=admin
        ),
        lambda: client.post(f"{BASE}/tracks", json={"name": "New"}, headers=admin),
    ):
        assert request().status_code in (200, 201)
        seen.append(version())
    assert seen == sorted(set(seen)), seen  # strictly increasing
    # A PATCH that changes nothing moves nothing
    same = client.patch(f"{BASE}/sessions/{created['id']}", json={"title": "Renamed"}, headers=admin)
    assert same.status_code == 200
    assert version() == seen[-1]


def test_sequence_moves_with_time_room_or_status(client, admin, meeting):
    created = client.post(f"{BASE}/sessions", json=session_body(meeting), headers=admin).get_json()
    item = f"{BASE}/sessions/{created['id']}"
    assert (
        client.patch(item, json={"abstract": "More."}, headers=admin).get_json()["sequence"]
        == created["sequence"]
    )
    moved = client.patch(item, json={"room_id": meeting["Room 101"]}, headers=admin).get_json()
    assert moved["sequence"] == created["sequence"] + 1
    cancelled = client.patch(item, json={"status": "cancelled"}, headers=admin).get_json()
    assert cancelled["sequence"] == moved["sequence"] + 1


# Preconditions


def test_if_match_prevents_lost_updates(client, app, admin, meeting):
    created = client.post(f"{BASE}/sessions", json=session_body(meeting), headers=admin)
    item = f"{BASE}/sessions/{created.get_json()['id']}"
    etag = created.headers["ETag"]
    # Someone else edits it
    assert client.patch(item, json={"title": "Theirs"}, headers=admin).status_code == 200
    before = snapshot(client, app, admin)
    stale = client.patch(item, json={"title": "Mine"}, headers={**admin, "If-Match": etag})
    assert_refused(stale, 412, "If-Match")
    assert_refused(client.delete(item, headers={**admin, "If-Match": etag}), 412)
    assert snapshot(client, app, admin) == before
    fresh = client.get(item, headers=admin)
    updated = client.patch(item, json={"title": "Mine"}, headers={**admin, "If-Match": fresh.headers["ETag"]})
    assert updated.status_code == 200 and updated.get_json()["title"] == "Mine"
    assert updated.headers["ETag"] != fresh.headers["ETag"]


def test_if_none_match_answers_304(client, admin, meeting):
    response = client.get(BASE, headers=admin)
    again = client.get(BASE, headers={**admin, "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    client.patch(BASE, json={"description": "New."}, headers=admin)
    assert client.get(BASE, headers={**admin, "If-None-Match": response.headers["ETag"]}).status_code == 200


def test_entity_tag_lists_and_weak_tags_validate(client, admin, meeting):
    current = client.get(BASE, headers=admin).headers["ETag"]
    for header in (f'"other", {current}', f"W/{current}", f'W/"other" , W/{current}'):
        assert client.get(BASE, headers={**admin, "If-None-Match": header}).status_code == 304, header
    # Any version (*) is no copy of the client's: a GET answers it in full.
    assert client.get(BASE, headers={**admin, "If-None-Match": "*"}).status_code == 200
    assert_refused(client.patch(BASE, json={"series": "A"}, headers={**admin, "If-Match": '"a", "b"'}), 412)
    for form in ('"other", {}', "W/{}", "*"):
        header = form.format(current)
        response = client.patch(BASE, json={"series": header}, headers={**admin, "If-Match": header})
        assert response.status_code == 200, header
        current = response.headers["ETag"]


# Auth


def test_writes_need_a_token(client, app, meeting):
    before = row_counts(app)
    for method, path in (
        ("post", "/api/v1/conferences"),
        ("post", f"{BASE}/sessions"),
        ("patch", BASE),
        ("delete", BASE),
        ("post", "/api/v1/people"),
        ("post", f"{BASE}/rooms"),
    ):
        response = getattr(client, method)(path, json={})
        assert_refused(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert row_counts(app) == before


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Basic dXNlcjpwYXNz", "Bearer "])
def test_bad_tokens_are_401(client, meeting, header):
    assert_refused(client.post(f"{BASE}/rooms", json={"name": "X"}, headers={"Authorization": header}), 401)


def test_revoked_token_is_401(client, runner, meeting):
    headers = issue_token(runner, "--role", "organizer", "--conference", SLUG, "--name", "ops")
    assert client.post(f"{BASE}/rooms", json={"name": "X"}, headers=headers).status_code == 201
    listing = runner.invoke(args=["tokens", "list"]).output
    line = next(line for line in listing.splitlines() if "\tops\t" in line)
    assert headers["Authorization"].split()[1] not in listing
    assert runner.invoke(args=["tokens", "revoke", line.split("\t")[0]]).exit_code == 0
    assert "revoked" in runner.invoke(args=["tokens", "list"]).output
    assert_refused(client.post(f"{BASE}/rooms", json={"name": "Y"}, headers=headers), 401)


def test_tokens_are_stored_only_as_hashes(app, runner, admin):
    from sqlalchemy import text

    from eventapp.db import get_engine

    secret = admin["Authorization"].split()[1]
    with get_engine(app).connect() as connection:
        rows = connection.execute(text("SELECT * FROM api_tokens")).all()
    assert rows and all(secret not in str(value) for row in rows for value in row)


def test_organizer_token_writes_only_its_conference(client, runner, app, admin, meeting, seeded):
    organizer = issue_token(runner, "--role", "organizer", "--conference", SLUG)
    assert client.post(f"{BASE}/sessions", json=session_body(meeting), headers=organizer).status_code == 201
    before = row_counts(app)
    assert_refused(
        client.post("/api/v1/conferences/dia-japan-2025/rooms", json={"name": "X"}, headers=organizer), 403
    )
    assert_refused(
        client.patch("/api/v1/conferences/dia-japan-2025", json={"name": "X"}, headers=organizer), 403
    )
    assert_refused(
        client.post(
            "/api/v1/conferences",
            json={
                "slug": "x",
                "name": "X",
                "timezone": "UTC",
                "start_date": "2026-01-01",
                "end_date": "2026-01-01",
            },
            headers=organizer,
        ),
        403,
    )
    assert_refused(client.delete(BASE, headers=organizer), 403)
    # A person who speaks at another conference is shared: only an admin may change them.
    su_ling = next(
        p
        for s in client.get("/api/v1/conferences/dia-japan-2025/sessions").get_json()["items"]
        for p in s["participants"]
        if p["person"]["display_name"] == "Su Ling"
    )["person"]
    assert_refused(
        client.patch(f"/api/v1/people/{su_ling['id']}", json={"position": "X"}, headers=organizer), 403
    )
    assert row_counts(app) == before
    # Ling Su (slug ling-su) speaks only at the organizer's own conference.
    own_speaker = client.patch(
        f"/api/v1/people/{meeting['Su']}", json={"position": "Director"}, headers=organizer
    )
    assert own_speaker.status_code == 200
    assert (
        client.patch(f"/api/v1/people/{su_ling['id']}", json={"position": "X"}, headers=admin).status_code
        == 200
    )


def test_drafts_need_a_token_that_reaches_them(client, runner, admin, meeting, seeded):
    assert_refused(client.get(BASE), 404)
    assert [c["slug"] for c in client.get("/api/v1/conferences").get_json()["items"]] == ["dia-japan-2025"]
    own = issue_token(runner, "--role", "organizer", "--conference", SLUG)
    other = issue_token(runner, "--role", "organizer", "--conference", "dia-japan-2025")
    assert client.get(BASE, headers=own).status_code == 200
    assert_refused(client.get(BASE, headers=other), 404)
    assert {c["slug"] for c in client.get("/api/v1/conferences", headers=own).get_json()["items"]} == {
        SLUG,
        "dia-japan-2025",
    }
    # Draft sessions of a published conference
    client.patch(BASE, json={"status": "published"}, headers=admin)
    draft = client.post(
        f"{BASE}/sessions", json=session_body(meeting, status="draft"), headers=admin
    ).get_json()
    assert client.get(f"{BASE}/sessions").get_json()["total"] == 0
    assert_refused(client.get(f"{BASE}/sessions/{draft['id']}"), 404)
    assert client.get(f"{BASE}/sessions", headers=own).get_json()["total"] == 1
    assert client.get(f"{BASE}/sessions/{draft['id']}", headers=own).status_code == 200


def test_tokens_cli_refuses_bad_scopes(runner, seeded):
    assert runner.invoke(args=["tokens", "create", "--role", "organizer"]).exit_code != 0
    assert (
        runner.invoke(args=["tokens", "create", "--role", "organizer", "--conference", "nope"]).exit_code != 0
    )
    assert (
        runner.invoke(
            args=["tokens", "create", "--role", "admin", "--conference", "dia-japan-2025"]
        ).exit_code
        != 0
    )
    assert runner.invoke(args=["tokens", "revoke", "999"]).exit_code != 0
