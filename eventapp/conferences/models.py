"""Conference, Room, Track and Booth."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, composite, mapped_column, relationship

from eventapp import lengths
from eventapp.db import Base, Timestamped, UTCDateTime, utcnow
from eventapp.enums import ConferenceStatus, enum_check

if TYPE_CHECKING:
    from eventapp.people.models import Organization
    from eventapp.program.models import ProgramSession


@dataclass
class Venue:
    """Where a conference is held."""

    name: str | None = None
    address: str | None = None
    city: str | None = None
    country: str | None = None


class Conference(Timestamped, Base):
    """A meeting, held in one time zone over consecutive local dates."""

    __tablename__ = "conferences"
    __table_args__ = (
        enum_check("status", ConferenceStatus),
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
        CheckConstraint("edition IS NULL OR edition > 0", name="edition_positive"),
        CheckConstraint("schedule_version > 0", name="schedule_version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(lengths.SLUG), unique=True)
    name: Mapped[str] = mapped_column(String(lengths.NAME))
    # {"ja": "第22回 DIA日本年会"}: the name in the conference's other languages.
    name_translations: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    series: Mapped[str | None] = mapped_column(String(lengths.NAME))
    edition: Mapped[int | None]
    venue_name: Mapped[str | None] = mapped_column(String(lengths.NAME))
    venue_address: Mapped[str | None] = mapped_column(String(lengths.TITLE))
    venue_city: Mapped[str | None] = mapped_column(String(lengths.NAME))
    venue_country: Mapped[str | None] = mapped_column(String(lengths.COUNTRY))
    venue: Mapped[Venue] = composite("venue_name", "venue_address", "venue_city", "venue_country")
    timezone: Mapped[str] = mapped_column(String(lengths.TIMEZONE))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    website: Mapped[str | None] = mapped_column(String(lengths.URL))
    # The organizers' address: the ORGANIZER of every invitation, where attendees' replies go.
    contact_email: Mapped[str | None] = mapped_column(String(lengths.NAME))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=ConferenceStatus.DRAFT)
    # Moves whenever anything a schedule shows changes; caches and feed ETags are keyed on it.
    schedule_version: Mapped[int] = mapped_column(Integer, default=1)
    schedule_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rooms: Mapped[list[Room]] = relationship(
        back_populates="conference", cascade="all, delete-orphan", order_by="Room.name"
    )
    tracks: Mapped[list[Track]] = relationship(
        back_populates="conference", cascade="all, delete-orphan", order_by="Track.name"
    )
    booths: Mapped[list[Booth]] = relationship(
        back_populates="conference", cascade="all, delete-orphan", order_by="Booth.label"
    )
    program_sessions: Mapped[list[ProgramSession]] = relationship(
        back_populates="conference", cascade="all, delete-orphan"
    )

    @property
    def zone(self) -> ZoneInfo:
        """The conference's time zone."""
        return ZoneInfo(self.timezone)


class Room(Timestamped, Base):
    """A room of a conference; an online room stands for a virtual stage."""

    __tablename__ = "rooms"
    __table_args__ = (
        UniqueConstraint("conference_id", "name"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(lengths.NAME))
    location: Mapped[str | None] = mapped_column(String(lengths.NAME))
    capacity: Mapped[int | None]
    is_online: Mapped[bool] = mapped_column(default=False)

    conference: Mapped[Conference] = relationship(back_populates="rooms")


class Track(Timestamped, Base):
    """A thematic track of a conference, with the colour programmes draw it in."""

    __tablename__ = "tracks"
    __table_args__ = (UniqueConstraint("conference_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(lengths.NAME))
    color: Mapped[str | None] = mapped_column(String(7))

    conference: Mapped[Conference] = relationship(back_populates="tracks")


class Booth(Timestamped, Base):
    """An exhibitor's booth at a conference."""

    __tablename__ = "booths"
    __table_args__ = (UniqueConstraint("conference_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    label: Mapped[str] = mapped_column(String(lengths.SHORT))
    location: Mapped[str | None] = mapped_column(String(lengths.NAME))
    description: Mapped[str | None] = mapped_column(Text)

    conference: Mapped[Conference] = relationship(back_populates="booths")
    organization: Mapped[Organization] = relationship()
