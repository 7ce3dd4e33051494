"""frab's schedule.json and schedule.xml, as frab and pretalx publish them for conference apps.

Both documents describe one rendering: the XML is written from the JSON document, so the two cannot
disagree. They follow c3voc's schemas (https://c3voc.de/schedule/schema.json and schedule.xml.xsd):

- Days: every conference date (plus, should one ever exist, any other local date a session starts on),
  indexed from 1, each running from local midnight to the next local midnight in the conference's zone;
  midnight does not move when sessions do, and each bound carries its own offset across a DST change.
- Rooms: only rooms with a session in this rendering, ordered by name as the API lists them; a day lists
  the rooms that have a session that day. Sessions without a room go into a room named "TBA", last.
- Identifiers: `id` is the session's id, `guid` its stable UUID, `code` the id in base 36 (six characters,
  as the XSD requires; the organizer's own code such as "CN-TOWN-HALL" fits neither schema) and `slug`
  "<acronym>-<id>-<slugified own title>", the pretalx form; the title is the untranslated one, so that
  ?lang does not change the slug.
- Cancelled sessions stay, with "Cancelled: " before the title: frab has no status field.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from datetime import date, datetime, time, timedelta
from typing import Any

from eventapp.conferences.models import Conference, Room
from eventapp.feeds.schedule_data import ScheduleData
from eventapp.program.models import ProgramSession
from eventapp.text import slugify

SCHEMA_URL = "https://c3voc.de/schedule/schema.json"
GENERATOR = "eventapp"
TIMESLOT = "00:15"
NO_ROOM = "TBA"
DEFAULT_LANGUAGE = "en"
# The JSON schema's pattern, which admits only Area/Location names and UTC (not Etc/GMT+9 and the like).
JSON_ZONE_RE = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")
HTTP_URL_RE = re.compile(r"^https?://")
SLUG_TITLE_LENGTH = 50
BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def acronym(conference: Conference) -> str:
    """The conference's frab acronym: its slug with underscores, at least four characters."""
    # The JSON schema allows a hyphen only as the first character or before a year and a word.
    name = conference.slug.replace("-", "_")
    return name if len(name) >= 4 else f"{name}_{conference.start_date.year}"


def _code(session_id: int) -> str:
    digits = ""
    while session_id:
        session_id, digit = divmod(session_id, 36)
        digits = BASE36[digit] + digits
    return digits.rjust(6, "0")


def _guid(data: ScheduleData, name: str) -> str:
    # Derived like data.guid(): a stable name in the UID domain, never an e-mail address.
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{name}@{data.uid_domain}"))


def _hours_minutes(span: timedelta) -> str:
    hours, minutes = divmod(int(span.total_seconds()) // 60, 60)
    return f"{hours:02d}:{minutes:02d}"


def _local(moment: datetime, conference: Conference) -> datetime:
    return moment.astimezone(conference.zone)


def _room_name(program_session: ProgramSession) -> str:
    return program_session.room.name if program_session.room is not None else NO_ROOM


def _persons(data: ScheduleData, program_session: ProgramSession) -> list[dict[str, Any]]:
    # One entry a person, even when they hold two roles; the roles are spelled out in the description.
    # frab's id + public_name (not pretalx's name as well): the schema wants exactly one of the two shapes.
    persons: dict[int, dict[str, Any]] = {}
    for participant in program_session.participants:
        person = participant.person
        if person.id not in persons:
            persons[person.id] = {
                "id": person.id,
                "guid": _guid(data, f"person-{person.id}"),
                "public_name": person.display_name,
            }
            if person.biography:
                persons[person.id]["biography"] = person.biography
    return list(persons.values())


def _event(data: ScheduleData, program_session: ProgramSession, conference: Conference) -> dict[str, Any]:
    starts = _local(program_session.starts_at, conference)
    ends = _local(program_session.ends_at, conference)
    # Schedule apps know no status: the title is the only place their users can see a cancellation.
    title = data.display_title(program_session)
    abstract = data.abstract(program_session) or ""
    title_words = slugify(program_session.title)[:SLUG_TITLE_LENGTH].strip("-")
    # A title without Latin letters slugifies to nothing; the kind keeps the slug in the XSD's shape.
    slug_words = title_words or slugify(program_session.kind)
    return {
        "id": program_session.id,
        "guid": data.guid(program_session),
        "code": _code(program_session.id),
        "date": starts.isoformat(timespec="seconds"),
        "start": starts.strftime("%H:%M"),
        "end": ends.isoformat(timespec="seconds"),
        "duration": _hours_minutes(ends - starts),
        "room": _room_name(program_session),
        "slug": f"{acronym(conference)}-{program_session.id}-{slug_words}",
        "url": data.session_url(program_session),
        "title": title,
        "subtitle": "",
        "track": program_session.track.name if program_session.track is not None else None,
        "type": program_session.kind,
        "language": program_session.language or next(iter(conference.languages), DEFAULT_LANGUAGE),
        "abstract": abstract,
        "description": data.details(program_session),
        "recording_license": "",
        "do_not_record": False,
        "persons": _persons(data, program_session),
        "links": [],
        "attachments": [],
    }


def _room(data: ScheduleData, name: str, room: Room | None, conference: Conference) -> dict[str, Any]:
    if room is None:
        return {"name": name, "guid": _guid(data, f"conference-{conference.id}-no-room")}
    entry: dict[str, Any] = {
        "name": room.name,
        "guid": _guid(data, f"room-{room.id}"),
        "description": room.location,
        "capacity": room.capacity,
    }
    if room.is_online:
        entry["type"] = "online"
    return entry


def _day_bounds(day: date, conference: Conference) -> tuple[str, str]:
    start = datetime.combine(day, time(0), conference.zone)
    end = datetime.combine(day + timedelta(days=1), time(0), conference.zone)
    return start.isoformat(timespec="seconds"), end.isoformat(timespec="seconds")


def render_frab_json(data: ScheduleData) -> dict:
    """The schedule as frab's schedule.json document, ready for json.dumps."""
    conference = data.conference
    rooms: dict[str, Room | None] = {}
    by_day: dict[date, list[ProgramSession]] = {
        conference.start_date + timedelta(days=n): []
        for n in range((conference.end_date - conference.start_date).days + 1)
    }
    for program_session in data.sessions:
        rooms.setdefault(_room_name(program_session), program_session.room)
        # A session outside the conference's dates is refused on write; were one there, it still shows.
        by_day.setdefault(_local(program_session.starts_at, conference).date(), []).append(program_session)
    room_order = sorted(rooms, key=lambda name: (rooms[name] is None, name))

    days = []
    for index, day in enumerate(sorted(by_day), start=1):
        day_rooms: dict[str, list[dict[str, Any]]] = {}
        for program_session in by_day[day]:
            event = _event(data, program_session, conference)
            day_rooms.setdefault(event["room"], []).append(event)
        day_start, day_end = _day_bounds(day, conference)
        days.append(
            {
                "index": index,
                "date": day.isoformat(),
                "day_start": day_start,
                "day_end": day_end,
                "rooms": {name: day_rooms[name] for name in room_order if name in day_rooms},
            }
        )

    tracks = {s.track.id: s.track for s in data.sessions if s.track is not None}
    summary: dict[str, Any] = {
        "acronym": acronym(conference),
        "title": data.conference_name(conference),
        "start": conference.start_date.isoformat(),
        "end": conference.end_date.isoformat(),
        "daysCount": len(days),
        "timeslot_duration": TIMESLOT,
    }
    if conference.description:
        summary["description"] = conference.description
    if JSON_ZONE_RE.match(conference.timezone):
        summary["time_zone_name"] = conference.timezone
    if conference.website and HTTP_URL_RE.match(conference.website):
        summary["url"] = conference.website
    summary["tracks"] = [
        {"name": track.name, **({"color": track.color} if track.color else {})}
        for track in sorted(tracks.values(), key=lambda t: t.name)
    ]
    summary["rooms"] = [_room(data, name, rooms[name], conference) for name in room_order]
    summary["days"] = days
    return {
        "$schema": SCHEMA_URL,
        "generator": {"name": GENERATOR},
        "schedule": {
            "version": f"{conference.schedule_version}",
            "base_url": data.base_url,
            "conference": summary,
        },
    }


# The event's elements in the order pretalx writes them (the XSD takes any order).
XML_EVENT_TEXT = (
    "room",
    "title",
    "subtitle",
    "type",
    "date",
    "start",
    "duration",
    "abstract",
    "slug",
    "track",
)
XML_EVENT_TAIL = ("language", "description")


def _text(parent: ET.Element, tag: str, value: Any) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = "" if value is None else str(value)
    return element


def _xml_event(parent: ET.Element, event: dict[str, Any]) -> None:
    element = ET.SubElement(parent, "event", id=str(event["id"]), guid=event["guid"], code=event["code"])
    for tag in XML_EVENT_TEXT:
        _text(element, tag, event[tag])
    persons = ET.SubElement(element, "persons")
    for person in event["persons"]:
        element_of_person = _text(persons, "person", person["public_name"])
        element_of_person.attrib.update(id=str(person["id"]), guid=person["guid"])
    for tag in XML_EVENT_TAIL:
        _text(element, tag, event[tag])
    recording = ET.SubElement(element, "recording")
    _text(recording, "license", event["recording_license"])
    _text(recording, "optout", "true" if event["do_not_record"] else "false")
    ET.SubElement(element, "links")
    ET.SubElement(element, "attachments")
    _text(element, "url", event["url"])


def render_frab_xml(data: ScheduleData) -> bytes:
    """The schedule as frab's schedule.xml document, UTF-8 with an XML declaration."""
    schedule = render_frab_json(data)["schedule"]
    summary = schedule["conference"]
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", name=GENERATOR)
    if HTTP_URL_RE.match(data.feed_urls.get("frab_xml", "")):
        _text(root, "url", data.feed_urls["frab_xml"])
    _text(root, "version", schedule["version"])

    conference = ET.SubElement(root, "conference")
    for tag, key in (
        ("acronym", "acronym"),
        ("title", "title"),
        ("start", "start"),
        ("end", "end"),
        ("days", "daysCount"),
        ("timeslot_duration", "timeslot_duration"),
    ):
        _text(conference, tag, summary[key])
    if HTTP_URL_RE.match(schedule["base_url"]):
        _text(conference, "base_url", schedule["base_url"])
    if "url" in summary:
        _text(conference, "url", summary["url"])
    # The XSD takes any zone name, so the XML has it even where the JSON schema's pattern refuses it.
    _text(conference, "time_zone_name", data.conference.timezone)
    for track in summary["tracks"]:
        ET.SubElement(conference, "track", track)

    room_guids = {room["name"]: room["guid"] for room in summary["rooms"]}
    for day in summary["days"]:
        day_element = ET.SubElement(
            root, "day", index=str(day["index"]), date=day["date"], start=day["day_start"], end=day["day_end"]
        )
        for name, events in day["rooms"].items():
            room_element = ET.SubElement(day_element, "room", name=name, guid=room_guids[name])
            for event in events:
                _xml_event(room_element, event)
    ET.indent(root)
    # A parser reads a raw carriage return as a line feed (XML 1.0, 2.11), so a text's CR is sent as a
    # character reference, which it keeps. The markup itself has none: every raw CR is in a text.
    return ET.tostring(root, encoding="utf-8", xml_declaration=True).replace(b"\r", b"&#13;")
