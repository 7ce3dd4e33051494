"""Agenda schemas."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from eventapp.schemas import id_field

MAX_SESSIONS = 500


class AgendaSchema(ma.Schema):
    """An agenda as written (the sessions) and as shown (with its token's URLs)."""

    session_ids = fields.List(
        id_field(),
        required=True,
        validate=validate.Length(max=MAX_SESSIONS),
        metadata={"description": f"Sessions of the conference, at most {MAX_SESSIONS}"},
    )
    token = fields.String(
        dump_only=True, metadata={"description": "Keep it: it is the only key to the agenda"}
    )
    conference = fields.String(dump_only=True, metadata={"description": "The conference's slug"})
    url = fields.String(dump_only=True)
    feeds = fields.Dict(keys=fields.String(), values=fields.String(), dump_only=True)
