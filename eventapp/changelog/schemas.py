"""Change log schemas."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from eventapp import lengths
from eventapp.changelog.models import ChangeKind
from eventapp.schemas import PageArgs


class ChangeQueryArgs(PageArgs):
    """Changes after a schedule version."""

    since = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=lengths.MAX_INTEGER),
        metadata={"description": "Only changes made by later schedule versions than this one"},
    )


class ScheduleChangeSchema(ma.Schema):
    """One kind of change to one session, in the schedule version that made it."""

    id = fields.Integer(dump_only=True)
    schedule_version = fields.Integer(dump_only=True)
    session_id = fields.Integer(dump_only=True)
    session_code = fields.String(dump_only=True, allow_none=True)
    session_title = fields.String(dump_only=True)
    kind = fields.String(dump_only=True, metadata={"enum": list(ChangeKind)})
    old_value = fields.Raw(dump_only=True, allow_none=True, metadata={"description": "Before the change"})
    new_value = fields.Raw(dump_only=True, allow_none=True, metadata={"description": "After the change"})
    changed_at = fields.DateTime(dump_only=True)
