"""Webhook endpoints and their delivery log, as the API reads and writes them."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from eventapp import lengths
from eventapp.enums import EventType
from eventapp.schemas import PageArgs


class WebhookEndpointSchema(ma.Schema):
    """An endpoint: where deliveries go and which events it takes; the secret is shown only when made."""

    id = fields.Integer(dump_only=True)
    url = fields.URL(
        required=True,
        schemes={"http", "https"},
        require_tld=False,
        validate=validate.Length(max=lengths.URL),
        metadata={"description": "Receives a signed POST (Standard Webhooks) per event"},
    )
    events = fields.List(
        fields.String(validate=validate.OneOf(list(EventType))),
        required=True,
        validate=validate.Length(min=1),
        metadata={"description": "The event types it takes"},
    )
    active = fields.Boolean(
        load_default=True,
        metadata={"description": "False once disabled (by an organizer, or by a 410 answer)"},
    )
    disabled_reason = fields.String(dump_only=True, allow_none=True)
    created_at = fields.AwareDateTime(dump_only=True)
    updated_at = fields.AwareDateTime(dump_only=True)


class NewWebhookEndpointSchema(WebhookEndpointSchema):
    """An endpoint just made, with its signing secret: the only time the secret is shown."""

    secret = fields.String(
        dump_only=True,
        metadata={"description": "whsec_...: verify each delivery's webhook-signature with it"},
    )


class DeliverySchema(ma.Schema):
    """One delivery to an endpoint and how it went."""

    id = fields.Integer(dump_only=True)
    webhook_id = fields.String(
        dump_only=True, attribute="event.uid", metadata={"description": "The webhook-id header it carries"}
    )
    type = fields.String(dump_only=True, attribute="kind")
    state = fields.String(dump_only=True, metadata={"description": "pending, sent or dead (given up)"})
    attempts = fields.Integer(dump_only=True)
    last_status = fields.Integer(dump_only=True, allow_none=True, metadata={"description": "HTTP status"})
    last_error = fields.String(dump_only=True, allow_none=True)
    created_at = fields.AwareDateTime(dump_only=True)
    due_at = fields.AwareDateTime(dump_only=True, metadata={"description": "When it is (next) tried"})
    sent_at = fields.AwareDateTime(dump_only=True, allow_none=True)


class DeliveryQueryArgs(PageArgs):
    """Filter of the delivery log."""

    state = fields.String(validate=validate.OneOf(["pending", "sent", "dead"]))
