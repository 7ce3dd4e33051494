"""iCalendar feeds that subscribed calendars keep in sync (RFC 5545, with RFC 7986 calendar properties).

A feed is a calendar to subscribe to, not an iTIP message: it carries no METHOD, which would put it under
RFC 5546 and its rules (an ORGANIZER on every event), and libical, among others, would refuse it.

Stable UIDs, SEQUENCE raised on changes of time, room or status, DTSTAMP and LAST-MODIFIED from the last
change of what the event shows (never the request time, so an unchanged feed is byte-identical), cancelled
sessions kept with STATUS:CANCELLED, and times in the conference's zone with a real VTIMEZONE.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Timezone, vText
from icalendar.parser_tools import DEFAULT_ENCODING

from eventapp.enums import SessionStatus
from eventapp.feeds.schedule_data import Fragments, ScheduleData, label
from eventapp.program.models import ProgramSession

PRODID = "-//eventapp//eventapp schedule//EN"
END = b"END:VCALENDAR\r\n"
REFRESH = timedelta(hours=1)  # REFRESH-INTERVAL; X-PUBLISHED-TTL says the same for older clients


def escape(value: str) -> str:
    """RFC 5545 TEXT escaping. (icalendar's own turns a literal backslash-N into a line break.)"""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\n", "\\n")
    )


class Text(vText):
    """A TEXT value escaped by RFC 5545 exactly, so that any text reads back as it was written."""

    def to_ical(self) -> bytes:
        return escape(str(self)).encode(DEFAULT_ENCODING)


def fold(line: str) -> bytes:
    """One content line folded at 75 octets (RFC 5545 3.1), never inside a UTF-8 character.

    Works on the encoded bytes: icalendar's own folding walks characters and was most of a large feed's
    rendering time.
    """
    data = line.encode("utf-8")
    if len(data) <= 75:
        return data
    chunks, start, limit = [], 0, 75
    while len(data) - start > limit:
        cut = start + limit
        while data[cut] & 0xC0 == 0x80:  # a continuation byte: step back to the character's first byte
            cut -= 1
        chunks.append(data[start:cut])
        start, limit = cut, 74  # continuation lines begin with a space, which counts
    chunks.append(data[start:])
    return b"\r\n ".join(chunks)


def describe(data: ScheduleData, program_session: ProgramSession) -> str:
    """The event's DESCRIPTION: the abstract, then people, languages and sponsor."""
    return "\n\n".join(
        part for part in (data.abstract(program_session), data.details(program_session)) if part
    )


def location(program_session: ProgramSession) -> str:
    """Room and venue, as far as they are known."""
    venue = program_session.conference.venue
    room = program_session.room
    if room is not None and room.is_online:
        return room.name
    parts = [room.name, room.location] if room is not None else []
    parts += [venue.name, venue.address, venue.city]
    return ", ".join(part for part in parts if part)


def _date_time(moment: datetime) -> str:
    """A DATE-TIME's digits as the moment's own clock shows them (RFC 5545 3.3.5): 20251019T090000."""
    return f"{moment.year:04d}{moment.month:02d}{moment.day:02d}T{moment.hour:02d}{moment.minute:02d}{moment.second:02d}"


def _utc(moment: datetime) -> str:
    """A DATE-TIME in UTC (form 2): 20251019T000000Z."""
    return _date_time(moment.astimezone(UTC)) + "Z"


def _local(moment: datetime, zone: ZoneInfo) -> str:
    """A DATE-TIME in a zone named by TZID (form 3): 20251019T090000."""
    return _date_time(moment.astimezone(zone))


def event(data: ScheduleData, program_session: ProgramSession) -> bytes:
    """One session as a VEVENT, its content lines folded.

    Written line by line, with the properties in the order icalendar gives them (its canonical order, then by
    name), so that each content line is the one icalendar's Event writes for the session (a test builds the
    Events and compares); only the folding is ours, at 75 octets where icalendar folds after 74. Building an
    icalendar Event per session and serializing it was most of a 5,000-session feed's first render. icalendar
    still writes the calendar's properties and its VTIMEZONE (from the tz database), and reads the feeds in
    the tests.
    """
    conference = program_session.conference
    zone, tzid = conference.zone, conference.timezone
    modified = _utc(data.last_modified(program_session))
    cancelled = program_session.status == SessionStatus.CANCELLED
    categories = [label(program_session.kind)]
    if program_session.track is not None and program_session.track.name not in categories:
        categories.append(program_session.track.name)
    description = describe(data, program_session)
    where = location(program_session)
    lines = [
        "BEGIN:VEVENT",
        f"SUMMARY:{escape(data.display_title(program_session))}",
        f"DTSTART;TZID={tzid}:{_local(program_session.starts_at, zone)}",
        f"DTEND;TZID={tzid}:{_local(program_session.ends_at, zone)}",
        f"DTSTAMP:{modified}",
        f"UID:{escape(data.uid(program_session))}",
        f"SEQUENCE:{program_session.sequence}",
        f"CATEGORIES:{','.join(escape(category) for category in categories)}",
        f"CREATED:{_utc(program_session.created_at)}",
        *([f"DESCRIPTION:{escape(description)}"] if description else []),
        f"LAST-MODIFIED:{modified}",
        *([f"LOCATION:{escape(where)}"] if where else []),
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        f"TRANSP:{'TRANSPARENT' if cancelled else 'OPAQUE'}",
        f"URL:{data.session_url(program_session)}",
        "END:VEVENT",
    ]
    return b"".join(fold(line) + b"\r\n" for line in lines)


def vtimezone(tzid: str) -> Timezone:
    """The zone's VTIMEZONE from the tz database, without the COMMENT icalendar adds at its top level, which
    RFC 5545 does not allow there (libical refuses the calendar)."""
    zone = Timezone.from_tzid(tzid)
    zone.pop("COMMENT", None)
    return zone


def _head(data: ScheduleData, zones: list[str]) -> bytes:
    """The calendar's properties and time zones: everything before its first event."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", Text(data.name))
    calendar.add("x-wr-calname", Text(data.name))
    if data.conference is not None:
        calendar.add("x-wr-timezone", data.conference.timezone)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    if data.feed_urls.get("ics"):
        calendar.add("source", data.feed_urls["ics"], parameters={"VALUE": "URI"})
    for zone in zones:
        calendar.add_component(vtimezone(zone))
    return calendar.to_ical().removesuffix(END)


def render_ical(
    data: ScheduleData,
    fragments: Fragments | None = None,
    adjust: Callable[[ProgramSession, bytes], bytes] | None = None,
) -> bytes:
    """The whole feed, assembled from one VEVENT a session; fragments may keep those between renders.

    adjust rewrites each session's VEVENT for one reader (a registration's seat status and SEQUENCE); its
    events are personal, so they are never kept in fragments.
    """
    if adjust is not None:
        events = data.pieces("vevent", lambda s: adjust(s, event(data, s)))
    else:
        events = data.pieces("vevent", lambda s: event(data, s), fragments)
    # Only the zones the events use: an empty feed has none.
    if not events:
        zones = set()
    elif data.conference is not None:
        zones = {data.conference.timezone}
    else:
        zones = {s.conference.timezone for s in data.sessions}
    return b"".join([_head(data, sorted(zones)), *(piece for _, piece in events), END])
