"""What a newcomer to the API runs into first: bodies that are not JSON, where a new item lives."""

from __future__ import annotations

import pytest
from helpers import issue_token, make_app

from eventapp.db import get_engine

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
            f"{BASE}/tracks",
            data=f'{{"name": "T {content_type[:16]}"}}',
            headers={**admin, "Content-Type": content_type},
        )
        assert response.status_code == 201, response.get_json()


def test_a_bodiless_write_is_judged_by_its_fields_not_its_type(client, admin, conference):
    response = client.post(f"{BASE}/rooms", headers=admin)
    assert response.status_code == 422
    assert response.get_json()["code"] == "validation_failed"


def test_every_201_carries_the_location_of_what_it_made(client, admin, conference):
    org = client.post("/api/v1/organizations", json={"name": "PMDA", "kind": "regulator"}, headers=admin)
    person = client.post(
        "/api/v1/people",
        json={"given_name": "Ling", "family_name": "Su", "organization_id": org.get_json()["id"]},
        headers=admin,
    )
    room = client.post(f"{BASE}/rooms", json={"name": "Room 605"}, headers=admin)
    track = client.post(f"{BASE}/tracks", json={"name": "Asia"}, headers=admin)
    booth = client.post(
        f"{BASE}/booths", json={"label": "A1", "organization_id": org.get_json()["id"]}, headers=admin
    )
    session = client.post(
        f"{BASE}/sessions",
        json={
            "code": "S1",
            "title": "Opening",
            "starts_at": "2026-10-18T09:00",
            "ends_at": "2026-10-18T10:00",
            "room_id": room.get_json()["id"],
        },
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


DIA = "/api/v1/conferences/dia-japan-2025"


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        (f"{DIA}/sessions?tracks=2", "tracks"),
        (f"{DIA}/sessions?speaker=7&page=1", "speaker"),
        ("/api/v1/people?name=Su", "name"),
        ("/api/v1/organizations?country=JP", "country"),
        (f"{DIA}/rooms?capacity=10", "capacity"),
        ("/api/v1/conferences?year=2025", "year"),
        ("/api/v1/people/1/sessions?conference=dia-japan-2025", "conference"),
    ],
)
def test_an_unknown_query_parameter_is_400_naming_it(client, seeded, path, parameter):
    response = client.get(path)
    assert response.status_code == 400, response.get_json()
    body = response.get_json()
    assert body["code"] == "bad_request"
    unknown = [e for e in body["errors"] if e["field"] == parameter]
    assert unknown and unknown[0]["location"] == "query"
    assert "Unknown parameter" in unknown[0]["message"] and "page_size" in unknown[0]["message"]


def test_known_parameters_still_filter(client, seeded):
    sessions = client.get(f"{DIA}/sessions?kind=roundtable").get_json()
    assert [s["code"] for s in sessions["items"]] == ["RT-CN-JP"]


@pytest.mark.parametrize(
    ("query", "field"),
    [("track=9999", "track"), ("room=9999", "room"), ("person=9999", "person")],
)
def test_a_filter_naming_what_the_conference_does_not_have_is_404(client, admin, seeded, query, field):
    response = client.get(f"{DIA}/sessions?{query}")
    assert response.status_code == 404
    assert response.get_json()["errors"][0] == {
        "location": "query",
        "field": field,
        "message": response.get_json()["message"],
    }


def test_a_room_of_another_conference_is_not_a_filter_of_this_one(client, admin, seeded, conference):
    room = client.post(f"{BASE}/rooms", json={"name": "Elsewhere"}, headers=admin).get_json()
    assert client.get(f"{DIA}/sessions?room={room['id']}").status_code == 404
    assert client.get(f"{BASE}/sessions?room={room['id']}", headers=admin).status_code == 200


@pytest.mark.parametrize(
    ("q", "codes"),
    [
        ("Town Hall", {"CN-TOWN-HALL"}),  # the title
        ("タウンホール", {"CN-TOWN-HALL"}),  # the title in a translation
        ("ICH E17", {"RT-CN-JP"}),  # the abstract
        ("sat-tigermed", {"SAT-TIGERMED"}),  # the code, in any case
        ("Asahina", {"RT-CN-JP"}),  # a person's family name
        ("Ling Su", {"CN-TOWN-HALL"}),  # a whole name, in either order
        ("Su Ling", {"CN-TOWN-HALL"}),
        ("宇山", {"RT-CN-JP"}),  # a native name
    ],
)
def test_session_search_looks_in_titles_abstracts_codes_and_names(client, seeded, q, codes):
    found = client.get(f"{DIA}/sessions", query_string={"q": q, "page_size": 200}).get_json()["items"]
    assert {s["code"] for s in found} == codes


def test_people_search_looks_in_names_and_organizations(client, seeded):
    def slugs(q):
        return {
            p["slug"]
            for p in client.get("/api/v1/people", query_string={"q": q, "page_size": 200}).get_json()["items"]
        }

    assert slugs("Uyama") == {"yoshiaki-uyama"}
    assert slugs("Yoshiaki Uyama") == {"yoshiaki-uyama"}
    assert {"yoshiaki-uyama", "yasuko-asahina"} <= slugs("PMDA")
    assert "sun-lixia" not in slugs("PMDA")
    assert "sun-lixia" in slugs("Tigermed")


def test_a_session_by_its_code_and_a_person_by_slug(client, seeded):
    by_code = client.get(f"{DIA}/sessions/by-code/RT-CN-JP")
    assert by_code.status_code == 200
    own = client.get(by_code.headers["Content-Location"])
    assert own.get_json() == by_code.get_json() and own.headers["ETag"] == by_code.headers["ETag"]
    assert (
        client.get(
            f"{DIA}/sessions/by-code/RT-CN-JP", headers={"If-None-Match": own.headers["ETag"]}
        ).status_code
        == 304
    )
    missing = client.get(f"{DIA}/sessions/by-code/NOPE")
    assert missing.status_code == 404 and missing.get_json()["errors"][0]["field"] == "code"

    by_slug = client.get("/api/v1/people/by-slug/su-ling")
    assert by_slug.status_code == 200 and by_slug.get_json()["display_name"] == "Su Ling"
    assert client.get(by_slug.headers["Content-Location"]).get_json() == by_slug.get_json()
    assert client.get("/api/v1/people/by-slug/nobody").status_code == 404


def test_a_person_links_to_their_sessions_and_calendar(client, admin, seeded):
    person = client.get("/api/v1/people/by-slug/yoshiaki-uyama").get_json()
    sessions = client.get(person["links"]["sessions"])
    assert sessions.status_code == 200
    assert [(s["conference"], s["code"]) for s in sessions.get_json()["items"]] == [
        ("dia-japan-2025", "RT-CN-JP")
    ]
    feed = client.get(person["links"]["schedule_ics"])
    assert feed.status_code == 200 and b"SUMMARY:Delivering Innovative" in feed.data.replace(b"\r\n ", b"")

    # A draft session shows only to a token that reaches it.
    room = client.get(f"{DIA}/rooms").get_json()["items"][0]["id"]
    draft = client.post(
        f"{DIA}/sessions",
        json={
            "code": "DRAFT-1",
            "title": "Not yet",
            "starts_at": "2025-10-19T08:00",
            "ends_at": "2025-10-19T08:30",
            "room_id": room,
            "participants": [{"person_id": person["id"], "role": "speaker"}],
        },
        headers=admin,
    )
    assert draft.status_code == 201, draft.get_json()
    public = [s["code"] for s in client.get(person["links"]["sessions"]).get_json()["items"]]
    seen = [s["code"] for s in client.get(person["links"]["sessions"], headers=admin).get_json()["items"]]
    assert public == ["RT-CN-JP"] and seen == ["DRAFT-1", "RT-CN-JP"]
    assert client.get("/api/v1/people/99999/sessions").status_code == 404


@pytest.fixture
def berlin(client, admin):
    """A meeting in Berlin over both of 2026's clock changes, with one room."""
    body = {
        "slug": "berlin-2026",
        "name": "Berlin",
        "timezone": "Europe/Berlin",
        "start_date": "2026-03-28",
        "end_date": "2026-10-26",
    }
    assert client.post("/api/v1/conferences", json=body, headers=admin).status_code == 201
    room = client.post("/api/v1/conferences/berlin-2026/rooms", json={"name": "Saal 1"}, headers=admin)
    return room.get_json()["id"]


def test_a_local_time_the_clocks_skip_is_422_naming_the_field(client, admin, berlin):
    url = "/api/v1/conferences/berlin-2026/sessions"
    body = {
        "title": "Gap",
        "starts_at": "2026-03-29T02:30",
        "ends_at": "2026-03-29T03:15",
        "room_id": berlin,
        "status": "confirmed",
    }
    response = client.post(url, json=body, headers=admin)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["errors"][0]
    assert error["field"] == "starts_at" and "does not exist in Europe/Berlin" in error["message"]
    assert client.get(url, headers=admin).get_json()["total"] == 0
    # Just after the gap is a real time: 03:00 CEST is 01:00 UTC.
    fine = client.post(url, json={**body, "starts_at": "2026-03-29T03:00"}, headers=admin)
    assert fine.status_code == 201 and fine.get_json()["starts_at"] == "2026-03-29T03:00:00+02:00"


def test_a_local_time_that_happens_twice_needs_its_offset(client, admin, berlin):
    url = "/api/v1/conferences/berlin-2026/sessions"
    body = {
        "title": "Twice",
        "starts_at": "2026-10-25T02:30",
        "ends_at": "2026-10-25T04:00",
        "room_id": berlin,
    }
    response = client.post(url, json=body, headers=admin)
    assert response.status_code == 422
    error = response.get_json()["errors"][0]
    assert error["field"] == "starts_at" and "+02:00" in error["message"] and "+01:00" in error["message"]
    # With its offset it is one instant, whichever of the two is meant.
    for offset in ("+02:00", "+01:00"):
        made = client.post(url, json={**body, "starts_at": f"2026-10-25T02:30:00{offset}"}, headers=admin)
        assert made.status_code == 201 and made.get_json()["starts_at"] == f"2026-10-25T02:30:00{offset}"


def test_end_before_start_as_instants_is_422_not_a_database_error(client, admin, berlin):
    url = "/api/v1/conferences/berlin-2026/sessions"
    # 03:10 CEST is 01:10 UTC; 02:05 CET is 01:05 UTC: the end comes first, though its wall time is later.
    body = {
        "title": "Backwards",
        "starts_at": "2026-10-25T02:10:00+01:00",
        "ends_at": "2026-10-25T02:05",
        "room_id": berlin,
    }
    response = client.post(url, json={**body, "ends_at": "2026-10-25T02:05:00+02:00"}, headers=admin)
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "ends_at"
    mixed = client.post(
        url, json={**body, "starts_at": "2026-03-29T03:10", "ends_at": "2026-03-29T01:05:00Z"}, headers=admin
    )
    assert mixed.status_code == 422 and mixed.get_json()["errors"][0]["field"] == "ends_at"


def test_seed_tools_report_a_time_in_the_gap_as_a_problem(runner, tmp_path):
    seed = tmp_path / "berlin.yaml"
    seed.write_text(
        "conference:\n  slug: berlin-seed\n  name: Berlin\n  timezone: Europe/Berlin\n"
        '  start_date: "2026-03-28"\n  end_date: "2026-03-30"\nrooms:\n  - name: Saal 1\n'
        "sessions:\n  - code: GAP\n    title: Gap\n    status: confirmed\n    room: Saal 1\n"
        '    starts_at: "2026-03-29T02:30"\n    ends_at: "2026-03-29T03:15"\n',
        encoding="utf-8",
    )
    for command in ("validate", "load"):
        result = runner.invoke(args=["seed", command, str(seed)])
        assert result.exit_code != 0
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "does not exist in Europe/Berlin" in result.output, result.output


def test_every_double_booking_is_reported_in_one_answer(client, admin, seeded):
    rooms = {r["name"]: r["id"] for r in client.get(DIA).get_json()["rooms"]}
    sun, asahina = (
        client.get(f"/api/v1/people/by-slug/{slug}").get_json()["id"]
        for slug in ("sun-lixia", "yasuko-asahina")
    )
    body = {
        "code": "CLASH",
        "title": "Everything at once",
        "status": "confirmed",
        "room_id": rooms["Room 605"],
        "starts_at": "2025-10-20T12:30",
        "ends_at": "2025-10-20T14:00",
        "participants": [{"person_id": sun, "role": "speaker"}, {"person_id": asahina, "role": "panelist"}],
    }
    response = client.post(f"{DIA}/sessions", json=body, headers=admin)
    assert response.status_code == 409
    found = {(e["field"], e["session"]["code"]) for e in response.get_json()["errors"]}
    assert ("room_id", "RT-CN-JP") in found  # the room
    assert ("participants", "SAT-TIGERMED") in found  # Sun Lixia's talk
    assert ("participants", "RT-CN-JP") in found  # Asahina's
    message = response.get_json()["message"]
    assert "Sun Lixia" in message and "Yasuko Asahina" in message and "Room 605" in message
    assert client.get(f"{DIA}/sessions/by-code/CLASH", headers=admin).status_code == 404


@pytest.mark.parametrize(
    ("dates", "field"),
    [({"end_date": "2025-10-20"}, "end_date"), ({"start_date": "2025-10-20"}, "start_date")],
)
def test_shrinking_a_conference_past_its_sessions_is_409_on_the_date_that_moved(
    client, admin, seeded, dates, field
):
    before = client.get(DIA).get_json()
    response = client.patch(DIA, json=dates, headers=admin)
    assert response.status_code == 409
    assert response.get_json()["errors"][0]["field"] == field
    assert "cancel" in response.get_json()["message"]
    assert client.get(DIA).get_json() == before


def test_a_new_session_is_a_draft_that_the_public_does_not_see(client, admin, seeded):
    room = client.get(DIA).get_json()["rooms"][0]["id"]
    made = client.post(
        f"{DIA}/sessions",
        json={
            "title": "Quiet",
            "starts_at": "2025-10-19T07:00",
            "ends_at": "2025-10-19T07:30",
            "room_id": room,
        },
        headers=admin,
    )
    assert made.status_code == 201 and made.get_json()["status"] == "draft"
    assert client.get(made.headers["Location"]).status_code == 404
    assert "Quiet" not in client.get(f"{DIA}/schedule.ics").get_data(as_text=True)


def test_a_draft_is_not_found_by_its_code_unless_the_token_reaches_it(client, admin, seeded):
    room = client.get(DIA).get_json()["rooms"][0]["id"]
    body = {
        "code": "SECRET-1",
        "title": "Not yet",
        "starts_at": "2025-10-19T07:00",
        "ends_at": "2025-10-19T07:30",
        "room_id": room,
    }
    assert client.post(f"{DIA}/sessions", json=body, headers=admin).status_code == 201
    hidden, absent = (
        client.get(f"{DIA}/sessions/by-code/SECRET-1"),
        client.get(f"{DIA}/sessions/by-code/NOPE-1"),
    )
    assert hidden.status_code == absent.status_code == 404
    assert hidden.get_json()["errors"][0]["field"] == absent.get_json()["errors"][0]["field"] == "code"
    assert "SECRET-1" in hidden.get_json()["message"] and "NOPE-1" in absent.get_json()["message"]
    assert client.get(f"{DIA}/sessions/by-code/SECRET-1", headers=admin).status_code == 200


@pytest.mark.parametrize("code", ["A%00B", "A%0AB", "A%7FB"])
def test_a_code_with_a_control_character_is_no_route(client, seeded, code):
    response = client.get(f"{DIA}/sessions/by-code/{code}")
    assert response.status_code == 404 and response.get_json()["code"] == "not_found"


def test_a_person_in_two_roles_of_the_other_session_is_one_double_booking(client, admin, seeded):
    rooms = {r["name"]: r["id"] for r in client.get(DIA).get_json()["rooms"]}
    sun = client.get("/api/v1/people/by-slug/sun-lixia").get_json()["id"]
    both_roles = {
        "code": "TWO-ROLES",
        "title": "Two roles",
        "status": "confirmed",
        "room_id": rooms["Room 605"],
        "starts_at": "2025-10-19T07:00",
        "ends_at": "2025-10-19T08:00",
        "participants": [{"person_id": sun, "role": "speaker"}, {"person_id": sun, "role": "moderator"}],
    }
    assert client.post(f"{DIA}/sessions", json=both_roles, headers=admin).status_code == 201
    clash = {
        **both_roles,
        "code": "CLASH-2",
        "room_id": rooms["Room 101"],
        "participants": [{"person_id": sun, "role": "panelist"}],
    }
    response = client.post(f"{DIA}/sessions", json=clash, headers=admin)
    assert response.status_code == 409
    assert [(e["field"], e["session"]["code"]) for e in response.get_json()["errors"]] == [
        ("participants", "TWO-ROLES")
    ]


def test_a_route_that_does_not_exist_is_404_whatever_the_body(client, admin):
    response = client.post("/api/v1/nope", data="x=1", headers={**admin, "Content-Type": "text/plain"})
    assert response.status_code == 404
    wrong_method = client.put("/api/v1/people", data="x=1", headers={**admin, "Content-Type": "text/plain"})
    assert wrong_method.status_code == 405


def test_new_addresses_use_the_public_base_url(database_url, app, seeded):
    public = make_app(database_url, PUBLIC_BASE_URL="https://events.example.org")
    try:
        client = public.test_client()
        admin = issue_token(public.test_cli_runner(), "--role", "admin")
        room = client.post(f"{DIA}/rooms", json={"name": "Room 9"}, headers=admin)
        assert room.headers["Location"] == f"https://events.example.org{DIA}/rooms/{room.get_json()['id']}"
        person = client.get("/api/v1/people/by-slug/su-ling")
        assert person.headers["Content-Location"].startswith("https://events.example.org/api/v1/people/")
        assert person.get_json()["links"]["sessions"].startswith("https://events.example.org/api/v1/people/")
        by_code = client.get(f"{DIA}/sessions/by-code/RT-CN-JP")
        assert by_code.headers["Content-Location"].startswith(f"https://events.example.org{DIA}/sessions/")
    finally:
        get_engine(public).dispose()
