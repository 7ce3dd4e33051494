"""An operation's refusal in the terms of the seed file: its keys and natural keys, never the API's ids.

The operations speak the API's language (`room_id`, a session's id); a seed file names a room by name and a
session by code, and for `seed validate` of a new meeting the ids never existed. So the loader says where the
problem is with the file's keys, and renders conflicts from their structured details, not from their words.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from eventapp.errors import DomainError
from eventapp.people.models import Person
from eventapp.program.models import Participation
from eventapp.seeding.problems import DocumentPath, Problem

# The API's field names for references, and the seed file's keys for them.
FILE_KEYS = {
    "room_id": "room",
    "track_id": "track",
    "sponsor_id": "sponsor",
    "organization_id": "organization",
    "person_id": "person",
}


def file_path(field: str | None) -> DocumentPath:
    """("participants", 0, "person") for the API's field "participants.0.person_id"."""
    parts = (field or "").split(".")
    return tuple(int(p) if p.isdigit() else FILE_KEYS.get(p, p) for p in parts if p)


def describe_session(session: dict[str, Any]) -> str:
    """A session as a seed file knows it: its code, title and local time."""
    starts, ends = datetime.fromisoformat(session["starts_at"]), datetime.fromisoformat(session["ends_at"])
    until = f"{ends:%H:%M}" if ends.date() == starts.date() else f"{ends:%Y-%m-%d %H:%M}"
    return f"{session['code']} ({session['title']!r}, {starts:%Y-%m-%d %H:%M} to {until})"


def in_file_terms(
    db: Session, error: DomainError, path: DocumentPath, item: dict[str, Any], values: dict[str, Any]
) -> list[Problem]:
    """The problems an operation's refusal of the item at path makes, each at its key in the file.

    item is the item as the file has it, values what was given to the operation (with the ids it named)."""
    problems: list[Problem] = []
    for detail in error.details:
        other = detail.get("session")
        field = detail.get("field")
        if other is None:
            problems.append(Problem((*path, *file_path(field)), detail["message"], error_type=type(error)))
        elif field == "room_id":
            message = f"{item['room']} is booked at that time by session {describe_session(other)}"
            problems.append(Problem((*path, "room"), message, error_type=type(error)))
        elif field == "participants":
            problems += _people_booked(db, error, path, item, values, other)
        else:
            # A stored session the change leaves out (the conference's new dates).
            message = f"session {describe_session(other)} would fall outside the conference's dates: move or "
            message += "cancel it first"
            problems.append(Problem((*path, *file_path(field)), message, error_type=type(error)))
    # Two people double-booked with the same session come as two details naming both of them.
    return list({(p.path, p.message): p for p in problems}.values())


def _people_booked(
    db: Session,
    error: DomainError,
    path: DocumentPath,
    item: dict[str, Any],
    values: dict[str, Any],
    other: dict[str, Any],
) -> list[Problem]:
    """Each participant of the item who is in the other session too, at their place in the file."""
    theirs = set(db.scalars(select(Participation.person_id).where(Participation.session_id == other["id"])))
    # The file's index of each person: values may leave out people the checks refused.
    index = {}
    for j, participant in enumerate(item["participants"]):
        index.setdefault(participant["person"], j)
    problems = []
    for person_id in dict.fromkeys(p["person_id"] for p in values["participants"]):
        if person_id in theirs:
            person = db.get(Person, person_id)
            message = f"{person.display_name} is in session {describe_session(other)} at that time"
            where = (*path, "participants", index[person.slug], "person")
            problems.append(Problem(where, message, error_type=type(error)))
    return problems
