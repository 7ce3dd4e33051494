"""A frab or pretalx schedule (schedule.json or schedule.xml) as a seed document: this only translates.

The seed loader validates and stores what this returns, so a frab import obeys the rules every other way of
writing a meeting obeys. Both formats are read into one neutral shape, then translated once:

- Conference: slug from --slug, else the frab acronym slugified ("dia_japan_2025" -> "dia-japan-2025");
  name = title; status published; dates = the declared start and end, widened to every day and session in
  the file (the loader refuses a session outside its conference's dates).
- Time zone: --timezone, else the file's time_zone_name; with neither, the times cannot be placed: an error.
- Sessions: code = the event guid (a UUID in canonical lower case), else "frab-<id>", else a hash of title,
  time and room; a code seen twice gets "-2", "-3" in file order. The start is the event's own `date` when it
  has a time (its offset wins; without one it is local time); otherwise its day's date and `start`, on the
  next calendar date when `start` is earlier than the day's day_start (a talk after midnight). The end is
  start + duration ("HH:MM", pentabarf's "HH:MM:SS", pretalx's "D:HH:MM", ISO "PT1H30M"), else the event's
  `end`. The abstract is the subtitle, the abstract and the description as paragraphs, each left out when
  blank or already there; the title is frab's ("Untitled" when blank). Status is confirmed: frab has none,
  and our own export's "Cancelled: " stays in the title.
- Kinds: one of ours (our exporter writes them) stays, but satellite_symposium needs a sponsor frab cannot
  name, so it becomes symposium; otherwise by word: keynote; workshop; panel/podium/roundtable -> roundtable;
  talk/lecture/lightning/vortrag -> session; anything else -> other; no type at all -> our default.
- People: every person of an event, in order, as a speaker. The slug is "frab-" and the guid's 32 hex
  digits (a prefix of a time-ordered UUID is a timestamp: people made in the same millisecond would merge);
  a guid that is no UUID is hashed. frab ids are unique on one server only, so without a guid the slug is
  scoped by conference, "frab-<conference>-person-<id>", lest another server's person 26 overwrite this
  one; without an id, by name. The last word of the name is the family name, the rest the given name; a
  one-word name (a handle) is both, as both are required.
- Text: control characters no feed can carry are dropped, U+0085 becomes a line break (YAML would fold it
  into a space), and every text is cut to what its column holds.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import marshmallow as ma
from marshmallow import validate

from eventapp import lengths as limits
from eventapp.enums import ConferenceStatus, Role, SessionKind, SessionStatus
from eventapp.schemas import COLOR_RE, LANGUAGE_RE, SLUG_RE, UNSAFE_TEXT_RE, validate_timezone
from eventapp.seeding.loader import Path_, Problem, SeedError
from eventapp.text import slugify

UNTITLED = "Untitled"
TIMEZONE_HINT = "give one with --timezone, e.g. --timezone Europe/Berlin"
# Words in a frab type, tried in this order: "Keynote talk" is a keynote, "Workshop talk" a workshop.
KIND_WORDS: tuple[tuple[tuple[str, ...], SessionKind], ...] = (
    (("keynote",), SessionKind.KEYNOTE),
    (("workshop",), SessionKind.WORKSHOP),
    (("panel", "podium", "roundtable"), SessionKind.ROUNDTABLE),
    (("talk", "lecture", "lightning", "vortrag"), SessionKind.SESSION),
)
OWN_KINDS = {kind.value for kind in SessionKind} - {SessionKind.SATELLITE_SYMPOSIUM.value}
# The keys a person's name goes by in frab and pretalx versions, most specific first.
PERSON_NAME_KEYS = ("public_name", "name", "full_name", "display_name")
CONFERENCE_KEYS = ("acronym", "title", "start", "end", "time_zone_name", "url", "description")
EVENT_KEYS = (
    "guid", "id", "title", "subtitle", "type", "date", "start", "duration", "end", "track", "language",
    "abstract", "description",
)
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CLOCK_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
MINUTES_RE = re.compile(r"^\d+$")
HOURS_MINUTES_RE = re.compile(r"^(\d+):(\d{2})$")
# pretalx writes days unpadded ("1:02:30"); pentabarf pads the hours of its HH:MM:SS ("01:30:00").
DAYS_HOURS_MINUTES_RE = re.compile(r"^([1-9]):(\d{2}):(\d{2})$")
HOURS_MINUTES_SECONDS_RE = re.compile(r"^(\d{1,2}):(\d{2}):(\d{2})$")
ISO_DURATION_RE = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
XML_POSITION_RE = re.compile(r":? line \d+, column \d+$")
_URL = validate.URL(relative=False, schemes={"http", "https"})


# The schedule as read, before translation: one shape, whichever format it came in.


@dataclass
class FrabPerson:
    where: Path_
    name: str | None
    guid: str | None = None
    ident: str | None = None
    biography: str | None = None


@dataclass
class FrabDay:
    where: Path_
    date: str | None
    start: str | None


@dataclass
class FrabEvent:
    where: Path_
    day: FrabDay
    room: str | None
    values: dict[str, str | None]
    persons: list[FrabPerson] = field(default_factory=list)


@dataclass
class FrabSchedule:
    """What a schedule file says; `at(where, key)` is where a field of a thing is, in the file's notation."""

    at: Callable[[Path_, str], Path_]
    conference: dict[str, str | None]
    conference_where: Path_
    rooms: list[dict[str, Any]] = field(default_factory=list)
    tracks: list[tuple[str, str | None]] = field(default_factory=list)
    days: list[FrabDay] = field(default_factory=list)
    events: list[FrabEvent] = field(default_factory=list)


def _scalar(value: Any) -> str | None:
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


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


# schedule.json


def _json_person(item: Any, where: Path_, problems: list[Problem]) -> FrabPerson | None:
    if isinstance(item, str):
        return FrabPerson(where, item)
    if not isinstance(item, dict):
        problems.append(Problem(where, "a person is an object with a public_name, or a name"))
        return None
    name = next((_scalar(item[k]) for k in PERSON_NAME_KEYS if not _blank(_scalar(item.get(k)))), None)
    return FrabPerson(
        where, name, _scalar(item.get("guid")), _scalar(item.get("id")), _scalar(item.get("biography"))
    )


def _json_event(item: Any, where: Path_, day: FrabDay, room: str,
                problems: list[Problem]) -> FrabEvent | None:
    if not isinstance(item, dict):
        problems.append(Problem(where, "an event is an object"))
        return None
    persons_value = item.get("persons") or []
    if not isinstance(persons_value, list):
        problems.append(Problem((*where, "persons"), "expected a list of people"))
        persons_value = []
    persons = [
        person for i, entry in enumerate(persons_value)
        if (person := _json_person(entry, (*where, "persons", i), problems)) is not None
    ]
    own_room = _scalar(item.get("room"))
    values = {key: _scalar(item.get(key)) for key in EVENT_KEYS}
    return FrabEvent(where, day, room if _blank(own_room) else own_room, values, persons)


def _json_rooms(value: Any) -> list[dict[str, Any]]:
    # Only a summary (each event names its room): an entry without a name is passed over.
    return [
        {
            "name": _scalar(item["name"]),
            "description": item.get("description") if isinstance(item.get("description"), str) else None,
            "capacity": item.get("capacity"),
            "online": str(item.get("type", "")).lower() == "online",
        }
        for item in (value if isinstance(value, list) else [])
        if isinstance(item, dict) and not _blank(_scalar(item.get("name")))
    ]


def _read_json(content: bytes) -> tuple[FrabSchedule | None, list[Problem]]:
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
        return None, [Problem(("schedule", "events"), "this is c3voc's schedule2 format (events beside the "
                                                      "days), which is not read here; use the schedule.json")]
    conference = schedule.get("conference")
    if not isinstance(conference, dict):
        return None, [Problem(("schedule", "conference"), "missing: expected an object with the conference")]
    where_c: Path_ = ("schedule", "conference")
    days = conference.get("days")
    if not isinstance(days, list) or not days:
        return None, [Problem((*where_c, "days"), "missing: expected a list of days with rooms and events")]

    tracks = conference.get("tracks")
    result = FrabSchedule(
        at=lambda where, key: (*where, key),
        conference={key: _scalar(conference.get(key)) for key in CONFERENCE_KEYS},
        conference_where=where_c,
        # Some generators put the rooms beside the conference rather than in it.
        rooms=_json_rooms(conference.get("rooms")) + _json_rooms(schedule.get("rooms")),
        tracks=[
            (_scalar(track["name"]), _scalar(track.get("color")))
            for track in (tracks if isinstance(tracks, list) else [])
            if isinstance(track, dict) and not _blank(_scalar(track.get("name")))
        ],
    )
    problems: list[Problem] = []
    for i, day_value in enumerate(days):
        where_d: Path_ = (*where_c, "days", i)
        if not isinstance(day_value, dict):
            problems.append(Problem(where_d, "a day is an object"))
            continue
        day_start = _scalar(day_value.get("day_start")) or _scalar(day_value.get("start"))
        day = FrabDay(where_d, _scalar(day_value.get("date")), day_start)
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


# schedule.xml


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
    return FrabEvent((where,), day, room if _blank(own_room) else own_room, values, persons)


def _read_xml(content: bytes) -> tuple[FrabSchedule | None, list[Problem]]:
    """The schedule in a frab/pentabarf/pretalx schedule.xml, or what makes it unreadable."""
    try:
        # expat resolves no external entities and refuses runaway entity expansion.
        root = ET.fromstring(content)  # noqa: S314
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
        at=lambda where, key: (f"{where[0]}/{key}",),
        conference={key: _child_text(conference, key) for key in CONFERENCE_KEYS},
        conference_where=("schedule/conference",),
        tracks=[
            (name, track.get("color"))
            for track in conference.findall("track")
            if not _blank(name := track.get("name") or track.text)
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


def read_schedule(content: bytes | str, source: str) -> FrabSchedule:
    """The schedule in a schedule.json ('{') or schedule.xml ('<'); SeedError naming the place if not."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    head = data.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not head:
        raise SeedError(source, [Problem((), "the file is empty")])
    if head[:1] == b"{":
        schedule, problems = _read_json(data)
    elif head[:1] == b"<":
        schedule, problems = _read_xml(data)
    else:
        raise SeedError(source, [Problem((), "neither a schedule.json (starts with '{') "
                                             "nor a schedule.xml (starts with '<')")])
    if schedule is None or problems:
        raise SeedError(source, problems)
    return schedule


# Values


def _clean(text: str, length: int | None = None) -> str:
    """Text that the database, the feeds and a YAML round trip all carry unchanged, cut to length."""
    text = UNSAFE_TEXT_RE.sub("", text.replace("\x85", "\n"))
    return text[:length] if length else text


def _hashed(key: str, digits: int = 20) -> str:
    return f"frab-{hashlib.sha256(key.encode('utf-8', 'surrogatepass')).hexdigest()[:digits]}"


def _bounded_slug(candidate: str, key: str) -> str:
    """candidate if it is a slug that fits, else a stable hash of key."""
    if len(candidate) <= limits.SLUG and SLUG_RE.match(candidate):
        return candidate
    return _hashed(key)


def _canonical_guid(guid: str) -> str | None:
    try:
        return str(uuid.UUID(guid.strip()))
    except ValueError:
        return None


def _clock(text: str | None) -> timedelta | None:
    """'09:30' or '09:30:00' as the time since midnight; hours past 23 count into the next day."""
    match = CLOCK_RE.match((text or "").strip())
    if not match or int(match[2]) > 59 or int(match[3] or 0) > 59:
        return None
    return timedelta(hours=int(match[1]), minutes=int(match[2]), seconds=int(match[3] or 0))


def parse_duration(text: str | None) -> timedelta | None:
    """'HH:MM' (hours may pass 24), pretalx's 'D:HH:MM', pentabarf's 'HH:MM:SS', ISO 'PT1H30M', or minutes."""
    text = (text or "").strip()
    if MINUTES_RE.match(text):
        return timedelta(minutes=int(text))
    if match := HOURS_MINUTES_RE.match(text):
        hours, minutes = int(match[1]), int(match[2])
        return timedelta(hours=hours, minutes=minutes) if minutes < 60 else None
    if (match := DAYS_HOURS_MINUTES_RE.match(text)) and int(match[2]) < 24 and int(match[3]) < 60:
        return timedelta(days=int(match[1]), hours=int(match[2]), minutes=int(match[3]))
    if match := HOURS_MINUTES_SECONDS_RE.match(text):
        hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3])
        if max(minutes, seconds) < 60:
            return timedelta(hours=hours, minutes=minutes, seconds=seconds)
        return None
    if text and (match := ISO_DURATION_RE.match(text)):
        days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
        return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    return None


def _date_or_datetime(text: str | None) -> date | datetime | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text) if ISO_DATE_RE.match(text) else datetime.fromisoformat(text)
    except ValueError:
        return None


def frab_kind(frab_type: str | None) -> str | None:
    """Our session kind for a frab type; None (our default) when the file gives none."""
    if _blank(frab_type):
        return None
    words = "_".join(re.split(r"[\s_-]+", frab_type.strip().lower()))
    if words in OWN_KINDS:
        return words
    if words == SessionKind.SATELLITE_SYMPOSIUM.value:
        return SessionKind.SYMPOSIUM.value
    for keys, kind in KIND_WORDS:
        if any(key in words for key in keys):
            return kind.value
    return SessionKind.OTHER.value


def split_name(name: str) -> tuple[str, str]:
    """(given, family): the last word is the family name; a single word is both, as both must be given."""
    words = name.split()
    given = " ".join(words[:-1]) or words[-1]
    return given[: limits.NAME], words[-1][: limits.NAME]


def _language(text: str | None) -> str | None:
    text = (text or "").strip()
    for candidate in (text, text.lower()):
        if candidate and len(candidate) <= limits.LANGUAGE and LANGUAGE_RE.match(candidate):
            return candidate
    return None


def _paragraphs(*parts: str | None) -> str | None:
    """The non-blank parts as paragraphs, each left out when the text so far holds it as whole paragraphs.

    The abstract of our own export, read back, already ends with the description: it is not added twice.
    """
    text = ""
    for part in parts:
        part = _clean(part or "").strip()
        if part and f"\n\n{part}\n\n" not in f"\n\n{text}\n\n":
            text = f"{text}\n\n{part}" if text else part
    return text[: limits.LONG_TEXT] or None


# Translation


class _Translator:
    """Turns a read schedule into a seed document, collecting every problem with its place in the file."""

    def __init__(self, schedule: FrabSchedule, timezone: str | None, slug: str | None):
        self.schedule = schedule
        self.conference = schedule.conference
        self.problems: list[Problem] = []
        self.zone = self._zone(timezone)
        self.slug = slug if slug is not None else self._slug()
        self.rooms: dict[str, dict[str, Any]] = {}
        self.tracks: dict[str, dict[str, Any]] = {}
        self.people: dict[str, dict[str, Any]] = {}
        self.codes: set[str] = set()

    def _problem(self, where: Path_, key: str, message: str) -> None:
        self.problems.append(Problem(self.schedule.at(where, key), message))

    def _zone(self, timezone: str | None) -> ZoneInfo | None:
        if timezone is not None:
            name, origin, where = timezone.strip(), f"--timezone {timezone!r}", ()
        else:
            name = (self.conference.get("time_zone_name") or "").strip()
            origin = f"time_zone_name {name!r}"
            where = self.schedule.at(self.schedule.conference_where, "time_zone_name")
            if not name:
                self.problems.append(Problem((), "the schedule names no time zone (no time_zone_name), so "
                                                 f"its times cannot be placed: {TIMEZONE_HINT}"))
                return None
        try:
            validate_timezone(name)
        except ma.ValidationError:
            self.problems.append(Problem(where, f"{origin} is no IANA time zone: {TIMEZONE_HINT}"))
            return None
        return ZoneInfo(name)

    def _slug(self) -> str:
        slug = slugify(self.conference.get("acronym") or "")[: limits.SLUG].strip("-")
        if not slug:
            self._problem(self.schedule.conference_where, "acronym",
                          "no acronym to make the conference's slug from: give one with --slug")
        return slug

    # Rooms, tracks, people

    def _room(self, name: str | None, description: str | None = None, capacity: Any = None,
              online: bool = False) -> str | None:
        if _blank(name):
            return None
        name = _clean(name, limits.NAME)
        room = self.rooms.setdefault(name, {"name": name})
        # Our exporter writes the location as frab's room description; a long description is prose.
        if not _blank(description) and len(description) <= limits.NAME and "location" not in room:
            room["location"] = _clean(description).strip()
        if isinstance(capacity, int) and not isinstance(capacity, bool) and 0 <= capacity <= 1_000_000:
            room.setdefault("capacity", capacity)
        if online:
            room["is_online"] = True
        return name

    def _track(self, name: str | None, color: str | None = None) -> str | None:
        if _blank(name):
            return None
        name = _clean(name, limits.NAME)
        track = self.tracks.setdefault(name, {"name": name})
        if color and COLOR_RE.match(color.strip()) and "color" not in track:
            track["color"] = color.strip()
        return name

    def _person_slug(self, person: FrabPerson, name: str) -> str:
        if not _blank(person.guid):
            canonical = _canonical_guid(person.guid)
            return f"frab-{uuid.UUID(canonical).hex}" if canonical else _hashed(f"guid:{person.guid.strip()}")
        if not _blank(person.ident):
            ident = person.ident.strip()
            return _bounded_slug(f"frab-{self.slug}-person-{ident.lower()}", f"{self.slug}:id:{ident}")
        return _bounded_slug(f"frab-{self.slug}-{slugify(name)}", f"{self.slug}:name:{name}")

    def _person(self, person: FrabPerson) -> str | None:
        name = " ".join(_clean(person.name or "").split())
        if not name:
            return None  # a nameless entry names no one
        slug = self._person_slug(person, name)
        if slug not in self.people:
            given, family = split_name(name)
            self.people[slug] = {"slug": slug, "given_name": given, "family_name": family}
        if not _blank(person.biography) and "biography" not in self.people[slug]:
            self.people[slug]["biography"] = _clean(person.biography, limits.LONG_TEXT).strip()
        return slug

    # Times

    def _localized(self, moment: datetime) -> datetime:
        return moment.replace(tzinfo=self.zone) if moment.tzinfo is None else moment.astimezone(self.zone)

    @staticmethod
    def _day_date(day: FrabDay) -> date | None:
        value = _date_or_datetime(day.date)
        return value.date() if isinstance(value, datetime) else value

    def _starts_at(self, event: FrabEvent) -> datetime | None:
        values = event.values
        own = _date_or_datetime(values["date"])
        if own is None and not _blank(values["date"]):
            self._problem(event.where, "date", f"{values['date']!r} is no ISO date, or date and time")
            return None
        if isinstance(own, datetime):
            return self._localized(own)
        clock = _clock(values["start"])
        if clock is None:
            found = "missing" if _blank(values["start"]) else f"{values['start']!r} is no time like '09:30'"
            self._problem(event.where, "start", f"{found}, and the event has no date with a time")
            return None
        day = own or self._day_date(event.day)
        if day is None:
            self._problem(event.where, "date", "missing, and its day has no date either")
            return None
        midnight = datetime.combine(day, datetime.min.time())
        day_start = _date_or_datetime(event.day.start)
        if own is None and clock < timedelta(days=1) and isinstance(day_start, datetime):
            # Listed under the conference day it belongs to: after midnight, it is the next calendar date.
            if clock < self._localized(day_start).replace(tzinfo=None) - midnight:
                clock += timedelta(days=1)
        return (midnight + clock).replace(tzinfo=self.zone)

    def _ends_at(self, event: FrabEvent, starts_at: datetime) -> datetime | None:
        values = event.values
        duration = parse_duration(values["duration"])
        end = _date_or_datetime(values["end"])
        if duration is None and isinstance(end, datetime):
            duration = self._localized(end) - starts_at
        if duration is None:
            found = "missing" if _blank(values["duration"]) else f"{values['duration']!r} is no duration"
            self._problem(event.where, "duration", f"{found} such as '00:45', '01:30:00' (pentabarf) or "
                                                   f"'1:02:00' (pretalx's days:hours:minutes)")
            return None
        if duration <= timedelta(0):
            self._problem(event.where, "duration", f"{values['duration']!r}: an event must last a while")
            return None
        return (starts_at.astimezone(UTC) + duration).astimezone(self.zone)

    # Sessions

    def _code(self, event: FrabEvent) -> str:
        values = event.values
        if not _blank(values["guid"]):
            guid = values["guid"].strip()
            code = _canonical_guid(guid) or guid
        elif not _blank(values["id"]):
            code = f"frab-{values['id'].strip()}"
        else:
            # Nothing identifies the event: a new title or time makes it a new session on the next import.
            key = (values["title"], values["date"], values["start"], event.room, event.day.date)
            code = _hashed("|".join(part or "" for part in key), 16)
        if len(code) > limits.SHORT or UNSAFE_TEXT_RE.search(code):
            code = _hashed(code, 32)
        base, n = code, 1
        while code in self.codes:
            n += 1
            code = f"{base}-{n}" if len(f"{base}-{n}") <= limits.SHORT else _hashed(f"{base}-{n}", 32)
        self.codes.add(code)
        return code

    def _session(self, event: FrabEvent) -> dict[str, Any] | None:
        values = event.values
        starts_at = self._starts_at(event)
        ends_at = self._ends_at(event, starts_at) if starts_at is not None else None
        if starts_at is None or ends_at is None:
            return None
        title = _clean(values["title"] or "", limits.TITLE)
        session: dict[str, Any] = {
            "code": self._code(event),
            "title": title if title.strip() else UNTITLED,
            "status": SessionStatus.CONFIRMED.value,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
        }
        optional = {
            "abstract": _paragraphs(values["subtitle"], values["abstract"], values["description"]),
            "kind": frab_kind(values["type"]),
            "room": self._room(event.room),
            "track": self._track(values["track"]),
            "language": _language(values["language"]),
        }
        session |= {key: value for key, value in optional.items() if value is not None}
        slugs = dict.fromkeys(slug for person in event.persons if (slug := self._person(person)))
        if slugs:
            session["participants"] = [{"person": slug, "role": Role.SPEAKER.value} for slug in slugs]
        return session

    def _dates(self, sessions: list[dict[str, Any]]) -> tuple[date, date] | None:
        dates = []
        for key in ("start", "end"):
            value = _date_or_datetime(self.conference.get(key))
            dates.append(self._localized(value).date() if isinstance(value, datetime) else value)
        dates += [self._day_date(day) for day in self.schedule.days]
        for session in sessions:
            dates.append(datetime.fromisoformat(session["starts_at"]).date())
            # A session that ends at midnight ends on the day before.
            dates.append((datetime.fromisoformat(session["ends_at"]) - timedelta(microseconds=1)).date())
        known = [d for d in dates if d is not None]
        return (min(known), max(known)) if known else None

    def _conference(self, sessions: list[dict[str, Any]]) -> dict[str, Any]:
        title = _clean(self.conference.get("title") or "", limits.NAME).strip()
        acronym = _clean(self.conference.get("acronym") or "", limits.NAME).strip()
        conference: dict[str, Any] = {
            "slug": self.slug,
            "name": title or acronym or self.slug,
            "timezone": self.zone.key,
            "status": ConferenceStatus.PUBLISHED.value,
        }
        dates = self._dates(sessions)
        if dates is None:
            self._problem(self.schedule.conference_where, "start", "missing, and no day or event has a date")
        else:
            conference["start_date"], conference["end_date"] = (d.isoformat() for d in dates)
        website = (self.conference.get("url") or "").strip()
        try:
            if website and len(website) <= limits.URL:
                conference["website"] = _URL(website)
        except ma.ValidationError:
            pass  # a website is a nicety: a malformed one is left out rather than refusing the schedule
        description = _clean(self.conference.get("description") or "", limits.LONG_TEXT).strip()
        if description:
            conference["description"] = description
        return conference

    def document(self) -> dict[str, Any]:
        """The seed document; look at self.problems before using it."""
        if self.problems:
            return {}
        for room in self.schedule.rooms:
            self._room(**room)
        for name, color in self.schedule.tracks:
            self._track(name, color)
        sessions = [s for event in self.schedule.events if (s := self._session(event)) is not None]
        return {
            "conference": self._conference(sessions),
            "people": list(self.people.values()),
            "rooms": list(self.rooms.values()),
            "tracks": list(self.tracks.values()),
            "sessions": sessions,
        }


def frab_to_seed(content: bytes, source: str, timezone: str | None = None, slug: str | None = None) -> dict:
    """The seed document for a frab/pretalx schedule.json or schedule.xml; SeedError naming every problem."""
    translator = _Translator(read_schedule(content, source), timezone, slug)
    document = translator.document()
    if translator.problems:
        raise SeedError(source, translator.problems)
    return document
