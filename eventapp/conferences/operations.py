"""Create, update and delete conferences and their rooms, tracks and booths; flush, never commit."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from eventapp.conferences.models import Booth, Conference, Room, Track, Venue
from eventapp.enums import SessionStatus
from eventapp.errors import Conflict, DomainError
from eventapp.operations import assign, get_referenced
from eventapp.people.models import Organization
from eventapp.program.models import ProgramSession
from eventapp.program.queries import sessions_in_room, sessions_in_track

Child = TypeVar("Child", Room, Track, Booth)

# The attribute that names each child uniquely within its conference.
CHILD_KEYS: dict[type, str] = {Room: "name", Track: "name", Booth: "label"}


def conference_window(conference: Conference) -> tuple[datetime, datetime]:
    """The instants the conference's local dates span: from its first midnight to the midnight after it."""
    zone = conference.zone
    start = datetime.combine(conference.start_date, time(0), zone)
    end = datetime.combine(conference.end_date + timedelta(days=1), time(0), zone)
    return start, end


def outside_window(conference: Conference, starts_at: datetime, ends_at: datetime) -> bool:
    """True when a session at these instants does not fit in the conference's dates."""
    start, end = conference_window(conference)
    return starts_at < start or ends_at > end


def get_by_slug(db: Session, slug: str, *options) -> Conference | None:
    """The conference with slug (with loader options), or None."""
    return db.scalars(select(Conference).where(Conference.slug == slug).options(*options)).unique().first()


def save_conference(db: Session, data: dict[str, Any], conference: Conference | None = None) -> Conference:
    """Create a conference, or update the one given; its sessions must still fit its dates."""
    data = dict(data)
    if "venue" in data:
        data["venue"] = Venue(**data["venue"])
    has_registration = "registration" in data
    registration = data.pop("registration", None)
    slug = data.get("slug")
    renamed = slug is not None and (conference is None or slug != conference.slug)
    if renamed and get_by_slug(db, slug) is not None:
        raise Conflict(f"A conference with slug {slug!r} exists already.", "slug")
    if conference is None:
        conference = Conference()
        db.add(conference)
        assign(conference, data)
    elif assign(conference, data):
        if conference.end_date < conference.start_date:
            raise DomainError("Must not be before start_date.", "end_date")
        _check_sessions_fit(db, conference)
    if has_registration:
        # The registration area owns its settings (imported here: it builds on this module).
        from eventapp.registrations.operations import apply_settings

        apply_settings(db, conference, registration)
    db.flush()
    return conference


def _check_sessions_fit(db: Session, conference: Conference) -> None:
    start, end = conference_window(conference)
    with db.no_autoflush:
        misfit = db.scalars(
            select(ProgramSession)
            .where(ProgramSession.conference_id == conference.id)
            .where(ProgramSession.status != SessionStatus.CANCELLED)
            .where((ProgramSession.starts_at < start) | (ProgramSession.ends_at > end))
            .limit(1)
        ).first()
    if misfit is not None:
        # Name the date that leaves it out: a session before the new start, or after the new end.
        field = "start_date" if misfit.starts_at < start else "end_date"
        message = (
            f"Session {misfit.id} ({misfit.title!r}) would fall outside the conference's dates: move or "
            "cancel it first."
        )
        zone = conference.zone
        # The session in the way, as a scheduling conflict names it: the seed tools name it by its code.
        session = {
            "id": misfit.id,
            "code": misfit.code,
            "title": misfit.title,
            "starts_at": misfit.starts_at.astimezone(zone).isoformat(),
            "ends_at": misfit.ends_at.astimezone(zone).isoformat(),
        }
        detail = {"location": "json", "field": field, "message": message, "session": session}
        raise Conflict(message, field, details=[detail])


def save_child(
    db: Session, conference: Conference, model: type[Child], data: dict[str, Any], obj: Child | None = None
) -> Child:
    """Create a room, track or booth of conference, or update the one given; its name or label stays unique."""
    key = CHILD_KEYS[model]
    value = data.get(key)
    if value is not None and (obj is None or value != getattr(obj, key)):
        clash = select(model.id).where(model.conference_id == conference.id, getattr(model, key) == value)
        if db.scalar(clash) is not None:
            raise Conflict(
                f"This conference already has a {model.__name__.lower()} with {key} {value!r}.", key
            )
    if model is Booth:
        get_referenced(db, Organization, data.get("organization_id"), "organization_id")
    if obj is None:
        obj = model(conference_id=conference.id)
        db.add(obj)
    assign(obj, data)
    db.flush()
    return obj


def delete_conference(db: Session, conference: Conference) -> None:
    """Delete a conference with everything in it."""
    db.delete(conference)
    db.flush()


def delete_child(db: Session, obj: Room | Track | Booth) -> None:
    """Delete a room, track or booth; 409 for a room or track that sessions still use."""
    if isinstance(obj, (Room, Track)):
        used = sessions_in_room(db, obj.id) if isinstance(obj, Room) else sessions_in_track(db, obj.id)
        if used:
            label = type(obj).__name__.lower()
            raise Conflict(
                f"The {label} is used by sessions {', '.join(map(str, used))}: move them first.", None
            )
    db.delete(obj)
    db.flush()
