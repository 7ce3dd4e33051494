"""Organization and Person: shared by all conferences."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventapp import lengths
from eventapp.db import Base, Timestamped
from eventapp.enums import OrganizationKind, enum_check


class Organization(Timestamped, Base):
    """A regulator, company, university or association; its name is its natural key."""

    __tablename__ = "organizations"
    __table_args__ = (enum_check("kind", OrganizationKind),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(lengths.NAME), unique=True)
    native_name: Mapped[str | None] = mapped_column(String(lengths.NAME))
    kind: Mapped[str] = mapped_column(String(16), default=OrganizationKind.OTHER)
    country: Mapped[str | None] = mapped_column(String(lengths.COUNTRY))


class Person(Timestamped, Base):
    """Someone who takes part in sessions; the contact email is private and never published."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    # URL-safe natural key ("yoshiaki-uyama") that seed files and importers match people by.
    slug: Mapped[str] = mapped_column(String(lengths.SLUG), unique=True)
    given_name: Mapped[str] = mapped_column(String(lengths.NAME))
    family_name: Mapped[str] = mapped_column(String(lengths.NAME))
    # Chinese, Japanese and Korean names are written family name first.
    family_name_first: Mapped[bool] = mapped_column(default=False)
    native_name: Mapped[str | None] = mapped_column(String(lengths.NAME))
    honorific: Mapped[str | None] = mapped_column(String(lengths.SHORT))
    position: Mapped[str | None] = mapped_column(String(lengths.TITLE))
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    biography: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(lengths.NAME))

    organization: Mapped[Organization | None] = relationship()

    @property
    def display_name(self) -> str:
        """The name in the order its bearer writes it."""
        parts = (
            (self.family_name, self.given_name)
            if self.family_name_first
            else (self.given_name, self.family_name)
        )
        return " ".join(parts)
