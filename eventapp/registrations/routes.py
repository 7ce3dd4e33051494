"""Attendee registration: registering without an account, self-service under a secret token, organizers'
lists and rosters, check-in, availability, and the person's calendar."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response
from flask.views import MethodView
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from eventapp.auth.access import (
    conference_for_read,
    conference_for_write,
    current_token,
    require_any_token,
)
from eventapp.auth.operations import VerifiedToken
from eventapp.conferences.models import Conference
from eventapp.conferences.operations import get_by_slug
from eventapp.db import get_session
from eventapp.enums import ConferenceStatus, SessionStatus, TokenRole
from eventapp.errors import Forbidden, Gone, NotFound
from eventapp.feeds.publish import CALENDAR
from eventapp.feeds.schemas import FeedArgs
from eventapp.program.models import ProgramSession
from eventapp.ratelimits import REGISTRATION_CREATION, spend
from eventapp.registrations import ical
from eventapp.registrations import operations as ops
from eventapp.registrations.idempotency import DOC as IDEMPOTENCY
from eventapp.registrations.idempotency import write
from eventapp.registrations.models import Registration, RegistrationStatus
from eventapp.registrations.queries import (
    attendance,
    availability,
    checked_in_ids,
    organizer_view,
    registration_view,
    registrations_of,
    roster,
)
from eventapp.registrations.schemas import (
    AttendanceSchema,
    AvailabilitySchema,
    CheckinSchema,
    EraseArgs,
    OrganizerRegistrationSchema,
    OrganizerRegistrationUpdate,
    RegistrationQueryArgs,
    RegistrationSchema,
    RegistrationUpdate,
    RosterArgs,
    RosterSchema,
    SeatRequestSchema,
)
from eventapp.schemas import page_of
from eventapp.views import (
    AUTH,
    ApiBlueprint,
    check_if_match,
    commit_and_respond,
    document_errors,
    paginate,
    respond_with_etag,
)

blp = ApiBlueprint("registrations", __name__, url_prefix="/api/v1", description="Attendee registration")

REGISTRATION_FEED_ARGS = FeedArgs(only=("lang",))
CSV = {
    "200": {"description": "CSV, one row a person", "content": {"text/csv": {"schema": {"type": "string"}}}}
}


# --- who may --------------------------------------------------------------------------------------------


def _organizer(slug: str, **_ignored: Any) -> None:
    conference_for_write(slug)


def _desk(slug: str, **_ignored: Any) -> None:
    _checkin_conference(slug)


def _checkin_conference(slug: str) -> tuple[Conference, VerifiedToken]:
    """The conference if the token may check people in there: admin, its organizers, its check-in tokens."""
    token = require_any_token()
    conference = get_by_slug(get_session(), slug)
    if conference is None:
        raise NotFound(f"No conference {slug!r}.", "slug", location="path")
    if token.role != TokenRole.ADMIN and token.conference_id != conference.id:
        raise Forbidden(f"This token may not check people in at conference {slug!r}.")
    return conference, token


# What a check-in token reads of a registration: who the person is, and whether they may come in.
NAMES = ("id", "given_name", "family_name", "conference", "status", "checked_in", "erased")


def _reader(slug: str) -> tuple[Conference, bool]:
    """The conference for a read of its registrations, and whether the token may read names only (check-in)."""
    token = current_token()
    if token is not None and token.role == TokenRole.CHECKIN:
        conference, _token = _checkin_conference(slug)
        return conference, True
    return conference_for_write(slug), False


def _shown(view: dict[str, Any], names_only: bool) -> dict[str, Any]:
    return {k: v for k, v in view.items() if k in NAMES} if names_only else view


def _session_of(conference: Conference, session_id: int) -> ProgramSession:
    program_session = get_session().get(ProgramSession, session_id)
    if program_session is None or program_session.conference_id != conference.id:
        raise NotFound(f"No session {session_id} in this conference.", "session_id", location="path")
    return program_session


def _registration_of(conference: Conference, registration_id: int) -> Registration:
    registration = get_session().get(Registration, registration_id)
    if registration is None or registration.conference_id != conference.id:
        raise NotFound(
            f"No registration {registration_id} in this conference.", "registration_id", location="path"
        )
    return registration


def _by_token(token: str, *, for_write: bool = True) -> Registration:
    db = get_session()
    registration = ops.find_registration(db, token, lock=for_write)
    if registration is None:
        raise NotFound("No registration with that token.", "token", location="path")
    if registration.erased_at is not None or registration.conference.status != ConferenceStatus.PUBLISHED:
        raise Gone("This registration was erased.", "token", location="path")
    return registration


def _answer(registration: Registration, token: str | None = None, status: int = 200, headers=None):
    db = get_session()
    view = registration_view(db, registration, token)
    db.commit()
    return view, status, headers or {}


def _check_if_match(db, registration: Registration) -> None:
    present = checked_in_ids(db, registration.conference_id)
    check_if_match(OrganizerRegistrationSchema(), organizer_view(db, registration, present))


def _csv(rows: list[dict[str, Any]], columns: list[str], name: str) -> Response:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}.csv"',
            "Cache-Control": "private, no-store",
        },
    )


# --- registering and self-service -----------------------------------------------------------------------


@blp.route("/conferences/<slug:slug>/registrations")
class Registrations(MethodView):
    @write()
    @blp.arguments(RegistrationSchema)
    @blp.response(201, RegistrationSchema)
    @blp.doc(**IDEMPOTENCY)
    @document_errors(404, 409, 422, 429)
    def post(self, data, slug):
        """Register for the meeting and for sessions: no login; the answer's token is the only key to it.

        Each requested session gets a seat: confirmed while seats are free, else waitlisted with a position
        (or pending, when the conference approves registrations first). 409 for a second active registration
        of one address, a full meeting, a closed registration, or sessions that overlap.
        """
        spend(REGISTRATION_CREATION)
        db = get_session()
        # With what the registration's write reads besides: its settings, the endpoints its event goes to.
        conference = get_by_slug(
            db, slug, joinedload(Conference.registration), joinedload(Conference.active_webhook_endpoints)
        )
        if conference is None:
            raise NotFound(f"No published conference {slug!r}.", "slug", location="path")
        registration, token = ops.create_registration(db, conference, data)
        view = registration_view(db, registration, token)
        db.commit()
        return view, {"Location": view["url"]}

    @blp.arguments(RegistrationQueryArgs, location="query")
    @blp.response(200, page_of(OrganizerRegistrationSchema))
    @blp.doc(**AUTH)
    @document_errors(401, 403, 404)
    def get(self, args, slug):
        """The conference's registrations (organizers), searched by name, address or organization (q),
        filtered by status and session. A check-in token reads names and statuses only."""
        conference, names_only = _reader(slug)
        db = get_session()
        page = paginate(registrations_of(conference, args), args)
        present = checked_in_ids(db, conference.id)
        page["items"] = [_shown(organizer_view(db, r, present), names_only) for r in page["items"]]
        return page


REGISTRATION_COLUMNS = ["id", "given_name", "family_name", "organization", "email", "status", "checked_in"]


@blp.route("/conferences/<slug:slug>/registrations.csv")
class RegistrationsCsv(MethodView):
    @blp.arguments(RegistrationQueryArgs(exclude=("page", "page_size")), location="query")
    @blp.doc(responses=CSV, **AUTH)
    @document_errors(401, 403, 404)
    def get(self, args, slug):
        """The registrations as CSV, for badges (organizers)."""
        conference = conference_for_write(slug)
        db = get_session()
        present = checked_in_ids(db, conference.id)
        rows = [organizer_view(db, r, present) for r in db.scalars(registrations_of(conference, args))]
        return _csv(rows, REGISTRATION_COLUMNS, f"{slug}-registrations")


@blp.route("/registrations/<token>")
class RegistrationItem(MethodView):
    @blp.response(200, RegistrationSchema)
    @document_errors(404, 410)
    def get(self, token):
        """The registration and its seats."""
        registration = _by_token(token, for_write=False)
        ops.touch(get_session(), [s.session_id for s in registration.seats])
        return registration_view(get_session(), registration)

    @write()
    @blp.arguments(RegistrationUpdate)
    @blp.response(200, RegistrationSchema)
    @document_errors(404, 409, 410)
    def patch(self, data, token):
        """Change your name, organization, language or consent to share with sponsors."""
        registration = _by_token(token)
        ops.update_details(get_session(), registration, data)
        return _answer(registration)

    @write()
    @blp.arguments(EraseArgs, location="query")
    @blp.response(204)
    @document_errors(404, 409, 410)
    def delete(self, args, token):
        """Cancel the registration: every seat is given up (the next person on each waitlist moves up). With
        erase=true, also remove your name, address and organization."""
        db = get_session()
        registration = _by_token(token)
        if args["erase"]:
            ops.erase(db, registration)
        else:
            ops.end_registration(db, registration, RegistrationStatus.CANCELLED)
        db.commit()


@blp.route("/registrations/<token>/sessions")
class RegistrationSeats(MethodView):
    @write()
    @blp.arguments(SeatRequestSchema)
    @blp.response(201, RegistrationSchema)
    @blp.doc(**IDEMPOTENCY)
    @document_errors(404, 409, 410, 422)
    def post(self, data, token):
        """Take a seat in a session: confirmed if one is free, else on its waitlist. 409 if it overlaps one of
        your seats (the other session is named), unless the conference allows overlaps."""
        db = get_session()
        registration = _by_token(token)
        if registration.active is None:
            raise ops.Conflict(f"The registration is {registration.status}.", "token", location="path")
        settings = ops.settings_of(db, registration.conference)
        program_session = ops.registrable_session(db, registration.conference, data["session_id"])
        ops.take_seat(db, registration, program_session, settings)
        return _answer(registration, status=201)


@blp.route("/registrations/<token>/sessions/<int:session_id>")
class RegistrationSeat(MethodView):
    @write()
    @blp.response(204)
    @document_errors(404, 410)
    def delete(self, token, session_id):
        """Give up your seat (or your place on the waitlist); the next person moves up."""
        db = get_session()
        registration = _by_token(token)
        ops.free_seat(db, ops.active_seat(registration, session_id), "withdrawn")
        db.commit()


def _offer_answer(accept: bool):
    """The view that accepts or declines an offer."""

    @write()
    @blp.response(200, RegistrationSchema)
    @blp.doc(**IDEMPOTENCY)
    @document_errors(404, 409, 410, 422)
    def post(self, token, session_id):
        registration = _by_token(token)
        ops.answer_offer(get_session(), ops.active_seat(registration, session_id), accept=accept)
        return _answer(registration)

    post.__doc__ = (
        "Accept the seat offered to you: confirmed. 409 once the offer has expired."
        if accept
        else "Decline the seat offered to you: it goes to the next person. 409 once the offer has expired."
    )
    return post


@blp.route("/registrations/<token>/sessions/<int:session_id>/accept")
class AcceptOffer(MethodView):
    post = _offer_answer(accept=True)


@blp.route("/registrations/<token>/sessions/<int:session_id>/decline")
class DeclineOffer(MethodView):
    post = _offer_answer(accept=False)


@blp.route("/registrations/<token>.ics")
class RegistrationFeed(MethodView):
    @blp.arguments(REGISTRATION_FEED_ARGS, location="query")
    @blp.doc(
        responses={"200": {"description": "iCalendar", "content": {CALENDAR: {"schema": {"type": "string"}}}}}
    )
    @document_errors(304, 404, 410)
    def get(self, args, token):
        """Your seats as an iCalendar feed: confirmed, tentative (waitlisted, offered, pending) or cancelled."""
        registration = _by_token(token, for_write=False)
        ops.touch(get_session(), [s.session_id for s in registration.seats])
        return ical.serve(registration, token, args)


# --- organizers -----------------------------------------------------------------------------------------


@blp.route("/conferences/<slug:slug>/registrations/<int:registration_id>")
class OrganizerRegistration(MethodView):
    @blp.response(200, OrganizerRegistrationSchema)
    @blp.doc(**AUTH)
    @document_errors(304, 401, 403, 404)
    def get(self, slug, registration_id):
        """One registration (organizers), with its ETag."""
        conference, names_only = _reader(slug)
        db = get_session()
        registration = _registration_of(conference, registration_id)
        view = _shown(organizer_view(db, registration, checked_in_ids(db, conference.id)), names_only)
        return respond_with_etag(OrganizerRegistrationSchema(), view)

    @write(auth=_organizer)
    @blp.arguments(OrganizerRegistrationUpdate)
    @blp.response(200, OrganizerRegistrationSchema)
    @blp.doc(**AUTH)
    @document_errors(401, 403, 404, 409, 412)
    def patch(self, data, slug, registration_id):
        """Approve (status=confirmed), reject or cancel a registration, or change its details (organizers).
        Honours If-Match."""
        conference = conference_for_write(slug)
        db = get_session()
        registration = _registration_of(conference, registration_id)
        db.execute(select(Registration.id).where(Registration.id == registration.id).with_for_update())
        _check_if_match(db, registration)
        status = data.pop("status", None)
        if data:
            ops.update_details(db, registration, data)
        if status is not None and status != registration.status:
            if status == RegistrationStatus.CONFIRMED:
                ops.approve(db, registration)
            else:
                ops.end_registration(db, registration, RegistrationStatus(status))
        view = organizer_view(db, registration, checked_in_ids(db, conference.id))
        return commit_and_respond(OrganizerRegistrationSchema(), view)


@blp.route("/conferences/<slug:slug>/registrations/<int:registration_id>/sessions/<int:session_id>")
class OrganizerSeat(MethodView):
    @write(auth=_organizer)
    @blp.response(204)
    @blp.doc(**AUTH)
    @document_errors(401, 403, 404, 412)
    def delete(self, slug, registration_id, session_id):
        """Cancel one seat of a registration (organizers); the next person on the waitlist moves up. Honours
        If-Match (the registration's ETag)."""
        conference = conference_for_write(slug)
        db = get_session()
        registration = _registration_of(conference, registration_id)
        _check_if_match(db, registration)
        ops.free_seat(db, ops.active_seat(registration, session_id), "organizer")
        db.commit()


@blp.route("/conferences/<slug:slug>/registrations/<int:registration_id>/erase")
class OrganizerErase(MethodView):
    @write(auth=_organizer)
    @blp.response(204)
    @blp.doc(**AUTH, **IDEMPOTENCY)
    @document_errors(401, 403, 404, 409, 422)
    def post(self, slug, registration_id):
        """Erase a registration's personal data (organizers): its future seats are freed, its counts kept."""
        conference = conference_for_write(slug)
        db = get_session()
        ops.erase(db, _registration_of(conference, registration_id))
        db.commit()


def _roster(slug: str, session_id: int, args: dict[str, Any]):
    conference = conference_for_write(slug)
    program_session = _session_of(conference, session_id)
    return program_session, roster(get_session(), program_session, for_sponsor=args.get("for_") == "sponsor")


@blp.route("/conferences/<slug:slug>/sessions/<int:session_id>/registrations")
class SessionRoster(MethodView):
    @blp.arguments(RosterArgs, location="query")
    @blp.response(200, RosterSchema)
    @blp.doc(**AUTH)
    @document_errors(401, 403, 404)
    def get(self, args, slug, session_id):
        """The session's roster (organizers): confirmed, offered and waitlisted seats. for=sponsor: only those
        who agreed to share, name and organization only."""
        program_session, entries = _roster(slug, session_id, args)
        return {"session_id": program_session.id, "items": entries}


@blp.route("/conferences/<slug:slug>/sessions/<int:session_id>/registrations.csv")
class SessionRosterCsv(MethodView):
    @blp.arguments(RosterArgs, location="query")
    @blp.doc(responses=CSV, **AUTH)
    @document_errors(401, 403, 404)
    def get(self, args, slug, session_id):
        """The roster as CSV; for=sponsor gives the sponsor's copy (name and organization of those who agreed)."""
        _program_session, entries = _roster(slug, session_id, args)
        columns = (
            ["given_name", "family_name", "organization"]
            if args.get("for_") == "sponsor"
            else [
                "registration_id",
                "given_name",
                "family_name",
                "organization",
                "email",
                "status",
                "position",
                "checked_in",
            ]
        )
        return _csv(entries, columns, f"{slug}-session-{session_id}")


@blp.route("/conferences/<slug:slug>/sessions/<int:session_id>/availability")
class Availability(MethodView):
    @blp.response(200, AvailabilitySchema)
    @document_errors(304, 404)
    def get(self, slug, session_id):
        """How many seats the session has, how many are confirmed, offered and waitlisted, and how many are free."""
        conference = conference_for_read(slug)
        program_session = _session_of(conference, session_id)
        if program_session.status == SessionStatus.DRAFT or not program_session.registration_required:
            raise NotFound(f"Session {session_id} takes no registration.", "session_id", location="path")
        ops.touch(get_session(), [session_id])
        return respond_with_etag(AvailabilitySchema(), availability(get_session(), program_session))


@blp.route("/conferences/<slug:slug>/sessions/<int:session_id>/attendance")
class Attendance(MethodView):
    @blp.response(200, AttendanceSchema)
    @blp.doc(**AUTH)
    @document_errors(401, 403, 404)
    def get(self, slug, session_id):
        """People checked in at the session, beside its confirmed seats (organizers)."""
        conference = conference_for_write(slug)
        return attendance(get_session(), _session_of(conference, session_id))


@blp.route("/conferences/<slug:slug>/checkins")
class Checkins(MethodView):
    @write(auth=_desk)
    @blp.arguments(CheckinSchema)
    @blp.response(200, CheckinSchema)
    @blp.doc(**AUTH, **IDEMPOTENCY)
    @document_errors(401, 403, 404, 409, 422)
    def post(self, data, slug):
        """Check a person in at the meeting or at a session (check-in, organizer and admin tokens). The same
        nonce again answers the first check-in (scanners upload again when they were offline)."""
        conference, _token = _checkin_conference(slug)
        db = get_session()
        checkin, _new = ops.check_in(db, conference, data)
        registration = db.get(Registration, checkin.registration_id)
        view = {
            "id": checkin.id,
            "registration_id": checkin.registration_id,
            "session_id": checkin.session_id,
            "nonce": checkin.nonce,
            "given_name": registration.given_name,
            "family_name": registration.family_name,
            "checked_in_at": checkin.checked_in_at,
        }
        db.commit()
        return view
