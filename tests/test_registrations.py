"""Attendee registration through the API: seats, waitlists and their promotion, overlaps, approval, offers,
idempotency, organizers' lists, check-in, erasure and the person's calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from helpers import issue_token
from sqlalchemy import text

from eventapp.db import get_engine

SLUG = "reg-2030"
BASE = f"/api/v1/conferences/{SLUG}"
DAY = "2030-10-18"


def person(n: int, **extra) -> dict:
    return {"given_name": f"Given{n}", "family_name": f"Family{n}", "email": f"p{n}@example.org", **extra}


@pytest.fixture
def make_conference(client, admin):
    def make(**registration):
        settings = {"waitlist_mode": "auto", **registration}
        conference = {
            "slug": SLUG,
            "name": "Registration Meeting",
            "timezone": "Asia/Tokyo",
            "start_date": DAY,
            "end_date": DAY,
            "status": "published",
            "registration": settings,
        }
        answer = client.post("/api/v1/conferences", json=conference, headers=admin)
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()

    return make


@pytest.fixture
def make_session(client, admin):
    def make(code: str, start: str = "10:00", end: str = "11:00", capacity: int | None = 2, **extra):
        body = {
            "code": code,
            "title": f"Workshop {code}",
            "kind": "workshop",
            "status": "confirmed",
            "starts_at": f"{DAY}T{start}",
            "ends_at": f"{DAY}T{end}",
            "registration_required": True,
            "capacity": capacity,
            **extra,
        }
        answer = client.post(f"{BASE}/sessions", json=body, headers=admin)
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()["id"]

    return make


def register(client, n: int, session_ids=(), **extra):
    return client.post(f"{BASE}/registrations", json=person(n, session_ids=list(session_ids), **extra))


def seat(registration: dict, session_id: int) -> dict:
    return next(
        s for s in registration["seats"] if s["session_id"] == session_id and s["status"] != "cancelled"
    )


def mine(client, token: str) -> dict:
    answer = client.get(f"/api/v1/registrations/{token}")
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def counter_matches_rows(app, session_id: int) -> tuple[int, int]:
    with get_engine(app).connect() as connection:
        taken = connection.execute(
            text("SELECT taken FROM seat_counters WHERE session_id = :s"), {"s": session_id}
        ).scalar_one()
        rows = connection.execute(
            text("SELECT count(*) FROM seats WHERE session_id = :s AND status IN ('confirmed', 'offered')"),
            {"s": session_id},
        ).scalar_one()
    return taken, rows


def test_registering_confirms_then_waitlists_and_shows_seats_left(client, app, make_conference, make_session):
    make_conference()
    s = make_session("W1", capacity=2)
    answers = [register(client, n, [s]) for n in range(4)]
    assert [a.status_code for a in answers] == [201] * 4
    bodies = [a.get_json() for a in answers]
    assert [seat(b, s)["status"] for b in bodies] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [seat(b, s)["position"] for b in bodies[2:]] == [1, 2]
    assert all(b["token"] and b["url"].endswith(b["token"]) for b in bodies)
    assert answers[0].headers["Location"] == bodies[0]["url"]
    session = client.get(f"{BASE}/sessions/{s}").get_json()
    assert session["registration_required"] is True and session["seats_left"] == 0
    availability = client.get(f"{BASE}/sessions/{s}/availability")
    assert availability.get_json() == {
        "capacity": 2,
        "confirmed": 2,
        "offered": 0,
        "waitlisted": 2,
        "available": 0,
    }
    assert (
        client.get(
            f"{BASE}/sessions/{s}/availability", headers={"If-None-Match": availability.headers["ETag"]}
        ).status_code
        == 304
    )
    assert counter_matches_rows(app, s) == (2, 2)
    # The token is shown once: reading the registration does not show it again.
    assert "token" not in mine(client, bodies[0]["token"])


def test_one_active_registration_per_address(client, make_conference):
    make_conference()
    assert register(client, 1).status_code == 201
    again = client.post(f"{BASE}/registrations", json={**person(1), "email": "P1@Example.org"})
    assert again.status_code == 409 and again.get_json()["code"] == "conflict"


def test_withdrawal_promotes_exactly_one(client, app, make_conference, make_session):
    make_conference()
    s = make_session("W1", capacity=1)
    first, second, third = (register(client, n, [s]).get_json() for n in range(3))
    assert client.delete(f"/api/v1/registrations/{first['token']}/sessions/{s}").status_code == 204
    assert seat(mine(client, second["token"]), s)["status"] == "confirmed"
    assert seat(mine(client, third["token"]), s) == {**seat(third, s), "position": 1}
    assert counter_matches_rows(app, s) == (1, 1)


def test_offer_mode_offers_then_accept_and_decline(client, app, make_conference, make_session):
    make_conference(waitlist_mode="offer", offer_hours=24)
    s = make_session("W1", capacity=1)
    first, second, third = (register(client, n, [s]).get_json() for n in range(3))
    client.delete(f"/api/v1/registrations/{first['token']}/sessions/{s}")
    offered = seat(mine(client, second["token"]), s)
    assert offered["status"] == "offered" and offered["offer_expires_at"]
    assert client.get(f"{BASE}/sessions/{s}/availability").get_json()["offered"] == 1
    declined = client.post(f"/api/v1/registrations/{second['token']}/sessions/{s}/decline")
    assert declined.status_code == 200
    assert seat(mine(client, third["token"]), s)["status"] == "offered"
    accepted = client.post(f"/api/v1/registrations/{third['token']}/sessions/{s}/accept")
    assert accepted.status_code == 200 and seat(accepted.get_json(), s)["status"] == "confirmed"
    assert client.post(f"/api/v1/registrations/{third['token']}/sessions/{s}/accept").status_code == 409
    assert counter_matches_rows(app, s) == (1, 1)


def test_an_expired_offer_moves_on_by_the_cli_and_on_reads(
    client, app, runner, make_conference, make_session
):
    make_conference(waitlist_mode="offer")
    s = make_session("W1", capacity=1)
    regs = [register(client, n, [s]).get_json() for n in range(4)]
    client.delete(f"/api/v1/registrations/{regs[0]['token']}/sessions/{s}")
    assert seat(mine(client, regs[1]["token"]), s)["status"] == "offered"
    past = datetime.now(UTC) - timedelta(minutes=1)
    with get_engine(app).begin() as connection:
        connection.execute(
            text("UPDATE seats SET offer_expires_at = :t WHERE status = 'offered'"),
            {"t": past.replace(tzinfo=None) if connection.dialect.name == "sqlite" else past},
        )
    result = runner.invoke(args=["registrations", "expire-offers"])
    assert result.exit_code == 0 and "expired 1 offers" in result.output
    assert seat_status(client, regs[1]["token"], s) == ("cancelled", "expired")
    assert seat(mine(client, regs[2]["token"]), s)["status"] == "offered"
    # Expired again, found this time by a read of the session's availability.
    with get_engine(app).begin() as connection:
        connection.execute(
            text("UPDATE seats SET offer_expires_at = :t WHERE status = 'offered'"),
            {"t": past.replace(tzinfo=None) if connection.dialect.name == "sqlite" else past},
        )
    assert client.get(f"{BASE}/sessions/{s}/availability").get_json()["offered"] == 1
    assert seat(mine(client, regs[3]["token"]), s)["status"] == "offered"
    assert counter_matches_rows(app, s) == (1, 1)
    # And once more, found by a read of the session itself: nobody is left waiting, so the seat is free.
    with get_engine(app).begin() as connection:
        connection.execute(
            text("UPDATE seats SET offer_expires_at = :t WHERE status = 'offered'"),
            {"t": past.replace(tzinfo=None) if connection.dialect.name == "sqlite" else past},
        )
    assert client.get(f"{BASE}/sessions/{s}").get_json()["seats_left"] == 1
    assert seat_status(client, regs[3]["token"], s) == ("cancelled", "expired")
    assert counter_matches_rows(app, s) == (0, 0)


def seat_status(client, token: str, session_id: int) -> tuple[str, str | None]:
    seats = [x for x in mine(client, token)["seats"] if x["session_id"] == session_id]
    return seats[-1]["status"], seats[-1]["reason"]


def test_overlapping_sessions_are_refused_naming_the_other(client, make_conference, make_session):
    make_conference()
    a = make_session("A", "10:00", "11:00", room_id=None)
    b = make_session("B", "10:30", "11:30")
    reg = register(client, 1, [a]).get_json()
    refused = client.post(f"/api/v1/registrations/{reg['token']}/sessions", json={"session_id": b})
    assert refused.status_code == 409
    assert f"session {a}" in refused.get_json()["message"]
    assert refused.get_json()["errors"][0]["session"]["id"] == a
    # Asking for both at once is refused whole: nothing half-written.
    both = register(client, 2, [a, b])
    assert both.status_code == 409
    assert register(client, 2, [a]).status_code == 201


def test_overlaps_allowed_when_the_conference_says_so(client, make_conference, make_session):
    make_conference(allow_overlaps=True)
    a = make_session("A", "10:00", "11:00")
    b = make_session("B", "10:30", "11:30")
    assert register(client, 1, [a, b]).status_code == 201


def test_promotion_skips_a_person_whose_confirmed_seat_overlaps(client, make_conference, make_session):
    make_conference()
    a = make_session("A", "10:00", "11:00", capacity=1)
    holder = register(client, 1, [a]).get_json()
    skipped = register(client, 2, [a]).get_json()  # first on A's waitlist ...
    e = make_session("E", "10:50", "11:10", capacity=5)
    # ... then confirmed in E, which overlaps A (a waitlist place is no seat, so E is not refused).
    taken = client.post(f"/api/v1/registrations/{skipped['token']}/sessions", json={"session_id": e})
    assert taken.status_code == 201 and seat(taken.get_json(), e)["status"] == "confirmed"
    nxt = register(client, 3, [a]).get_json()
    assert client.delete(f"/api/v1/registrations/{holder['token']}/sessions/{a}").status_code == 204
    assert seat(mine(client, skipped["token"]), a)["status"] == "waitlisted"
    assert seat(mine(client, nxt["token"]), a)["status"] == "confirmed"


def test_raised_capacity_promotes(client, admin, app, make_conference, make_session):
    make_conference()
    s = make_session("W1", capacity=1)
    regs = [register(client, n, [s]).get_json() for n in range(3)]
    assert client.patch(f"{BASE}/sessions/{s}", json={"capacity": 2}, headers=admin).status_code == 200
    assert [seat(mine(client, r["token"]), s)["status"] for r in regs] == [
        "confirmed",
        "confirmed",
        "waitlisted",
    ]
    assert client.patch(f"{BASE}/sessions/{s}", json={"capacity": 1}, headers=admin).status_code == 409
    assert counter_matches_rows(app, s) == (2, 2)


def test_cancelling_a_registration_and_organizer_paths_promote(
    client, admin, app, make_conference, make_session
):
    make_conference()
    s = make_session("W1", capacity=1)
    regs = [register(client, n, [s]).get_json() for n in range(5)]
    # The attendee cancels the whole registration.
    assert client.delete(f"/api/v1/registrations/{regs[0]['token']}").status_code == 204
    assert mine(client, regs[0]["token"])["status"] == "cancelled"
    assert seat(mine(client, regs[1]["token"]), s)["status"] == "confirmed"
    # An organizer cancels one seat.
    assert (
        client.delete(f"{BASE}/registrations/{regs[1]['id']}/sessions/{s}", headers=admin).status_code == 204
    )
    assert seat(mine(client, regs[2]["token"]), s)["status"] == "confirmed"
    # An organizer rejects a registration.
    rejected = client.patch(
        f"{BASE}/registrations/{regs[2]['id']}", json={"status": "rejected"}, headers=admin
    )
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "rejected"
    assert seat(mine(client, regs[3]["token"]), s)["status"] == "confirmed"
    # Erasure frees the future seat.
    assert client.post(f"{BASE}/registrations/{regs[3]['id']}/erase", headers=admin).status_code == 204
    assert seat(mine(client, regs[4]["token"]), s)["status"] == "confirmed"
    erased = client.get(f"{BASE}/registrations/{regs[3]['id']}", headers=admin).get_json()
    assert erased["erased"] is True and erased["email"] is None and erased["given_name"] is None
    assert client.get(f"/api/v1/registrations/{regs[3]['token']}").status_code == 410
    assert counter_matches_rows(app, s) == (1, 1)


def test_attendee_erasure_removes_personal_data(client, admin, make_conference, make_session):
    make_conference()
    s = make_session("W1", capacity=1)
    first, second = (register(client, n, [s]).get_json() for n in range(2))
    assert client.delete(f"/api/v1/registrations/{first['token']}?erase=true").status_code == 204
    assert seat(mine(client, second["token"]), s)["status"] == "confirmed"
    listing = client.get(f"{BASE}/registrations?q=p0@", headers=admin).get_json()
    assert listing["total"] == 0
    # The same address may register again.
    assert register(client, 0).status_code == 201


def test_approval_keeps_people_pending_not_waitlisted(client, admin, make_conference, make_session):
    make_conference(requires_approval=True)
    s = make_session("W1", capacity=1)
    first, second = (register(client, n, [s]).get_json() for n in range(2))
    assert first["status"] == "pending" and seat(first, s)["status"] == "pending"
    assert client.get(f"{BASE}/sessions/{s}/availability").get_json()["available"] == 1
    approve = client.patch(
        f"{BASE}/registrations/{second['id']}", json={"status": "confirmed"}, headers=admin
    )
    assert approve.status_code == 200 and seat(approve.get_json(), s)["status"] == "confirmed"
    approve = client.patch(f"{BASE}/registrations/{first['id']}", json={"status": "confirmed"}, headers=admin)
    assert seat(approve.get_json(), s) == {
        **seat(approve.get_json(), s),
        "status": "waitlisted",
        "position": 1,
    }


def test_meeting_capacity_and_window(client, make_conference):
    make_conference(capacity=1, closes_at="2099-01-01T00:00")
    assert register(client, 1).status_code == 201
    full = register(client, 2)
    assert full.status_code == 409 and "full" in full.get_json()["message"]


def test_registration_closed(client, make_conference):
    make_conference(closes_at="2020-01-01T00:00", opens_at="2019-01-01T00:00")
    assert register(client, 1).status_code == 409


def test_idempotency_key(client, app, make_conference, make_session):
    make_conference()
    s = make_session("W1")
    headers = {"Idempotency-Key": "abc-123"}
    body = person(1, session_ids=[s])
    first = client.post(f"{BASE}/registrations", json=body, headers=headers)
    again = client.post(f"{BASE}/registrations", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    other = client.post(f"{BASE}/registrations", json=person(2), headers=headers)
    assert other.status_code == 422 and other.get_json()["code"] == "validation_failed"
    with get_engine(app).connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM registrations")).scalar_one() == 1
        assert connection.execute(text("SELECT count(*) FROM seats")).scalar_one() == 1


def test_idempotency_key_while_running_is_409(client, app, make_conference):
    make_conference()
    now = datetime.now(UTC)
    with get_engine(app).begin() as connection:
        connection.execute(
            text(
                "INSERT INTO idempotency_keys (scope, key, fingerprint, created_at) VALUES (:scope, 'k', :fp, :now)"
            ),
            {
                "scope": f"POST {BASE}/registrations",
                "fp": _fingerprint(f"{BASE}/registrations", person(1)),
                "now": now.replace(tzinfo=None) if connection.dialect.name == "sqlite" else now,
            },
        )
    running = client.post(f"{BASE}/registrations", json=person(1), headers={"Idempotency-Key": "k"})
    assert running.status_code == 409 and running.headers["Retry-After"] == "1"


def _fingerprint(path: str, body: dict) -> str:
    import hashlib
    import json

    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"POST {path}\n{canonical}".encode()).hexdigest()


def test_organizer_lists_rosters_and_sponsor_copy(client, admin, runner, make_conference, make_session):
    make_conference()
    s = make_session("W1", capacity=5)
    register(client, 1, [s], organization="Acme", share_with_sponsor=True)
    register(client, 2, [s], organization="Other")
    listing = client.get(f"{BASE}/registrations?session_id={s}&status=confirmed", headers=admin).get_json()
    assert listing["total"] == 2
    assert client.get(f"{BASE}/registrations?q=acme", headers=admin).get_json()["total"] == 1
    csv_answer = client.get(f"{BASE}/registrations.csv", headers=admin)
    assert csv_answer.status_code == 200 and csv_answer.mimetype == "text/csv"
    assert "p1@example.org" in csv_answer.get_data(as_text=True)
    roster = client.get(f"{BASE}/sessions/{s}/registrations", headers=admin).get_json()
    assert len(roster["items"]) == 2
    sponsor = client.get(f"{BASE}/sessions/{s}/registrations.csv?for=sponsor", headers=admin).get_data(
        as_text=True
    )
    assert sponsor.splitlines() == ["given_name,family_name,organization", "Given1,Family1,Acme"]
    # Nothing personal without a token, and no organizer reads with none.
    assert client.get(f"{BASE}/registrations").status_code == 401
    assert client.get(f"{BASE}/sessions/{s}/registrations").status_code == 401
    assert "example.org" not in client.get(f"{BASE}/sessions/{s}").get_data(as_text=True)
    assert "example.org" not in client.get(f"{BASE}/sessions/{s}/availability").get_data(as_text=True)


def test_checkin_tokens_check_in_and_nothing_else(client, admin, runner, make_conference, make_session):
    make_conference()
    s = make_session("W1", capacity=5)
    reg = register(client, 1, [s]).get_json()
    desk = issue_token(runner, "--role", "checkin", "--conference", SLUG)
    body = {"registration_id": reg["id"], "session_id": s, "nonce": "scan-1"}
    first = client.post(f"{BASE}/checkins", json=body, headers=desk)
    assert first.status_code == 200 and first.get_json()["given_name"] == "Given1"
    again = client.post(f"{BASE}/checkins", json=body, headers=desk)
    assert again.status_code == 200 and again.get_json() == first.get_json()
    attendance = client.get(f"{BASE}/sessions/{s}/attendance", headers=admin).get_json()
    assert attendance == {"session_id": s, "checked_in": 1, "registered": 1}
    # A check-in token reads names (and no address), and writes nothing else.
    names = client.get(f"{BASE}/registrations", headers=desk).get_json()["items"]
    assert names[0]["given_name"] == "Given1" and "email" not in names[0] and "seats" not in names[0]
    assert client.get(f"{BASE}/registrations.csv", headers=desk).status_code == 403
    assert client.get(f"{BASE}/sessions/{s}/registrations", headers=desk).status_code == 403
    assert client.patch(f"{BASE}/sessions/{s}", json={"title": "x"}, headers=desk).status_code == 403
    assert (
        client.post("/api/v1/people", json={"given_name": "a", "family_name": "b"}, headers=desk).status_code
        == 403
    )


def test_calendar_shows_seat_states_and_cancels_with_higher_sequence(client, make_conference, make_session):
    make_conference()
    a = make_session("A", "10:00", "11:00", capacity=1)
    b = make_session("B", "12:00", "13:00", capacity=1)
    register(client, 9, [b])
    reg = register(client, 1, [a, b]).get_json()
    feed = client.get(f"/api/v1/registrations/{reg['token']}.ics")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    events = _events(feed.get_data(as_text=True))
    assert events["Workshop A"]["STATUS"] == "CONFIRMED"
    assert events["Workshop B"]["STATUS"] == "TENTATIVE"
    before = int(events["Workshop A"]["SEQUENCE"])
    client.delete(f"/api/v1/registrations/{reg['token']}/sessions/{a}")
    events = _events(client.get(f"/api/v1/registrations/{reg['token']}.ics").get_data(as_text=True))
    assert events["Workshop A"]["STATUS"] == "CANCELLED"
    assert int(events["Workshop A"]["SEQUENCE"]) > before


def test_a_cancelled_session_stays_in_the_calendar_as_cancelled(client, admin, make_conference, make_session):
    make_conference()
    a = make_session("A", "10:00", "11:00", capacity=3)
    reg = register(client, 1, [a]).get_json()
    path = f"/api/v1/registrations/{reg['token']}.ics"
    before = _events(client.get(path).get_data(as_text=True))["Workshop A"]
    assert (
        client.patch(f"{BASE}/sessions/{a}", json={"status": "cancelled"}, headers=admin).status_code == 200
    )
    after = _events(client.get(path).get_data(as_text=True))["Cancelled: Workshop A"]
    assert before["STATUS"] == "CONFIRMED" and after["STATUS"] == "CANCELLED"
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])


def _events(calendar: str) -> dict[str, dict[str, str]]:
    from icalendar import Calendar

    parsed = Calendar.from_ical(calendar)
    return {
        str(e["SUMMARY"]): {"STATUS": str(e["STATUS"]), "SEQUENCE": str(e["SEQUENCE"])}
        for e in parsed.walk("VEVENT")
    }


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"given_name": "a", "family_name": "b", "email": "not-an-address"},
        {**person(1), "session_ids": [0]},
        {**person(1), "session_ids": "x"},
        {**person(1), "language": "not a tag"},
        {**person(1), "surprise": 1},
    ],
)
def test_bad_registrations_are_422_in_the_error_shape(client, app, make_conference, body):
    make_conference()
    answer = client.post(f"{BASE}/registrations", json=body)
    assert answer.status_code == 422
    assert set(answer.get_json()) == {"status", "code", "message", "errors"}
    with get_engine(app).connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM registrations")).scalar_one() == 0


def test_unknown_session_is_404_and_stores_nothing(client, app, make_conference):
    make_conference()
    answer = register(client, 1, [999999])
    assert answer.status_code == 404
    with get_engine(app).connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM registrations")).scalar_one() == 0


def test_settings_round_trip_in_the_api(client, admin, make_conference):
    made = make_conference(capacity=300, opens_at="2030-01-01T09:00", offer_hours=12)
    settings = made["registration"]
    assert (
        settings["capacity"] == 300 and settings["offer_hours"] == 12 and settings["waitlist_mode"] == "auto"
    )
    assert settings["opens_at"] == "2030-01-01T09:00:00+09:00" and settings["allow_overlaps"] is False
    changed = client.patch(
        f"{BASE}", json={"registration": {"allow_overlaps": True}}, headers=admin
    ).get_json()
    assert changed["registration"]["allow_overlaps"] is True and changed["registration"]["capacity"] == 300


SEED = """\
conference:
  slug: seeded-2030
  name: Seeded Meeting
  timezone: Asia/Tokyo
  start_date: "2030-10-18"
  end_date: "2030-10-18"
  status: published
  registration:
    opens_at: "2030-01-01T09:00:00+09:00"
    capacity: 500
    requires_approval: true
    waitlist_mode: offer
    offer_hours: 12
    allow_overlaps: true
rooms:
  - name: Room 1
    capacity: 40
sessions:
  - code: W1
    title: Workshop
    kind: workshop
    status: confirmed
    starts_at: "2030-10-18T10:00:00+09:00"
    ends_at: "2030-10-18T11:00:00+09:00"
    room: Room 1
    registration_required: true
    capacity: 30
"""


def test_settings_round_trip_through_the_seed_format(client, runner, tmp_path):
    import yaml

    path = tmp_path / "seeded.yaml"
    path.write_text(SEED)
    loaded = runner.invoke(args=["seed", "load", str(path)])
    assert loaded.exit_code == 0, loaded.output
    conference = client.get("/api/v1/conferences/seeded-2030").get_json()
    assert conference["registration"]["capacity"] == 500 and conference["registration"]["offer_hours"] == 12
    session = client.get("/api/v1/conferences/seeded-2030/sessions").get_json()["items"][0]
    assert session["capacity"] == 30 and session["seats_left"] == 30
    exported = runner.invoke(args=["seed", "export", "seeded-2030"])
    assert exported.exit_code == 0, exported.output
    document = yaml.safe_load(exported.output)
    original = yaml.safe_load(SEED)
    assert document["conference"]["registration"] == original["conference"]["registration"]
    assert {k: document["sessions"][0][k] for k in ("registration_required", "capacity")} == {
        "registration_required": True,
        "capacity": 30,
    }
    # The exported file loads again, changing nothing.
    path.write_text(exported.output)
    again = runner.invoke(args=["seed", "load", str(path)])
    assert again.exit_code == 0, again.output


def test_seed_json_schema_knows_the_settings():
    import json
    from pathlib import Path

    schema = json.loads((Path(__file__).parent.parent / "seed" / "seed.schema.json").read_text())
    text_of = json.dumps(schema)
    for name in (
        "registration_required",
        "waitlist_mode",
        "offer_hours",
        "allow_overlaps",
        "requires_approval",
    ):
        assert name in text_of


def test_idempotent_erase_and_checkin_answer_again(client, admin, app, runner, make_conference, make_session):
    make_conference()
    s = make_session("W1", capacity=5)
    reg = register(client, 1, [s]).get_json()
    key = {"Idempotency-Key": "erase-1", **admin}
    first = client.post(f"{BASE}/registrations/{reg['id']}/erase", headers=key)
    again = client.post(f"{BASE}/registrations/{reg['id']}/erase", headers=key)
    assert first.status_code == again.status_code == 204 and again.data == b""
    assert again.headers["Idempotent-Replayed"] == "true"
    other = register(client, 2, [s]).get_json()
    body = {"registration_id": other["id"], "nonce": "n-1"}
    key = {"Idempotency-Key": "scan-1", **admin}
    assert client.post(f"{BASE}/checkins", json=body, headers=key).status_code == 200
    assert client.post(f"{BASE}/checkins", json=body, headers=key).status_code == 200
    with get_engine(app).connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM checkins")).scalar_one() == 1
    blank = client.post(f"{BASE}/checkins", json=body, headers={"Idempotency-Key": " ", **admin})
    assert blank.status_code == 422 and blank.get_json()["errors"][0]["location"] == "header"
