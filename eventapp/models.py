"""Every model, imported in one place so that the metadata is complete for alembic and the mappers."""

from eventapp.agendas.models import Agenda
from eventapp.auth.models import ApiToken
from eventapp.changelog.models import ScheduleChange
from eventapp.conferences.models import Booth, Conference, Room, Track
from eventapp.db import Base
from eventapp.notifications.models import OutboxDelivery, OutboxEvent, WebhookEndpoint
from eventapp.people.models import Organization, Person
from eventapp.program.models import Participation, ProgramSession
from eventapp.registrations.models import (
    Checkin,
    IdempotencyKey,
    Registration,
    RegistrationSettings,
    Seat,
    SeatCounter,
)

__all__ = [
    "Agenda",
    "ApiToken",
    "Base",
    "Booth",
    "Checkin",
    "Conference",
    "IdempotencyKey",
    "Organization",
    "OutboxDelivery",
    "OutboxEvent",
    "Participation",
    "Person",
    "ProgramSession",
    "Registration",
    "RegistrationSettings",
    "Room",
    "ScheduleChange",
    "Seat",
    "SeatCounter",
    "Track",
    "WebhookEndpoint",
]
