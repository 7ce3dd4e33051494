"""Writing the outbox: an event and its deliveries, added to the transaction of the change they tell of.

Session changes are found by a flush hook beside the one that versions schedules (eventapp/
schedule_versioning.py), so that every write path (API, seed loader, importers) tells of them; other areas
record their own events with record() and email().
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from eventapp.conferences.models import Conference
from eventapp.db import sessionmaker_of, utcnow
from eventapp.enums import DeliveryChannel, DeliveryState, EventType, SessionStatus
from eventapp.notifications.models import OutboxDelivery, OutboxEvent, WebhookEndpoint
from eventapp.program.models import ProgramSession
from eventapp.schedule_versioning import SEQUENCE_ATTRIBUTES, net_changed

# Deliveries made in this transaction that are due at once, handed to the queue when it commits.
_DUE = "eventapp.deliveries_due"

# The conference's active endpoints, as this transaction read them.
_ENDPOINTS = "eventapp.webhook_endpoints"

# Other areas add who else hears of a session's change (registrants): fn(db, event, program_session).
session_event_listeners: list[Callable[[Session, OutboxEvent, ProgramSession], None]] = []


def new_uid(prefix: str) -> str:
    """A stable, unique message id (Standard Webhooks' msg_ form)."""
    return f"{prefix}_{uuid.uuid4().hex}"


def _endpoints(db: Session, conference_id: int) -> list[WebhookEndpoint]:
    # Read once a transaction and conference: a seed file that moves a thousand sessions asks once, not 1,000 times.
    known = db.info.setdefault(_ENDPOINTS, {})
    if conference_id not in known:
        conference = db.identity_map.get(identity_key(Conference, conference_id))
        if conference is not None and "active_webhook_endpoints" not in inspect(conference).unloaded:
            # Read with the conference by a registration's write (a joinedload); a rollback expires it with
            # the conference, and a request commits once.
            known[conference_id] = list(conference.active_webhook_endpoints)
            return known[conference_id]
        with db.no_autoflush:
            known[conference_id] = db.scalars(
                select(WebhookEndpoint).where(
                    WebhookEndpoint.conference_id == conference_id, WebhookEndpoint.active.is_(True)
                )
            ).all()
    return known[conference_id]


def record(db: Session, conference_id: int, event_type: EventType, data: dict[str, Any]) -> OutboxEvent:
    """Add an event, and a webhook delivery to each of the conference's endpoints that subscribed to it."""
    outbox_event = OutboxEvent(uid=new_uid("msg"), conference_id=conference_id, type=event_type, data=data)
    db.add(outbox_event)
    for endpoint in _endpoints(db, conference_id):
        if event_type in endpoint.events:
            db.add(
                OutboxDelivery(
                    uid=new_uid("dlv"),
                    conference_id=conference_id,
                    event=outbox_event,
                    channel=DeliveryChannel.WEBHOOK,
                    endpoint=endpoint,
                    kind=event_type,
                    data={},
                    due_at=utcnow(),
                )
            )
    return outbox_event


def email(
    db: Session,
    outbox_event: OutboxEvent,
    recipient: str,
    kind: str,
    data: dict[str, Any],
    *,
    batch_key: str | None = None,
    delay: timedelta = timedelta(0),
) -> OutboxDelivery:
    """Add an email about outbox_event to recipient; with a batch_key, join the one still waiting under it."""
    now = utcnow()
    if batch_key is not None:
        with db.no_autoflush:
            waiting = db.scalar(
                select(OutboxDelivery).where(
                    OutboxDelivery.batch_key == batch_key,
                    OutboxDelivery.state == DeliveryState.PENDING,
                    OutboxDelivery.attempts == 0,
                    OutboxDelivery.due_at > now,
                )
            )
        if waiting is not None:
            events = list(waiting.data.get("events", []))
            waiting.data = {**waiting.data, "events": [*events, outbox_event.uid]}
            return waiting
    delivery = OutboxDelivery(
        uid=new_uid("eml"),
        conference_id=outbox_event.conference_id,
        event=outbox_event,
        channel=DeliveryChannel.EMAIL,
        recipient=recipient,
        kind=kind,
        data={**data, "events": [outbox_event.uid]},
        batch_key=batch_key,
        due_at=now + delay,
    )
    db.add(delivery)
    return delivery


def _value(value: Any) -> Any:
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value


def _old_value(obj: object, key: str) -> Any:
    history = inspect(obj).attrs[key].history
    return history.deleted[0] if history.deleted else getattr(obj, key)


def _session_event(program_session: ProgramSession) -> tuple[EventType, dict[str, Any]] | None:
    if _old_value(program_session, "status") == SessionStatus.DRAFT:
        return None  # nobody was told of a draft; its publication is news for the feeds, not a change
    changed = [key for key in SEQUENCE_ATTRIBUTES if net_changed(program_session, key)]
    if not changed:
        return None
    cancelled = "status" in changed and program_session.status in (
        SessionStatus.CANCELLED,
        SessionStatus.DRAFT,
    )
    changes = {
        key: {"old": _value(_old_value(program_session, key)), "new": _value(getattr(program_session, key))}
        for key in changed
    }
    data = {"session_id": program_session.id, "code": program_session.code, "changes": changes}
    return (EventType.SESSION_CANCELLED if cancelled else EventType.SESSION_CHANGED), data


def _tell_of_session_changes(app: Flask, db: Session, _flush_context, _instances) -> None:
    batch = timedelta(seconds=app.config["SPEAKER_BATCH_SECONDS"])
    with db.no_autoflush:
        deleted = db.deleted  # a new set on every call: asked once
        for obj in list(db.dirty):
            if not isinstance(obj, ProgramSession) or obj in deleted:
                continue
            found = _session_event(obj)
            if found is None:
                continue
            event_type, data = found
            outbox_event = record(db, obj.conference_id, event_type, data)
            for participation in obj.participants:
                person = participation.person
                if person is not None and person.email:
                    email(
                        db,
                        outbox_event,
                        person.email,
                        "session-changes",
                        {"person_id": person.id},
                        batch_key=f"person:{person.id}",
                        delay=batch,
                    )
            for listener in session_event_listeners:
                listener(db, outbox_event, obj)


def _collect_due(db: Session, _flush_context) -> None:
    now = utcnow()
    due = db.info.setdefault(_DUE, [])
    for obj in db.new:
        if isinstance(obj, OutboxDelivery) and obj.due_at <= now:
            due.append(obj.id)


def _forget_due(db: Session, *_args) -> None:
    db.info.pop(_DUE, None)
    db.info.pop(_ENDPOINTS, None)


def init_app(app: Flask, enqueue: Callable[[list[int]], None]) -> None:
    """Record session changes in every session the app makes, and hand due deliveries to enqueue on commit."""
    sessions = sessionmaker_of(app)
    # After schedule_versioning's hook (listeners run in the order they were added): SEQUENCE has moved.
    event.listen(sessions, "before_flush", lambda db, ctx, inst: _tell_of_session_changes(app, db, ctx, inst))
    event.listen(sessions, "after_flush", _collect_due)
    event.listen(sessions, "after_rollback", _forget_due)

    def hand_over(db: Session) -> None:
        db.info.pop(_ENDPOINTS, None)
        if due := db.info.pop(_DUE, None):
            enqueue(due)

    event.listen(sessions, "after_commit", hand_over)
