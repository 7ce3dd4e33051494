"""Registration's messages through the public interface: the API registers, `flask worker` delivers, a real
SMTP server and a real webhook receiver get them."""

from __future__ import annotations

import icalendar
import pytest
from helpers import calendar_part, issue_token, make_app, smtp_server, webhook_receiver
from sqlalchemy import text as sql
from standardwebhooks import Webhook

from eventapp.db import get_engine

SLUG = "mail-2030"
BASE = f"/api/v1/conferences/{SLUG}"
ATTENDEE = "ayaka@example.org"


@pytest.fixture
def notifying(app, database_url, tmp_path):
    with smtp_server() as (inbox, mail_url):
        built = make_app(
            database_url,
            MAIL_URL=mail_url,
            MAIL_FROM="program@mail.example",
            QUEUE_URL=f"sqlite:///{tmp_path / 'queue.sqlite3'}",
            DELIVERY_RETRY_SECONDS=0,
            WEBHOOK_ALLOW_PRIVATE=True,
            SPEAKER_BATCH_SECONDS=0,
        )
        yield built, inbox
        get_engine(built).dispose()


def _work(runner) -> None:
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output


def _meeting(client, headers) -> int:
    conference = {
        "slug": SLUG,
        "name": "Mail Meeting",
        "timezone": "Asia/Tokyo",
        "start_date": "2030-10-18",
        "end_date": "2030-10-18",
        "status": "published",
        "contact_email": "office@mail.example",
        "registration": {"waitlist_mode": "auto"},
    }
    assert client.post("/api/v1/conferences", json=conference, headers=headers).status_code == 201
    workshop = {
        "code": "W1",
        "title": "Workshop on Estimands",
        "status": "confirmed",
        "starts_at": "2030-10-18T10:00",
        "ends_at": "2030-10-18T11:00",
        "registration_required": True,
        "capacity": 1,
    }
    return client.post(f"{BASE}/sessions", json=workshop, headers=headers).get_json()["id"]


def test_confirmation_invite_and_cancel_reach_the_attendee(notifying):
    notify_app, inbox = notifying
    client, runner = notify_app.test_client(), notify_app.test_cli_runner()
    admin = issue_token(runner, "--role", "admin")
    workshop = _meeting(client, admin)
    with webhook_receiver() as (receiver, url):
        hook = {"url": url, "events": ["registration.confirmed", "registration.cancelled", "checkin.created"]}
        endpoint = client.post(f"{BASE}/webhooks", json=hook, headers=admin).get_json()
        body = {"given_name": "Ayaka", "family_name": "Mori", "email": ATTENDEE, "session_ids": [workshop]}
        registration = client.post(f"{BASE}/registrations", json=body).get_json()
        _work(runner)

        messages = inbox.to(ATTENDEE)
        subjects = sorted(m["Subject"] for m in messages)
        assert subjects == ["Registration: Mail Meeting", "Seat confirmed: Workshop on Estimands"]
        confirmation = next(m for m in messages if m["Subject"].startswith("Registration"))
        text = confirmation.get_body(("plain",)).get_content()
        assert f"/api/v1/registrations/{registration['token']}" in text
        invite_mail = next(m for m in messages if m["Subject"].startswith("Seat"))
        method, invitation = calendar_part(invite_mail)
        assert method == "REQUEST"
        (request_event,) = icalendar.Calendar.from_ical(invitation).walk("VEVENT")
        assert str(request_event["ATTENDEE"]) == f"mailto:{ATTENDEE}"
        # The same event as the person's own calendar feed.
        feed = icalendar.Calendar.from_ical(
            client.get(f"/api/v1/registrations/{registration['token']}.ics").data
        )
        (feed_event,) = feed.walk("VEVENT")
        assert feed_event["UID"] == request_event["UID"]
        assert feed_event["SEQUENCE"] == request_event["SEQUENCE"]

        # Giving the seat up sends a CANCEL above the REQUEST.
        assert (
            client.delete(f"/api/v1/registrations/{registration['token']}/sessions/{workshop}").status_code
            == 204
        )
        _work(runner)
        cancel_mail = next(m for m in inbox.to(ATTENDEE) if m["Subject"].startswith("Seat cancelled"))
        method, invitation = calendar_part(cancel_mail)
        (cancel_event,) = icalendar.Calendar.from_ical(invitation).walk("VEVENT")
        assert method == "CANCEL" and cancel_event["STATUS"] == "CANCELLED"
        assert cancel_event["UID"] == request_event["UID"]
        assert cancel_event["SEQUENCE"] > request_event["SEQUENCE"]

        # Webhooks tell of it with ids, never a name or an address.
        hooks = Webhook(endpoint["secret"])
        payloads = [hooks.verify(body, headers) for headers, body in receiver.requests]
        types = [p["type"] for p in payloads]
        assert "registration.confirmed" in types and "registration.cancelled" in types
        assert all(ATTENDEE not in str(p) and "Mori" not in str(p) for p in payloads)

        desk = issue_token(runner, "--role", "checkin", "--conference", SLUG)
        checkin = {"registration_id": registration["id"], "nonce": "n-1"}
        assert client.post(f"{BASE}/checkins", json=checkin, headers=desk).status_code == 200
        _work(runner)
        assert "checkin.created" in [hooks.verify(b, h)["type"] for h, b in receiver.requests]

        # Erasure deletes the emails' rows too: they held the address and the link.
        assert client.delete(f"/api/v1/registrations/{registration['token']}?erase=true").status_code == 204
        with get_engine(notify_app).connect() as connection:
            left = connection.execute(
                sql("SELECT count(*) FROM outbox_deliveries WHERE recipient = :r"), {"r": ATTENDEE}
            ).scalar_one()
        assert left == 0


def test_a_moved_session_updates_its_registrants_invitation_and_a_cancelled_one_cancels_it(notifying):
    notify_app, inbox = notifying
    client, runner = notify_app.test_client(), notify_app.test_cli_runner()
    admin = issue_token(runner, "--role", "admin")
    workshop = _meeting(client, admin)
    body = {"given_name": "Ayaka", "family_name": "Mori", "email": ATTENDEE, "session_ids": [workshop]}
    assert client.post(f"{BASE}/registrations", json=body).status_code == 201
    waiting = {**body, "email": "kenji@example.org", "given_name": "Kenji"}
    assert client.post(f"{BASE}/registrations", json=waiting).status_code == 201  # waitlisted: no invite
    _work(runner)
    (first,) = [m for m in inbox.to(ATTENDEE) if m["Subject"].startswith("Seat confirmed")]
    _, invitation = calendar_part(first)
    (confirmed,) = icalendar.Calendar.from_ical(invitation).walk("VEVENT")

    move = {"starts_at": "2030-10-18T14:00", "ends_at": "2030-10-18T15:00"}
    assert client.patch(f"{BASE}/sessions/{workshop}", json=move, headers=admin).status_code == 200
    _work(runner)
    (changed_mail,) = [m for m in inbox.to(ATTENDEE) if m["Subject"].startswith("Session changed")]
    method, invitation = calendar_part(changed_mail)
    (moved,) = icalendar.Calendar.from_ical(invitation).walk("VEVENT")
    assert method == "REQUEST" and moved["UID"] == confirmed["UID"]
    assert moved["SEQUENCE"] > confirmed["SEQUENCE"]
    assert moved.decoded("DTSTART").isoformat() == "2030-10-18T14:00:00+09:00"
    assert not [m for m in inbox.to("kenji@example.org") if m["Subject"].startswith("Session")]

    assert (
        client.patch(f"{BASE}/sessions/{workshop}", json={"status": "cancelled"}, headers=admin).status_code
        == 200
    )
    _work(runner)
    (cancel_mail,) = [m for m in inbox.to(ATTENDEE) if m["Subject"].startswith("Session cancelled")]
    method, invitation = calendar_part(cancel_mail)
    (cancelled,) = icalendar.Calendar.from_ical(invitation).walk("VEVENT")
    assert method == "CANCEL" and cancelled["UID"] == confirmed["UID"]
    assert cancelled["SEQUENCE"] > moved["SEQUENCE"]
