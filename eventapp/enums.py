"""The closed vocabularies of the domain, and the database CHECK that keeps a column inside one."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint


class ConferenceStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class OrganizationKind(StrEnum):
    REGULATOR = "regulator"
    ACADEMIA = "academia"
    INDUSTRY = "industry"
    CRO = "cro"
    ASSOCIATION = "association"
    GOVERNMENT = "government"
    MEDIA = "media"
    OTHER = "other"


class SessionKind(StrEnum):
    PLENARY = "plenary"
    KEYNOTE = "keynote"
    SESSION = "session"
    ROUNDTABLE = "roundtable"
    TOWN_HALL = "town_hall"
    FORUM = "forum"
    WORKSHOP = "workshop"
    SYMPOSIUM = "symposium"
    SATELLITE_SYMPOSIUM = "satellite_symposium"
    POSTER = "poster"
    EXHIBITION = "exhibition"
    NETWORKING = "networking"
    BREAK = "break"
    OTHER = "other"


class SessionStatus(StrEnum):
    DRAFT = "draft"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class Delivery(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class Role(StrEnum):
    ORGANIZER = "organizer"
    MODERATOR = "moderator"  # also "chair": one role, as conference programmes use the words
    CO_HOST = "co_host"
    SPEAKER = "speaker"
    PANELIST = "panelist"
    DISCUSSANT = "discussant"


class TokenRole(StrEnum):
    ADMIN = "admin"
    ORGANIZER = "organizer"
    CHECKIN = "checkin"  # scoped to one conference: checks people in and reads their names, nothing else


# Roles whose tokens belong to one conference.
SCOPED_ROLES = (TokenRole.ORGANIZER, TokenRole.CHECKIN)


def enum_check(column: str, enum: type[StrEnum]) -> CheckConstraint:
    """A named CHECK constraint that keeps column inside the values of enum."""
    values = ", ".join(f"'{member}'" for member in enum)
    return CheckConstraint(f"{column} IN ({values})", name=f"{column}_valid")


class DeliveryChannel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


class DeliveryState(StrEnum):
    PENDING = "pending"  # to be sent, or retried at due_at
    SENT = "sent"
    DEAD = "dead"  # given up: failed for a day, or its endpoint answered 410 Gone


class EventType(StrEnum):
    """What the outbox tells of; webhook endpoints subscribe to these."""

    REGISTRATION_CONFIRMED = "registration.confirmed"
    REGISTRATION_WAITLISTED = "registration.waitlisted"
    REGISTRATION_OFFERED = "registration.offered"
    REGISTRATION_CANCELLED = "registration.cancelled"
    CHECKIN_CREATED = "checkin.created"
    SESSION_CHANGED = "session.changed"
    SESSION_CANCELLED = "session.cancelled"
