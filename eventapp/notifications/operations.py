"""Webhook endpoints made and changed, and deliveries replayed; flush, never commit."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from eventapp.conferences.models import Conference
from eventapp.db import utcnow
from eventapp.enums import DeliveryState
from eventapp.errors import Conflict, DomainError
from eventapp.notifications.models import OutboxDelivery, WebhookEndpoint
from eventapp.notifications.webhooks import AddressRefused, Unresolvable, check_url, new_secret


def save_endpoint(
    db: Session, conference: Conference, data: dict[str, Any], endpoint: WebhookEndpoint | None = None
) -> WebhookEndpoint:
    """Make or change an endpoint; its URL must be one the worker may call (not inside this network)."""
    if "url" in data:
        try:
            check_url(data["url"], allow_private=current_app.config["WEBHOOK_ALLOW_PRIVATE"])
        except Unresolvable:
            pass  # a name that does not resolve yet is no inside address; every delivery checks it again
        except AddressRefused as exc:
            raise DomainError(f"This URL is not called: {exc}", "url") from exc
    if endpoint is None:
        endpoint = WebhookEndpoint(conference=conference, secret=new_secret())
        db.add(endpoint)
    for key in ("url", "events", "active"):
        if key in data:
            setattr(endpoint, key, list(dict.fromkeys(data[key])) if key == "events" else data[key])
    if data.get("active"):
        endpoint.disabled_reason = None
    db.flush()
    return endpoint


def replay(db: Session, delivery: OutboxDelivery) -> OutboxDelivery:
    """Make a delivery due again now (sent or given up); 409 while it is still waiting for its turn."""
    if delivery.state == DeliveryState.PENDING:
        raise Conflict("This delivery is still waiting to be sent.", "delivery_id", location="path")
    delivery.state, delivery.due_at, delivery.lease_until = DeliveryState.PENDING, utcnow(), None
    delivery.created_at = utcnow()  # the day of retries counts from the replay
    db.flush()
    return delivery
