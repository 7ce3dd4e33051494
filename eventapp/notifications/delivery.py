"""Sending what the outbox holds: each delivery claimed under a lease by one worker, sent, then marked.

The claim is a conditional UPDATE in its own committed transaction, so two workers (on one machine or many)
never send the same delivery at once; a worker that dies mid-send leaves a lease that runs out, and the
delivery is sent again (at least once across crashes, with the same id for receivers to de-duplicate on).
"""

from __future__ import annotations

import logging
import smtplib
import sys
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from eventapp.db import sessionmaker_of, utcnow
from eventapp.enums import DeliveryChannel, DeliveryState
from eventapp.notifications import mail as mailer
from eventapp.notifications import webhooks
from eventapp.notifications.messages import RENDERERS, compose
from eventapp.notifications.models import OutboxDelivery

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)


class PermanentFailure(Exception):
    """Sending again would fail the same way: give the delivery up."""


def _claimable(now) -> Any:
    return and_(
        OutboxDelivery.state == DeliveryState.PENDING,
        OutboxDelivery.due_at <= now,
        or_(OutboxDelivery.lease_until.is_(None), OutboxDelivery.lease_until < now),
    )


def due(app: Flask, limit: int = 500) -> list[int]:
    """Ids of the deliveries due now and claimed by no live lease, oldest first."""
    with sessionmaker_of(app)() as db:
        return list(
            db.scalars(
                select(OutboxDelivery.id)
                .where(_claimable(utcnow()))
                .order_by(OutboxDelivery.due_at, OutboxDelivery.id)
                .limit(limit)
            )
        )


def claim(app: Flask, delivery_id: int) -> bool:
    """Take the delivery for this worker for a lease's length; False when it is not due or another has it."""
    now = utcnow()
    lease = now + timedelta(seconds=app.config["DELIVERY_LEASE_SECONDS"])
    with sessionmaker_of(app)() as db, db.begin():
        result = db.execute(
            update(OutboxDelivery)
            .where(OutboxDelivery.id == delivery_id, _claimable(now))
            .values(lease_until=lease, attempts=OutboxDelivery.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1


Send = Callable[[], int | None]


def _prepare_webhook(app: Flask, delivery: OutboxDelivery) -> Send:
    endpoint, outbox_event = delivery.endpoint, delivery.event
    if endpoint is None or outbox_event is None or not endpoint.active:
        raise PermanentFailure("the endpoint was disabled or deleted")
    payload = webhooks.body(outbox_event.type, outbox_event.created_at, outbox_event.data)
    url, secret, message_id = endpoint.url, endpoint.secret, outbox_event.uid

    def send() -> int:
        try:
            return webhooks.post(
                url,
                secret,
                message_id,
                utcnow(),
                payload,
                allow_private=app.config["WEBHOOK_ALLOW_PRIVATE"],
                timeout=app.config["WEBHOOK_TIMEOUT_SECONDS"],
            )
        except webhooks.AddressRefused as exc:
            raise PermanentFailure(str(exc)) from exc

    return send


def _prepare_email(app: Flask, db: Session, delivery: OutboxDelivery) -> Send | None:
    renderer = RENDERERS.get(delivery.kind)
    if renderer is None:
        raise PermanentFailure(f"no message is written for {delivery.kind!r}")
    mail = renderer(app, db, delivery)
    if mail is None:
        return None  # nothing left to tell (what it was about was deleted since): done, not failed
    message, name = compose(app, delivery.conference, delivery, mail), delivery.uid

    def send() -> None:
        try:
            mailer.send(app, message, name)
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code >= 500:
                raise PermanentFailure(
                    f"the mail server refused it: {exc.smtp_code} {exc.smtp_error!r}"
                ) from exc
            raise

    return send


def _send(app: Flask, delivery_id: int) -> tuple[int | None, Exception | None]:
    """Render from the current state, then send outside any transaction (a slow server holds no lock)."""
    try:
        with sessionmaker_of(app)() as db:
            delivery = db.get(OutboxDelivery, delivery_id)
            if delivery.channel == DeliveryChannel.WEBHOOK:
                send = _prepare_webhook(app, delivery)
            else:
                send = _prepare_email(app, db, delivery)
        return (send() if send is not None else None), None
    except Exception as exc:
        # httpx is imported by the first webhook sent (webhooks.post): a failed send raised its error already.
        httpx = sys.modules.get("httpx")
        if isinstance(exc, (PermanentFailure, OSError, smtplib.SMTPException)) or (
            httpx is not None and isinstance(exc, httpx.HTTPError)
        ):
            return None, exc
        raise


def attempt(app: Flask, delivery_id: int) -> str | None:
    """Claim, send and mark one delivery; its new state, or None when it was not ours to send."""
    if not claim(app, delivery_id):
        return None
    status, error = _send(app, delivery_id)
    if error is None and status is not None and not 200 <= status < 300:
        error = RuntimeError(f"the endpoint answered {status}")
    with sessionmaker_of(app)() as db, db.begin():
        delivery = db.get(OutboxDelivery, delivery_id, with_for_update=True)
        now = utcnow()
        delivery.last_status = status
        if status == 410 and delivery.endpoint is not None:
            # The receiver says it is gone for good: stop sending it anything.
            delivery.endpoint.active = False
            delivery.endpoint.disabled_reason = "answered 410 Gone"
            error = PermanentFailure("the endpoint answered 410 Gone")
        if isinstance(error, PermanentFailure):
            delivery.state, delivery.last_error = DeliveryState.DEAD, str(error)
        elif error is not None:
            delivery.last_error = f"{type(error).__name__}: {error}"
            if now - delivery.created_at >= timedelta(seconds=app.config["DELIVERY_RETRY_FOR_SECONDS"]):
                delivery.state = DeliveryState.DEAD
            else:
                base = timedelta(seconds=app.config["DELIVERY_RETRY_SECONDS"])
                delivery.due_at = now + min(base * 2 ** (delivery.attempts - 1), MAX_BACKOFF)
        else:
            delivery.state, delivery.sent_at, delivery.last_error = DeliveryState.SENT, now, None
        delivery.lease_until = None
        if delivery.state != DeliveryState.PENDING and "secret" in delivery.data:
            # A secret a message had to carry (a self-service link) is kept only until it is sent or given up.
            delivery.data = {key: value for key, value in delivery.data.items() if key != "secret"}
        state, kind, recipient = delivery.state, delivery.kind, delivery.recipient
    log.info("delivery %s (%s to %s): %s", delivery_id, kind, recipient or "a webhook", state)
    return state


def deliver_due(app: Flask) -> int:
    """Send everything due now, once each (a failure waits for its next turn); how many were tried."""
    tried = 0
    for delivery_id in due(app):
        if attempt(app, delivery_id) is not None:
            tried += 1
    return tried


def status(app: Flask) -> dict[str, Any]:
    """What operators watch: deliveries waiting, failing and given up, and how old the oldest waiting one is."""
    with sessionmaker_of(app)() as db:
        pending, oldest = db.execute(
            select(func.count(), func.min(OutboxDelivery.created_at)).where(
                OutboxDelivery.state == DeliveryState.PENDING
            )
        ).one()
        failing = db.scalar(
            select(func.count()).where(
                OutboxDelivery.state == DeliveryState.PENDING, OutboxDelivery.last_error.is_not(None)
            )
        )
        dead = db.scalar(select(func.count()).where(OutboxDelivery.state == DeliveryState.DEAD))
    age = None
    if oldest is not None:
        oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=utcnow().tzinfo)
        age = max(0, int((utcnow() - oldest).total_seconds()))
    return {"pending": pending, "failing": failing, "dead": dead, "oldest_pending_seconds": age}
