"""How the pages show the schedule's data: texts in the chosen language with the other beside, local times
labelled with the conference's zone, a day as a list of start times and as tables of rooms."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date

from eventapp.conferences.models import Conference, Room
from eventapp.pages.i18n import current_language
from eventapp.people.models import Person
from eventapp.program.models import ProgramSession

# Rooms per table: a day of 60 rooms is 9 tables of about 7, each readable on a wide screen.
ROOMS_PER_TABLE = 7


@dataclass(frozen=True)
class Text:
    """A text in the page's language where the data has it, and the other version to show beside it."""

    main: str
    main_lang: str | None = None
    other: str | None = None
    other_lang: str | None = None


def translated(original: str, translations: dict[str, str] | None, language: str) -> Text:
    """original (of unstated language) and its translations, as the page in language shows them."""
    translations = translations or {}
    if (mine := translations.get(language)) and mine != original:
        return Text(mine, language, original, None)
    others = [(lang, text) for lang, text in sorted(translations.items()) if text != original]
    if others:
        return Text(original, None, others[0][1], others[0][0])
    return Text(original)


def title(program_session: ProgramSession) -> Text:
    """A session's title, in the page's language with the other beside."""
    return translated(program_session.title, program_session.title_translations, current_language())


def conference_name(conference: Conference) -> Text:
    """A conference's name, in the page's language with the other beside."""
    return translated(conference.name, conference.name_translations, current_language())


def person_name(person: Person) -> Text:
    """A name as its bearer writes it in Latin script and, where known, in native script: the native first on
    a Japanese page."""
    latin, native = person.display_name, person.native_name
    if not native or native == latin:
        return Text(latin)
    if current_language() == "ja":
        return Text(native, None, latin, None)
    return Text(latin, None, native, None)


def language_name(code: str | None) -> str:
    """A language tag as the page's language names it ("ja" -> "Japanese" or "日本語")."""
    if not code:
        return ""
    return _language_name(current_language(), code)


@functools.lru_cache(maxsize=256)
def _language_name(language: str, code: str) -> str:
    return Locale.parse(language).languages.get(code.split("-")[0], code)


def language_names(codes: Iterable[str]) -> str:
    """Several language tags, named and joined."""
    return ", ".join(language_name(code) for code in codes)


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    """The instant in the conference's zone."""
    return moment.astimezone(zone)


def clock(moment: datetime, zone: ZoneInfo) -> str:
    """The local time of day in the conference's zone ("10:00"): 24-hour digits, as both languages write a
    schedule. strftime, not Babel's format_time, which costs thirty times as much on a day of 1,700 sessions
    (and not Flask-Babel's, which would convert to the user's zone)."""
    return moment.astimezone(zone).strftime("%H:%M")


def day_heading(day: date) -> str:
    """A day as the page's language writes it in full."""
    return format_date(day, "full", locale=current_language())


def zone_label(zone: ZoneInfo, day: date | datetime) -> str:
    """The zone's name with its offset on that day: "Asia/Tokyo (UTC+09:00)"."""
    moment = day if isinstance(day, datetime) else datetime(day.year, day.month, day.day, 12)
    offset = moment.replace(tzinfo=None).replace(tzinfo=zone).strftime("%z")
    return f"{zone.key} (UTC{offset[:3]}:{offset[3:]})"


def zone_abbreviation(moment: datetime, zone: ZoneInfo) -> str:
    """The zone's short name at that moment ("JST")."""
    return local(moment, zone).strftime("%Z")


@dataclass(frozen=True)
class PersonView:
    """A person in a session, as the schedule shows them."""

    role: str
    href: str
    name: Text


@dataclass(frozen=True)
class SessionView:
    """What the schedule shows of a session, computed once a render (for the list and the table alike):
    a day of 1,700 sessions spent most of its render in the template's calls into Python."""

    id: int
    cancelled: bool
    moved: bool
    title: Text
    href: str
    starts_iso: str
    ends_iso: str
    starts_utc: str
    ends_utc: str
    start_clock: str
    end_clock: str
    zone_abbreviation: str
    zone_name: str
    local_day: date
    room: str | None
    room_href: str | None
    track: str | None
    track_href: str | None
    kind: str
    language: str
    interpretation: list[str]
    people: list[PersonView]


def session_view(
    program_session: ProgramSession,
    zone: ZoneInfo,
    moved: bool,
    hrefs: dict[str, Any],
    labels: dict[str, dict[str, Any]],
    args: dict[str, Any],
) -> SessionView:
    """The view of one session: hrefs are the pages' link builders, labels the vocabularies' words."""
    slug = program_session.conference.slug
    starts, ends = program_session.starts_at.astimezone(zone), program_session.ends_at.astimezone(zone)
    room, track = program_session.room, program_session.track
    return SessionView(
        id=program_session.id,
        cancelled=program_session.status == "cancelled",
        moved=moved,
        title=title(program_session),
        href=hrefs["session_href"](slug, program_session.id),
        starts_iso=starts.isoformat(),
        ends_iso=ends.isoformat(),
        starts_utc=program_session.starts_at.isoformat(),
        ends_utc=program_session.ends_at.isoformat(),
        start_clock=starts.strftime("%H:%M"),
        end_clock=ends.strftime("%H:%M"),
        zone_abbreviation=starts.strftime("%Z"),
        zone_name=zone.key,
        local_day=starts.date(),
        room=room.name if room is not None else None,
        room_href=hrefs["schedule_href"](slug, args, room=room.id) if room is not None else None,
        track=track.name if track is not None else None,
        track_href=hrefs["schedule_href"](slug, args, track=track.id) if track is not None else None,
        kind=str(labels["kinds"].get(program_session.kind, program_session.kind)),
        language=language_name(program_session.language),
        interpretation=[language_name(code) for code in program_session.interpretation],
        people=[
            PersonView(
                str(labels["roles"].get(p.role, p.role)),
                hrefs["person_href"](p.person.id),
                person_name(p.person),
            )
            for p in program_session.participants
        ],
    )


@dataclass
class Slot:
    """The sessions of a day that start at one time."""

    starts_at: datetime
    sessions: list[ProgramSession]


@dataclass
class RoomTable:
    """A table of a day for some of its rooms: a row per start time, a column per room."""

    rooms: list[Room | None]
    rows: list[tuple[datetime, list[list[ProgramSession]]]]


@dataclass
class Day:
    """One local day of the schedule: its start times, and its rooms in tables of ROOMS_PER_TABLE."""

    date: date
    slots: list[Slot] = field(default_factory=list)

    @property
    def sessions(self) -> list[ProgramSession]:
        """Every session of the day, in start order."""
        return [s for slot in self.slots for s in slot.sessions]

    def tables(self, room_order: Sequence[Room]) -> list[RoomTable]:
        """The day's rooms (in the conference's order, sessions without a room last) in slices."""
        used = {s.room_id for s in self.sessions}
        rooms: list[Room | None] = [room for room in room_order if room.id in used]
        if None in used:
            rooms.append(None)
        tables = []
        for start in range(0, len(rooms), ROOMS_PER_TABLE):
            chunk = rooms[start : start + ROOMS_PER_TABLE]
            ids = [room.id if room is not None else None for room in chunk]
            rows = []
            for slot in self.slots:
                cells: list[list[ProgramSession]] = [[] for _ in chunk]
                for program_session in slot.sessions:
                    if program_session.room_id in ids:
                        cells[ids.index(program_session.room_id)].append(program_session)
                if any(cells):
                    rows.append((slot.starts_at, cells))
            tables.append(RoomTable(chunk, rows))
        return tables


def days_of(
    sessions: Iterable[ProgramSession], zone: ZoneInfo, days: Sequence[date], only: date | None = None
) -> list[Day]:
    """The sessions (in start order) by local day and start time; every conference day is there, empty or not.
    A session that began the day before the one asked for belongs to that day."""
    by_day = {d: Day(d) for d in ([only] if only else days)}
    for key, group in groupby(sessions, key=lambda s: s.starts_at):
        group = list(group)
        day = local(key, zone).date()
        if only:
            day = max(day, only)
        by_day.setdefault(day, Day(day)).slots.append(Slot(key, group))
    return [by_day[d] for d in sorted(by_day)]


def query_string(args: dict[str, Any], **changes: Any) -> str:
    """A page's query with some filters changed (None drops one), sorted as the feeds' URLs are."""
    merged = {**args, **changes}
    pairs = sorted((key, str(value)) for key, value in merged.items() if value not in (None, ""))
    return ("?" + urlencode(pairs)) if pairs else ""


def subscribe_links(feed: dict[str, str], name: str) -> dict[str, str]:
    """The addresses of the subscribe block: webcal (Apple, Outlook desktop), Google (which takes only a
    webcal address, URL-encoded), Outlook.com and Microsoft 365 (the https address and a name), and the https
    address itself, to copy or to download once."""
    https, webcal = feed["ics"], feed["webcal"]
    outlook = f"/calendar/0/addfromweb?url={quote(https, safe='')}&name={quote(name, safe='')}"
    return {
        "https": https,
        "webcal": webcal,
        "google": f"https://calendar.google.com/calendar/r?cid={quote(webcal, safe='')}",
        "outlook_com": f"https://outlook.live.com{outlook}",
        "microsoft_365": f"https://outlook.office.com{outlook}",
    }


def change_value(kind: str, value: Any, zone: ZoneInfo) -> str:
    """An old or new value of the change log, as people read it."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, list):  # people: [{"name", "role"}, ...]
        return ", ".join(f"{p.get('name')} ({p.get('role')})" for p in value) or "—"
    if isinstance(value, dict):
        if "starts_at" in value and "ends_at" in value and len(value) == 2:
            return _span(value["starts_at"], value["ends_at"], zone)
        if set(value) == {"id", "name"}:
            return str(value["name"])
        parts = []
        for key, item in value.items():
            if key in ("starts_at", "ends_at") or item in (None, [], {}):
                continue
            if isinstance(item, dict):
                item = item.get("name") or ", ".join(f"{k}: {v}" for k, v in item.items())
            elif isinstance(item, list):
                item = ", ".join(map(str, item))
            parts.append(str(item))
        if "starts_at" in value and value.get("ends_at"):
            parts.insert(0, _span(value["starts_at"], value["ends_at"], zone))
        return " · ".join(parts) or "—"
    return str(value)


def _span(starts: str, ends: str, zone: ZoneInfo) -> str:
    start, end = datetime.fromisoformat(starts), datetime.fromisoformat(ends)
    return f"{format_date(local(start, zone).date(), 'medium', locale=current_language())} {clock(start, zone)}–{clock(end, zone)}"
