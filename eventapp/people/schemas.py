"""Organization and person schemas: what the API shows and takes, and what seed files hold."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from eventapp import lengths
from eventapp.enums import OrganizationKind
from eventapp.schemas import PageArgs, country_field, id_field, search_text, slug_field, string_field
from eventapp.views import public_url


class OrganizationSchema(ma.Schema):
    """An organization as shown and as written."""

    id = fields.Integer(dump_only=True)
    name = string_field(lengths.NAME, required=True)
    native_name = string_field(
        lengths.NAME, allow_none=True, metadata={"description": "Name in its own script"}
    )
    kind = fields.String(
        load_default=OrganizationKind.OTHER,
        validate=validate.OneOf(list(OrganizationKind)),
    )
    country = country_field(allow_none=True)


class PersonSchema(ma.Schema):
    """A person as shown publicly; the contact email is written but never shown."""

    id = fields.Integer(dump_only=True)
    slug = slug_field(
        lengths.SLUG, metadata={"description": "URL-safe natural key; made from the name if absent"}
    )
    given_name = string_field(lengths.NAME, required=True)
    family_name = string_field(lengths.NAME, required=True)
    family_name_first = fields.Boolean(
        load_default=False, metadata={"description": "The name is written family name first (Su Ling)"}
    )
    display_name = fields.String(dump_only=True)
    native_name = string_field(lengths.NAME, allow_none=True, metadata={"description": "e.g. 宇山 佳明"})
    honorific = string_field(lengths.SHORT, allow_none=True)
    position = string_field(lengths.TITLE, allow_none=True)
    organization = fields.Nested(OrganizationSchema, dump_only=True, allow_none=True)
    organization_id = id_field(allow_none=True)
    biography = string_field(lengths.LONG_TEXT, allow_none=True)
    email = fields.Email(
        load_only=True,
        allow_none=True,
        validate=validate.Length(max=lengths.NAME),
        metadata={"description": "Private contact address; never published"},
    )


class PersonDetailSchema(PersonSchema):
    """A person as their own resource shows them: with the addresses of what they take part in."""

    links = fields.Method(
        "_links",
        dump_only=True,
        metadata={
            "description": "sessions: the sessions they are in; schedule_ics: those published, as a calendar feed"
        },
    )

    def _links(self, person) -> dict[str, str]:
        return {
            "sessions": public_url("people.PersonSessions", person_id=person.id),
            "schedule_ics": public_url("feeds.PersonFeed", person_id=person.id),
        }


class PersonQueryArgs(PageArgs):
    q = search_text(
        metadata={
            "description": "Part of the name (given, family, native, or the whole name) or of the organization's name"
        }
    )
    organization_id = id_field()


class OrganizationQueryArgs(PageArgs):
    q = search_text(metadata={"description": "Part of the name or native name"})
    kind = fields.String(validate=validate.OneOf(list(OrganizationKind)))
