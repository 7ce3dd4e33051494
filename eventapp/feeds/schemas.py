"""The one filter grammar of the JSON schedule and the iCal feeds, and the JSON schedule's shape."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from eventapp.conferences.schemas import ConferenceSchema
from eventapp.enums import SessionKind
from eventapp.program.schemas import ProgramSessionSchema
from eventapp.schemas import id_field, language_field


class FeedArgs(ma.Schema):
    """Which sessions a schedule or feed holds, and in which language its texts are."""

    track = id_field(metadata={"description": "Track id"})
    room = id_field(metadata={"description": "Room id"})
    person = id_field(metadata={"description": "Person id, in any role"})
    kind = fields.String(validate=validate.OneOf(list(SessionKind)))
    day = fields.Date(metadata={"description": "Local date in the conference's time zone"})
    lang = language_field(metadata={"description": "Titles and abstracts in this language where translated"})
    language = language_field(metadata={"description": "Sessions held in this language"})
    follow = language_field(
        metadata={
            "description": "Sessions one can follow in this language: held in it, or interpreted into it"
        }
    )


# What the JSON schedule shows of its conference (eventapp/feeds/schedule.py renders it).
SCHEDULE_CONFERENCE_FIELDS = (
    "slug",
    "name",
    "name_translations",
    "series",
    "edition",
    "venue",
    "timezone",
    "start_date",
    "end_date",
    "languages",
    "website",
    "schedule_version",
    "schedule_changed_at",
)


# Those fields, as ConferenceSchema has them, in a schema of its own name (ConferenceSchema(only=...) would
# take the name of the whole one in the OpenAPI document).
ScheduleConferenceSchema = ma.Schema.from_dict(
    {name: ConferenceSchema._declared_fields[name] for name in SCHEDULE_CONFERENCE_FIELDS},
    name="ScheduleConferenceSchema",
)


class ScheduleSessionSchema(ProgramSessionSchema):
    """A session in the JSON schedule: as the API shows it, title and abstract in the language asked for."""

    uid = fields.String(
        dump_only=True, required=True, metadata={"description": "Its iCalendar UID, for good"}
    )
    url = fields.String(dump_only=True, required=True, metadata={"description": "The session in the API"})


class ScheduleDaySchema(ma.Schema):
    """One local day of the schedule, its sessions in start order."""

    date = fields.Date(required=True, metadata={"description": "Local date in the conference's time zone"})
    sessions = fields.List(fields.Nested(ScheduleSessionSchema), required=True)


class ScheduleSchema(ma.Schema):
    """The published schedule as JSON (documentation of feeds/schedule.py's answer; it renders without it)."""

    conference = fields.Nested(ScheduleConferenceSchema, required=True)
    feeds = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "The addresses of the same schedule in the other formats"},
    )
    days = fields.List(fields.Nested(ScheduleDaySchema), required=True)
