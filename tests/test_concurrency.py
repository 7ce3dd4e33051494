"""Concurrent bookings: twenty clients at once, exactly one wins, the rest get 409, nothing else is stored."""

from __future__ import annotations

import threading

import pytest
from helpers import row_counts

SLUG = "race-2026"
BASE = f"/api/v1/conferences/{SLUG}"
CLIENTS = 20


@pytest.fixture
def venue(client, admin):
    conference = {
        "slug": SLUG,
        "name": "Race",
        "timezone": "Asia/Tokyo",
        "start_date": "2026-10-18",
        "end_date": "2026-10-18",
        "status": "published",
    }
    assert client.post("/api/v1/conferences", json=conference, headers=admin).status_code == 201
    rooms = [
        client.post(f"{BASE}/rooms", json={"name": f"Room {i}"}, headers=admin).get_json()["id"]
        for i in range(CLIENTS)
    ]
    people = [
        client.post(
            "/api/v1/people", json={"given_name": f"P{i}", "family_name": "Racer"}, headers=admin
        ).get_json()["id"]
        for i in range(CLIENTS)
    ]
    return rooms, people


def race(app, headers, bodies) -> list[int]:
    """POST every body at once, each from its own client and thread; the status codes they got."""
    barrier = threading.Barrier(len(bodies))
    statuses: list[int] = []

    def book(body):
        client = app.test_client()
        barrier.wait()
        statuses.append(client.post(f"{BASE}/sessions", json=body, headers=headers).status_code)

    threads = [threading.Thread(target=book, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def session(code: str, minute: int, room: int, people: list[int]) -> dict:
    return {
        "code": code,
        "title": f"Session {code}",
        "status": "confirmed",
        "starts_at": f"2026-10-18T10:{minute:02d}",
        "ends_at": f"2026-10-18T11:{minute:02d}",
        "room_id": room,
        "participants": [{"person_id": p, "role": "speaker"} for p in people],
    }


def stored_sessions(client, headers) -> list[dict]:
    return client.get(f"{BASE}/sessions?page_size=200", headers=headers).get_json()["items"]


def test_twenty_clients_booking_one_room_at_once(app, client, admin, venue):
    rooms, people = venue
    before = row_counts(app)
    bodies = [session(f"R{i}", i, rooms[0], [people[i]]) for i in range(CLIENTS)]

    statuses = race(app, admin, bodies)

    assert sorted(statuses) == [201] + [409] * (CLIENTS - 1), statuses
    stored = stored_sessions(client, admin)
    assert len(stored) == 1 and stored[0]["room_id"] == rooms[0]
    after = row_counts(app)
    assert after["program_sessions"] == before["program_sessions"] + 1
    assert after["participations"] == before["participations"] + 1  # the winner's speaker, nobody else's


def test_twenty_clients_booking_one_person_at_once(app, client, admin, venue):
    rooms, people = venue
    before = row_counts(app)
    bodies = [
        session(f"P{i}", i, rooms[i], [people[0], people[i]] if i else [people[0]]) for i in range(CLIENTS)
    ]

    statuses = race(app, admin, bodies)

    assert sorted(statuses) == [201] + [409] * (CLIENTS - 1), statuses
    stored = stored_sessions(client, admin)
    assert len(stored) == 1
    assert people[0] in [p["person_id"] for p in stored[0]["participants"]]
    after = row_counts(app)
    assert after["program_sessions"] == before["program_sessions"] + 1
    assert after["participations"] == before["participations"] + len(stored[0]["participants"])


def test_bookings_that_do_not_collide_all_succeed(app, client, admin, venue):
    rooms, people = venue
    bodies = [session(f"F{i}", 0, rooms[i], [people[i]]) for i in range(CLIENTS)]
    assert sorted(race(app, admin, bodies)) == [201] * CLIENTS
    assert len(stored_sessions(client, admin)) == CLIENTS
