"""The one filter grammar of the JSON schedule and the iCal feeds."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from eventapp.enums import SessionKind
from eventapp.schemas import id_field, language_field


class FeedArgs(ma.Schema):
    """Which sessions a schedule or feed holds, and in which language its texts are."""

    track = id_field(metadata={"description": "Track id"})
    room = id_field(metadata={"description": "Room id"})
    person = id_field(metadata={"description": "Person id, in any role"})
    kind = fields.String(validate=validate.OneOf([k.value for k in SessionKind]))
    day = fields.Date(metadata={"description": "Local date in the conference's time zone"})
    lang = language_field(metadata={"description": "Titles and abstracts in this language where translated"})
