"""A frab or pretalx schedule.json, read into the neutral shape of schedule.py."""

from __future__ import annotations

import json
from typing import Any

from eventapp.seeding.frab.schedule import (
    CONFERENCE_KEYS,
    EVENT_KEYS,
    FrabDay,
    FrabEvent,
    FrabPerson,
    FrabSchedule,
)
from eventapp.seeding.frab.values import blank
from eventapp.seeding.problems import DocumentPath, Problem

# The keys a person's name goes by in frab and pretalx versions, most specific first.
PERSON_NAME_KEYS = ("public_name", "name", "full_name", "display_name")


def _text(value: Any) -> str | None:
    """A JSON value as text: a translated text ({"en": ...}) as its English or first text; others None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict):
        texts = [v for v in value.values() if isinstance(v, str)]
        return value["en"] if isinstance(value.get("en"), str) else (texts[0] if texts else None)
    return None


def _json_person(item: Any, where: DocumentPath, problems: list[Problem]) -> FrabPerson | None:
    if isinstance(item, str):
        return FrabPerson(where, item)
    if not isinstance(item, dict):
        problems.append(Problem(where, "a person is an object with a public_name, or a name"))
        return None
    name = next((_text(item[k]) for k in PERSON_NAME_KEYS if not blank(_text(item.get(k)))), None)
    return FrabPerson(
        where, name, _text(item.get("guid")), _text(item.get("id")), _text(item.get("biography"))
    )


def _json_event(
    item: Any, where: DocumentPath, day: FrabDay, room: str, problems: list[Problem]
) -> FrabEvent | None:
    if not isinstance(item, dict):
        problems.append(Problem(where, "an event is an object"))
        return None
    persons_value = item.get("persons") or []
    if not isinstance(persons_value, list):
        problems.append(Problem((*where, "persons"), "expected a list of people"))
        persons_value = []
    persons = [
        person
        for i, entry in enumerate(persons_value)
        if (person := _json_person(entry, (*where, "persons", i), problems)) is not None
    ]
    own_room = _text(item.get("room"))
    values = {key: _text(item.get(key)) for key in EVENT_KEYS}
    return FrabEvent(where, day, room if blank(own_room) else own_room, values, persons)


def _json_rooms(value: Any) -> list[dict[str, Any]]:
    # Only a summary (each event names its room): an entry without a name is passed over.
    return [
        {
            "name": _text(item["name"]),
            "description": item.get("description") if isinstance(item.get("description"), str) else None,
            "capacity": item.get("capacity"),
            "online": str(item.get("type", "")).lower() == "online",
        }
        for item in (value if isinstance(value, list) else [])
        if isinstance(item, dict) and not blank(_text(item.get("name")))
    ]


def read_json(content: bytes) -> tuple[FrabSchedule | None, list[Problem]]:
    """The schedule in a frab/pretalx schedule.json, and what is wrong with it."""
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        return None, [Problem((), f"not UTF-8 text: {exc}")]
    except json.JSONDecodeError as exc:
        return None, [Problem((), f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno)]
    if not isinstance(document, dict) or not isinstance(document.get("schedule"), dict):
        return None, [Problem(("schedule",), "missing: a schedule.json is an object with a 'schedule'")]
    schedule = document["schedule"]
    if "events" in schedule:
        return None, [
            Problem(
                ("schedule", "events"),
                "this is c3voc's schedule2 format (events beside the "
                "days), which is not read here; use the schedule.json",
            )
        ]
    conference = schedule.get("conference")
    if not isinstance(conference, dict):
        return None, [Problem(("schedule", "conference"), "missing: expected an object with the conference")]
    where_c: DocumentPath = ("schedule", "conference")
    days = conference.get("days")
    if not isinstance(days, list) or not days:
        return None, [Problem((*where_c, "days"), "missing: expected a list of days with rooms and events")]

    tracks = conference.get("tracks")
    result = FrabSchedule(
        field_path=lambda where, key: (*where, key),
        conference={key: _text(conference.get(key)) for key in CONFERENCE_KEYS},
        conference_where=where_c,
        # Some generators put the rooms beside the conference rather than in it.
        rooms=_json_rooms(conference.get("rooms")) + _json_rooms(schedule.get("rooms")),
        tracks=[
            (_text(track["name"]), _text(track.get("color")))
            for track in (tracks if isinstance(tracks, list) else [])
            if isinstance(track, dict) and not blank(_text(track.get("name")))
        ],
    )
    problems: list[Problem] = []
    for i, day_value in enumerate(days):
        where_d: DocumentPath = (*where_c, "days", i)
        if not isinstance(day_value, dict):
            problems.append(Problem(where_d, "a day is an object"))
            continue
        day_start = _text(day_value.get("day_start")) or _text(day_value.get("start"))
        day = FrabDay(where_d, _text(day_value.get("date")), day_start)
        result.days.append(day)
        rooms = day_value.get("rooms") or {}
        if not isinstance(rooms, dict):
            problems.append(Problem((*where_d, "rooms"), "expected an object of room name -> list of events"))
            continue
        for room, events in rooms.items():
            if not isinstance(events, list):
                problems.append(Problem((*where_d, "rooms", room), "expected a list of events"))
                continue
            for j, item in enumerate(events):
                event = _json_event(item, (*where_d, "rooms", room, j), day, room, problems)
                if event is not None:
                    result.events.append(event)
    return result, problems
