"""Register, take and give up seats, move waitlists, approve, cancel, erase and check in; flush, never commit.

Every seat that counts against a session's capacity (confirmed or offered) was counted first by a
conditional update of the session's counter row, in the same transaction that writes the seat:

    UPDATE seat_counters SET taken = taken + 1 WHERE session_id = :id AND (capacity IS NULL OR taken < capacity)

A writer that finds no free seat joins the waitlist with a ticket from the same row. On PostgreSQL the update
locks the row until the transaction ends and re-reads it after waiting (READ COMMITTED), so concurrent
registrants queue on that one row rather than fail and retry; SQLite takes its write lock at BEGIN. A CHECK
keeps taken within capacity whatever the code does; a unique index keeps one active seat per registration and
session. Every path that frees a seat promotes the next person in the same transaction.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, inspect, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, joinedload, selectinload

from eventapp.auth.secrets import hash_secret
from eventapp.conferences.models import Conference
from eventapp.conferences.operations import conference_window
from eventapp.db import utcnow
from eventapp.enums import ConferenceStatus, SessionStatus
from eventapp.errors import Conflict, DomainError, NotFound
from eventapp.operations import in_zone
from eventapp.program.models import ProgramSession
from eventapp.program.operations import describe_session
from eventapp.program.schemas import effective_capacity
from eventapp.registrations import notify
from eventapp.registrations.models import (
    HOLDING,
    Checkin,
    Registration,
    RegistrationSettings,
    RegistrationStatus,
    Seat,
    SeatCounter,
    SeatStatus,
    WaitlistMode,
)

SETTINGS = (
    "opens_at",
    "closes_at",
    "capacity",
    "requires_approval",
    "waitlist_mode",
    "offer_hours",
    "allow_overlaps",
)


# --- settings ---------------------------------------------------------------------------------------------


def apply_settings(db: Session, conference: Conference, data: dict[str, Any] | None) -> None:
    """Set the conference's registration settings (merged onto the stored ones); None removes them."""
    current = conference.registration
    if data is None:
        if current is not None:
            conference.registration = None
        return
    values = dict(data)
    for key in ("opens_at", "closes_at"):
        if values.get(key) is not None:
            values[key] = in_zone(values[key], conference.zone, f"registration.{key}")
    if current is None:
        current = RegistrationSettings(taken=0)
        conference.registration = current
    merged = {key: values.get(key, getattr(current, key)) for key in SETTINGS}
    if merged["opens_at"] and merged["closes_at"] and merged["closes_at"] <= merged["opens_at"]:
        raise DomainError("Must be after opens_at.", "registration.closes_at")
    if merged["capacity"] is not None and merged["capacity"] < (current.taken or 0):
        raise Conflict(
            f"{current.taken} registrations hold a place already: the capacity cannot go below that.",
            "registration.capacity",
        )
    for key in SETTINGS:
        if key in values and getattr(current, key) != values[key]:
            setattr(current, key, values[key])
    for key, default in (
        ("requires_approval", False),
        ("waitlist_mode", WaitlistMode.OFFER),
        ("offer_hours", 24),
        ("allow_overlaps", False),
    ):
        if getattr(current, key) is None:
            setattr(current, key, default)


def settings_of(db: Session, conference: Conference) -> RegistrationSettings:
    """The conference's registration settings; 404 for a conference that takes no registrations."""
    settings = conference.registration
    if settings is None:
        raise NotFound(f"Conference {conference.slug!r} takes no registrations.", "slug", location="path")
    return settings


# --- counters ---------------------------------------------------------------------------------------------


def _insert(db: Session):
    return pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert


def ensure_counter(db: Session, program_session: ProgramSession) -> None:
    """Make the session's counter row exist, with its capacity as the session (or its room) now says.

    A capacity that rose frees seats: the waitlist moves on. One that fell below the seats held stays at the
    seats held (organizers are refused that for the session's own capacity; a room's may still shrink).
    """
    capacity = effective_capacity(program_session)
    stored = db.execute(
        select(SeatCounter.capacity, SeatCounter.taken).where(SeatCounter.session_id == program_session.id)
    ).first()
    if stored is None:
        db.execute(
            _insert(db)(SeatCounter)
            .values(session_id=program_session.id, capacity=capacity, taken=0, queued=0)
            .on_conflict_do_nothing(index_elements=["session_id"])
        )
        return
    if stored.capacity != capacity:
        raised = capacity is None or (stored.capacity is not None and capacity > stored.capacity)
        db.execute(
            update(SeatCounter)
            .where(SeatCounter.session_id == program_session.id)
            .values(
                capacity=None
                if capacity is None
                else func.max(capacity, SeatCounter.taken)
                if db.get_bind().dialect.name == "sqlite"
                else func.greatest(capacity, SeatCounter.taken)
            )
        )
        if raised:
            promote(db, program_session)


def session_saved(db: Session, program_session: ProgramSession) -> None:
    """After organizers change a session: its counter follows its capacity (a raised one promotes the
    waitlist); 409 for a capacity below the seats already confirmed or offered."""
    counter = db.get(SeatCounter, program_session.id)
    if counter is None:
        if program_session.registration_required:
            ensure_counter(db, program_session)
        return
    capacity = effective_capacity(program_session)
    if program_session.capacity is not None and capacity < counter.taken:
        raise Conflict(
            f"{counter.taken} seats are confirmed or offered: the capacity cannot go below that.", "capacity"
        )
    ensure_counter(db, program_session)


def _hold(db: Session, session_id: int) -> bool:
    """Count one seat against the session's capacity if one is free: the guard, in one conditional update."""
    held = db.execute(
        update(SeatCounter)
        .where(
            SeatCounter.session_id == session_id,
            (SeatCounter.capacity.is_(None)) | (SeatCounter.taken < SeatCounter.capacity),
        )
        .values(taken=SeatCounter.taken + 1)
        .returning(SeatCounter.taken)
    ).first()
    return held is not None


def _release(db: Session, session_id: int) -> None:
    db.execute(
        update(SeatCounter).where(SeatCounter.session_id == session_id).values(taken=SeatCounter.taken - 1)
    )


def _ticket(db: Session, session_id: int) -> int:
    return db.execute(
        update(SeatCounter)
        .where(SeatCounter.session_id == session_id)
        .values(queued=SeatCounter.queued + 1)
        .returning(SeatCounter.queued)
    ).scalar_one()


def _hold_meeting_place(db: Session, conference_id: int) -> bool:
    held = db.execute(
        update(RegistrationSettings)
        .where(
            RegistrationSettings.conference_id == conference_id,
            (RegistrationSettings.capacity.is_(None))
            | (RegistrationSettings.taken < RegistrationSettings.capacity),
        )
        .values(taken=RegistrationSettings.taken + 1)
        .returning(RegistrationSettings.taken)
    ).first()
    return held is not None


def _release_meeting_place(db: Session, registration: Registration) -> None:
    if registration.holds_place:
        db.execute(
            update(RegistrationSettings)
            .where(RegistrationSettings.conference_id == registration.conference_id)
            .values(taken=RegistrationSettings.taken - 1)
        )
        registration.holds_place = False


# --- seats ------------------------------------------------------------------------------------------------


def _set_status(seat: Seat, status: SeatStatus, reason: str | None = None) -> None:
    seat.status = status
    seat.active = None if status == SeatStatus.CANCELLED else True
    seat.reason = reason
    if status != SeatStatus.OFFERED:
        seat.offer_expires_at = None
    seat.revision = (seat.revision or 0) + 1


def overlapping_seat(
    db: Session, registration: Registration, program_session: ProgramSession, statuses=(SeatStatus.CONFIRMED,)
) -> ProgramSession | None:
    """The first session in which the registration holds a seat (of these statuses) overlapping program_session.

    From the registration's seats when they are loaded (find_registration loads them with their sessions, under
    the registration's lock: a seat write asks nothing more), else in one query.
    """
    during = (program_session.starts_at, program_session.ends_at)
    if "seats" not in inspect(registration).unloaded:
        overlapping = [
            seat.program_session
            for seat in registration.seats
            if seat.status in statuses
            and seat.session_id != program_session.id
            and seat.program_session.runs_during(*during)
        ]
        return min(overlapping, key=lambda s: (s.starts_at, s.id), default=None)
    return db.scalar(
        select(ProgramSession)
        .join(Seat, Seat.session_id == ProgramSession.id)
        .where(
            Seat.registration_id == registration.id,
            Seat.status.in_(list(statuses)),
            ProgramSession.id != program_session.id,
            ProgramSession.runs_during(*during),
        )
        .order_by(ProgramSession.starts_at, ProgramSession.id)
        .limit(1)
    )


def registrable_session(
    db: Session, conference: Conference, session_id: int, field: str = "session_id"
) -> ProgramSession:
    """A session of the conference one can take a seat in; 404 or 409 otherwise."""
    program_session = db.get(ProgramSession, session_id)
    if (
        program_session is None
        or program_session.conference_id != conference.id
        or program_session.status == SessionStatus.DRAFT
    ):
        raise NotFound(f"No session {session_id} in this conference.", field)
    if not program_session.registration_required:
        raise Conflict(f"Session {session_id} takes no registration: anyone may attend.", field)
    if program_session.status == SessionStatus.CANCELLED:
        raise Conflict(f"Session {session_id} is cancelled.", field)
    if program_session.starts_at <= utcnow():
        raise Conflict(f"Session {session_id} has begun: its seats are no longer taken.", field)
    return program_session


def _offer_expiry(settings: RegistrationSettings, program_session: ProgramSession) -> datetime | None:
    """offer_hours from now, but never past a quarter of the time left before the session starts."""
    now = utcnow()
    left = program_session.starts_at - now
    if left <= timedelta(0):
        return None
    return now + min(timedelta(hours=settings.offer_hours), left / 4)


def take_seat(
    db: Session,
    registration: Registration,
    program_session: ProgramSession,
    settings: RegistrationSettings,
) -> Seat:
    """A seat for the registration: confirmed if one is free, else on the waitlist; pending before approval."""
    existing = next((s for s in registration.seats if s.session_id == program_session.id and s.active), None)
    if existing is not None:
        raise Conflict(
            f"This registration holds a seat in session {program_session.id} already ({existing.status}).",
            "session_id",
        )
    if not settings.allow_overlaps:
        other = overlapping_seat(
            db, registration, program_session, (SeatStatus.CONFIRMED, SeatStatus.PENDING, SeatStatus.OFFERED)
        )
        if other is not None:
            raise Conflict(
                f"Session {program_session.id} overlaps session {other.id} ({other.title!r}), in which this "
                "registration holds a seat.",
                "session_id",
                details=[
                    {
                        "location": "json",
                        "field": "session_id",
                        "message": f"Overlaps session {other.id} ({other.title!r}).",
                        "session": describe_session(other, other.conference.zone),
                    }
                ],
            )
    # Above every seat this registration held in the session before: its calendar event must move on.
    earlier = [s.revision for s in registration.seats if s.session_id == program_session.id]
    seat = Seat(session_id=program_session.id, active=True, revision=max(earlier, default=-1) + 1)
    seat.program_session = program_session
    if registration.status == RegistrationStatus.PENDING:
        seat.status = SeatStatus.PENDING
        registration.seats.append(seat)
        db.flush()
        return seat
    _place(db, seat, program_session)  # before the seat joins the session: a half-made seat is never flushed
    registration.seats.append(seat)
    db.flush()
    notify.seat_changed(db, seat)
    return seat


def _place(db: Session, seat: Seat, program_session: ProgramSession) -> None:
    # The common case costs one statement: a free seat held. Only when none is (or the counter is not made
    # yet) is the counter brought up to the session's capacity and are expired offers given back, then tried
    # again.
    held = _hold(db, program_session.id)
    if not held:
        ensure_counter(db, program_session)
        expire_offers(db, program_session.id)
        held = _hold(db, program_session.id)
    if held:
        seat.status = SeatStatus.CONFIRMED
    else:
        seat.status = SeatStatus.WAITLISTED
        seat.ticket = _ticket(db, program_session.id)


def free_seat(db: Session, seat: Seat, reason: str, *, promote_next: bool = True) -> None:
    """Cancel the seat; a seat that held a place gives it to the next person on the waitlist."""
    if seat.status == SeatStatus.CANCELLED:
        return
    held = seat.status in HOLDING
    was_confirmed = seat.status == SeatStatus.CONFIRMED
    if held:
        _release(db, seat.session_id)
    _set_status(seat, SeatStatus.CANCELLED, reason)
    db.flush()
    notify.seat_changed(db, seat, was_confirmed=was_confirmed)
    if held and promote_next:
        promote(db, seat.program_session)


def promote(db: Session, program_session: ProgramSession) -> list[Seat]:
    """Give the free seats of the session to the waitlist in order, skipping whoever holds a confirmed seat in
    an overlapping session; an offer (waitlist_mode offer) or a confirmed seat (auto)."""
    settings = db.get(RegistrationSettings, program_session.conference_id)
    if settings is None:
        return []
    # Lock the counter (PostgreSQL) so that two freeing transactions promote one after the other.
    db.execute(
        select(SeatCounter.taken).where(SeatCounter.session_id == program_session.id).with_for_update()
    )
    offers = settings.waitlist_mode == WaitlistMode.OFFER
    expiry = _offer_expiry(settings, program_session) if offers else None
    if offers and expiry is None:
        return []  # the session has begun: nobody could answer an offer in time
    promoted = []
    waiting = db.scalars(
        select(Seat)
        .where(Seat.session_id == program_session.id, Seat.status == SeatStatus.WAITLISTED)
        .order_by(Seat.ticket, Seat.id)
    ).all()
    for seat in waiting:
        if (
            not settings.allow_overlaps
            and overlapping_seat(db, seat.registration, program_session) is not None
        ):
            continue  # skipped, not promoted: stays on the waitlist
        if not _hold(db, program_session.id):
            break
        if offers:
            _set_status(seat, SeatStatus.OFFERED)
            seat.offer_expires_at = expiry
        else:
            _set_status(seat, SeatStatus.CONFIRMED)
        db.flush()
        notify.seat_changed(db, seat)
        promoted.append(seat)
    return promoted


def expire_offers(db: Session, session_id: int | None = None) -> int:
    """Cancel offers past their expiry (in one session, or everywhere), each moving its waitlist on."""
    stmt = select(Seat).where(Seat.status == SeatStatus.OFFERED, Seat.offer_expires_at <= utcnow())
    if session_id is not None:
        stmt = stmt.where(Seat.session_id == session_id)
    expired = db.scalars(stmt.order_by(Seat.session_id, Seat.id)).all()
    for seat in expired:
        free_seat(db, seat, "expired")
    return len(expired)


def has_expired_offers(db: Session, session_ids: list[int]) -> bool:
    """Whether any of these sessions holds an offer past its expiry (a cheap read before a write)."""
    if not session_ids:
        return False
    return (
        db.scalar(
            select(Seat.id)
            .where(
                Seat.session_id.in_(session_ids),
                Seat.status == SeatStatus.OFFERED,
                Seat.offer_expires_at <= utcnow(),
            )
            .limit(1)
        )
        is not None
    )


def answer_offer(db: Session, seat: Seat, accept: bool) -> None:
    """Accept (confirmed) or decline (given to the next person) an offer; 409 when there is no live one."""
    if (
        seat.status == SeatStatus.OFFERED
        and seat.offer_expires_at is not None
        and seat.offer_expires_at <= utcnow()
    ):
        expire_offers(db, seat.session_id)
    if seat.status != SeatStatus.OFFERED:
        raise Conflict(
            f"There is no open offer for session {seat.session_id}: the seat is {seat.status}"
            + (f" ({seat.reason})" if seat.reason else "")
            + ".",
            "session_id",
            location="path",
        )
    if accept:
        _set_status(seat, SeatStatus.CONFIRMED)
        db.flush()
        notify.seat_changed(db, seat)
    else:
        free_seat(db, seat, "declined")


# --- registrations ----------------------------------------------------------------------------------------


def email_key(address: str) -> str:
    """The address as compared for 'one registration per address': case-folded."""
    return address.strip().casefold()


def _check_open(settings: RegistrationSettings) -> None:
    now = utcnow()
    if settings.opens_at is not None and now < settings.opens_at:
        raise Conflict(f"Registration opens at {settings.opens_at.isoformat()}.")
    if settings.closes_at is not None and now >= settings.closes_at:
        raise Conflict(f"Registration closed at {settings.closes_at.isoformat()}.")


def create_registration(
    db: Session, conference: Conference, data: dict[str, Any]
) -> tuple[Registration, str]:
    """A registration with its seats, and its token (192 random bits), which exists in clear only in this answer."""
    if conference.status != ConferenceStatus.PUBLISHED:
        raise NotFound(f"No published conference {conference.slug!r}.", "slug", location="path")
    settings = settings_of(db, conference)
    _check_open(settings)
    key = email_key(data["email"])
    taken = db.scalar(
        select(Registration.id).where(
            Registration.conference_id == conference.id,
            Registration.email_key == key,
            Registration.active.is_(True),
        )
    )
    if taken is not None:
        raise Conflict("This address has a registration for this conference already.", "email")
    sessions = [
        registrable_session(db, conference, i, f"session_ids.{n}")
        for n, i in enumerate(dict.fromkeys(data["session_ids"]))
    ]
    token = secrets.token_urlsafe(24)
    registration = Registration(
        conference_id=conference.id,
        token_hash=hash_secret(token),
        status=RegistrationStatus.PENDING if settings.requires_approval else RegistrationStatus.CONFIRMED,
        active=True,
        given_name=data["given_name"],
        family_name=data["family_name"],
        email=data["email"],
        email_key=key,
        organization=data.get("organization"),
        language=data.get("language"),
        share_with_sponsor=data.get("share_with_sponsor", False),
        holds_place=False,
        seats=[],  # a new registration has none: its answer needs no query for them
    )
    registration.conference = conference
    if registration.status == RegistrationStatus.CONFIRMED:
        if not _hold_meeting_place(db, conference.id):
            raise Conflict("The meeting is full.", None)
        registration.holds_place = True
    db.add(registration)
    db.flush()
    for program_session in sessions:
        take_seat(db, registration, program_session, settings)
    notify.registration_changed(db, registration, token=token)
    return registration, token


def approve(db: Session, registration: Registration) -> None:
    """Approve a pending registration: a place in the meeting, then its seats in the order asked for."""
    if registration.status != RegistrationStatus.PENDING:
        raise Conflict(
            f"Only a pending registration can be approved; this one is {registration.status}.", "status"
        )
    if not _hold_meeting_place(db, registration.conference_id):
        raise Conflict("The meeting is full.", "status")
    registration.holds_place = True
    registration.status = RegistrationStatus.CONFIRMED
    for seat in registration.seats:
        if seat.status == SeatStatus.PENDING:
            _place(db, seat, seat.program_session)
            seat.revision += 1
            db.flush()
            notify.seat_changed(db, seat)
    db.flush()
    notify.registration_changed(db, registration)


def end_registration(db: Session, registration: Registration, status: RegistrationStatus) -> None:
    """Cancel or reject a registration: every seat is freed (each promoting the next person), the meeting
    place given back."""
    if registration.active is None:
        raise Conflict(f"The registration is {registration.status} already.", "status")
    for seat in registration.seats:
        free_seat(db, seat, "rejected" if status == RegistrationStatus.REJECTED else "registration_cancelled")
    _release_meeting_place(db, registration)
    registration.status = status
    registration.active = None
    db.flush()
    notify.registration_changed(db, registration)


def erase(db: Session, registration: Registration) -> None:
    """Remove the person's data: future seats are freed (the waitlist moves on), seats in sessions that have
    begun and check-ins stay as counts of what happened, with no name on them."""
    if registration.erased_at is not None:
        return
    now = utcnow()
    _start, meeting_end = conference_window(registration.conference)
    for seat in registration.seats:
        if seat.program_session.starts_at > now:
            free_seat(db, seat, "erased")
    if registration.active is not None and meeting_end > now:
        _release_meeting_place(db, registration)
        registration.status = RegistrationStatus.CANCELLED
    registration.active = None
    registration.given_name = registration.family_name = None
    registration.email = registration.email_key = registration.organization = None
    registration.share_with_sponsor = False
    registration.erased_at = now
    db.flush()
    notify.forget(db, registration)


def update_details(db: Session, registration: Registration, data: dict[str, Any]) -> None:
    """Change the attendee's own details."""
    if registration.erased_at is not None:
        raise Conflict("This registration was erased.")
    for key, value in data.items():
        if key != "status" and getattr(registration, key) != value:
            setattr(registration, key, value)
    db.flush()


def find_registration(db: Session, token: str, *, lock: bool = False) -> Registration | None:
    """The registration behind token, by the token's hash as agendas are found, with its conference and
    settings; lock: its row locked until the transaction ends (PostgreSQL), so that one registration has one
    writer at a time (its overlap rule reads its own seats)."""
    conference = joinedload(Registration.conference)
    stmt = (
        select(Registration)
        .where(Registration.token_hash == hash_secret(token))
        .options(
            conference.joinedload(Conference.registration),
            # The seats it answers with, and a seat write checks for overlaps.
            selectinload(Registration.seats).joinedload(Seat.program_session),
        )
    )
    if lock:
        # A write's events go to the conference's webhook endpoints: read in the same statement.
        stmt = stmt.with_for_update(of=Registration).options(
            conference.joinedload(Conference.active_webhook_endpoints)
        )
    return db.scalars(stmt).unique().one_or_none()


def active_seat(registration: Registration, session_id: int) -> Seat:
    """The registration's active seat in the session; 404 without one."""
    for seat in registration.seats:
        if seat.session_id == session_id and seat.active:
            return seat
    raise NotFound(f"This registration holds no seat in session {session_id}.", "session_id", location="path")


def touch(db: Session, session_ids: list[int]) -> None:
    """Expire the offers past their time in these sessions (any read or write that touches them does)."""
    if has_expired_offers(db, session_ids):
        for session_id in sorted(set(session_ids)):
            expire_offers(db, session_id)
        db.commit()


# --- check-in ---------------------------------------------------------------------------------------------


def check_in(db: Session, conference: Conference, data: dict[str, Any]) -> tuple[Checkin, bool]:
    """Check a person in (at a session, or the meeting); a nonce seen before answers the first check-in."""
    earlier = db.scalar(
        select(Checkin).where(Checkin.conference_id == conference.id, Checkin.nonce == data["nonce"])
    )
    if earlier is not None:
        if earlier.registration_id != data["registration_id"] or earlier.session_id != data.get("session_id"):
            raise Conflict("This nonce was used for another check-in.", "nonce")
        return earlier, False
    registration = db.get(Registration, data["registration_id"])
    if registration is None or registration.conference_id != conference.id:
        raise NotFound(f"No registration {data['registration_id']} in this conference.", "registration_id")
    if registration.status != RegistrationStatus.CONFIRMED:
        raise Conflict(f"The registration is {registration.status}: it cannot check in.", "registration_id")
    session_id = data.get("session_id")
    if session_id is not None:
        program_session = db.get(ProgramSession, session_id)
        if program_session is None or program_session.conference_id != conference.id:
            raise NotFound(f"No session {session_id} in this conference.", "session_id")
        if program_session.registration_required and not any(
            s.session_id == session_id and s.status == SeatStatus.CONFIRMED for s in registration.seats
        ):
            raise Conflict(
                f"This registration holds no confirmed seat in session {session_id}.", "session_id"
            )
    checkin = Checkin(
        conference_id=conference.id,
        registration_id=registration.id,
        session_id=session_id,
        nonce=data["nonce"],
        checked_in_at=utcnow(),
    )
    db.add(checkin)
    db.flush()
    notify.checked_in(db, checkin)
    return checkin, True


def waitlist_position(db: Session, seat: Seat) -> int | None:
    """A waitlisted seat's place: 1 is next."""
    if seat.status != SeatStatus.WAITLISTED:
        return None
    return db.scalar(
        select(func.count(Seat.id)).where(
            Seat.session_id == seat.session_id,
            Seat.status == SeatStatus.WAITLISTED,
            and_(Seat.ticket <= seat.ticket),
        )
    )
