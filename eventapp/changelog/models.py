"""ScheduleChange: what one schedule version changed about one session, with the old and new values."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp import lengths
from eventapp.db import Base, UTCDateTime, utcnow
from eventapp.enums import enum_check

if TYPE_CHECKING:
    from eventapp.conferences.models import Conference
    from eventapp.program.models import ProgramSession


class ChangeKind(StrEnum):
    CREATED = "created"
    MOVED = "moved"
    ROOM_CHANGED = "room_changed"
    RETITLED = "retitled"
    PEOPLE_CHANGED = "people_changed"
    LANGUAGE_CHANGED = "language_changed"
    CANCELLED = "cancelled"
    RESTORED = "restored"
    DELETED = "deleted"


class ScheduleChange(Base):
    """One kind of change to one session of a published schedule, in the version that made it."""

    __tablename__ = "schedule_changes"
    __table_args__ = (
        enum_check("kind", ChangeKind),
        Index("ix_schedule_changes_conference_version", "conference_id", "schedule_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    # No foreign key: the log outlives a deleted session, and keeps its title to name it.
    session_id: Mapped[int] = mapped_column(Integer)
    session_code: Mapped[str | None] = mapped_column(String(lengths.SHORT))
    session_title: Mapped[str] = mapped_column(String(lengths.TITLE))
    kind: Mapped[str] = mapped_column(String(32))
    schedule_version: Mapped[int] = mapped_column(Integer)
    old_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    conference: Mapped[Conference] = relationship()
    # Set for a session the same flush creates, so that the unit of work fills in its new id; never a
    # constraint (see session_id).
    program_session: Mapped[ProgramSession | None] = relationship(
        primaryjoin="foreign(ScheduleChange.session_id) == ProgramSession.id"
    )
