"""iCalendar feeds that subscribed calendars keep in sync (RFC 5545, with RFC 7986 calendar properties).

Stable UIDs, SEQUENCE raised on changes of time, room or status, DTSTAMP and LAST-MODIFIED from the last
change of what the event shows (never the request time, so an unchanged feed is byte-identical), cancelled
sessions kept with STATUS:CANCELLED, and times in the conference's zone with a real VTIMEZONE.
"""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar, Event, vText
from icalendar.parser_tools import DEFAULT_ENCODING

from eventapp.enums import SessionStatus
from eventapp.feeds.context import ScheduleData, label
from eventapp.program.models import ProgramSession

PRODID = "-//eventapp//eventapp schedule//EN"
REFRESH = timedelta(hours=1)  # REFRESH-INTERVAL; X-PUBLISHED-TTL says the same for older clients


def escape(value: str) -> str:
    """RFC 5545 TEXT escaping. (icalendar's own turns a literal backslash-N into a line break.)"""
    return (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
        .replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    )


class Text(vText):
    """A TEXT value escaped by RFC 5545 exactly, so that any text reads back as it was written."""

    def to_ical(self) -> bytes:
        return escape(str(self)).encode(DEFAULT_ENCODING)


class TextList(vText):
    """A multi-valued TEXT property (CATEGORIES): each value escaped, joined by unescaped commas."""

    def __new__(cls, values: list[str]):
        return super().__new__(cls, ",".join(escape(v) for v in values))

    def to_ical(self) -> bytes:
        return str(self).encode(DEFAULT_ENCODING)


def describe(data: ScheduleData, program_session: ProgramSession) -> str:
    """The event's DESCRIPTION: the abstract, then people, languages and sponsor."""
    return "\n\n".join(part for part in (data.abstract(program_session), data.details(program_session)) if part)


def location(program_session: ProgramSession) -> str:
    """Room and venue, as far as they are known."""
    venue = program_session.conference.venue
    room = program_session.room
    if room is not None and room.is_online:
        return room.name
    parts = [room.name, room.location] if room is not None else []
    parts += [venue.name, venue.address, venue.city]
    return ", ".join(part for part in parts if part)


def event(data: ScheduleData, program_session: ProgramSession) -> Event:
    """One session as a VEVENT."""
    zone = program_session.conference.zone
    modified = data.last_modified(program_session)
    cancelled = program_session.status == SessionStatus.CANCELLED.value
    vevent = Event()
    vevent.add("uid", data.uid(program_session))
    vevent.add("dtstamp", modified)
    vevent.add("last-modified", modified)
    vevent.add("created", program_session.created_at)
    vevent.add("sequence", program_session.sequence)
    vevent.add("dtstart", program_session.starts_at.astimezone(zone))
    vevent.add("dtend", program_session.ends_at.astimezone(zone))
    vevent.add("summary", Text(data.display_title(program_session)))
    description = describe(data, program_session)
    if description:
        vevent.add("description", Text(description))
    where = location(program_session)
    if where:
        vevent.add("location", Text(where))
    categories = [label(program_session.kind)]
    if program_session.track is not None and program_session.track.name not in categories:
        categories.append(program_session.track.name)
    vevent.add("categories", TextList(categories))
    vevent.add("url", data.session_url(program_session))
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    return vevent


def render_ical(data: ScheduleData) -> bytes:
    """The whole feed."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", data.name)
    calendar.add("x-wr-calname", data.name)
    if data.conference is not None:
        calendar.add("x-wr-timezone", data.conference.timezone)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    if data.feed_urls.get("ics"):
        calendar.add("source", data.feed_urls["ics"], parameters={"VALUE": "URI"})
    for program_session in data.sessions:
        calendar.add_component(event(data, program_session))
    calendar.add_missing_timezones()
    return calendar.to_ical()
