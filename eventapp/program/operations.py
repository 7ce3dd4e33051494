"""Create, update and delete programme sessions with their participants; flush, never commit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.util import identity_key

from eventapp.conferences.models import Conference, Room, Track
from eventapp.conferences.operations import outside_window
from eventapp.db import hold
from eventapp.enums import SessionStatus
from eventapp.errors import Conflict, DomainError, NotFound, SchedulingConflict
from eventapp.operations import assign, get_referenced, in_zone, preload
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


# The statements of the rules below, built once with their parameters, each asked once for a whole batch of
# writes (the API's batch is one session, a seed file's all its sessions): a query a session was most of
# loading a 5,000-session seed file.
# With their organizations, which the answer shows.
_PEOPLE_FOUND = (
    select(Person)
    .where(Person.id.in_(bindparam("person_ids", expanding=True)))
    .options(joinedload(Person.organization))
)
_CONFIRMED_IN_WINDOW = (
    ProgramSession.conference_id == bindparam("conference_id"),
    ProgramSession.status == SessionStatus.CONFIRMED,
    ProgramSession.starts_at < bindparam("ends_at"),
    ProgramSession.ends_at > bindparam("starts_at"),
)
# The confirmed sessions in the batch's rooms, and the batch's people's confirmed sessions (by the person
# index), within the batch's span of time: the bookings its sessions could clash with.
_ROOM_BOOKINGS = select(
    ProgramSession.id, ProgramSession.starts_at, ProgramSession.ends_at, ProgramSession.room_id
).where(*_CONFIRMED_IN_WINDOW, ProgramSession.room_id.in_(bindparam("rooms", expanding=True)))
_PERSON_BOOKINGS = (
    select(ProgramSession.id, ProgramSession.starts_at, ProgramSession.ends_at, Participation.person_id)
    .join(Participation, Participation.session_id == ProgramSession.id)
    .where(*_CONFIRMED_IN_WINDOW, Participation.person_id.in_(bindparam("people", expanding=True)))
)
_ROOM_BOOKINGS, _PERSON_BOOKINGS = (
    q.where(ProgramSession.id.not_in(bindparam("rewritten", expanding=True)))
    for q in (_ROOM_BOOKINGS, _PERSON_BOOKINGS)
)
# Sessions a NOT IN list leaves out at most (SQLite binds up to 32,766 parameters, PostgreSQL 65,535).
_MAX_LEFT_OUT = 20_000
_CODES_TAKEN = select(ProgramSession.code, ProgramSession.id).where(
    ProgramSession.conference_id == bindparam("conference_id"),
    ProgramSession.code.in_(bindparam("codes", expanding=True)),
)
# Rows an IN list names at most, well under every database's limit of bound parameters.
_CHUNK = 500


def _chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    values = list(values)
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


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
    """422 for a person that does not exist, or one listed twice in the same role (the batch read the people
    into the session: db.get finds them there)."""
    seen = set()
    problems = []
    for index, participant in enumerate(participants):
        key = (participant["person_id"], participant["role"])
        if db.get(Person, participant["person_id"]) is None:
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


class _Booking:
    """A confirmed session's time, as the conflict rule compares it: a stored one by id, or one of the batch."""

    __slots__ = ("ends_at", "key", "session", "starts_at")

    def __init__(self, key: Any, starts_at: datetime, ends_at: datetime, session: ProgramSession | None):
        self.key, self.starts_at, self.ends_at, self.session = key, starts_at, ends_at, session


class Bookings:
    """The confirmed sessions a batch of writes to one conference could clash with, by room and by person.

    Read for the whole batch in two queries (the stored bookings in its rooms, and its people's, within its
    span of time); each session the batch writes then takes the place of what is stored of it, so that every
    later session of the batch is checked against it as if it had been written before: one rule, whatever the
    size of the batch."""

    def __init__(
        self, db: Session, conference: Conference, batch: list[dict[str, Any]], rewritten: Iterable[int] = ()
    ):
        self.db = db
        self.by_room: dict[int, dict[Any, _Booking]] = defaultdict(dict)
        self.by_person: dict[int, dict[Any, _Booking]] = defaultdict(dict)
        self._where: dict[Any, list[dict[Any, _Booking]]] = defaultdict(list)  # the indexes a key is in
        confirmed = [m for m in batch if m["status"] == SessionStatus.CONFIRMED]
        if not confirmed or conference.id is None:
            return
        window = {
            "conference_id": conference.id,
            "starts_at": min(m["starts_at"] for m in confirmed),
            "ends_at": max(m["ends_at"] for m in confirmed),
        }
        # The stored sessions the batch writes anew are left out (what it writes takes their place), in the
        # query when they are few enough to list: reloading an unchanged seed file reads no booking at all.
        rewritten = sorted(set(rewritten))
        window["rewritten"] = rewritten if len(rewritten) <= _MAX_LEFT_OUT else []
        rooms = {m["room_id"] for m in confirmed if m.get("room_id") is not None}
        people = set().union(*(m["person_ids"] for m in confirmed))
        for chunk in _chunks(rooms):
            for key, starts_at, ends_at, room_id in db.execute(_ROOM_BOOKINGS, {**window, "rooms": chunk}):
                self._book(self.by_room[room_id], _Booking(key, starts_at, ends_at, None))
        for chunk in _chunks(people):
            for key, starts_at, ends_at, person_id in db.execute(
                _PERSON_BOOKINGS, {**window, "people": chunk}
            ):
                self._book(self.by_person[person_id], _Booking(key, starts_at, ends_at, None))

    def _book(self, booked: dict[Any, _Booking], booking: _Booking) -> None:
        booked[booking.key] = booking
        self._where[booking.key].append(booked)

    def remove(self, key: Any) -> None:
        """Forget a session's stored booking (the batch writes it anew)."""
        for booked in self._where.pop(key, ()):
            booked.pop(key, None)

    def add(self, key: Any, merged: dict[str, Any], person_ids: set[int], session: ProgramSession) -> None:
        """Book a session the batch writes, for the sessions after it."""
        if merged["status"] != SessionStatus.CONFIRMED:
            return
        booking = _Booking(key, merged["starts_at"], merged["ends_at"], session)
        if merged.get("room_id") is not None:
            self._book(self.by_room[merged["room_id"]], booking)
        for person_id in person_ids:
            self._book(self.by_person[person_id], booking)

    def overlapping(self, booked: dict[Any, _Booking], merged: dict[str, Any], own: Any) -> list[_Booking]:
        """The bookings of booked that overlap the session's time (back to back is no overlap)."""
        return [
            b
            for b in booked.values()
            if b.key != own and b.starts_at < merged["ends_at"] and b.ends_at > merged["starts_at"]
        ]

    def session(self, booking: _Booking) -> ProgramSession:
        """The other session of a clash, with an id (a session of the batch is flushed to get one)."""
        if booking.session is None:
            booking.session = self.db.get(ProgramSession, booking.key)
        if booking.session.id is None:
            self.db.flush()
        return booking.session


def _check_conflicts(
    bookings: Bookings,
    conference: Conference,
    program_session: ProgramSession | None,
    merged: dict[str, Any],
    person_ids: set[int],
) -> None:
    """409 when a confirmed session would share its room, or one of its people, with another confirmed one."""
    if merged["status"] != SessionStatus.CONFIRMED:
        return
    db = bookings.db
    own = program_session.id if program_session is not None and program_session.id is not None else None
    own = own if own is not None else program_session
    zone = conference.zone

    def order(found: tuple[_Booking, Any]) -> tuple:
        booking = found[0]
        return (booking.starts_at, booking.key if isinstance(booking.key, int) else 2**63, found[1] or 0)

    found: list[tuple[_Booking, int | None]] = []
    if merged.get("room_id") is not None:
        found += [(b, None) for b in bookings.overlapping(bookings.by_room[merged["room_id"]], merged, own)]
    for person_id in person_ids:
        found += [(b, person_id) for b in bookings.overlapping(bookings.by_person[person_id], merged, own)]
    if not found:
        return
    clashes: list[tuple[str, str, ProgramSession]] = []  # (field, message, the other session)
    for booking, person_id in sorted(found, key=order):
        clash = bookings.session(booking)
        if person_id is None:
            room = db.get(Room, merged["room_id"])
            message = f"Room {room.name!r} is booked at that time by session {clash.id} ({clash.title!r})."
            clashes.append(("room_id", message, clash))
        else:
            person = db.get(Person, person_id)
            message = f"{person.display_name} is in session {clash.id} ({clash.title!r}) at that time."
            clashes.append(("participants", message, clash))
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
    """Create a session of conference, or update the one given, enforcing the rules that span rows: a batch of
    one (save_sessions), whose refusal is raised."""
    (result,) = save_sessions(db, conference, [(data, program_session)], check_conflicts=check_conflicts)
    if isinstance(result, DomainError):
        raise result
    return result


def save_sessions(
    db: Session,
    conference: Conference,
    batch: list[tuple[dict[str, Any], ProgramSession | None]],
    *,
    check_conflicts: bool = True,
) -> list[ProgramSession | DomainError]:
    """Create or update sessions of conference in order, each checked by every rule as if the ones before it
    had been written: for each (data, the session or None) the session written, or the DomainError that
    refused it (nothing of it is written). The rows a rule needs are read for the whole batch at once, and
    the batch is flushed once.

    check_conflicts=False lets room and speaker double bookings through: only for mirroring a schedule someone
    else published (seed import-frab --allow-conflicts), never for the API.
    """
    zone = conference.zone
    prepared: list[dict[str, Any] | DomainError] = []
    for data, program_session in batch:
        data = dict(data)
        try:
            for key in ("starts_at", "ends_at"):
                if data.get(key) is not None:
                    data[key] = in_zone(data[key], zone, key)
        except DomainError as exc:
            prepared.append(exc)
            continue
        participants = data.pop("participants", None)
        current = {key: getattr(program_session, key) for key in SCALARS} if program_session else {}
        if participants is not None:
            person_ids = {p["person_id"] for p in participants}
        else:
            person_ids = {p.person_id for p in program_session.participants} if program_session else set()
        prepared.append(
            {
                "data": data,
                "participants": participants,
                "merged": {**current, **data},
                "person_ids": person_ids,
            }
        )
    items = [p for p in prepared if not isinstance(p, DomainError)]
    with db.no_autoflush:
        # What the rules will ask of each session, read for all of them.
        held = [  # referenced until the batch is written, so that the identity map keeps them
            *preload(db, Room, (p["data"].get("room_id") for p in items)),
            *preload(db, Track, (p["data"].get("track_id") for p in items)),
            *preload(db, Organization, (p["data"].get("sponsor_id") for p in items)),
        ]
        wanted = {q["person_id"] for p in items for q in p["participants"] or ()}
        wanted -= {i for i in wanted if db.identity_map.get(identity_key(Person, i)) is not None}
        for chunk in _chunks(sorted(wanted)):
            held += db.scalars(_PEOPLE_FOUND, {"person_ids": chunk}).all()
        codes = {p["data"]["code"] for p in items if p["data"].get("code") is not None}
        taken: dict[str, int | ProgramSession] = {}
        if conference.id is not None:
            for chunk in _chunks(sorted(codes)):
                taken |= dict(
                    db.execute(_CODES_TAKEN, {"conference_id": conference.id, "codes": chunk}).all()
                )
        bookings = None
        if check_conflicts:
            merged_all = [
                {**p["merged"], "person_ids": p["person_ids"]}
                for p in items
                if p["merged"].get("starts_at") is not None and p["merged"].get("ends_at") is not None
            ]
            rewritten = [s.id for _, s in batch if s is not None and s.id is not None]
            bookings = Bookings(db, conference, merged_all, rewritten)
            for (_, program_session), p in zip(batch, prepared, strict=True):
                if program_session is not None and not isinstance(p, DomainError):
                    bookings.remove(program_session.id)

    results: list[ProgramSession | DomainError] = []
    for (_, program_session), p in zip(batch, prepared, strict=True):
        if isinstance(p, DomainError):
            results.append(p)
            continue
        try:
            results.append(
                _save_one(
                    db, conference, program_session, p, bookings, taken, check_conflicts=check_conflicts
                )
            )
        except DomainError as exc:
            if bookings is not None and program_session is not None:
                # Refused, the session stays as stored: the sessions after it are checked against that.
                stored_people = {q.person_id for q in program_session.participants}
                bookings.add(program_session.id, _stored(program_session), stored_people, program_session)
            results.append(exc)
    db.flush()
    hold(db, held)  # the answer that shows what was written reaches them again
    return results


def _stored(program_session: ProgramSession) -> dict[str, Any]:
    return {key: getattr(program_session, key) for key in SCALARS}


def _save_one(
    db: Session,
    conference: Conference,
    program_session: ProgramSession | None,
    item: dict[str, Any],
    bookings: Bookings | None,
    taken: dict[str, Any],
    *,
    check_conflicts: bool,
) -> ProgramSession:
    """Check one session of a batch by every rule and add it to the session (unflushed); DomainError if refused."""
    data, participants, merged, person_ids = (
        item["data"],
        item["participants"],
        item["merged"],
        item["person_ids"],
    )
    _refuse(session_rule_violations(merged))
    with db.no_autoflush:
        _check_references(db, conference, data)
        if participants is not None:
            _check_participants(db, participants)
    if outside_window(conference, merged["starts_at"], merged["ends_at"]):
        raise DomainError(
            f"The session must lie within the conference's dates, {conference.start_date} to "
            f"{conference.end_date} in {conference.timezone}.",
            "starts_at",
        )
    if check_conflicts:
        _check_conflicts(bookings, conference, program_session, merged, person_ids)
    code = data.get("code")
    if code is not None and (program_session is None or code != program_session.code) and code in taken:
        raise Conflict(f"This conference already has a session with code {code!r}.", "code")

    if program_session is None:
        program_session = ProgramSession(conference_id=conference.id)
        db.add(program_session)
    elif code is not None and taken.get(program_session.code) in (program_session.id, program_session):
        del taken[program_session.code]  # the code it leaves is free for the sessions after it
    if code is not None:
        taken[code] = program_session
    assign(program_session, {k: v for k, v in data.items() if k in SCALARS})
    if participants is not None:
        _set_participants(program_session, participants)
    if bookings is not None:
        key = program_session.id if program_session.id is not None else program_session
        bookings.add(key, merged, person_ids, program_session)
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
