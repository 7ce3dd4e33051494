"""Conference, room, track and booth schemas."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from eventapp import lengths
from eventapp.enums import ConferenceStatus
from eventapp.people.schemas import OrganizationSchema
from eventapp.registrations.schemas import RegistrationSettingsSchema
from eventapp.schemas import (
    COLOR_RE,
    WholeNumber,
    country_field,
    id_field,
    language_field,
    slug_field,
    string_field,
    translations_field,
    validate_timezone,
)


class VenueSchema(ma.Schema):
    name = string_field(lengths.NAME, allow_none=True)
    address = string_field(lengths.TITLE, allow_none=True)
    city = string_field(lengths.NAME, allow_none=True)
    country = country_field(allow_none=True)


class RoomSchema(ma.Schema):
    """A room; an online room stands for a virtual stage."""

    id = fields.Integer(dump_only=True)
    name = string_field(lengths.NAME, required=True)
    location = string_field(lengths.NAME, allow_none=True, metadata={"description": "Hall or floor"})
    capacity = WholeNumber(allow_none=True, validate=validate.Range(min=0, max=1_000_000))
    is_online = fields.Boolean(load_default=False)


class TrackSchema(ma.Schema):
    id = fields.Integer(dump_only=True)
    name = string_field(lengths.NAME, required=True)
    color = fields.String(
        allow_none=True, validate=validate.Regexp(COLOR_RE, error="Use a colour such as '#1f77b4'.")
    )


class BoothSchema(ma.Schema):
    """An exhibitor's booth."""

    id = fields.Integer(dump_only=True)
    label = string_field(lengths.SHORT, required=True, metadata={"description": "Booth number or label"})
    location = string_field(lengths.NAME, allow_none=True, metadata={"description": "Hall or area"})
    description = string_field(lengths.LONG_TEXT, allow_none=True)
    organization = fields.Nested(OrganizationSchema, dump_only=True)
    organization_id = id_field(required=True, metadata={"description": "The exhibitor"})


class ConferenceSchema(ma.Schema):
    """A conference as listed and as written."""

    id = fields.Integer(dump_only=True)
    slug = slug_field(lengths.SLUG, required=True)
    name = string_field(lengths.NAME, required=True)
    name_translations = translations_field(lengths.NAME, load_default=dict)
    series = string_field(lengths.NAME, allow_none=True)
    edition = WholeNumber(allow_none=True, validate=validate.Range(min=1, max=lengths.MAX_INTEGER))
    venue = fields.Nested(VenueSchema, load_default=dict)
    timezone = fields.String(required=True, validate=validate_timezone, metadata={"description": "IANA name"})
    start_date = fields.Date(required=True, metadata={"description": "First day, local"})
    end_date = fields.Date(required=True, metadata={"description": "Last day, local"})
    languages = fields.List(language_field(), load_default=list)
    website = fields.URL(allow_none=True, validate=validate.Length(max=lengths.URL))
    contact_email = fields.Email(
        allow_none=True,
        validate=validate.Length(max=lengths.NAME),
        metadata={"description": "The organizers' address: the organizer of the invitations attendees get"},
    )
    description = string_field(lengths.LONG_TEXT, allow_none=True)
    status = fields.String(
        load_default=ConferenceStatus.DRAFT,
        validate=validate.OneOf(list(ConferenceStatus)),
    )
    registration = fields.Nested(
        RegistrationSettingsSchema,
        allow_none=True,
        metadata={"description": "Attendee registration; none: attendees do not register"},
    )
    schedule_version = fields.Integer(
        dump_only=True, metadata={"description": "Moves whenever anything in the schedule changes"}
    )
    schedule_changed_at = fields.AwareDateTime(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)
    updated_at = fields.AwareDateTime(dump_only=True)

    @ma.validates_schema
    def _dates_ordered(self, data, **_kwargs):
        if "start_date" in data and "end_date" in data and data["end_date"] < data["start_date"]:
            raise ma.ValidationError("Must not be before start_date.", "end_date")


class ConferenceDetailSchema(ConferenceSchema):
    """A conference with its rooms, tracks and booths."""

    rooms = fields.List(fields.Nested(RoomSchema), dump_only=True)
    tracks = fields.List(fields.Nested(TrackSchema), dump_only=True)
    booths = fields.List(fields.Nested(BoothSchema), dump_only=True)
