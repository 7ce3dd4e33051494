"""ApiToken: a Bearer token, stored only as its hash."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp import lengths
from eventapp.db import Base, Timestamped, UTCDateTime
from eventapp.enums import TokenRole, enum_check

if TYPE_CHECKING:
    from eventapp.conferences.models import Conference


class ApiToken(Timestamped, Base):
    """An admin token, or an organizer or check-in token scoped to one conference."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        enum_check("role", TokenRole),
        CheckConstraint(
            f"(role IN ('{TokenRole.ORGANIZER}', '{TokenRole.CHECKIN}')) = (conference_id IS NOT NULL)",
            name="organizer_has_conference",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the token: tokens carry 256 random bits, so a fast hash cannot be reversed by guessing.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, to tell tokens apart in listings without storing the secret.
    prefix: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(lengths.NAME))
    role: Mapped[str] = mapped_column(String(16))
    conference_id: Mapped[int | None] = mapped_column(
        ForeignKey("conferences.id", ondelete="CASCADE"), index=True
    )
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    conference: Mapped[Conference | None] = relationship()
