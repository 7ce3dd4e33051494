"""A frab, pentabarf or pretalx schedule.xml, read into the neutral shape of schedule.py."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from eventapp.seeding.frab.schedule import (
    CONFERENCE_KEYS,
    EVENT_KEYS,
    FrabDay,
    FrabEvent,
    FrabPerson,
    FrabSchedule,
)
from eventapp.seeding.frab.values import blank
from eventapp.seeding.problems import Problem

XML_POSITION_RE = re.compile(r":? line \d+, column \d+$")


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(element: ET.Element, tag: str) -> str | None:
    child = element.find(tag)
    return None if child is None else (child.text or "")


def _xml_event(element: ET.Element, where: str, day: FrabDay, room: str | None) -> FrabEvent:
    values = {key: _child_text(element, key) for key in EVENT_KEYS if key not in ("id", "guid")}
    values |= {"id": element.get("id"), "guid": element.get("guid")}
    persons = [
        FrabPerson((f"{where}/persons/person[{n}]",), person.text, person.get("guid"), person.get("id"))
        for n, person in enumerate(element.findall("persons/person"), start=1)
    ]
    own_room = _child_text(element, "room")
    return FrabEvent((where,), day, room if blank(own_room) else own_room, values, persons)


def read_xml(content: bytes) -> tuple[FrabSchedule | None, list[Problem]]:
    """The schedule in a frab/pentabarf/pretalx schedule.xml, or what makes it unreadable."""
    try:
        # expat resolves no external entities and refuses runaway entity expansion.
        root = ET.fromstring(content)
    except ET.ParseError as exc:
        line, column = exc.position
        reason = XML_POSITION_RE.sub("", str(exc))
        return None, [Problem((), f"not well-formed XML: {reason} (column {column + 1})", line)]
    if _local_name(root.tag) != "schedule":
        return None, [Problem((_local_name(root.tag),), "the root element must be <schedule>")]
    conference = root.find("conference")
    if conference is None:
        return None, [Problem(("schedule/conference",), "missing: a <conference> element")]
    days = root.findall("day")
    if not days:
        return None, [Problem(("schedule/day",), "missing: no <day> elements, so no schedule")]

    result = FrabSchedule(
        field_path=lambda where, key: (f"{where[0]}/{key}",),
        conference={key: _child_text(conference, key) for key in CONFERENCE_KEYS},
        conference_where=("schedule/conference",),
        tracks=[
            (name, track.get("color"))
            for track in conference.findall("track")
            if not blank(name := track.get("name") or track.text)
        ],
    )
    for i, day_element in enumerate(days, start=1):
        where_d = f"schedule/day[{i}]"
        day = FrabDay((where_d,), day_element.get("date"), day_element.get("start"))
        result.days.append(day)
        for j, room_element in enumerate(day_element.findall("room"), start=1):
            for k, element in enumerate(room_element.findall("event"), start=1):
                event = _xml_event(element, f"{where_d}/room[{j}]/event[{k}]", day, room_element.get("name"))
                result.events.append(event)
    return result, []
