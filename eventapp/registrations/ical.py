"""A registration's calendar: the conference feed's own events (eventapp/feeds/ical.py), each showing the
person's seat: confirmed as CONFIRMED, waitlisted, offered or pending as TENTATIVE, a seat given up or a
cancelled session as CANCELLED, with the session's SEQUENCE raised by every change of the seat."""

from __future__ import annotations

import re
from typing import Any

from flask import Response

from eventapp.enums import SessionStatus
from eventapp.feeds.publish import serve_registration
from eventapp.program.models import ProgramSession
from eventapp.registrations.models import Registration, Seat, SeatStatus

_STATUS = re.compile(rb"\r\nSTATUS:[A-Z]+\r\n")
_SEQUENCE = re.compile(rb"\r\nSEQUENCE:\d+\r\n")
_TRANSP = re.compile(rb"\r\nTRANSP:[A-Z]+\r\n")


def shown_seats(registration: Registration) -> dict[int, Seat]:
    """The seat each session shows: the active one, else the last given up."""
    shown: dict[int, Seat] = {}
    for seat in registration.seats:  # in the order they were made
        current = shown.get(seat.session_id)
        if current is None or current.active is None:
            shown[seat.session_id] = seat
    return shown


def status_of(seat: Seat, program_session: ProgramSession) -> str:
    """The event's STATUS for the seat."""
    if seat.status == SeatStatus.CANCELLED or program_session.status == SessionStatus.CANCELLED:
        return "CANCELLED"
    return "CONFIRMED" if seat.status == SeatStatus.CONFIRMED else "TENTATIVE"


def serve(registration: Registration, token: str, args: dict[str, Any]) -> Response:
    """The registration's calendar feed."""
    seats = shown_seats(registration)

    def adjust(program_session: ProgramSession, vevent: bytes) -> bytes:
        seat = seats[program_session.id]
        status = status_of(seat, program_session)
        vevent = _STATUS.sub(f"\r\nSTATUS:{status}\r\n".encode(), vevent)
        vevent = _TRANSP.sub(
            f"\r\nTRANSP:{'OPAQUE' if status == 'CONFIRMED' else 'TRANSPARENT'}\r\n".encode(), vevent
        )
        sequence = program_session.sequence + seat.revision
        return _SEQUENCE.sub(f"\r\nSEQUENCE:{sequence}\r\n".encode(), vevent)

    changed_at = max([registration.updated_at, *(seat.updated_at for seat in registration.seats)])
    return serve_registration(registration, token, args, adjust, changed_at)
