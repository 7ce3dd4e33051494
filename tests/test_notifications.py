"""Notifications through the public interface: the API changes something, `flask worker` delivers, a real SMTP
server and a real HTTP receiver get what a person or an integrator would."""

from __future__ import annotations

import email
import email.policy
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta

import icalendar
import pytest
import time_machine
import vobject
from helpers import (
    MINIMAL,
    ROOT,
    calendar_part,
    issue_token,
    libical_read,
    load,
    make_app,
    require_libical,
    smtp_server,
    webhook_receiver,
    write,
)
from standardwebhooks import Webhook

from eventapp.db import get_engine

BASE = "/api/v1/conferences/tiny-2025"
SPEAKER = "sun@example.com"
# MINIMAL's session S1, moved by an hour (the room stays free).
MOVE = {"starts_at": "2025-10-19T11:00", "ends_at": "2025-10-19T12:00"}


@pytest.fixture
def notifying(app, database_url, tmp_path):
    """Another app on the test database, with mail to a real SMTP server and the job queue in tmp_path; the
    changes of each speaker are sent at once unless a test asks for batching."""
    with smtp_server() as (inbox, mail_url):

        def build(**config):
            settings = {
                "MAIL_URL": mail_url,
                "MAIL_FROM": "program@tiny.example",
                "QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite3'}",
                "SPEAKER_BATCH_SECONDS": 0,
                "DELIVERY_RETRY_SECONDS": 0,
                "WEBHOOK_ALLOW_PRIVATE": True,
                **config,
            }
            built = make_app(database_url, **settings)
            apps.append(built)
            return built

        apps: list = []
        yield build, inbox
        for built in apps:
            get_engine(built).dispose()


def _seeded(build, tmp_path, **config):
    notify_app = build(**config)
    runner = notify_app.test_cli_runner()
    seed = MINIMAL.replace(
        "  status: published\n", "  status: published\n  contact_email: office@tiny.example\n", 1
    )
    assert load(runner, write(tmp_path, seed)).exit_code == 0
    headers = issue_token(runner, "--role", "organizer", "--conference", "tiny-2025")
    client = notify_app.test_client()
    session = client.get(f"{BASE}/sessions?q=Opening").get_json()["items"][0]
    return notify_app, client, runner, headers, session


def _work(runner) -> str:
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


def _feed_event(client, session_id: int) -> icalendar.Event:
    feed = icalendar.Calendar.from_ical(client.get(f"{BASE}/schedule.ics").data)
    return next(e for e in feed.walk("VEVENT") if str(e["URL"]).endswith(f"/sessions/{session_id}"))


def test_a_moved_session_sends_its_speaker_an_updated_request(notifying, tmp_path):
    build, inbox = notifying
    _app, client, runner, headers, session = _seeded(build, tmp_path)
    before = _feed_event(client, session["id"])

    assert client.patch(f"{BASE}/sessions/{session['id']}", json=MOVE, headers=headers).status_code == 200
    assert inbox.messages == []  # nothing is sent by the request itself: the worker sends
    _work(runner)

    (message,) = inbox.to(SPEAKER)
    assert "Opening" in message["Subject"]
    method, invitation = calendar_part(message)
    assert method == "REQUEST"
    parsed = icalendar.Calendar.from_ical(invitation)
    assert parsed["METHOD"] == "REQUEST"
    (event,) = parsed.walk("VEVENT")
    after = _feed_event(client, session["id"])
    # The feed's own event: same UID, the SEQUENCE the move raised, the new time; and iTIP's parties.
    assert event["UID"] == before["UID"] == after["UID"]
    assert event["SEQUENCE"] == after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert event["DTSTART"].dt == after["DTSTART"].dt
    assert event["DTSTART"].dt.hour == 11
    assert str(event["ORGANIZER"]) == "mailto:office@tiny.example"
    assert str(event["ATTENDEE"]) == f"mailto:{SPEAKER}"
    # A second parser reads it alike.
    second = vobject.readOne(invitation.decode())
    assert second.method.value == "REQUEST"
    assert second.vevent.uid.value == str(event["UID"])
    assert int(second.vevent.sequence.value) == event["SEQUENCE"]
    # Text and HTML in the conference's language, with the link to the session.
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert f"/sessions/{session['id']}" in text and f"/sessions/{session['id']}" in html
    assert "11:00" in text and "Asia/Tokyo" in text


def test_the_invitation_meets_libicals_itip_rules(notifying, tmp_path):
    require_libical()
    build, inbox = notifying
    _app, client, runner, headers, session = _seeded(build, tmp_path)
    client.patch(f"{BASE}/sessions/{session['id']}", json=MOVE, headers=headers)
    _work(runner)
    _method, invitation = calendar_part(inbox.to(SPEAKER)[0])
    checked = libical_read(invitation)
    assert checked == {"events": 1, "problems": []}


def test_a_cancelled_session_sends_a_cancel(notifying, tmp_path):
    build, inbox = notifying
    _app, client, runner, headers, session = _seeded(build, tmp_path)
    client.patch(f"{BASE}/sessions/{session['id']}", json={"status": "cancelled"}, headers=headers)
    _work(runner)
    (message,) = inbox.to(SPEAKER)
    method, invitation = calendar_part(message)
    (event,) = icalendar.Calendar.from_ical(invitation).walk("VEVENT")
    assert method == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == _feed_event(client, session["id"])["SEQUENCE"]
    assert message["Subject"].startswith("Cancelled")


def test_a_speakers_changes_are_batched_into_one_message(notifying, tmp_path):
    build, inbox = notifying
    _app, client, runner, headers, session = _seeded(build, tmp_path, SPEAKER_BATCH_SECONDS=300)
    item = f"{BASE}/sessions/{session['id']}"
    client.patch(item, json=MOVE, headers=headers)
    client.patch(item, json={"starts_at": "2025-10-19T13:00", "ends_at": "2025-10-19T14:00"}, headers=headers)
    _work(runner)
    assert inbox.messages == []  # still collecting
    with time_machine.travel(timedelta(minutes=6), tick=True):
        _work(runner)
    (message,) = inbox.to(SPEAKER)
    (event,) = icalendar.Calendar.from_ical(calendar_part(message)[1]).walk("VEVENT")
    assert event["DTSTART"].dt.hour == 13  # what is true when it is sent
    assert event["SEQUENCE"] == 2


def test_a_refused_change_sends_nothing(notifying, tmp_path):
    build, inbox = notifying
    _app, client, runner, headers, session = _seeded(build, tmp_path)
    other = client.post(
        f"{BASE}/sessions",
        json={
            "title": "Lunch",
            "kind": "session",
            "status": "confirmed",
            "starts_at": "2025-10-19T12:00",
            "ends_at": "2025-10-19T13:00",
            "room_id": session["room"]["id"],
        },
        headers=headers,
    )
    assert other.status_code == 201
    clash = {"starts_at": "2025-10-19T12:00", "ends_at": "2025-10-19T13:00"}
    assert client.patch(f"{BASE}/sessions/{session['id']}", json=clash, headers=headers).status_code == 409
    assert "tried 0 deliveries" in _work(runner)
    assert inbox.messages == []


def _endpoint(client, headers, url, events=("session.changed", "session.cancelled")):
    made = client.post(f"{BASE}/webhooks", json={"url": url, "events": list(events)}, headers=headers)
    assert made.status_code == 201, made.get_json()
    return made.get_json()


def test_webhooks_are_signed_as_standard_webhooks_verifies(notifying, tmp_path):
    build, _inbox = notifying
    _app, client, runner, headers, session = _seeded(build, tmp_path)
    with webhook_receiver() as (receiver, url):
        endpoint = _endpoint(client, headers, url)
        assert endpoint["secret"].startswith("whsec_")
        assert "secret" not in client.get(f"{BASE}/webhooks/{endpoint['id']}", headers=headers).get_json()
        client.patch(f"{BASE}/sessions/{session['id']}", json=MOVE, headers=headers)
        _work(runner)
    ((received_headers, body),) = receiver.requests
    payload = Webhook(endpoint["secret"]).verify(body, received_headers)
    assert payload["type"] == "session.changed"
    assert payload["data"]["session_id"] == session["id"]
    assert payload["data"]["changes"]["starts_at"]["new"].startswith("2025-10-19T02:00")
    with pytest.raises(Exception, match=r"(?i)signature"):
        Webhook(endpoint["secret"]).verify(body.replace(b"changed", b"chanced"), received_headers)


def test_a_failing_receiver_gets_the_third_try_and_the_log_shows_them(notifying, tmp_path):
    build, _inbox = notifying
    _app, client, runner, headers, session = _seeded(build, tmp_path)
    with webhook_receiver([500, 503]) as (receiver, url):
        endpoint = _endpoint(client, headers, url)
        client.patch(f"{BASE}/sessions/{session['id']}", json=MOVE, headers=headers)
        for _ in range(3):
            _work(runner)
    assert len(receiver.requests) == 3
    ids = {h["webhook-id"] for h, _ in receiver.requests}
    assert len(ids) == 1  # one message, tried three times: receivers de-duplicate on it
    log = client.get(f"{BASE}/webhooks/{endpoint['id']}/deliveries", headers=headers).get_json()
    (delivery,) = log["items"]
    assert delivery["state"] == "sent" and delivery["attempts"] == 3 and delivery["last_status"] == 204
    assert delivery["webhook_id"] in ids


def test_retries_back_off(notifying, tmp_path):
    build, _inbox = notifying
    _app, client, runner, headers, session = _seeded(build, tmp_path, DELIVERY_RETRY_SECONDS=60)
    with webhook_receiver([500]) as (receiver, url):
        endpoint = _endpoint(client, headers, url)
        client.patch(f"{BASE}/sessions/{session['id']}", json=MOVE, headers=headers)
        _work(runner)
        _work(runner)  # not due again yet
        assert len(receiver.requests) == 1
        with time_machine.travel(timedelta(seconds=61), tick=True):
            _work(runner)
    assert len(receiver.requests) == 2
    log = client.get(f"{BASE}/webhooks/{endpoint['id']}/deliveries", headers=headers).get_json()
    assert log["items"][0]["state"] == "sent"


def test_an_endpoint_answering_410_is_disabled_and_replay_sends_again(notifying, tmp_path):
    build, _inbox = notifying
    _app, client, runner, headers, session = _seeded(build, tmp_path)
    with webhook_receiver([410]) as (receiver, url):
        endpoint = _endpoint(client, headers, url)
        item = f"{BASE}/webhooks/{endpoint['id']}"
        client.patch(f"{BASE}/sessions/{session['id']}", json=MOVE, headers=headers)
        _work(runner)
        read = client.get(item, headers=headers).get_json()
        assert read["active"] is False and "410" in read["disabled_reason"]
        client.patch(f"{BASE}/sessions/{session['id']}", json={"status": "cancelled"}, headers=headers)
        _work(runner)
        assert len(receiver.requests) == 1  # nothing more to a disabled endpoint

        assert client.patch(item, json={"active": True}, headers=headers).status_code == 200
        (dead,) = client.get(f"{item}/deliveries?state=dead", headers=headers).get_json()["items"]
        replayed = client.post(f"{item}/deliveries/{dead['id']}/replay", headers=headers)
        assert replayed.status_code == 200 and replayed.get_json()["state"] == "pending"
        again = client.post(f"{item}/deliveries/{dead['id']}/replay", headers=headers)
        assert again.status_code == 409
        _work(runner)
    assert len(receiver.requests) == 2
    assert receiver.requests[0][0]["webhook-id"] == receiver.requests[1][0]["webhook-id"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.8/hook",
        "http://[::1]/hook",
    ],
)
def test_webhooks_to_inside_addresses_are_refused(notifying, tmp_path, url):
    build, _inbox = notifying
    _app, client, _runner, headers, _session = _seeded(build, tmp_path, WEBHOOK_ALLOW_PRIVATE=False)
    refused = client.post(
        f"{BASE}/webhooks", json={"url": url, "events": ["session.changed"]}, headers=headers
    )
    assert refused.status_code == 422
    (detail,) = refused.get_json()["errors"]
    assert detail["field"] == "url"
    assert client.get(f"{BASE}/webhooks", headers=headers).get_json()["total"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://example.org/hook", "events": ["session.changed"]}, "url"),
        ({"url": "https://example.org/hook", "events": ["session.moved"]}, "events.0"),
        ({"url": "https://example.org/hook", "events": []}, "events"),
        ({"events": ["session.changed"]}, "url"),
    ],
)
def test_bad_endpoints_are_refused_in_the_error_shape(notifying, tmp_path, body, field):
    build, _inbox = notifying
    _app, client, _runner, headers, _session = _seeded(build, tmp_path)
    refused = client.post(f"{BASE}/webhooks", json=body, headers=headers)
    assert refused.status_code == 422
    assert field in {d["field"] for d in refused.get_json()["errors"]}


def test_webhooks_need_the_conferences_token(notifying, tmp_path):
    build, _inbox = notifying
    _app, client, _runner, _headers, _session = _seeded(build, tmp_path)
    assert client.get(f"{BASE}/webhooks").status_code == 401
    body = {"url": "https://example.org/hook", "events": ["session.changed"]}
    assert client.post(f"{BASE}/webhooks", json=body).status_code == 401


def test_without_a_mail_server_messages_are_eml_files(notifying, tmp_path):
    build, _inbox = notifying
    mail_dir = tmp_path / "mail"
    _app, client, runner, headers, session = _seeded(build, tmp_path, MAIL_URL="", MAIL_DIR=str(mail_dir))
    client.patch(f"{BASE}/sessions/{session['id']}", json=MOVE, headers=headers)
    _work(runner)
    (written,) = mail_dir.glob("*.eml")
    message = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert message["To"] == SPEAKER
    assert calendar_part(message)[0] == "REQUEST"


def test_status_and_health_warn_of_undelivered_messages(notifying, tmp_path):
    build, _inbox = notifying
    _app, client, runner, headers, session = _seeded(build, tmp_path, MAIL_URL="smtp://127.0.0.1:9")
    client.patch(f"{BASE}/sessions/{session['id']}", json=MOVE, headers=headers)
    _work(runner)  # the mail server does not answer: the message waits for its retry
    status = runner.invoke(args=["worker", "status"])
    assert status.exit_code == 0
    figures = dict(line.split("\t") for line in status.output.splitlines())
    assert figures["pending"] == "1" and figures["failing"] == "1"
    with time_machine.travel(timedelta(minutes=20), tick=True):
        health = client.get("/healthz")
    assert health.status_code == 200  # a warning, not a failure
    assert health.get_json()["notifications"]["pending"] == 1
    assert any("worker" in warning for warning in health.get_json()["warnings"])


def test_a_worker_killed_mid_send_loses_nothing(notifying, tmp_path, database_url):
    """A real worker process takes the queue, is killed while the mail server holds a message, and the next
    worker sends everything (the interrupted message again, under the same Message-ID)."""
    build, inbox = notifying
    speakers = [f"speaker{i}@example.com" for i in range(4)]
    people = "".join(
        f"  - slug: speaker-{i}\n    given_name: S{i}\n    family_name: Speaker\n    email: {address}\n"
        for i, address in enumerate(speakers)
    )
    sessions = "".join(
        f"  - code: T{i}\n    title: Talk {i}\n    kind: session\n    status: confirmed\n"
        f'    starts_at: "2025-10-20T{9 + i:02d}:00"\n    ends_at: "2025-10-20T{9 + i:02d}:30"\n'
        f"    room: Room 101\n    participants:\n      - person: speaker-{i}\n        role: speaker\n"
        for i in range(4)
    )
    seed = MINIMAL.replace("people:\n", f"people:\n{people}", 1) + sessions
    notify_app = build(DELIVERY_LEASE_SECONDS=1)
    runner = notify_app.test_cli_runner()
    assert load(runner, write(tmp_path, seed)).exit_code == 0, "seed"
    headers = issue_token(runner, "--role", "organizer", "--conference", "tiny-2025")
    client = notify_app.test_client()
    inbox.hold()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MAIL_URL": notify_app.config["MAIL_URL"],
        "QUEUE_URL": notify_app.config["QUEUE_URL"],
        "SPEAKER_BATCH_SECONDS": "0",
        "DELIVERY_LEASE_SECONDS": "1",
        "FLASK_SKIP_DOTENV": "1",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for item in client.get(f"{BASE}/sessions?q=Talk").get_json()["items"]:
            later = {
                key: (datetime.fromisoformat(item[key]) + timedelta(hours=4)).isoformat()
                for key in ("starts_at", "ends_at")
            }
            assert (
                client.patch(f"{BASE}/sessions/{item['id']}", json=later, headers=headers).status_code == 200
            )
        assert inbox.arrived.wait(30), "the worker never reached the mail server"
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    inbox.release()
    time.sleep(1.5)  # the dead worker's lease runs out
    _work(runner)
    received = {m["To"] for m in inbox.messages}
    assert received == set(speakers)
    by_id: dict[str, set[str]] = {}
    for message in inbox.messages:
        by_id.setdefault(message["Message-ID"], set()).add(message["To"])
    assert all(len(recipients) == 1 for recipients in by_id.values())
    assert len(by_id) == len(speakers)  # a message sent twice is the same message
