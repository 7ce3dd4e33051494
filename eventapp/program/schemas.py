"""Programme session and participation schemas."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from eventapp import lengths
from eventapp.conferences.schemas import RoomSchema, TrackSchema
from eventapp.enums import Delivery, Role, SessionKind, SessionStatus
from eventapp.people.schemas import OrganizationSchema, PersonSchema
from eventapp.schemas import (
    LocalDateTime,
    PageArgs,
    WholeNumber,
    id_field,
    language_field,
    search_text,
    string_field,
    translations_field,
)


def session_rule_violations(data: dict[str, Any], sponsor_key: str = "sponsor_id") -> list[tuple[str, str]]:
    """(field, message) for each rule a session's own fields break; used on input and after merging an edit."""
    problems = []
    starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
    if starts_at is not None and ends_at is not None:
        comparable = (starts_at.tzinfo is None) == (ends_at.tzinfo is None)
        if comparable and ends_at <= starts_at:
            problems.append(("ends_at", "Must be after starts_at."))
    if data.get("kind") == SessionKind.SATELLITE_SYMPOSIUM and data.get(sponsor_key) is None:
        problems.append((sponsor_key, "A satellite symposium needs a sponsor organization."))
    return problems


def effective_capacity(program_session: Any) -> int | None:
    """The seats a session offers: its own capacity, else its room's; None for no limit."""
    if program_session.capacity is not None:
        return program_session.capacity
    room = program_session.room
    return room.capacity if room is not None else None


def seats_left_of(program_session: Any) -> int | None:
    """Seats not yet confirmed or offered, for a session that needs registration; None otherwise or unlimited."""
    if not program_session.registration_required:
        return None
    capacity = effective_capacity(program_session)
    if capacity is None:
        return None
    counter = program_session.seat_counter  # eventapp/registrations/models.py
    return max(0, capacity - (counter.taken if counter is not None else 0))


class ParticipantSchema(ma.Schema):
    """A person in a session in one role."""

    role = fields.String(required=True, validate=validate.OneOf(list(Role)))
    order = WholeNumber(
        validate=validate.Range(min=0, max=10_000), metadata={"description": "Position in its session"}
    )
    presentation_title = string_field(
        lengths.TITLE, allow_none=True, metadata={"description": "The speaker's own talk"}
    )
    remote = fields.Boolean(load_default=False, metadata={"description": "Joins online"})
    person = fields.Nested(PersonSchema, dump_only=True)
    person_id = id_field(required=True)


class ProgramSessionSchema(ma.Schema):
    """A session as shown and as written; times are shown in the conference's zone with its offset."""

    id = fields.Integer(dump_only=True)
    code = string_field(
        lengths.SHORT, allow_none=True, metadata={"description": "The organizer's own reference"}
    )
    title = string_field(lengths.TITLE, required=True)
    title_translations = translations_field(lengths.TITLE, load_default=dict)
    abstract = string_field(lengths.LONG_TEXT, allow_none=True)
    abstract_translations = translations_field(lengths.LONG_TEXT, load_default=dict)
    kind = fields.String(load_default=SessionKind.SESSION, validate=validate.OneOf(list(SessionKind)))
    status = fields.String(load_default=SessionStatus.DRAFT, validate=validate.OneOf(list(SessionStatus)))
    starts_at = LocalDateTime(
        required=True,
        metadata={"description": "ISO 8601; a time without offset is read in the conference's zone"},
    )
    ends_at = LocalDateTime(required=True)
    room = fields.Nested(RoomSchema, dump_only=True, allow_none=True)
    room_id = id_field(allow_none=True)
    track = fields.Nested(TrackSchema, dump_only=True, allow_none=True)
    track_id = id_field(allow_none=True)
    language = language_field(allow_none=True, metadata={"description": "Language of delivery"})
    interpretation = fields.List(
        language_field(),
        load_default=list,
        metadata={"description": "Simultaneous interpretation into these"},
    )
    delivery = fields.String(load_default=Delivery.IN_PERSON, validate=validate.OneOf(list(Delivery)))
    sponsor = fields.Nested(OrganizationSchema, dump_only=True, allow_none=True)
    sponsor_id = id_field(allow_none=True)
    participants = fields.List(fields.Nested(ParticipantSchema), load_default=list)
    registration_required = fields.Boolean(
        load_default=False, metadata={"description": "Attendees register for a seat to attend"}
    )
    capacity = WholeNumber(
        allow_none=True,
        validate=validate.Range(min=0, max=lengths.MAX_INTEGER),
        metadata={"description": "Seats for registered attendees; none for the room's capacity"},
    )
    seats_left = fields.Function(
        seats_left_of,
        dump_only=True,
        allow_none=True,
        metadata={
            "description": "Seats not yet confirmed or offered, when registration is required and limited"
        },
    )
    sequence = fields.Integer(dump_only=True, metadata={"description": "iCalendar SEQUENCE"})
    created_at = fields.AwareDateTime(dump_only=True)
    updated_at = fields.AwareDateTime(dump_only=True)

    # The field that names the sponsor: an id here, a name in seed files.
    SPONSOR_KEY = "sponsor_id"

    @ma.validates_schema
    def _session_rules(self, data, **_kwargs):
        problems = session_rule_violations(data, self.SPONSOR_KEY)
        if problems:
            raise ma.ValidationError({field: [message] for field, message in problems})


class PersonSessionSchema(ProgramSessionSchema):
    """A session in a person's list, which spans conferences: with the conference it belongs to."""

    conference = fields.Function(
        lambda program_session: program_session.conference.slug,
        dump_only=True,
        metadata={"description": "The conference's slug"},
    )


class SatelliteSymposiumSchema(ProgramSessionSchema):
    """A satellite symposium: a session of that kind, which a sponsor organization must hold."""

    kind = fields.String(dump_only=True)
    sponsor_id = id_field(required=True, metadata={"description": "The sponsor organization"})


class SessionQueryArgs(PageArgs):
    day = fields.Date(metadata={"description": "Local date in the conference's time zone"})
    room = id_field(metadata={"description": "Room id"})
    track = id_field(metadata={"description": "Track id"})
    kind = fields.String(validate=validate.OneOf(list(SessionKind)))
    status = fields.String(validate=validate.OneOf(list(SessionStatus)))
    person = id_field(metadata={"description": "Person id, in any role"})
    q = search_text(
        metadata={
            "description": "Text in the title, abstract (in any of the conference's languages), code or a person's name"
        }
    )
