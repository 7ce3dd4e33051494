"""A stored conference as a seed file, and next year's meeting made from this year's."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from eventapp.conferences.models import Booth, Conference
from eventapp.conferences.schemas import BoothSchema, ConferenceSchema, RoomSchema, TrackSchema
from eventapp.enums import ConferenceStatus, SessionStatus
from eventapp.errors import DomainError, NotFound
from eventapp.people.models import Organization, Person
from eventapp.people.schemas import OrganizationSchema, PersonSchema
from eventapp.program.models import Participation, ProgramSession
from eventapp.program.schemas import ParticipantSchema, ProgramSessionSchema
from eventapp.registrations.schemas import RegistrationSettingsSchema

HEADER = "# Exported by `flask --app wsgi seed export`; load it with `flask --app wsgi seed load`.\n"


def _fields(schema: type, exclude: tuple[str, ...] = ()) -> list[str]:
    """The fields a seed file holds for schema: the writable ones, in declaration order."""
    return [name for name, f in schema._declared_fields.items() if not f.dump_only and name not in exclude]


def _pick(obj: Any, names: list[str]) -> dict[str, Any]:
    values = {}
    for name in names:
        value = getattr(obj, name)
        if value is None or value in ({}, []) or value is False:
            continue  # what the loader would default to anyway: keep files short
        values[name] = value.isoformat() if isinstance(value, date) else value
    return values


def export_conference(db: Session, slug: str) -> dict[str, Any]:
    """The conference, its rooms, tracks, booths and sessions, and the people and organizations they name."""
    conference = db.scalar(
        select(Conference)
        .where(Conference.slug == slug)
        .options(
            selectinload(Conference.rooms),
            selectinload(Conference.tracks),
            selectinload(Conference.booths).joinedload(Booth.organization),
        )
    )
    if conference is None:
        raise NotFound(f"No conference {slug!r}.", "slug")
    sessions = (
        db.scalars(
            select(ProgramSession)
            .where(ProgramSession.conference_id == conference.id)
            .order_by(ProgramSession.starts_at, ProgramSession.code, ProgramSession.id)
            .options(
                joinedload(ProgramSession.room),
                joinedload(ProgramSession.track),
                joinedload(ProgramSession.sponsor),
                selectinload(ProgramSession.participants)
                .joinedload(Participation.person)
                .joinedload(Person.organization),
            )
        )
        .unique()
        .all()
    )
    zone = conference.zone

    people = {p.person.id: p.person for s in sessions for p in s.participants}
    organizations: dict[int, Organization] = {}
    for org in (
        [b.organization for b in conference.booths]
        + [s.sponsor for s in sessions]
        + [p.organization for p in people.values()]
    ):
        if org is not None:
            organizations[org.id] = org

    conference_data = _pick(conference, _fields(ConferenceSchema, ("venue", "registration")))
    if conference.registration is not None:
        conference_data["registration"] = {
            key: value
            for key, value in RegistrationSettingsSchema().dump(conference.registration).items()
            if value is not None
        }
    venue = {k: v for k, v in vars(conference.venue).items() if v is not None}
    if venue:
        conference_data["venue"] = venue

    session_fields = _fields(
        ProgramSessionSchema, ("room_id", "track_id", "sponsor_id", "participants", "starts_at", "ends_at")
    )
    participant_fields = _fields(ParticipantSchema, ("person_id",))
    exported_sessions = []
    for program_session in sessions:
        item = _pick(program_session, session_fields)
        item["starts_at"] = program_session.starts_at.astimezone(zone).isoformat()
        item["ends_at"] = program_session.ends_at.astimezone(zone).isoformat()
        for key in ("room", "track", "sponsor"):
            related = getattr(program_session, key)
            if related is not None:
                item[key] = related.name
        item["participants"] = [
            {"person": p.person.slug, **_pick(p, participant_fields)} for p in program_session.participants
        ]
        if not item["participants"]:
            del item["participants"]
        exported_sessions.append(item)

    person_fields = _fields(PersonSchema, ("organization_id",))
    return {
        "conference": conference_data,
        "organizations": [
            _pick(o, _fields(OrganizationSchema))
            for o in sorted(organizations.values(), key=lambda o: o.name)
        ],
        "people": [
            {**_pick(p, person_fields), **({"organization": p.organization.name} if p.organization else {})}
            for p in sorted(people.values(), key=lambda p: p.slug)
        ],
        "rooms": [_pick(r, _fields(RoomSchema)) for r in conference.rooms],
        "tracks": [_pick(t, _fields(TrackSchema)) for t in conference.tracks],
        "booths": [
            {**_pick(b, _fields(BoothSchema, ("organization_id",))), "organization": b.organization.name}
            for b in conference.booths
        ],
        "sessions": exported_sessions,
    }


def to_yaml(document: dict[str, Any]) -> str:
    """The seed document as YAML, in a stable order and readable in any script."""
    return HEADER + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=110)


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th ... 11th, 12th, 13th ... 21st, 22nd, 23rd."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def renamed(text: str, editions: tuple[int, int] | None, years: tuple[int, int]) -> str:
    """text with the old edition (as an ordinal or a number) and the old year replaced by the new ones."""
    if editions is not None and editions[0] != editions[1]:
        old, new = editions
        text = re.sub(rf"(?<!\d){old}(?:st|nd|rd|th)\b", ordinal(new), text)
        text = re.sub(rf"(?<!\d){old}(?!\d)", str(new), text)
    if years[0] != years[1]:
        text = re.sub(rf"(?<!\d){years[0]}(?!\d)", str(years[1]), text)
    return text


def cloned(
    document: dict[str, Any], new_slug: str, start: date, edition: int | None = None, name: str | None = None
) -> dict[str, Any]:
    """Next year's meeting from an exported one: a draft with every session a draft, shifted so that each
    keeps its day offset and its local clock time, named name or with the edition and year in the old name
    moved on (DomainError on "name" when the old name holds neither)."""
    conference = dict(document["conference"])
    old_start = date.fromisoformat(conference["start_date"])
    shift = start - old_start
    conference["slug"] = new_slug
    conference["start_date"] = start.isoformat()
    conference["end_date"] = (date.fromisoformat(conference["end_date"]) + shift).isoformat()
    conference["status"] = ConferenceStatus.DRAFT.value
    old_edition = conference.get("edition")
    if edition is not None or old_edition:
        conference["edition"] = edition if edition is not None else old_edition + 1
    if name is not None:
        conference["name"] = name
        conference.pop("name_translations", None)  # translations of the old name would be wrong
    else:
        # Never last year's name: its edition and year move on, or the organizer names the meeting.
        editions = (old_edition, conference["edition"]) if old_edition and conference.get("edition") else None
        years = (old_start.year, start.year)
        conference["name"] = renamed(conference["name"], editions, years)
        if conference["name"] == document["conference"]["name"]:
            raise DomainError(
                f"The name {conference['name']!r} holds no edition or year to move on: give the new one "
                "with --name.",
                "name",
            )
        translations = {
            language: renamed(text, editions, years)
            for language, text in conference.get("name_translations", {}).items()
        }
        # A translation that names neither would still be last year's: it is left for the organizer.
        conference["name_translations"] = {
            language: text
            for language, text in translations.items()
            if text != document["conference"]["name_translations"][language]
        }

    def moved(moment: str) -> str:
        # Shift the local wall-clock time, then let the zone give the offset of the new date.
        local = datetime.fromisoformat(moment).replace(tzinfo=None) + shift
        return local.isoformat()

    sessions = [
        {
            **s,
            "starts_at": moved(s["starts_at"]),
            "ends_at": moved(s["ends_at"]),
            "status": SessionStatus.DRAFT.value,
        }
        for s in document["sessions"]
    ]
    return {**document, "conference": conference, "sessions": sessions}
