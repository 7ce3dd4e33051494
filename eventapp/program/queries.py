"""Queries of sessions: the one every list, schedule and feed shares (eager loads, the one filter
grammar), and which sessions or conferences use a row of another area."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, String, cast, func, or_, select, union
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased, joinedload, selectinload, subqueryload
from sqlalchemy.sql.functions import FunctionElement

from eventapp.conferences.models import Booth, Conference, Room, Track
from eventapp.db import UTCDateTime
from eventapp.enums import SessionStatus
from eventapp.people.models import Organization, Person
from eventapp.people.queries import name_matches
from eventapp.program.models import Participation, ProgramSession

# Everything a session's representation shows, in a fixed number of queries however many sessions there are:
# subqueryload, not selectinload, which would run one more query for every 500 sessions.
SESSION_LOADS = (
    joinedload(ProgramSession.room),
    joinedload(ProgramSession.track),
    joinedload(ProgramSession.sponsor),
    subqueryload(ProgramSession.participants)
    .joinedload(Participation.person)
    .joinedload(Person.organization),
)
# For a page of sessions (at most a few hundred): their people by the page's ids, where subqueryload would run
# the page's sorted query again as a subquery.
PAGE_LOADS = (
    *SESSION_LOADS[:3],
    selectinload(ProgramSession.participants)
    .joinedload(Participation.person)
    .joinedload(Person.organization),
)


def filtered(stmt: Select, args: dict[str, Any], zone=None, languages: Sequence[str] = ()) -> Select:
    """Apply the filters in args (day, room, track, kind, status, person, q: text in languages too) to a session
    query."""
    if args.get("kind"):
        stmt = stmt.where(ProgramSession.kind == args["kind"])
    if args.get("day") is not None:
        start = datetime.combine(args["day"], time(0), zone)
        # Sessions that run on that local day, including ones that started the day before.
        stmt = stmt.where(
            ProgramSession.starts_at < start + timedelta(days=1), ProgramSession.ends_at > start
        )
    for arg, column in (
        ("room", ProgramSession.room_id),
        ("track", ProgramSession.track_id),
        ("status", ProgramSession.status),
    ):
        if args.get(arg) is not None:
            stmt = stmt.where(column == args[arg])
    if args.get("language"):
        stmt = stmt.where(ProgramSession.language == args["language"])
    if args.get("follow"):
        stmt = stmt.where(followable_in(args["follow"]))
    if args.get("person") is not None:
        stmt = stmt.where(ProgramSession.participants.any(Participation.person_id == args["person"]))
    if args.get("q"):
        stmt = stmt.where(text_matches(args["q"], languages))
    return stmt


def followable_in(language: str) -> ColumnElement[bool]:
    """Sessions held in language or interpreted into it.

    The interpretation list is a JSON array: its text holds the tag in quotes on SQLite and PostgreSQL alike
    (tags are validated, so they hold no quote or wildcard), which spares a JSON function per dialect.
    """
    return or_(
        ProgramSession.language == language,
        cast(ProgramSession.interpretation, String).contains(f'"{language}"', autoescape=True),
    )


def text_matches(text: str, languages: Sequence[str] = ()) -> ColumnElement[bool]:
    """Sessions whose title, abstract or code holds text, in the stored language or a translation into one of
    languages, or one of whose people has it in their name."""
    columns = [ProgramSession.title, ProgramSession.abstract, ProgramSession.code]
    for language in languages:
        columns += [
            ProgramSession.title_translations[language].as_string(),
            ProgramSession.abstract_translations[language].as_string(),
        ]
    return or_(
        *(column.icontains(text, autoescape=True) for column in columns),
        ProgramSession.participants.any(Participation.person.has(name_matches(text))),
    )


def sessions_of_person(person_id: int, visible: ColumnElement[bool]) -> Select:
    """The visible sessions a person appears in, in any role and any conference, by start time."""
    return (
        select(ProgramSession)
        .where(ProgramSession.participants.any(Participation.person_id == person_id), visible)
        .order_by(ProgramSession.starts_at, ProgramSession.id)
        .options(*SESSION_LOADS, joinedload(ProgramSession.conference))
    )


def sessions_of(
    conference: Conference, args: dict[str, Any], *, include_drafts: bool, loads: Sequence = SESSION_LOADS
) -> Select:
    """A conference's sessions by start time, filtered, with everything they show loaded (by loads)."""
    stmt = (
        select(ProgramSession)
        .where(ProgramSession.conference_id == conference.id)
        .order_by(ProgramSession.starts_at, ProgramSession.id)
        .options(*loads)
    )
    if not include_drafts:
        stmt = stmt.where(ProgramSession.status != SessionStatus.DRAFT)
    return filtered(stmt, args, conference.zone, conference.languages)


class greatest(FunctionElement):
    """The latest of several instants: GREATEST on PostgreSQL, max() with several arguments on SQLite."""

    type = UTCDateTime()
    name = "greatest"
    inherit_cache = True


@compiles(greatest)
def _greatest(element, compiler, **kw) -> str:
    return f"greatest({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "sqlite")
def _greatest_sqlite(element, compiler, **kw) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


def session_stamps(conference: Conference, args: dict[str, Any]) -> Select:
    """(id, starts_at, changed_at) of the sessions sessions_of() gives, in the same order, in one query:
    changed_at is when anything a session's rendering shows last changed (ScheduleData.last_modified, computed
    by the database), so that a feed can tell which sessions' rendered pieces still hold before loading any."""
    sponsor, employer = aliased(Organization), aliased(Organization)
    own = ProgramSession.updated_at
    changed_at = func.max(
        greatest(
            own,
            Conference.updated_at,
            *(
                func.coalesce(stamp, own)
                for stamp in (
                    Room.updated_at,
                    Track.updated_at,
                    sponsor.updated_at,
                    Participation.updated_at,
                    Person.updated_at,
                    employer.updated_at,
                )
            ),
        )
    )
    stmt = (
        select(ProgramSession.id, ProgramSession.starts_at, changed_at.label("changed_at"))
        .join(Conference, Conference.id == ProgramSession.conference_id)
        .outerjoin(Room, Room.id == ProgramSession.room_id)
        .outerjoin(Track, Track.id == ProgramSession.track_id)
        .outerjoin(sponsor, sponsor.id == ProgramSession.sponsor_id)
        .outerjoin(Participation, Participation.session_id == ProgramSession.id)
        .outerjoin(Person, Person.id == Participation.person_id)
        .outerjoin(employer, employer.id == Person.organization_id)
        .where(ProgramSession.conference_id == conference.id, ProgramSession.status != SessionStatus.DRAFT)
        .group_by(ProgramSession.id, ProgramSession.starts_at)
        .order_by(ProgramSession.starts_at, ProgramSession.id)
    )
    return filtered(stmt, args, conference.zone, conference.languages)


def _ids(db: Session, column, condition) -> list[int]:
    return list(db.scalars(select(column).where(condition).distinct().order_by(column)))


def sessions_in_room(db: Session, room_id: int) -> list[int]:
    """Ids of the sessions held in the room, drafts and cancelled ones included."""
    return _ids(db, ProgramSession.id, ProgramSession.room_id == room_id)


def sessions_in_track(db: Session, track_id: int) -> list[int]:
    """Ids of the sessions of the track, drafts and cancelled ones included."""
    return _ids(db, ProgramSession.id, ProgramSession.track_id == track_id)


def sessions_with_person(db: Session, person_id: int) -> list[int]:
    """Ids of the sessions the person takes part in, in any role."""
    return _ids(db, Participation.session_id, Participation.person_id == person_id)


def sessions_sponsored_by(db: Session, organization_id: int) -> list[int]:
    """Ids of the sessions the organization sponsors."""
    return _ids(db, ProgramSession.id, ProgramSession.sponsor_id == organization_id)


def conferences_showing(session: Session, people: set[int], organizations: set[int]) -> set[int]:
    """Ids of conferences whose schedule shows one of these people or organizations."""
    queries = []
    if people:
        queries.append(
            select(ProgramSession.conference_id)
            .join(Participation, Participation.session_id == ProgramSession.id)
            .where(Participation.person_id.in_(people))
        )
    if organizations:
        queries += [
            select(ProgramSession.conference_id)
            .join(Participation, Participation.session_id == ProgramSession.id)
            .join(Person, Person.id == Participation.person_id)
            .where(Person.organization_id.in_(organizations)),
            select(ProgramSession.conference_id).where(ProgramSession.sponsor_id.in_(organizations)),
            select(Booth.conference_id).where(Booth.organization_id.in_(organizations)),
        ]
    if not queries:
        return set()
    return set(session.scalars(union(*queries)))
