"""ProgramSession and Participation."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp import lengths
from eventapp.db import Base, Timestamped, UTCDateTime
from eventapp.enums import Delivery, Role, SessionKind, SessionStatus, enum_check

if TYPE_CHECKING:
    from eventapp.conferences.models import Conference, Room, Track
    from eventapp.people.models import Organization, Person


class ProgramSession(Timestamped, Base):
    """One slot of the programme: a plenary, a roundtable, a satellite symposium, a break ..."""

    __tablename__ = "program_sessions"
    __table_args__ = (
        UniqueConstraint("conference_id", "code"),
        enum_check("kind", SessionKind),
        enum_check("status", SessionStatus),
        enum_check("delivery", Delivery),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(
            f"kind <> '{SessionKind.SATELLITE_SYMPOSIUM}' OR sponsor_id IS NOT NULL",
            name="satellite_has_sponsor",
        ),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        # A page of a conference's sessions by start time, read in order instead of sorting them all.
        Index("ix_program_sessions_conference_starts", "conference_id", "starts_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"), index=True)
    # The organizer's own reference ("S-12"); seed files match sessions by it.
    code: Mapped[str | None] = mapped_column(String(lengths.SHORT))
    title: Mapped[str] = mapped_column(String(lengths.TITLE))
    title_translations: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    abstract: Mapped[str | None] = mapped_column(Text)
    abstract_translations: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    kind: Mapped[str] = mapped_column(String(32), default=SessionKind.SESSION)
    status: Mapped[str] = mapped_column(String(16), default=SessionStatus.DRAFT)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="SET NULL"), index=True)
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id", ondelete="SET NULL"), index=True)
    language: Mapped[str | None] = mapped_column(String(lengths.LANGUAGE))
    # Languages offered by simultaneous interpretation, e.g. ["ja", "en"].
    interpretation: Mapped[list[str]] = mapped_column(JSON, default=list)
    delivery: Mapped[str] = mapped_column(String(16), default=Delivery.IN_PERSON)
    sponsor_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    # iCalendar SEQUENCE: goes up whenever the time, room or status changes.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # Attendees take a seat to attend (eventapp/registrations/); capacity NULL means the room's.
    registration_required: Mapped[bool] = mapped_column(default=False, server_default=false())
    capacity: Mapped[int | None] = mapped_column(Integer)

    conference: Mapped[Conference] = relationship(back_populates="program_sessions")
    room: Mapped[Room | None] = relationship()
    track: Mapped[Track | None] = relationship()
    sponsor: Mapped[Organization | None] = relationship()
    participants: Mapped[list[Participation]] = relationship(
        back_populates="program_session",
        cascade="all, delete-orphan",
        order_by="(Participation.order, Participation.id)",
    )

    @hybrid_method
    def runs_during(self, starts_at: datetime, ends_at: datetime):
        """Whether the session, unless cancelled, runs at some moment between starts_at and ends_at: a bool on
        a loaded session, a condition in a query (one rule for both: an attendee's overlapping seats)."""
        return (
            (self.status != SessionStatus.CANCELLED) & (self.starts_at < ends_at) & (self.ends_at > starts_at)
        )


class Participation(Timestamped, Base):
    """A person in a session in one role; a speaker may give a talk of their own and may join online."""

    __tablename__ = "participations"
    __table_args__ = (
        UniqueConstraint("session_id", "person_id", "role"),
        enum_check("role", Role),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("program_sessions.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    order: Mapped[int] = mapped_column(Integer, default=0)
    presentation_title: Mapped[str | None] = mapped_column(String(lengths.TITLE))
    remote: Mapped[bool] = mapped_column(default=False)

    program_session: Mapped[ProgramSession] = relationship(back_populates="participants")
    person: Mapped[Person] = relationship()
