"""Registration schemas: the conference's settings, a registration as written and shown, seats, check-ins."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from eventapp import lengths
from eventapp.registrations.models import RegistrationStatus, SeatStatus, WaitlistMode
from eventapp.schemas import (
    LocalDateTime,
    PageArgs,
    WholeNumber,
    id_field,
    language_field,
    search_text,
    string_field,
)

MAX_SEATS = 100
# How long an offer may run at most (a year): more would be no offer.
MAX_OFFER_HOURS = 24 * 365


class RegistrationSettingsSchema(ma.Schema):
    """A conference's registration: its window, the meeting's capacity, approval, and how waitlists move."""

    opens_at = LocalDateTime(
        allow_none=True, metadata={"description": "ISO 8601; read in the conference's zone"}
    )
    closes_at = LocalDateTime(allow_none=True)
    capacity = WholeNumber(
        allow_none=True,
        validate=validate.Range(min=0, max=lengths.MAX_INTEGER),
        metadata={"description": "Registrations the whole meeting takes; none for no limit"},
    )
    requires_approval = fields.Boolean(
        load_default=False, metadata={"description": "Registrations wait (pending) for the organizers"}
    )
    waitlist_mode = fields.String(
        load_default=WaitlistMode.OFFER,
        validate=validate.OneOf(list(WaitlistMode)),
        metadata={
            "description": "offer: the next person gets an offer with an expiry; auto: confirmed at once"
        },
    )
    offer_hours = WholeNumber(
        load_default=24,
        validate=validate.Range(min=1, max=MAX_OFFER_HOURS),
        metadata={
            "description": "How long an offer runs; never past a quarter of the time left before the session"
        },
    )
    allow_overlaps = fields.Boolean(
        load_default=False,
        metadata={"description": "Whether a person may hold seats in overlapping sessions"},
    )

    @ma.validates_schema
    def _window_ordered(self, data, **_kwargs):
        opens_at, closes_at = data.get("opens_at"), data.get("closes_at")
        if (
            opens_at is not None
            and closes_at is not None
            and (opens_at.tzinfo is None) == (closes_at.tzinfo is None)
        ) and closes_at <= opens_at:
            raise ma.ValidationError("Must be after opens_at.", "closes_at")


class SeatSchema(ma.Schema):
    """A registration's place in one session."""

    session_id = fields.Integer()
    status = fields.String(metadata={"description": "confirmed, offered, waitlisted, pending or cancelled"})
    position = fields.Integer(
        allow_none=True, metadata={"description": "Place on the waitlist (1 is next), while waitlisted"}
    )
    offer_expires_at = fields.AwareDateTime(allow_none=True, metadata={"description": "While offered"})
    reason = fields.String(allow_none=True, metadata={"description": "Why a cancelled seat was cancelled"})


class RegistrationSchema(ma.Schema):
    """A registration as written by the attendee and as shown to them (with its token, once, on creation)."""

    id = fields.Integer(dump_only=True)
    given_name = string_field(lengths.NAME, required=True)
    family_name = string_field(lengths.NAME, required=True)
    email = fields.Email(required=True, validate=validate.Length(max=lengths.NAME))
    organization = string_field(lengths.NAME, allow_none=True)
    language = language_field(allow_none=True, metadata={"description": "The language of messages"})
    session_ids = fields.List(
        id_field(),
        load_default=list,
        load_only=True,
        validate=validate.Length(max=MAX_SEATS),
        metadata={"description": "Sessions to take a seat in"},
    )
    share_with_sponsor = fields.Boolean(
        load_default=False,
        metadata={"description": "Agrees that sponsors of satellite symposia see name and organization"},
    )
    conference = fields.String(dump_only=True, metadata={"description": "The conference's slug"})
    status = fields.String(
        dump_only=True,
        metadata={"description": "pending (awaits approval), confirmed, rejected or cancelled"},
    )
    seats = fields.List(fields.Nested(SeatSchema), dump_only=True)
    token = fields.String(
        dump_only=True, metadata={"description": "Only in the answer that made it: the only key to it"}
    )
    url = fields.String(dump_only=True)
    feeds = fields.Dict(keys=fields.String(), values=fields.String(), dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)


class RegistrationUpdate(ma.Schema):
    """What the attendee may change: their own details."""

    given_name = string_field(lengths.NAME)
    family_name = string_field(lengths.NAME)
    organization = string_field(lengths.NAME, allow_none=True)
    language = language_field(allow_none=True)
    share_with_sponsor = fields.Boolean()


class OrganizerRegistrationUpdate(RegistrationUpdate):
    """What organizers may change: the details, and the status (approve, reject or cancel)."""

    status = fields.String(
        validate=validate.OneOf(
            [RegistrationStatus.CONFIRMED, RegistrationStatus.REJECTED, RegistrationStatus.CANCELLED]
        ),
        metadata={"description": "confirmed approves a pending registration; rejected; cancelled"},
    )


class SeatRequestSchema(ma.Schema):
    session_id = id_field(required=True)


class EraseArgs(ma.Schema):
    erase = fields.Boolean(
        load_default=False, metadata={"description": "Also remove the name, address and organization"}
    )


class RegistrationQueryArgs(PageArgs):
    q = search_text(metadata={"description": "Text in the name, address or organization"})
    status = fields.String(validate=validate.OneOf(list(RegistrationStatus)))
    session_id = id_field(metadata={"description": "Holding an active seat in this session"})


class RosterArgs(ma.Schema):
    for_ = fields.String(
        data_key="for",
        validate=validate.OneOf(["sponsor"]),
        metadata={"description": "sponsor: only those who agreed to share, with name and organization only"},
    )


class RosterEntrySchema(ma.Schema):
    registration_id = fields.Integer()
    given_name = fields.String(allow_none=True)
    family_name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    organization = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "The seat's status"})
    position = fields.Integer(allow_none=True)
    checked_in = fields.Boolean()


class RosterSchema(ma.Schema):
    session_id = fields.Integer()
    items = fields.List(fields.Nested(RosterEntrySchema))


class OrganizerRegistrationSchema(RegistrationSchema):
    """A registration as organizers see it."""

    erased = fields.Boolean(dump_only=True)
    checked_in = fields.Boolean(dump_only=True)


class AvailabilitySchema(ma.Schema):
    capacity = fields.Integer(allow_none=True, metadata={"description": "None for no limit"})
    confirmed = fields.Integer()
    offered = fields.Integer()
    waitlisted = fields.Integer()
    available = fields.Integer(allow_none=True, metadata={"description": "Seats free now; none for no limit"})


class CheckinSchema(ma.Schema):
    id = fields.Integer(dump_only=True)
    registration_id = id_field(required=True)
    session_id = id_field(allow_none=True, metadata={"description": "None: at the meeting's desk"})
    nonce = string_field(
        lengths.SHORT,
        required=True,
        metadata={
            "description": "The scanner's own id of this scan: sent again, it answers the first answer"
        },
    )
    given_name = fields.String(dump_only=True, allow_none=True)
    family_name = fields.String(dump_only=True, allow_none=True)
    checked_in_at = fields.AwareDateTime(dump_only=True)


class AttendanceSchema(ma.Schema):
    session_id = fields.Integer()
    checked_in = fields.Integer(metadata={"description": "People checked in at the session"})
    registered = fields.Integer(metadata={"description": "Confirmed seats"})


SEAT_STATUSES = list(SeatStatus)
