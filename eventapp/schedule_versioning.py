"""Schedule versions and iCal sequences, kept up to date by the ORM on every flush.

Every write path (API, seed loader, importers) goes through the ORM, in sessions of the app's sessionmaker,
on which init_app installs the hook, so one flush hook sees every change: operations set foreign keys by id,
so a change is always a column change. The hook moves the schedule version of each conference whose published
schedule the change touches, raises a session's SEQUENCE when its time, room or status changes, and touches a
session when its people change.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from eventapp.changelog.operations import record_changes
from eventapp.conferences.models import Booth, Conference, Room, Track
from eventapp.db import sessionmaker_of, utcnow
from eventapp.people.models import Organization, Person
from eventapp.program.models import Participation, ProgramSession
from eventapp.program.queries import conferences_showing

# A change to any of these is one a subscribed calendar must be told about with a higher SEQUENCE.
SEQUENCE_ATTRIBUTES = ("starts_at", "ends_at", "room_id", "status")


def net_changed(obj: object, attribute: str) -> bool:
    """True when attribute holds a value other than the one loaded from the database."""
    history = inspect(obj).attrs[attribute].history
    if not history.added:
        return False
    return list(history.added) != list(history.deleted)


def _participants_changed(obj: object) -> bool:
    return isinstance(obj, ProgramSession) and inspect(obj).attrs.participants.history.has_changes()


def _modified(obj: object) -> bool:
    """True when a column of obj holds a new value (setting a column to its old value is no change), or a
    session's list of participants changed (a removed participant is deleted only later, in the flush)."""
    return _participants_changed(obj) or any(
        net_changed(obj, attr.key) for attr in inspect(obj).mapper.column_attrs
    )


def _modified_before_versioning(conference: Conference) -> bool:
    return any(
        net_changed(conference, attr.key)
        for attr in inspect(conference).mapper.column_attrs
        if attr.key not in ("schedule_version", "schedule_changed_at", "updated_at")
    )


def _conference_id(obj: object) -> int | Conference | None:
    if isinstance(obj, Conference):
        return obj
    if isinstance(obj, Participation):
        program_session = obj.program_session
        return (
            None if program_session is None else (program_session.conference or program_session.conference_id)
        )
    return getattr(obj, "conference", None) or getattr(obj, "conference_id", None)


def _touched(session: Session) -> Iterable[tuple[object, bool]]:
    """Each new, deleted or really modified object, with whether it is new."""
    for obj in session.new:
        yield obj, True
    for obj in session.deleted:
        yield obj, False
    deleted = session.deleted
    for obj in session.dirty:
        if obj not in deleted and _modified(obj):
            yield obj, False


# Conferences whose version this transaction has moved already (or created): one step a transaction is enough.
_MOVED = "eventapp.versioned_conferences"


def init_app(app: Flask) -> None:
    """Keep schedule versions and SEQUENCE up to date in every session the app makes."""
    sessions = sessionmaker_of(app)
    event.listen(sessions, "before_flush", _version_schedules)
    event.listen(sessions, "after_transaction_end", _forget_moved)


def _forget_moved(session: Session, transaction) -> None:
    # A flush's own subtransaction ends too; only the real transaction, or a savepoint, closes the step.
    if transaction.parent is None or transaction.nested:
        session.info.pop(_MOVED, None)


def _version_schedules(session: Session, _flush_context, _instances) -> None:
    record_changes(session)  # the change log's rows, in the flush that moves their version
    now = utcnow()
    moved: set[Conference] = session.info.setdefault(_MOVED, set())
    conferences: set[Conference] = set()
    conference_ids: set[int] = set()
    people: set[int] = set()
    organizations: set[int] = set()

    # Session.new and .deleted build a new set on every call: asked once, not once an object of a big flush.
    new, deleted = session.new, session.deleted
    with session.no_autoflush:
        for obj, is_new in _touched(session):
            kept = isinstance(obj, ProgramSession) and not is_new and obj not in deleted
            if kept and any(net_changed(obj, key) for key in SEQUENCE_ATTRIBUTES):
                obj.sequence = (obj.sequence or 0) + 1
            if _participants_changed(obj) and obj not in new:
                obj.updated_at = now
            if isinstance(obj, Participation):
                program_session = obj.program_session
                if program_session is not None and program_session not in new:
                    program_session.updated_at = now
            if isinstance(obj, Conference) and is_new:
                moved.add(obj)
                continue
            if isinstance(obj, (Room, Track, Booth, ProgramSession, Participation, Conference)):
                target = _conference_id(obj)
                if isinstance(target, Conference):
                    conferences.add(target)
                elif target is not None:
                    conference_ids.add(target)
            elif isinstance(obj, Person) and not is_new:
                people.add(obj.id)
            elif isinstance(obj, Organization) and not is_new:
                organizations.add(obj.id)

        conference_ids |= conferences_showing(session, people, organizations)
        for conference_id in conference_ids:
            conference = session.get(Conference, conference_id)
            if conference is not None:
                conferences.add(conference)
        for conference in conferences - moved:
            if conference in session.deleted:
                continue
            moved.add(conference)
            # An SQL expression, so that concurrent writers each move the version instead of overwriting it.
            conference.schedule_version = Conference.schedule_version + 1
            conference.schedule_changed_at = now
            if not _modified_before_versioning(conference):
                # Moving the version is no edit of the conference itself: keep updated_at (and with it the
                # LAST-MODIFIED of every event at its venue, and every cached piece of the feeds) where it is.
                conference.updated_at = Conference.updated_at
