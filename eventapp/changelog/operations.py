"""Change detection: what a flush changes about the sessions a published schedule shows, as ScheduleChange rows.

Called by the flush hook that moves schedule versions (eventapp/schedule_versioning.py), so that every write
path records its changes in the same transaction as the version it makes. Unlike a comparison of releases,
it sees every kind of change as it happens (duration, title, people, language too), and keeps cancelled and
deleted sessions in the log.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Flask
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from eventapp.changelog.models import ChangeKind, ScheduleChange
from eventapp.conferences.models import Conference, Room
from eventapp.db import sessionmaker_of
from eventapp.enums import ConferenceStatus, SessionStatus
from eventapp.people.models import Person
from eventapp.program.models import Participation, ProgramSession

# The attributes each kind of change compares; a kind is recorded once however many of them changed.
COMPARED = (
    (ChangeKind.MOVED, ("starts_at", "ends_at")),
    (ChangeKind.ROOM_CHANGED, ("room_id",)),
    (ChangeKind.RETITLED, ("title", "title_translations")),
    (ChangeKind.LANGUAGE_CHANGED, ("language", "interpretation")),
)


def _before_and_after(program_session: ProgramSession, key: str) -> tuple[Any, Any]:
    """The attribute's value as loaded from the database and as it is now (the same if it did not change)."""
    history = inspect(program_session).attrs[key].history
    now = getattr(program_session, key)
    if not history.added or list(history.added) == list(history.deleted):
        return now, now
    return (history.deleted[0] if history.deleted else None), now


def _shown(status: str | None) -> bool:
    return status is not None and status != SessionStatus.DRAFT


def _values(db: Session, conference: Conference, key: str, value: Any) -> Any:
    """A compared value as the log keeps it: times in the conference's zone, a room with its name."""
    if key in ("starts_at", "ends_at"):
        return value.astimezone(conference.zone).isoformat() if value is not None else None
    if key == "room_id":
        room = db.get(Room, value) if value is not None else None
        return None if room is None else {"id": room.id, "name": room.name}
    return value


def _state(db: Session, conference: Conference, program_session: ProgramSession, keys, when: int) -> Any:
    """The values of keys before (when=0) or after (when=1) the flush; a single key's value unwrapped."""
    values = {
        key: _values(db, conference, key, _before_and_after(program_session, key)[when]) for key in keys
    }
    if keys == ("room_id",):
        return values["room_id"]
    return values


def _people(db: Session, participations: list[Participation]) -> list[dict[str, Any]]:
    listed = []
    for participation in sorted(participations, key=lambda p: (p.order or 0, p.id or 0)):
        person = participation.person or db.get(Person, participation.person_id)
        name = person.display_name if person is not None else None
        listed.append({"person_id": participation.person_id, "name": name, "role": participation.role})
    return listed


def _people_change(db: Session, program_session: ProgramSession) -> tuple[list, list] | None:
    history = inspect(program_session).attrs.participants.history
    if not (history.added or history.deleted):
        return None
    old = [*history.unchanged, *history.deleted]
    new = [*history.unchanged, *history.added]
    if {(p.person_id, p.role) for p in old} == {(p.person_id, p.role) for p in new}:
        return None  # the same people in the same roles: reordered or rewritten rows are no change of people
    return _people(db, old), _people(db, new)


def _summary(conference: Conference, program_session: ProgramSession, db: Session) -> dict[str, Any]:
    return {
        "starts_at": _values(db, conference, "starts_at", program_session.starts_at),
        "ends_at": _values(db, conference, "ends_at", program_session.ends_at),
        "room": _values(db, conference, "room_id", program_session.room_id),
        "status": program_session.status,
    }


def _changes(
    db: Session, program_session: ProgramSession, conference: Conference, *, is_new: bool, deleted: bool
):
    """(kind, old, new) for each kind of change the flush makes to what the schedule shows of the session."""
    was = None if is_new else _before_and_after(program_session, "status")[0]
    now = None if deleted else program_session.status
    if not _shown(was) and not _shown(now):
        return
    if not _shown(was):
        yield ChangeKind.CREATED, None, _summary(conference, program_session, db)
        return
    if not _shown(now):
        yield ChangeKind.DELETED, _summary(conference, program_session, db), None
        return
    if was != now:
        kind = ChangeKind.CANCELLED if now == SessionStatus.CANCELLED else ChangeKind.RESTORED
        yield kind, was, now
    for kind, keys in COMPARED:
        if any(_before_and_after(program_session, key)[0] != getattr(program_session, key) for key in keys):
            yield (
                kind,
                _state(db, conference, program_session, keys, 0),
                _state(db, conference, program_session, keys, 1),
            )
    if (people := _people_change(db, program_session)) is not None:
        yield ChangeKind.PEOPLE_CHANGED, *people


def _touched_sessions(db: Session) -> Iterator[tuple[ProgramSession, bool, bool]]:
    for obj in db.new:
        if isinstance(obj, ProgramSession):
            yield obj, True, False
    for obj in db.deleted:
        if isinstance(obj, ProgramSession):
            yield obj, False, True
    deleted = db.deleted
    for obj in db.dirty:
        if isinstance(obj, ProgramSession) and obj not in deleted:
            yield obj, False, False


# Conferences this transaction created: their sessions make their first version, not changes of it.
_CREATED = "eventapp.changelog.created_conferences"


def init_app(app: Flask) -> None:
    """Forget the conferences a transaction created when it ends (record_changes is called by the flush hook
    of eventapp/schedule_versioning.py)."""
    event.listen(sessionmaker_of(app), "after_transaction_end", _forget_created)


def _forget_created(db: Session, transaction) -> None:
    if transaction.parent is None:
        db.info.pop(_CREATED, None)


def record_changes(db: Session) -> None:
    """before_flush: add a ScheduleChange for each change the flush makes to a published schedule's sessions.

    A conference created in the same transaction has no earlier schedule to compare with: its sessions are its
    first version, not changes of it."""
    created: set[Conference] = db.info.setdefault(_CREATED, set())
    created.update(obj for obj in db.new if isinstance(obj, Conference))
    gone = db.deleted  # a new set on every call: asked once
    with db.no_autoflush:
        for program_session, is_new, deleted in _touched_sessions(db):
            conference = program_session.conference or db.get(Conference, program_session.conference_id)
            if (
                conference is None
                or conference in created
                or conference in gone
                or conference.status != ConferenceStatus.PUBLISHED
            ):
                continue
            for kind, old, new in _changes(db, program_session, conference, is_new=is_new, deleted=deleted):
                db.add(
                    ScheduleChange(
                        conference=conference,
                        **(
                            {"program_session": program_session}
                            if is_new
                            else {"session_id": program_session.id}
                        ),
                        session_code=program_session.code,
                        session_title=program_session.title,
                        kind=kind,
                        # The version the flush makes: the hook moves it in the conference's UPDATE, which the
                        # unit of work runs before this row's INSERT (the row belongs to the conference).
                        schedule_version=_version_of(conference.id),
                        old_value=old,
                        new_value=new,
                    )
                )


def _version_of(conference_id: int):
    return select(Conference.schedule_version).where(Conference.id == conference_id).scalar_subquery()
