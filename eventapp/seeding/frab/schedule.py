"""A frab schedule as read, before translation: one shape, whichever format (JSON or XML) it came in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eventapp.seeding.problems import DocumentPath

CONFERENCE_KEYS = ("acronym", "title", "start", "end", "time_zone_name", "url", "description")
EVENT_KEYS = (
    "guid",
    "id",
    "title",
    "subtitle",
    "type",
    "date",
    "start",
    "duration",
    "end",
    "track",
    "language",
    "abstract",
    "description",
)


@dataclass
class FrabPerson:
    """A person of an event: name, and the identifiers and biography the file gives."""

    where: DocumentPath
    name: str | None
    guid: str | None = None
    ident: str | None = None
    biography: str | None = None


@dataclass
class FrabDay:
    """A day of the schedule: its date and when it starts (talks before that are after midnight)."""

    where: DocumentPath
    date: str | None
    start: str | None


@dataclass
class FrabEvent:
    """An event as the file gives it: its day, room, fields (EVENT_KEYS) and people."""

    where: DocumentPath
    day: FrabDay
    room: str | None
    values: dict[str, str | None]
    persons: list[FrabPerson] = field(default_factory=list)


@dataclass
class FrabSchedule:
    """What a schedule file says; `field_path(where, key)` is where a field is, in the file's notation."""

    field_path: Callable[[DocumentPath, str], DocumentPath]
    conference: dict[str, str | None]
    conference_where: DocumentPath
    rooms: list[dict[str, Any]] = field(default_factory=list)
    tracks: list[tuple[str, str | None]] = field(default_factory=list)
    days: list[FrabDay] = field(default_factory=list)
    events: list[FrabEvent] = field(default_factory=list)
