"""Sessions, and satellite symposia (sessions of that kind), under /api/v1/conferences/<slug>."""

from __future__ import annotations

import functools
from typing import Any

import marshmallow as ma
from sqlalchemy import Select, select

from eventapp.auth.access import (
    conference_for_read,
    conference_for_write,
    require_token_for_writes,
    sees_drafts,
)
from eventapp.conferences.models import Conference
from eventapp.db import get_session, hold
from eventapp.enums import SessionKind, SessionStatus
from eventapp.errors import NotFound
from eventapp.program.models import ProgramSession
from eventapp.program.operations import check_filter_references, delete_session, save_session
from eventapp.program.queries import PAGE_LOADS, sessions_of
from eventapp.program.schemas import ProgramSessionSchema, SatelliteSymposiumSchema, SessionQueryArgs
from eventapp.registrations.operations import session_saved, touch
from eventapp.schemas import page_of
from eventapp.transactions import begin_write_transaction
from eventapp.views import (
    AUTH,
    READ_AUTH,
    ApiBlueprint,
    ResourceView,
    check_if_match,
    commit_and_respond,
    commit_and_respond_created,
    document_errors,
    paginate,
    public_url,
    respond_with_etag,
    with_headers,
)

blp = ApiBlueprint("sessions", __name__, url_prefix="/api/v1/conferences/<slug:slug>", description="Sessions")
blp.before_request(begin_write_transaction)
blp.before_request(require_token_for_writes)

SATELLITE = SessionKind.SATELLITE_SYMPOSIUM


@functools.cache
def _dumper(schema: type[ma.Schema]) -> ma.Schema:
    """One instance of a schema for every answer: an instance builds its fields (and its nested schemas) anew,
    which was a good part of a write's time."""
    return schema()


def _listing(conference: Conference, args: dict[str, Any], kind: str | None) -> Select:
    hold(get_session(), [conference])  # every listed session's times are shown in its zone
    check_filter_references(get_session(), conference, args)
    if kind is not None:
        args = {**args, "kind": kind}
    return sessions_of(conference, args, include_drafts=sees_drafts(conference), loads=PAGE_LOADS)


def _find(conference: Conference, session_id: int, kind: str | None, *, for_read: bool) -> ProgramSession:
    program_session = get_session().scalar(
        select(ProgramSession).where(ProgramSession.id == session_id).options(*PAGE_LOADS)
    )
    if (
        program_session is None
        or program_session.conference_id != conference.id
        or (kind is not None and program_session.kind != kind)
        or (for_read and program_session.status == SessionStatus.DRAFT and not sees_drafts(conference))
    ):
        raise NotFound(f"No session {session_id} in this conference.", "session_id", location="path")
    return program_session


def _written(program_session: ProgramSession, data: dict[str, Any]) -> ProgramSession:
    """The written session as a GET reads it. The flush left its columns as the database holds them (every
    default and SEQUENCE is set by the ORM, none by the database), and its participants in the order a GET
    lists them (by their order, which is their place in the list, then by id) unless the request gave them an
    order of its own: only then are they read again."""
    if any("order" in participant for participant in data.get("participants") or ()):
        return _reloaded(program_session.id)
    # The references follow their ids when next read (from the session's identity map: the rules read them).
    get_session().expire(program_session, ["room", "track", "sponsor"])
    return program_session


def _reloaded(session_id: int) -> ProgramSession:
    """The session and its people read again, the rest of the transaction's objects left as they are."""
    return get_session().scalar(
        select(ProgramSession)
        .where(ProgramSession.id == session_id)
        .options(*PAGE_LOADS)
        .execution_options(populate_existing=True)
    )


def _create(slug: str, data: dict[str, Any], schema, kind: str | None):
    conference = conference_for_write(slug)
    if kind is not None:
        data["kind"] = kind
    program_session = save_session(get_session(), conference, data)
    return commit_and_respond_created(_dumper(schema), _written(program_session, data), program_session.id)


def _update(slug: str, session_id: int, data: dict[str, Any], schema, kind: str | None):
    conference = conference_for_write(slug)
    program_session = _find(conference, session_id, kind, for_read=False)
    check_if_match(_dumper(schema), program_session)
    save_session(get_session(), conference, data, program_session)
    session_saved(get_session(), program_session)
    return commit_and_respond(_dumper(schema), _written(program_session, data))


def _delete(slug: str, session_id: int, schema, kind: str | None) -> None:
    conference = conference_for_write(slug)
    program_session = _find(conference, session_id, kind, for_read=False)
    check_if_match(_dumper(schema), program_session)
    delete_session(get_session(), program_session)
    get_session().commit()


@blp.route("/sessions")
class Sessions(ResourceView):
    @blp.arguments(SessionQueryArgs(), location="query")
    @blp.response(200, page_of(ProgramSessionSchema))
    @document_errors(404)
    @blp.doc(**READ_AUTH)
    def get(self, args, slug):
        """List the conference's sessions by start time, filtered by day, room, track, kind, status, person or title text.

        Drafts are listed only for a token that reaches the conference.
        """
        return paginate(_listing(conference_for_read(slug), args, None), args)

    @blp.arguments(ProgramSessionSchema())
    @blp.response(201, ProgramSessionSchema)
    @blp.doc(**AUTH)
    @document_errors(401, 403, 404, 409)
    def post(self, data, slug):
        """Register a session with its participants.

        Times without an offset are read in the conference's time zone. Refused with 422 when it ends before
        it starts, lies outside the conference's dates, or is a satellite symposium without a sponsor; with
        409 when, confirmed, it overlaps a confirmed session in the same room or with one of the same people
        (the conflicting session is named). Cancelled sessions never conflict.
        """
        return _create(slug, data, ProgramSessionSchema, None)


@blp.route("/sessions/<int:session_id>")
class SessionItem(ResourceView):
    @blp.response(200, ProgramSessionSchema)
    @document_errors(304, 404)
    @blp.doc(**READ_AUTH)
    def get(self, slug, session_id):
        """One session, with its ETag."""
        program_session = _find(conference_for_read(slug), session_id, None, for_read=True)
        if program_session.registration_required:
            # Offers past their expiry give their seats on before seats_left is shown.
            touch(get_session(), [program_session.id])
        return respond_with_etag(_dumper(ProgramSessionSchema), program_session)

    @blp.arguments(ProgramSessionSchema(partial=True))
    @blp.response(200, ProgramSessionSchema)
    @blp.doc(**AUTH)
    @document_errors(401, 403, 404, 409, 412)
    def patch(self, data, slug, session_id):
        """Change a session; `participants`, when given, replaces the whole list. Cancel with status=cancelled.

        The same rules as for registering apply to the session as it would be after the change. Honours If-Match.
        """
        return _update(slug, session_id, data, ProgramSessionSchema, None)

    @blp.response(204)
    @blp.doc(**AUTH)
    @document_errors(401, 403, 404, 409, 412)
    def delete(self, slug, session_id):
        """Delete a draft session; a confirmed one is cancelled instead. Honours If-Match."""
        _delete(slug, session_id, ProgramSessionSchema, None)


@blp.route("/sessions/by-code/<code:code>")
class SessionByCode(ResourceView):
    @blp.response(200, ProgramSessionSchema)
    @document_errors(304, 404)
    @blp.doc(**READ_AUTH)
    def get(self, slug, code):
        """One session, found by its code.

        The code is the organizer's own reference, as in seed files and printed programmes. The answer is the
        one its own address gives, which Content-Location names.
        """
        conference = conference_for_read(slug)
        stmt = select(ProgramSession.id).where(
            ProgramSession.conference_id == conference.id, ProgramSession.code == code
        )
        if not sees_drafts(conference):  # a hidden draft is answered as no session at all
            stmt = stmt.where(ProgramSession.status != SessionStatus.DRAFT)
        session_id = get_session().scalar(stmt)
        if session_id is None:
            raise NotFound(f"No session with code {code!r} in this conference.", "code", location="path")
        answer = respond_with_etag(
            _dumper(ProgramSessionSchema), _find(conference, session_id, None, for_read=True)
        )
        location = public_url("sessions.SessionItem", slug=slug, session_id=session_id)
        return with_headers(answer, {"Content-Location": location})


@blp.route("/satellite-symposia")
class SatelliteSymposia(ResourceView):
    @blp.arguments(SessionQueryArgs(), location="query")
    @blp.response(200, page_of(SatelliteSymposiumSchema))
    @document_errors(404)
    @blp.doc(**READ_AUTH)
    def get(self, args, slug):
        """List the conference's satellite symposia, with their sponsors."""
        return paginate(_listing(conference_for_read(slug), args, SATELLITE), args)

    @blp.arguments(SatelliteSymposiumSchema())
    @blp.response(201, SatelliteSymposiumSchema)
    @blp.doc(**AUTH)
    @document_errors(401, 403, 404, 409)
    def post(self, data, slug):
        """Register a satellite symposium: a session of that kind, held by its sponsor (sponsor_id)."""
        return _create(slug, data, SatelliteSymposiumSchema, SATELLITE)


@blp.route("/satellite-symposia/<int:session_id>")
class SatelliteSymposiumItem(ResourceView):
    @blp.response(200, SatelliteSymposiumSchema)
    @document_errors(304, 404)
    @blp.doc(**READ_AUTH)
    def get(self, slug, session_id):
        """One satellite symposium."""
        return respond_with_etag(
            _dumper(SatelliteSymposiumSchema),
            _find(conference_for_read(slug), session_id, SATELLITE, for_read=True),
        )

    @blp.arguments(SatelliteSymposiumSchema(partial=True))
    @blp.response(200, SatelliteSymposiumSchema)
    @blp.doc(**AUTH)
    @document_errors(401, 403, 404, 409, 412)
    def patch(self, data, slug, session_id):
        """Change a satellite symposium. Honours If-Match."""
        return _update(slug, session_id, data, SatelliteSymposiumSchema, SATELLITE)

    @blp.response(204)
    @blp.doc(**AUTH)
    @document_errors(401, 403, 404, 409, 412)
    def delete(self, slug, session_id):
        """Delete a draft satellite symposium. Honours If-Match."""
        _delete(slug, session_id, SatelliteSymposiumSchema, SATELLITE)
