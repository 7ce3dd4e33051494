"""The session query every list, schedule and feed shares: eager loads and the one filter grammar."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, subqueryload

from eventapp.conferences.models import Conference
from eventapp.enums import SessionStatus
from eventapp.people.models import Person
from eventapp.program.models import Participation, ProgramSession

# Everything a session's representation shows, in a fixed number of queries however many sessions there are:
# subqueryload, not selectinload, which would run one more query for every 500 sessions.
SESSION_LOADS = (
    joinedload(ProgramSession.room),
    joinedload(ProgramSession.track),
    joinedload(ProgramSession.sponsor),
    subqueryload(ProgramSession.participants).joinedload(Participation.person).joinedload(Person.organization),
)


def filtered(stmt: Select, args: dict[str, Any], zone=None) -> Select:
    """Apply the filters in args (day, room, track, kind, status, person, q) to a session query."""
    if args.get("kind"):
        stmt = stmt.where(ProgramSession.kind == args["kind"])
    if args.get("day") is not None:
        start = datetime.combine(args["day"], time(0), zone)
        # Sessions that run on that local day, including ones that started the day before.
        stmt = stmt.where(ProgramSession.starts_at < start + timedelta(days=1), ProgramSession.ends_at > start)
    for arg, column in (("room", ProgramSession.room_id), ("track", ProgramSession.track_id),
                        ("status", ProgramSession.status)):
        if args.get(arg) is not None:
            stmt = stmt.where(column == args[arg])
    if args.get("person") is not None:
        stmt = stmt.where(ProgramSession.participants.any(Participation.person_id == args["person"]))
    if args.get("q"):
        stmt = stmt.where(ProgramSession.title.icontains(args["q"], autoescape=True))
    return stmt


def sessions_of(conference: Conference, args: dict[str, Any], *, include_drafts: bool) -> Select:
    """A conference's sessions by start time, filtered, with everything they show loaded."""
    stmt = (
        select(ProgramSession)
        .where(ProgramSession.conference_id == conference.id)
        .order_by(ProgramSession.starts_at, ProgramSession.id)
        .options(*SESSION_LOADS)
    )
    if not include_drafts:
        stmt = stmt.where(ProgramSession.status != SessionStatus.DRAFT.value)
    return filtered(stmt, args, conference.zone)
