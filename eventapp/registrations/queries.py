"""Reads of registrations: a registration as its holder sees it, lists for organizers, rosters, counts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from eventapp.conferences.models import Conference
from eventapp.feeds.publish import feed_urls
from eventapp.program.models import ProgramSession
from eventapp.program.schemas import effective_capacity
from eventapp.registrations.models import Checkin, Registration, Seat, SeatCounter, SeatStatus
from eventapp.registrations.operations import waitlist_position
from eventapp.views import public_base_url


def seat_view(db: Session, seat: Seat) -> dict[str, Any]:
    """A seat as its holder and the organizers see it."""
    return {
        "session_id": seat.session_id,
        "status": seat.status,
        "position": waitlist_position(db, seat),
        "offer_expires_at": seat.offer_expires_at,
        "reason": seat.reason,
    }


def registration_view(db: Session, registration: Registration, token: str | None = None) -> dict[str, Any]:
    """The registration with its seats; with the token and its URLs when the token is at hand."""
    view: dict[str, Any] = {
        "id": registration.id,
        "given_name": registration.given_name,
        "family_name": registration.family_name,
        "email": registration.email,
        "organization": registration.organization,
        "language": registration.language,
        "share_with_sponsor": registration.share_with_sponsor,
        "conference": registration.conference.slug,
        "status": registration.status,
        "seats": [seat_view(db, seat) for seat in registration.seats],
        "created_at": registration.created_at,
    }
    if token is not None:
        path = f"/api/v1/registrations/{token}"
        view |= {"token": token, "url": f"{public_base_url()}{path}", "feeds": feed_urls(f"{path}.ics")}
    return view


def organizer_view(db: Session, registration: Registration, checked_in: set[int]) -> dict[str, Any]:
    """A registration as organizers see it."""
    return {
        **registration_view(db, registration),
        "erased": registration.erased_at is not None,
        "checked_in": registration.id in checked_in,
    }


def registrations_of(conference: Conference, args: dict[str, Any]) -> Select:
    """The conference's registrations, filtered by text, status and session, newest last."""
    stmt = (
        select(Registration)
        .where(Registration.conference_id == conference.id)
        .options(selectinload(Registration.seats))
        .order_by(Registration.id)
    )
    if args.get("status"):
        stmt = stmt.where(Registration.status == args["status"])
    if args.get("session_id"):
        stmt = stmt.where(
            Registration.id.in_(
                select(Seat.registration_id).where(
                    Seat.session_id == args["session_id"], Seat.active.is_(True)
                )
            )
        )
    if args.get("q"):
        pattern = f"%{args['q'].casefold()}%"
        stmt = stmt.where(
            or_(
                *(
                    func.lower(column).like(pattern)
                    for column in (
                        Registration.given_name,
                        Registration.family_name,
                        Registration.email_key,
                        Registration.organization,
                    )
                )
            )
        )
    return stmt


def checked_in_ids(db: Session, conference_id: int, session_id: int | None = None) -> set[int]:
    """Registrations checked in at the meeting (or at one session)."""
    stmt = select(Checkin.registration_id).where(Checkin.conference_id == conference_id)
    stmt = stmt.where(
        Checkin.session_id.is_(None) if session_id is None else Checkin.session_id == session_id
    )
    return set(db.scalars(stmt))


def roster(db: Session, program_session: ProgramSession, *, for_sponsor: bool) -> list[dict[str, Any]]:
    """The session's active seats in waitlist order; for its sponsor only those who agreed, name and
    organization only."""
    seats = db.scalars(
        select(Seat)
        .where(Seat.session_id == program_session.id, Seat.active.is_(True))
        .options(selectinload(Seat.registration))
        .order_by(Seat.status, Seat.ticket, Seat.id)
    ).all()
    present = checked_in_ids(db, program_session.conference_id, program_session.id)
    entries = []
    for seat in seats:
        registration = seat.registration
        if for_sponsor:
            if seat.status != SeatStatus.CONFIRMED or not registration.share_with_sponsor:
                continue
            entries.append(
                {
                    "given_name": registration.given_name,
                    "family_name": registration.family_name,
                    "organization": registration.organization,
                }
            )
            continue
        entries.append(
            {
                "registration_id": registration.id,
                "given_name": registration.given_name,
                "family_name": registration.family_name,
                "email": registration.email,
                "organization": registration.organization,
                "status": seat.status,
                "position": waitlist_position(db, seat),
                "checked_in": registration.id in present,
            }
        )
    return entries


def availability(db: Session, program_session: ProgramSession) -> dict[str, Any]:
    """{capacity, confirmed, offered, waitlisted, available}, counted from the seats."""
    counts = dict(
        db.execute(
            select(Seat.status, func.count(Seat.id))
            .where(Seat.session_id == program_session.id, Seat.active.is_(True))
            .group_by(Seat.status)
        ).all()
    )
    capacity = effective_capacity(program_session)
    confirmed, offered = counts.get(SeatStatus.CONFIRMED, 0), counts.get(SeatStatus.OFFERED, 0)
    counter = db.get(SeatCounter, program_session.id)
    taken = counter.taken if counter is not None else confirmed + offered
    return {
        "capacity": capacity,
        "confirmed": confirmed,
        "offered": offered,
        "waitlisted": counts.get(SeatStatus.WAITLISTED, 0),
        "available": None if capacity is None else max(0, capacity - taken),
    }


def attendance(db: Session, program_session: ProgramSession) -> dict[str, Any]:
    """People checked in at the session, and its confirmed seats."""
    checked_in = db.scalar(
        select(func.count(func.distinct(Checkin.registration_id))).where(
            Checkin.session_id == program_session.id
        )
    )
    registered = db.scalar(
        select(func.count(Seat.id)).where(
            Seat.session_id == program_session.id, Seat.status == SeatStatus.CONFIRMED
        )
    )
    return {"session_id": program_session.id, "checked_in": checked_in, "registered": registered}
