"""Registration settings, per-session seat counters, registrations, seats, check-ins and idempotency keys.

The guard against overbooking lives in the database: a seat is only confirmed or offered after a conditional
update of its session's counter row (``taken = taken + 1 WHERE taken < capacity``) succeeded in the same
transaction, and a CHECK keeps ``taken`` within ``capacity``; a unique index on (registration, session,
active) lets a registration hold at most one active seat per session (``active`` is true or NULL, and NULLs
never collide, on SQLite and PostgreSQL alike).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp import lengths
from eventapp.conferences.models import Conference
from eventapp.db import Base, Timestamped, UTCDateTime
from eventapp.enums import enum_check
from eventapp.program.models import ProgramSession


class WaitlistMode(StrEnum):
    OFFER = "offer"  # the next person gets an offer to accept before it expires
    AUTO = "auto"  # the next person is confirmed at once


class RegistrationStatus(StrEnum):
    PENDING = "pending"  # waits for the organizers' approval (requires_approval): not on any waitlist
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class SeatStatus(StrEnum):
    PENDING = "pending"  # asked for by a registration still waiting for approval; holds no place
    CONFIRMED = "confirmed"
    OFFERED = "offered"  # a freed seat held for this person until offer_expires_at
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"  # given up, declined, expired, or cancelled by the organizers


# Seats that count against the session's capacity.
HOLDING = (SeatStatus.CONFIRMED, SeatStatus.OFFERED)


class RegistrationSettings(Timestamped, Base):
    """A conference's registration: when it is open, how many the meeting takes, and how waitlists move."""

    __tablename__ = "registration_settings"
    __table_args__ = (
        enum_check("waitlist_mode", WaitlistMode),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("offer_hours > 0", name="offer_hours_positive"),
        CheckConstraint(
            "taken >= 0 AND (capacity IS NULL OR taken <= capacity)", name="taken_within_capacity"
        ),
    )

    conference_id: Mapped[int] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), primary_key=True
    )
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None] = mapped_column(Integer)
    requires_approval: Mapped[bool] = mapped_column(default=False)
    waitlist_mode: Mapped[str] = mapped_column(String(16), default=WaitlistMode.OFFER)
    offer_hours: Mapped[int] = mapped_column(Integer, default=24)
    allow_overlaps: Mapped[bool] = mapped_column(default=False)
    # Registrations holding a place in the meeting, updated conditionally like a session's counter.
    taken: Mapped[int] = mapped_column(Integer, default=0)

    conference: Mapped[Conference] = relationship(viewonly=True)


class SeatCounter(Base):
    """How many seats of a session are confirmed or offered, and how many people ever queued for it."""

    __tablename__ = "seat_counters"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        CheckConstraint(
            "taken >= 0 AND (capacity IS NULL OR taken <= capacity)", name="taken_within_capacity"
        ),
    )

    session_id: Mapped[int] = mapped_column(
        ForeignKey("program_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    # The session's capacity as last applied (its own, else its room's); NULL for no limit.
    capacity: Mapped[int | None] = mapped_column(Integer)
    taken: Mapped[int] = mapped_column(Integer, default=0)
    # Tickets handed out to the waitlist, in order: a waitlisted seat's place is its ticket's rank.
    queued: Mapped[int] = mapped_column(Integer, default=0)


class Registration(Timestamped, Base):
    """One person's registration for a conference, reached by its holder with a token stored only as a hash."""

    __tablename__ = "registrations"
    __table_args__ = (
        enum_check("status", RegistrationStatus),
        # One active registration per address and conference; cancelled, rejected and erased ones hold NULL.
        UniqueConstraint("conference_id", "email_key", "active", name="uq_registrations_active_email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool | None] = mapped_column(default=True)
    given_name: Mapped[str | None] = mapped_column(String(lengths.NAME))
    family_name: Mapped[str | None] = mapped_column(String(lengths.NAME))
    email: Mapped[str | None] = mapped_column(String(lengths.NAME))
    email_key: Mapped[str | None] = mapped_column(String(lengths.NAME))  # the address, case-folded
    organization: Mapped[str | None] = mapped_column(String(lengths.NAME))
    language: Mapped[str | None] = mapped_column(String(lengths.LANGUAGE))
    share_with_sponsor: Mapped[bool] = mapped_column(default=False)
    # Whether the registration held a place in the meeting's capacity (given back when it ends).
    holds_place: Mapped[bool] = mapped_column(default=False)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    conference: Mapped[Conference] = relationship()
    seats: Mapped[list[Seat]] = relationship(
        back_populates="registration", order_by="Seat.id", cascade="all, delete-orphan"
    )


class Seat(Timestamped, Base):
    """A registration's place in one session: confirmed, offered, waitlisted, pending approval or cancelled."""

    __tablename__ = "seats"
    __table_args__ = (
        enum_check("status", SeatStatus),
        UniqueConstraint("registration_id", "session_id", "active", name="uq_seats_active_seat"),
        CheckConstraint(
            f"(status = '{SeatStatus.CANCELLED}') = (active IS NULL)", name="active_unless_cancelled"
        ),
        Index("ix_seats_session_status", "session_id", "status", "ticket"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int] = mapped_column(ForeignKey("program_sessions.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool | None] = mapped_column(default=True)
    # The waitlist ticket (the session counter's `queued` when this seat joined the waitlist).
    ticket: Mapped[int | None] = mapped_column(Integer)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why a seat was cancelled: withdrawn, declined, expired, organizer, rejected, registration_cancelled, erased.
    reason: Mapped[str | None] = mapped_column(String(32))
    # Raised on every change of status: the person's calendar adds it to the session's own SEQUENCE.
    revision: Mapped[int] = mapped_column(Integer, default=0)

    registration: Mapped[Registration] = relationship(back_populates="seats")
    program_session: Mapped[ProgramSession] = relationship()


class Checkin(Base):
    """A person checked in, at the meeting or at one session; a scanner's nonce makes a re-upload harmless."""

    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("conference_id", "nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("program_sessions.id", ondelete="CASCADE"), index=True
    )
    nonce: Mapped[str] = mapped_column(String(lengths.SHORT))
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IdempotencyKey(Base):
    """An Idempotency-Key seen on a POST: what the request was, and the answer it got once it finished."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The method and path the key was sent to: one key may be reused for another resource.
    scope: Mapped[str] = mapped_column(String(lengths.URL))
    key: Mapped[str] = mapped_column(String(lengths.NAME))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None] = mapped_column(Integer)  # NULL while the first request runs
    body: Mapped[dict | None] = mapped_column(JSON)
    headers: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


# The conference's registration settings, and each session's counter, as attributes of their owners.
Conference.registration = relationship(RegistrationSettings, uselist=False, cascade="all, delete-orphan")
ProgramSession.seat_counter = relationship(SeatCounter, uselist=False, viewonly=True)
