"""The seed file format: the API's schemas, with references by natural key instead of by id.

A seed file is self-contained: people name their organization by name, sessions name rooms, tracks and
sponsors by name and people by slug, and each of these must be defined in the same file.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from eventapp import lengths as limits
from eventapp.conferences.schemas import BoothSchema, ConferenceSchema, RoomSchema, TrackSchema
from eventapp.people.schemas import OrganizationSchema, PersonSchema
from eventapp.program.schemas import ParticipantSchema, ProgramSessionSchema
from eventapp.schemas import slug_field, string_field


class SeedPersonSchema(PersonSchema):
    class Meta:
        exclude = ("organization_id",)

    slug = slug_field(
        limits.SLUG, required=True, metadata={"description": "How sessions in this file name the person"}
    )
    organization = string_field(
        limits.NAME, allow_none=True, metadata={"description": "Name of an organization in this file"}
    )


class SeedBoothSchema(BoothSchema):
    class Meta:
        exclude = ("organization_id",)

    organization = string_field(
        limits.NAME, required=True, metadata={"description": "The exhibitor, by name"}
    )


class SeedParticipantSchema(ParticipantSchema):
    class Meta:
        exclude = ("person_id",)

    person = slug_field(limits.SLUG, required=True, metadata={"description": "Slug of a person in this file"})


class SeedSessionSchema(ProgramSessionSchema):
    class Meta:
        exclude = ("room_id", "track_id", "sponsor_id")

    SPONSOR_KEY = "sponsor"
    code = string_field(limits.SHORT, required=True, metadata={"description": "Natural key of the session"})
    room = string_field(limits.NAME, allow_none=True, metadata={"description": "Room name"})
    track = string_field(limits.NAME, allow_none=True, metadata={"description": "Track name"})
    sponsor = string_field(
        limits.NAME, allow_none=True, metadata={"description": "Sponsor organization name"}
    )
    participants = fields.List(fields.Nested(SeedParticipantSchema), load_default=list)


class SeedFileSchema(ma.Schema):
    """A whole meeting."""

    conference = fields.Nested(ConferenceSchema, required=True)
    organizations = fields.List(fields.Nested(OrganizationSchema), load_default=list)
    people = fields.List(fields.Nested(SeedPersonSchema), load_default=list)
    rooms = fields.List(fields.Nested(RoomSchema), load_default=list)
    tracks = fields.List(fields.Nested(TrackSchema), load_default=list)
    booths = fields.List(fields.Nested(SeedBoothSchema), load_default=list)
    sessions = fields.List(fields.Nested(SeedSessionSchema), load_default=list)
