"""Queries of people that other areas ask: who a search text names."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_

from eventapp.people.models import Organization, Person


def name_matches(text: str) -> ColumnElement[bool]:
    """People whose name holds text: given, family or native name, or the whole name in either order."""
    return or_(
        *(
            column.icontains(text, autoescape=True)
            for column in (
                Person.given_name,
                Person.family_name,
                Person.native_name,
                Person.given_name + " " + Person.family_name,
                Person.family_name + " " + Person.given_name,
            )
        )
    )


def person_matches(text: str) -> ColumnElement[bool]:
    """People whose name, or whose organization's name, holds text."""
    return or_(
        name_matches(text),
        Person.organization.has(
            or_(
                Organization.name.icontains(text, autoescape=True),
                Organization.native_name.icontains(text, autoescape=True),
            )
        ),
    )
