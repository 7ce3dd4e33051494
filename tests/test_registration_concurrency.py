"""Fifty attendees at once for a ten-seat session: exactly ten confirmed, forty waitlisted in order, and the
counter equal to the rows; on SQLite, and on PostgreSQL when TEST_DATABASE_URL names one."""

from __future__ import annotations

import threading

from sqlalchemy import text

from eventapp.db import get_engine

SLUG = "rush-2030"
BASE = f"/api/v1/conferences/{SLUG}"
CLIENTS = 50
SEATS = 10


def _setup(client, admin, **registration) -> int:
    conference = {
        "slug": SLUG,
        "name": "Rush",
        "timezone": "Asia/Tokyo",
        "start_date": "2030-10-18",
        "end_date": "2030-10-18",
        "status": "published",
        "registration": {"waitlist_mode": "auto", **registration},
    }
    assert client.post("/api/v1/conferences", json=conference, headers=admin).status_code == 201
    workshop = {
        "code": "W",
        "title": "Workshop",
        "status": "confirmed",
        "starts_at": "2030-10-18T10:00",
        "ends_at": "2030-10-18T11:00",
        "registration_required": True,
        "capacity": SEATS,
    }
    answer = client.post(f"{BASE}/sessions", json=workshop, headers=admin)
    assert answer.status_code == 201
    return answer.get_json()["id"]


def _race(app, requests) -> list:
    """Send every (method, path, body) at once, each from its own client and thread."""
    barrier = threading.Barrier(len(requests))
    answers: list = [None] * len(requests)

    def send(index, method, path, body):
        client = app.test_client()
        barrier.wait()
        answers[index] = client.open(path, method=method, json=body)

    threads = [threading.Thread(target=send, args=(i, *r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return answers


def _counted(app, session_id: int) -> dict:
    with get_engine(app).connect() as connection:
        row = lambda sql: connection.execute(text(sql), {"s": session_id}).scalar_one()  # noqa: E731
        return {
            "taken": row("SELECT taken FROM seat_counters WHERE session_id = :s"),
            "holding": row(
                "SELECT count(*) FROM seats WHERE session_id = :s AND status IN ('confirmed', 'offered')"
            ),
            "duplicates": row(
                "SELECT count(*) FROM (SELECT registration_id FROM seats WHERE session_id = :s AND active IS NOT NULL"
                " GROUP BY registration_id HAVING count(*) > 1) d"
            ),
        }


def test_fifty_registrants_for_ten_seats(app, client, admin):
    session_id = _setup(client, admin)
    bodies = [
        {"given_name": f"G{i}", "family_name": "F", "email": f"r{i}@example.org", "session_ids": [session_id]}
        for i in range(CLIENTS)
    ]
    answers = _race(app, [("POST", f"{BASE}/registrations", b) for b in bodies])

    assert sorted(a.status_code for a in answers) == [201] * CLIENTS
    seats = [a.get_json()["seats"][0] for a in answers]
    assert sum(s["status"] == "confirmed" for s in seats) == SEATS
    waitlisted = sorted(s["position"] for s in seats if s["status"] == "waitlisted")
    assert waitlisted == list(range(1, CLIENTS - SEATS + 1))
    assert _counted(app, session_id) == {"taken": SEATS, "holding": SEATS, "duplicates": 0}
    availability = client.get(f"{BASE}/sessions/{session_id}/availability").get_json()
    assert availability == {
        "capacity": SEATS,
        "confirmed": SEATS,
        "offered": 0,
        "waitlisted": CLIENTS - SEATS,
        "available": 0,
    }


def test_one_person_taking_the_same_seat_fifty_times(app, client, admin):
    session_id = _setup(client, admin)
    body = {"given_name": "G", "family_name": "F", "email": "one@example.org"}
    token = client.post(f"{BASE}/registrations", json=body).get_json()["token"]
    answers = _race(
        app, [("POST", f"/api/v1/registrations/{token}/sessions", {"session_id": session_id})] * CLIENTS
    )
    assert sorted(a.status_code for a in answers) == [201] + [409] * (CLIENTS - 1)
    assert _counted(app, session_id) == {"taken": 1, "holding": 1, "duplicates": 0}


def test_withdrawals_racing_promote_one_each(app, client, admin):
    session_id = _setup(client, admin)
    tokens = [
        client.post(
            f"{BASE}/registrations",
            json={
                "given_name": "G",
                "family_name": "F",
                "email": f"w{i}@example.org",
                "session_ids": [session_id],
            },
        ).get_json()["token"]
        for i in range(SEATS * 2)
    ]
    # The ten confirmed all give up at once: the ten on the waitlist are each promoted once.
    answers = _race(
        app, [("DELETE", f"/api/v1/registrations/{t}/sessions/{session_id}", None) for t in tokens[:SEATS]]
    )
    assert [a.status_code for a in answers] == [204] * SEATS
    statuses = [
        client.get(f"/api/v1/registrations/{t}").get_json()["seats"][-1]["status"] for t in tokens[SEATS:]
    ]
    assert statuses == ["confirmed"] * SEATS
    assert _counted(app, session_id) == {"taken": SEATS, "holding": SEATS, "duplicates": 0}
