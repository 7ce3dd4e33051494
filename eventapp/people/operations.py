"""Create, update and delete organizations and people; flush, never commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from eventapp import lengths
from eventapp.conferences.queries import booths_of_organization
from eventapp.errors import Conflict
from eventapp.operations import assign, get_referenced
from eventapp.people.models import Organization, Person
from eventapp.program.queries import sessions_sponsored_by, sessions_with_person
from eventapp.text import slugify


def save_organization(
    db: Session, data: dict[str, Any], organization: Organization | None = None
) -> Organization:
    """Create an organization, or update the one given; its name must stay unique."""
    name = data.get("name")
    renamed = name is not None and (organization is None or name != organization.name)
    if renamed and db.scalar(select(Organization.id).where(Organization.name == name)) is not None:
        raise Conflict(f"An organization named {name!r} exists already.", "name")
    if organization is None:
        organization = Organization()
        db.add(organization)
    assign(organization, data)
    db.flush()
    return organization


def slug_for(given_name: str, family_name: str) -> str:
    """A URL-safe slug from a name ("Yoshiaki", "Uyama" -> "yoshiaki-uyama")."""
    slug = slugify(f"{given_name} {family_name}")
    return (slug or "person")[: lengths.SLUG].strip("-")


def _free_slug(db: Session, base: str) -> str:
    """base, or else base-2, base-3 ..., shortened where the number would not fit in the column."""
    stem = base[: lengths.SLUG - 8]  # what every candidate starts with: room for "-" and seven digits
    taken = set(db.scalars(select(Person.slug).where(Person.slug.startswith(stem))))
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        suffix = f"-{n}"
        candidate = base[: lengths.SLUG - len(suffix)].rstrip("-") + suffix
    return candidate


def save_person(db: Session, data: dict[str, Any], person: Person | None = None) -> Person:
    """Create a person, or update the one given; a new person without a slug gets one from the name."""
    data = dict(data)
    get_referenced(db, Organization, data.get("organization_id"), "organization_id")
    slug = data.get("slug")
    renamed = slug is not None and (person is None or slug != person.slug)
    if renamed and db.scalar(select(Person.id).where(Person.slug == slug)) is not None:
        raise Conflict(f"A person with slug {slug!r} exists already.", "slug")
    if person is None:
        if slug is None:
            data["slug"] = _free_slug(db, slug_for(data["given_name"], data["family_name"]))
        person = Person()
        db.add(person)
    assign(person, data)
    db.flush()
    return person


def _refuse_if_used(what: str, uses: dict[str, list[int]]) -> None:
    named = [f"{kind} {', '.join(map(str, ids))}" for kind, ids in uses.items() if ids]
    if named:
        raise Conflict(
            f"The {what} is still referenced by {'; '.join(named)}: remove those references first."
        )


def delete_person(db: Session, person: Person) -> None:
    """Delete a person; 409 while they take part in a session."""
    _refuse_if_used("person", {"sessions": sessions_with_person(db, person.id)})
    db.delete(person)
    db.flush()


def delete_organization(db: Session, organization: Organization) -> None:
    """Delete an organization; 409 while a person, booth or sponsored session refers to it."""
    people = list(
        db.scalars(select(Person.id).where(Person.organization_id == organization.id).order_by(Person.id))
    )
    _refuse_if_used(
        "organization",
        {
            "people": people,
            "booths": booths_of_organization(db, organization.id),
            "sessions": sessions_sponsored_by(db, organization.id),
        },
    )
    db.delete(organization)
    db.flush()
