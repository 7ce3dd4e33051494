"""Create, update and delete organizations and people; flush, never commit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from eventapp import lengths
from eventapp.conferences.queries import booths_of_organization
from eventapp.db import hold
from eventapp.errors import Conflict, DomainError
from eventapp.operations import assign, get_referenced, preload
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


def _free_slug(db: Session, base: str, pending: Iterable[str] = ()) -> str:
    """base, or else base-2, base-3 ..., shortened where the number would not fit in the column; pending are
    slugs taken in the same batch, not yet flushed."""
    stem = base[: lengths.SLUG - 8]  # what every candidate starts with: room for "-" and seven digits
    taken = set(db.scalars(select(Person.slug).where(Person.slug.startswith(stem))))
    taken.update(slug for slug in pending if slug.startswith(stem))
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        suffix = f"-{n}"
        candidate = base[: lengths.SLUG - len(suffix)].rstrip("-") + suffix
    return candidate


_SLUGS_TAKEN = select(Person.slug, Person.id).where(Person.slug.in_(bindparam("slugs", expanding=True)))


def save_person(db: Session, data: dict[str, Any], person: Person | None = None) -> Person:
    """Create a person, or update the one given; a new person without a slug gets one from the name: a batch of
    one (save_people), whose refusal is raised."""
    (result,) = save_people(db, [(data, person)])
    if isinstance(result, DomainError):
        raise result
    return result


def save_people(db: Session, batch: list[tuple[dict[str, Any], Person | None]]) -> list[Person | DomainError]:
    """Create or update people in order, each checked as if the ones before it had been written: for each
    (data, the person or None) the person written or the DomainError that refused it. The organizations and
    slugs the rules ask about are read for the whole batch at once, and the batch is flushed once."""
    with db.no_autoflush:
        held = [  # referenced until the batch is written, so that the identity map keeps them
            *preload(db, Organization, (data.get("organization_id") for data, _ in batch))
        ]
        slugs = sorted({data["slug"] for data, _ in batch if data.get("slug") is not None})
        taken: dict[str, Any] = {}
        for start in range(0, len(slugs), 500):
            taken |= dict(db.execute(_SLUGS_TAKEN, {"slugs": slugs[start : start + 500]}).all())
    results: list[Person | DomainError] = []
    for data, person in batch:
        data = dict(data)
        try:
            with db.no_autoflush:
                get_referenced(db, Organization, data.get("organization_id"), "organization_id")
            slug = data.get("slug")
            renamed = slug is not None and (person is None or slug != person.slug)
            if renamed and slug in taken:
                raise Conflict(f"A person with slug {slug!r} exists already.", "slug")
        except DomainError as exc:
            results.append(exc)
            continue
        if person is None:
            if slug is None:
                base = slug_for(data["given_name"], data["family_name"])
                with db.no_autoflush:
                    data["slug"] = _free_slug(db, base, taken)
            person = Person()
            db.add(person)
        elif renamed and taken.get(person.slug) in (person.id, person):
            del taken[person.slug]  # the slug it leaves is free for the people after it
        taken[data.get("slug", person.slug)] = person
        assign(person, data)
        results.append(person)
    db.flush()
    hold(db, held)
    return results


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
