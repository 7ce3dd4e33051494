"""Create, update and delete programme sessions with their participants; flush, never commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from eventapp.conferences.models import Conference, Room, Track
from eventapp.conferences.operations import outside_window
from eventapp.enums import SessionStatus
from eventapp.errors import Conflict, DomainError, NotFound, SchedulingConflict
from eventapp.operations import assign, get_referenced, in_zone
from eventapp.people.models import Organization, Person
from eventapp.program.models import Participation, ProgramSession
from eventapp.program.schemas import session_rule_violations

SCALARS = (
    "code",
    "title",
    "title_translations",
    "abstract",
    "abstract_translations",
    "kind",
    "status",
    "starts_at",
    "ends_at",
    "room_id",
    "track_id",
    "language",
    "interpretation",
    "delivery",
    "sponsor_id",
    "registration_required",
    "capacity",
)


# The statements of the rules below, built once with their parameters: building them anew for every session
# was a good part of loading a 5,000-session seed file.
_PEOPLE_FOUND = select(Person.id).where(Person.id.in_(bindparam("person_ids", expanding=True)))
_OVERLAPPING = (
    select(ProgramSession)
    .where(
        ProgramSession.conference_id == bindparam("conference_id"),
        ProgramSession.status == SessionStatus.CONFIRMED,
        ProgramSession.starts_at < bindparam("ends_at"),
        ProgramSession.ends_at > bindparam("starts_at"),
        ProgramSession.id != bindparam("session_id"),  # 0 for a new session: no session has that id
    )
    .order_by(ProgramSession.starts_at, ProgramSession.id)
)
_ROOM_CLASH = _OVERLAPPING.where(ProgramSession.room_id == bindparam("room_id"))
# The people's sessions first (by the person index), then their times: not every session's.
_PERSON_CLASH = (
    _OVERLAPPING.add_columns(Participation.person_id)
    .join(Participation, Participation.session_id == ProgramSession.id)
    .where(
        ProgramSession.id.in_(
            select(Participation.session_id).where(
                Participation.person_id.in_(bindparam("people", expanding=True))
            )
        ),
        Participation.person_id.in_(bindparam("same_people", expanding=True)),
    )
)
_CODE_TAKEN = select(ProgramSession.id).where(
    ProgramSession.conference_id == bindparam("conference_id"), ProgramSession.code == bindparam("code")
)


def _refuse(problems: list[tuple[str, str]]) -> None:
    if problems:
        field, message = problems[0]
        raise DomainError(
            message, field, details=[{"location": None, "field": f, "message": m} for f, m in problems]
        )


def _check_references(db: Session, conference: Conference, data: dict[str, Any]) -> None:
    for key, model in (("room_id", Room), ("track_id", Track)):
        obj = get_referenced(db, model, data.get(key), key)
        if obj is not None and obj.conference_id != conference.id:
            raise DomainError(f"{model.__name__} {obj.id} belongs to another conference.", key)
    get_referenced(db, Organization, data.get("sponsor_id"), "sponsor_id")


def _check_participants(db: Session, participants: list[dict[str, Any]]) -> None:
    seen = set()
    wanted = {p["person_id"] for p in participants}
    found = set(db.scalars(_PEOPLE_FOUND, {"person_ids": list(wanted)})) if wanted else set()
    problems = []
    for index, participant in enumerate(participants):
        key = (participant["person_id"], participant["role"])
        if participant["person_id"] not in found:
            problems.append(
                (f"participants.{index}.person_id", f"No person with id {participant['person_id']}.")
            )
        elif key in seen:
            problems.append((f"participants.{index}", "The same person is listed twice in the same role."))
        seen.add(key)
    _refuse(problems)


def _set_participants(program_session: ProgramSession, participants: list[dict[str, Any]]) -> None:
    """Make the session's participants exactly these, keeping rows that stay so that nothing moves needlessly."""
    existing = {(p.person_id, p.role): p for p in program_session.participants}
    keep = []
    for index, values in enumerate(participants):
        values = {"order": index, **values}
        row = existing.pop((values["person_id"], values["role"]), None)
        if row is None:
            row = Participation(person_id=values["person_id"], role=values["role"])
        assign(row, {k: v for k, v in values.items() if k not in ("person_id", "role")})
        keep.append(row)
    if existing or [id(p) for p in keep] != [id(p) for p in program_session.participants]:
        program_session.participants = keep


def describe_session(program_session: ProgramSession, zone) -> dict[str, Any]:
    """The session another is in the way of, as a conflict's details name it."""
    return {
        "id": program_session.id,
        "code": program_session.code,
        "title": program_session.title,
        "starts_at": program_session.starts_at.astimezone(zone).isoformat(),
        "ends_at": program_session.ends_at.astimezone(zone).isoformat(),
    }


def _check_conflicts(
    db: Session,
    conference: Conference,
    program_session: ProgramSession | None,
    merged: dict[str, Any],
    person_ids: set[int],
) -> None:
    """409 when a confirmed session would share its room, or one of its people, with another confirmed one."""
    if merged["status"] != SessionStatus.CONFIRMED:
        return
    times = {
        "conference_id": conference.id,
        "starts_at": merged["starts_at"],
        "ends_at": merged["ends_at"],
        "session_id": program_session.id
        if program_session is not None and program_session.id is not None
        else 0,
    }
    zone = conference.zone
    clashes: list[tuple[str, str, ProgramSession]] = []  # (field, message, the other session)
    with db.no_autoflush:
        if merged.get("room_id") is not None:
            room = None
            for clash in db.scalars(_ROOM_CLASH, {**times, "room_id": merged["room_id"]}):
                room = room or db.get(Room, merged["room_id"])
                message = (
                    f"Room {room.name!r} is booked at that time by session {clash.id} ({clash.title!r})."
                )
                clashes.append(("room_id", message, clash))
        if person_ids:
            people = sorted(person_ids)
            seen = set()  # a person in two roles of the other session is one double booking
            for clash, person_id in db.execute(
                _PERSON_CLASH, {**times, "people": people, "same_people": people}
            ):
                if (clash.id, person_id) in seen:
                    continue
                seen.add((clash.id, person_id))
                person = db.get(Person, person_id)
                message = f"{person.display_name} is in session {clash.id} ({clash.title!r}) at that time."
                clashes.append(("participants", message, clash))
    if clashes:
        # Every double booking at once: a room clash must not hide a speaker's.
        message = (
            clashes[0][1]
            if len(clashes) == 1
            else (f"The session clashes with {len(clashes)} bookings: " + " ".join(m for _, m, _ in clashes))
        )
        raise SchedulingConflict(
            message,
            details=[
                {"location": "json", "field": field, "message": m, "session": describe_session(clash, zone)}
                for field, m, clash in clashes
            ],
        )


def save_session(
    db: Session,
    conference: Conference,
    data: dict[str, Any],
    program_session: ProgramSession | None = None,
    *,
    check_conflicts: bool = True,
) -> ProgramSession:
    """Create a session of conference, or update the one given, enforcing the rules that span rows.

    check_conflicts=False lets room and speaker double bookings through: only for mirroring a schedule someone
    else published (seed import-frab --allow-conflicts), never for the API.
    """
    data = dict(data)
    zone = conference.zone
    for key in ("starts_at", "ends_at"):
        if data.get(key) is not None:
            data[key] = in_zone(data[key], zone, key)
    participants = data.pop("participants", None)

    current = {key: getattr(program_session, key) for key in SCALARS} if program_session else {}
    merged = {**current, **data}
    _refuse(session_rule_violations(merged))
    _check_references(db, conference, data)
    if participants is not None:
        _check_participants(db, participants)
    if outside_window(conference, merged["starts_at"], merged["ends_at"]):
        raise DomainError(
            f"The session must lie within the conference's dates, {conference.start_date} to "
            f"{conference.end_date} in {conference.timezone}.",
            "starts_at",
        )
    if participants is not None:
        person_ids = {p["person_id"] for p in participants}
    else:
        person_ids = {p.person_id for p in program_session.participants} if program_session else set()
    if check_conflicts:
        _check_conflicts(db, conference, program_session, merged, person_ids)
    code = data.get("code")
    if (
        code is not None
        and (program_session is None or code != program_session.code)
        and db.scalar(_CODE_TAKEN, {"conference_id": conference.id, "code": code}) is not None
    ):
        raise Conflict(f"This conference already has a session with code {code!r}.", "code")

    if program_session is None:
        program_session = ProgramSession(conference_id=conference.id)
        db.add(program_session)
    assign(program_session, {k: v for k, v in data.items() if k in SCALARS})
    if participants is not None:
        _set_participants(program_session, participants)
    db.flush()
    return program_session


def delete_session(db: Session, program_session: ProgramSession) -> None:
    """Delete a draft session; 409 for any other, which is cancelled instead."""
    if program_session.status != SessionStatus.DRAFT:
        # Subscribed calendars only learn of a cancellation from a session that is still there.
        raise Conflict(
            "Only draft sessions can be deleted; cancel this one instead (PATCH status=cancelled).", "status"
        )
    db.delete(program_session)
    db.flush()


def check_filter_references(db: Session, conference: Conference | None, args: dict[str, Any]) -> None:
    """404 for a filter naming a room or track the conference does not have, or a person nobody knows: an empty
    answer would look like a schedule with nothing in it. With no conference (a person's feed, which spans
    them), a room or track of any conference will do."""
    for arg, model in (("room", Room), ("track", Track)):
        ident = args.get(arg)
        if ident is not None:
            obj = db.get(model, ident)
            if obj is None or (conference is not None and obj.conference_id != conference.id):
                where = " in this conference" if conference is not None else ""
                raise NotFound(f"No {arg} {ident}{where}.", arg, location="query")
    if args.get("person") is not None and db.get(Person, args["person"]) is None:
        raise NotFound(f"No person {args['person']}.", "person", location="query")
