"""iMIP invitations (RFC 6047): one session as a METHOD:REQUEST or METHOD:CANCEL calendar.

The VEVENT is the conference feed's own (eventapp/feeds/ical.py), with the same stable UID, so that a calendar
that subscribed to the feed and one that accepted the invite hold the same event; icalendar adds what iTIP
needs on top of it (METHOD, ORGANIZER, ATTENDEE).
"""

from __future__ import annotations

from enum import StrEnum

from flask import Flask
from icalendar import Calendar, Event, vCalAddress, vText

from eventapp.enums import SessionStatus
from eventapp.feeds.ical import PRODID, event, vtimezone
from eventapp.feeds.schedule_data import ScheduleData
from eventapp.program.models import ProgramSession


class Method(StrEnum):
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


def base_url(app: Flask) -> str:
    """Where links in messages point: PUBLIC_BASE_URL, else the address `make run` serves on (a worker has no
    request to take the address from)."""
    return app.config["PUBLIC_BASE_URL"] or "http://127.0.0.1:5000"


def invite(
    app: Flask,
    program_session: ProgramSession,
    method: Method,
    *,
    attendee: str,
    attendee_name: str | None = None,
    sequence: int | None = None,
    lang: str | None = None,
) -> bytes:
    """The session as an iTIP message to one attendee; sequence overrides the session's own SEQUENCE (a seat
    given up is cancelled for its holder alone, above anything they were sent before)."""
    conference = program_session.conference
    data = ScheduleData.of(
        [program_session],
        conference=conference,
        base_url=base_url(app),
        uid_domain=app.config["UID_DOMAIN"],
        lang=lang,
        session_page=app.config.get("SESSION_PAGE_URL", ""),
    )
    vevent = Event.from_ical(event(data, program_session))
    if sequence is not None:
        vevent.pop("SEQUENCE")
        vevent.add("sequence", sequence)
    cancelled = method == Method.CANCEL or program_session.status == SessionStatus.CANCELLED
    vevent.pop("STATUS")
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{conference.contact_email or app.config['MAIL_FROM']}")
    organizer.params["CN"] = vText(conference.name)
    vevent.add("organizer", organizer)
    guest = vCalAddress(f"mailto:{attendee}")
    if attendee_name:
        guest.params["CN"] = vText(attendee_name)
    guest.params["ROLE"] = vText("REQ-PARTICIPANT")
    guest.params["PARTSTAT"] = vText("ACCEPTED")
    vevent.add("attendee", guest)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", str(method))
    calendar.add_component(vtimezone(conference.timezone))
    calendar.add_component(vevent)
    return calendar.to_ical()
