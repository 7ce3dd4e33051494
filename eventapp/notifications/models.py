"""The outbox (events and their deliveries) and the webhook endpoints organizers register."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp import lengths
from eventapp.conferences.models import Conference
from eventapp.db import Base, Timestamped, UTCDateTime, utcnow
from eventapp.enums import DeliveryChannel, DeliveryState, enum_check


class OutboxEvent(Base):
    """Something worth telling, written in the transaction of the change it tells of (a rolled-back change
    leaves none, a committed one is never lost)."""

    __tablename__ = "outbox_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable across retries and replays: receivers de-duplicate on it (webhook-id, Message-ID).
    uid: Mapped[str] = mapped_column(String(40), unique=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(48))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    conference: Mapped[Conference] = relationship()


class WebhookEndpoint(Timestamped, Base):
    """An organizer's receiver of signed webhook deliveries for one conference."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(lengths.URL))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The signing secret must be kept readable: the worker signs every delivery with it (Standard Webhooks'
    # symmetric scheme); it is shown once, at creation, and never in a read.
    secret: Mapped[str] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(lengths.NAME))

    conference: Mapped[Conference] = relationship()


# The conference's active endpoints, for a write path that loads the conference anyway (a registration, a
# seat) to read with it in the same statement: events.record() then asks no query of its own.
Conference.active_webhook_endpoints = relationship(
    WebhookEndpoint,
    primaryjoin=lambda: and_(
        WebhookEndpoint.conference_id == Conference.id, WebhookEndpoint.active.is_(True)
    ),
    order_by=WebhookEndpoint.id,
    viewonly=True,
)


class OutboxDelivery(Base):
    """One message to one recipient (an email address or a webhook endpoint), claimed by one worker at a time
    under a lease, retried with back-off until it is sent or given up."""

    __tablename__ = "outbox_deliveries"
    __table_args__ = (
        enum_check("channel", DeliveryChannel),
        enum_check("state", DeliveryState),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        CheckConstraint(
            "(channel = 'email' AND recipient IS NOT NULL) OR (channel = 'webhook' AND endpoint_id IS NOT NULL)",
            name="has_recipient",
        ),
        Index("ix_outbox_deliveries_due", "state", "due_at"),
        Index("ix_outbox_deliveries_batch", "batch_key", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable across retries: the webhook-id, or the email's Message-ID.
    uid: Mapped[str] = mapped_column(String(40), unique=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_events.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str | None] = mapped_column(String(lengths.NAME))
    endpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    # What the message is about, as the renderer reads it: the kind of message and the events it tells of
    # (a batch of changes for a speaker holds several).
    kind: Mapped[str] = mapped_column(String(48))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Messages to one person collect their changes while pending under one key (one message per few minutes).
    batch_key: Mapped[str | None] = mapped_column(String(lengths.NAME))
    state: Mapped[str] = mapped_column(String(16), default=DeliveryState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    conference: Mapped[Conference] = relationship()
    event: Mapped[OutboxEvent | None] = relationship()
    endpoint: Mapped[WebhookEndpoint | None] = relationship()
