"""A frab schedule, as read, translated into a seed document: this only translates.

The seed loader validates and stores what this returns, so a frab import obeys the rules every other way of
writing a meeting obeys. Both formats are read into one neutral shape (schedule.py), then translated
here, once:

- Conference: slug from --slug, else the frab acronym slugified ("dia_japan_2025" -> "dia-japan-2025");
  name = title; no status, so a new conference is a draft and a stored one keeps its own (the command's
  --publish publishes it); dates = the declared start and end, widened to every day and session in the file
  (the loader refuses a session outside its conference's dates).
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
- Text: control characters no feed can carry are dropped, U+0085 becomes a line break (a YAML export
  would fold it into a space), and every text is cut to what its column holds.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import marshmallow as ma
from marshmallow import validate

from eventapp import lengths as limits
from eventapp.enums import Role, SessionStatus
from eventapp.operations import local_time_problem
from eventapp.schemas import COLOR_RE, UNSAFE_TEXT_RE, validate_timezone
from eventapp.seeding.frab.schedule import FrabDay, FrabEvent, FrabPerson, FrabSchedule
from eventapp.seeding.frab.values import (
    blank,
    bounded_slug,
    canonical_guid,
    clean,
    clock_time,
    date_or_datetime,
    frab_kind,
    hashed_id,
    language,
    paragraphs,
    parse_duration,
    split_name,
)
from eventapp.seeding.problems import DocumentPath, Problem
from eventapp.text import slugify

UNTITLED = "Untitled"
TIMEZONE_HINT = "give one with --timezone, e.g. --timezone Europe/Berlin"
_URL = validate.URL(relative=False, schemes={"http", "https"})


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
        # Where in the file each session of the document comes from, for problems found after translation.
        self.origins: dict[DocumentPath, DocumentPath] = {("conference",): schedule.conference_where}

    def _problem(self, where: DocumentPath, key: str, message: str) -> None:
        self.problems.append(Problem(self.schedule.field_path(where, key), message))

    def _zone(self, timezone: str | None) -> ZoneInfo | None:
        if timezone is not None:
            name, origin, where = timezone.strip(), f"--timezone {timezone!r}", ()
        else:
            name = (self.conference.get("time_zone_name") or "").strip()
            origin = f"time_zone_name {name!r}"
            where = self.schedule.field_path(self.schedule.conference_where, "time_zone_name")
            if not name:
                self.problems.append(
                    Problem(
                        (),
                        "the schedule names no time zone (no time_zone_name), so "
                        f"its times cannot be placed: {TIMEZONE_HINT}",
                    )
                )
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
            self._problem(
                self.schedule.conference_where,
                "acronym",
                "no acronym to make the conference's slug from: give one with --slug",
            )
        return slug

    # Rooms, tracks, people

    def _room(
        self, name: str | None, description: str | None = None, capacity: Any = None, online: bool = False
    ) -> str | None:
        if blank(name):
            return None
        name = clean(name, limits.NAME)
        room = self.rooms.setdefault(name, {"name": name})
        # Our exporter writes the location as frab's room description; a long description is prose.
        if not blank(description) and len(description) <= limits.NAME and "location" not in room:
            room["location"] = clean(description).strip()
        if isinstance(capacity, int) and not isinstance(capacity, bool) and 0 <= capacity <= 1_000_000:
            room.setdefault("capacity", capacity)
        if online:
            room["is_online"] = True
        return name

    def _track(self, name: str | None, color: str | None = None) -> str | None:
        if blank(name):
            return None
        name = clean(name, limits.NAME)
        track = self.tracks.setdefault(name, {"name": name})
        if color and COLOR_RE.match(color.strip()) and "color" not in track:
            track["color"] = color.strip()
        return name

    def _person_slug(self, person: FrabPerson, name: str) -> str:
        if not blank(person.guid):
            canonical = canonical_guid(person.guid)
            return (
                f"frab-{uuid.UUID(canonical).hex}" if canonical else hashed_id(f"guid:{person.guid.strip()}")
            )
        if not blank(person.ident):
            ident = person.ident.strip()
            return bounded_slug(f"frab-{self.slug}-person-{ident.lower()}", f"{self.slug}:id:{ident}")
        return bounded_slug(f"frab-{self.slug}-{slugify(name)}", f"{self.slug}:name:{name}")

    def _person(self, person: FrabPerson) -> str | None:
        name = " ".join(clean(person.name or "").split())
        if not name:
            return None  # a nameless entry names no one
        slug = self._person_slug(person, name)
        if slug not in self.people:
            given, family = split_name(name)
            self.people[slug] = {"slug": slug, "given_name": given, "family_name": family}
        if not blank(person.biography) and "biography" not in self.people[slug]:
            self.people[slug]["biography"] = clean(person.biography, limits.LONG_TEXT).strip()
        return slug

    # Times

    def _localized(self, moment: datetime) -> datetime:
        return moment.replace(tzinfo=self.zone) if moment.tzinfo is None else moment.astimezone(self.zone)

    @staticmethod
    def _day_date(day: FrabDay) -> date | None:
        value = date_or_datetime(day.date)
        return value.date() if isinstance(value, datetime) else value

    def _starts_at(self, event: FrabEvent) -> datetime | None:
        values = event.values
        own = date_or_datetime(values["date"])
        if own is None and not blank(values["date"]):
            self._problem(event.where, "date", f"{values['date']!r} is no ISO date, or date and time")
            return None
        if isinstance(own, datetime):
            return self._checked(event, "date", own)
        clock = clock_time(values["start"])
        if clock is None:
            found = "missing" if blank(values["start"]) else f"{values['start']!r} is no time like '09:30'"
            self._problem(event.where, "start", f"{found}, and the event has no date with a time")
            return None
        day = own or self._day_date(event.day)
        if day is None:
            self._problem(event.where, "date", "missing, and its day has no date either")
            return None
        midnight = datetime.combine(day, datetime.min.time())
        day_start = date_or_datetime(event.day.start)
        # Listed under the conference day it belongs to: after midnight, it is the next calendar date.
        if (
            own is None
            and clock < timedelta(days=1)
            and isinstance(day_start, datetime)
            and clock < self._localized(day_start).replace(tzinfo=None) - midnight
        ):
            clock += timedelta(days=1)
        return self._checked(event, "start", midnight + clock)

    def _checked(self, event: FrabEvent, key: str, moment: datetime) -> datetime | None:
        """moment in the conference's zone; a local time the zone skips or passes twice is a problem at key."""
        if moment.tzinfo is None and (problem := local_time_problem(moment, self.zone)) is not None:
            self._problem(event.where, key, problem)
            return None
        return self._localized(moment)

    def _ends_at(self, event: FrabEvent, starts_at: datetime) -> datetime | None:
        values = event.values
        duration = parse_duration(values["duration"])
        end = date_or_datetime(values["end"])
        if duration is None and isinstance(end, datetime):
            duration = self._localized(end) - starts_at
        if duration is None:
            found = "missing" if blank(values["duration"]) else f"{values['duration']!r} is no duration"
            self._problem(
                event.where,
                "duration",
                f"{found} such as '00:45', '01:30:00' (pentabarf) or "
                f"'1:02:00' (pretalx's days:hours:minutes)",
            )
            return None
        if duration <= timedelta(0):
            self._problem(event.where, "duration", f"{values['duration']!r}: an event must last a while")
            return None
        return (starts_at.astimezone(UTC) + duration).astimezone(self.zone)

    # Sessions

    def _code(self, event: FrabEvent) -> str:
        values = event.values
        if not blank(values["guid"]):
            guid = values["guid"].strip()
            code = canonical_guid(guid) or guid
        elif not blank(values["id"]):
            code = f"frab-{values['id'].strip()}"
        else:
            # Nothing identifies the event: a new title or time makes it a new session on the next import.
            key = (values["title"], values["date"], values["start"], event.room, event.day.date)
            code = hashed_id("|".join(part or "" for part in key), 16)
        if len(code) > limits.SHORT or UNSAFE_TEXT_RE.search(code):
            code = hashed_id(code, 32)
        base, n = code, 1
        while code in self.codes:
            n += 1
            code = f"{base}-{n}" if len(f"{base}-{n}") <= limits.SHORT else hashed_id(f"{base}-{n}", 32)
        self.codes.add(code)
        return code

    def _session(self, event: FrabEvent) -> dict[str, Any] | None:
        values = event.values
        starts_at = self._starts_at(event)
        ends_at = self._ends_at(event, starts_at) if starts_at is not None else None
        if starts_at is None or ends_at is None:
            return None
        title = clean(values["title"] or "", limits.TITLE)
        session: dict[str, Any] = {
            "code": self._code(event),
            "title": title if title.strip() else UNTITLED,
            "status": SessionStatus.CONFIRMED.value,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
        }
        optional = {
            "abstract": paragraphs(values["subtitle"], values["abstract"], values["description"]),
            "kind": frab_kind(values["type"]),
            "room": self._room(event.room),
            "track": self._track(values["track"]),
            "language": language(values["language"]),
        }
        session |= {key: value for key, value in optional.items() if value is not None}
        slugs = dict.fromkeys(slug for person in event.persons if (slug := self._person(person)))
        if slugs:
            session["participants"] = [{"person": slug, "role": Role.SPEAKER.value} for slug in slugs]
        return session

    def _dates(self, sessions: list[dict[str, Any]]) -> tuple[date, date] | None:
        dates = []
        for key in ("start", "end"):
            value = date_or_datetime(self.conference.get(key))
            dates.append(self._localized(value).date() if isinstance(value, datetime) else value)
        dates += [self._day_date(day) for day in self.schedule.days]
        for session in sessions:
            dates.append(datetime.fromisoformat(session["starts_at"]).date())
            # A session that ends at midnight ends on the day before.
            dates.append((datetime.fromisoformat(session["ends_at"]) - timedelta(microseconds=1)).date())
        known = [d for d in dates if d is not None]
        return (min(known), max(known)) if known else None

    def _conference(self, sessions: list[dict[str, Any]]) -> dict[str, Any]:
        title = clean(self.conference.get("title") or "", limits.NAME).strip()
        acronym = clean(self.conference.get("acronym") or "", limits.NAME).strip()
        conference: dict[str, Any] = {
            "slug": self.slug,
            "name": title or acronym or self.slug,
            "timezone": self.zone.key,
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
        description = clean(self.conference.get("description") or "", limits.LONG_TEXT).strip()
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
        sessions = []
        for event in self.schedule.events:
            session = self._session(event)
            if session is not None:
                self.origins[("sessions", len(sessions))] = event.where
                sessions.append(session)
        return {
            "conference": self._conference(sessions),
            "people": list(self.people.values()),
            "rooms": list(self.rooms.values()),
            "tracks": list(self.tracks.values()),
            "sessions": sessions,
        }


# A seed document's keys, and the frab fields they come from.
FRAB_KEYS = {
    "start_date": "start",
    "end_date": "end",
    "code": "guid",
    "kind": "type",
    "starts_at": "date",
    "ends_at": "duration",
    "participants": "persons",
}


def translate(
    schedule: FrabSchedule, timezone: str | None, slug: str | None
) -> tuple[dict[str, Any], list[Problem], Callable[[Problem], Problem]]:
    """The seed document for a read schedule, every problem found on the way ({} when there are any), and
    what puts a problem of the document at its place in the file."""
    translator = _Translator(schedule, timezone, slug)
    document = translator.document()

    def in_the_file(problem: Problem) -> Problem:
        path = problem.path
        for n in range(len(path), 0, -1):
            where = translator.origins.get(path[:n])
            if where is not None:
                rest = path[n:]
                if rest:
                    where = schedule.field_path(where, FRAB_KEYS.get(str(rest[0]), str(rest[0])))
                return Problem(where, problem.message, None, problem.error_type)
        return problem

    return (document if not translator.problems else {}), translator.problems, in_the_file
