"""Agenda: a set of sessions of one conference, reached by an unguessable token stored only as a hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp.conferences.models import Conference
from eventapp.db import Base, Timestamped, UTCDateTime
from eventapp.program.models import ProgramSession

agenda_sessions = Table(
    "agenda_sessions",
    Base.metadata,
    Column("agenda_id", ForeignKey("agendas.id", ondelete="CASCADE"), primary_key=True),
    Column("session_id", ForeignKey("program_sessions.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Agenda(Timestamped, Base):
    """An attendee's agenda; whoever holds the token may read, change or revoke it."""

    __tablename__ = "agendas"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    conference: Mapped[Conference] = relationship()
    program_sessions: Mapped[list[ProgramSession]] = relationship(
        secondary=agenda_sessions, order_by=(ProgramSession.starts_at, ProgramSession.id)
    )
