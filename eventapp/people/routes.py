"""People and organizations, shared by all conferences: /api/v1/people and /api/v1/organizations."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from eventapp.api import (
    AUTH, check_if_match, commit_and_send, document_errors, paginate, send, writes_need_a_token,
)
from eventapp.auth.access import require_directory_writer, require_token
from eventapp.conferences.models import Booth
from eventapp.db import get_session
from eventapp.errors import Conflict, NotFound
from eventapp.people.models import Organization, Person
from eventapp.people.operations import save_organization, save_person
from eventapp.people.schemas import OrganizationQueryArgs, OrganizationSchema, PersonQueryArgs, PersonSchema
from eventapp.program.models import Participation, ProgramSession
from eventapp.schemas import page_of

blp = Blueprint("people", __name__, url_prefix="/api/v1", description="People and organizations")
blp.before_request(writes_need_a_token)


def _person(person_id: int) -> Person:
    person = get_session().scalar(
        select(Person).where(Person.id == person_id).options(joinedload(Person.organization))
    )
    if person is None:
        raise NotFound(f"No person {person_id}.", "person_id", location="path")
    return person


def _organization(organization_id: int) -> Organization:
    organization = get_session().get(Organization, organization_id)
    if organization is None:
        raise NotFound(f"No organization {organization_id}.", "organization_id", location="path")
    return organization


def _refuse_if_used(what: str, uses: dict[str, list[int]]) -> None:
    named = [f"{kind} {', '.join(map(str, ids))}" for kind, ids in uses.items() if ids]
    if named:
        raise Conflict(f"The {what} is still referenced by {'; '.join(named)}: remove those references first.")


@blp.route("/people")
class People(MethodView):
    @blp.arguments(PersonQueryArgs, location="query")
    @blp.response(200, page_of(PersonSchema))
    def get(self, args):
        """List people by family name, filtered by name text or organization. Contact emails are never shown."""
        stmt = select(Person).options(joinedload(Person.organization)).order_by(
            Person.family_name, Person.given_name, Person.id
        )
        if args.get("q"):
            text = args["q"]
            stmt = stmt.where(or_(*(column.icontains(text, autoescape=True)
                                    for column in (Person.given_name, Person.family_name, Person.native_name))))
        if "organization_id" in args:
            stmt = stmt.where(Person.organization_id == args["organization_id"])
        return paginate(stmt, args)

    @blp.arguments(PersonSchema)
    @blp.response(201, PersonSchema)
    @blp.doc(**AUTH)
    @document_errors(401, 404, 409)
    def post(self, data):
        """Add a person (any token). Without a slug, one is made from the name."""
        require_token()
        person = save_person(get_session(), data)
        return commit_and_send(PersonSchema(), _person(person.id), 201)


@blp.route("/people/<int:person_id>")
class PersonItem(MethodView):
    @blp.response(200, PersonSchema)
    @document_errors(304, 404)
    def get(self, person_id):
        """One person."""
        return send(PersonSchema(), _person(person_id))

    @blp.arguments(PersonSchema(partial=True))
    @blp.response(200, PersonSchema)
    @blp.doc(**AUTH)
    @document_errors(401, 403, 404, 409, 412)
    def patch(self, data, person_id):
        """Change a person: an admin token, or one whose conference is the only one the person appears in."""
        person = _person(person_id)
        require_directory_writer(people={person.id})
        check_if_match(PersonSchema(), person)
        save_person(get_session(), data, person)
        get_session().expire_all()
        return commit_and_send(PersonSchema(), _person(person_id))

    @blp.response(204)
    @blp.doc(**AUTH)
    @document_errors(401, 403, 404, 409, 412)
    def delete(self, person_id):
        """Delete a person who is in no session."""
        person = _person(person_id)
        require_directory_writer(people={person.id})
        check_if_match(PersonSchema(), person)
        sessions = get_session().scalars(
            select(Participation.session_id).where(Participation.person_id == person.id).distinct()
        ).all()
        _refuse_if_used("person", {"sessions": sorted(sessions)})
        get_session().delete(person)
        get_session().commit()


@blp.route("/organizations")
class Organizations(MethodView):
    @blp.arguments(OrganizationQueryArgs, location="query")
    @blp.response(200, page_of(OrganizationSchema))
    def get(self, args):
        """List organizations by name, filtered by name text or kind."""
        stmt = select(Organization).order_by(Organization.name, Organization.id)
        if args.get("q"):
            stmt = stmt.where(or_(Organization.name.icontains(args["q"], autoescape=True),
                                  Organization.native_name.icontains(args["q"], autoescape=True)))
        if "kind" in args:
            stmt = stmt.where(Organization.kind == args["kind"])
        return paginate(stmt, args)

    @blp.arguments(OrganizationSchema)
    @blp.response(201, OrganizationSchema)
    @blp.doc(**AUTH)
    @document_errors(401, 409)
    def post(self, data):
        """Add an organization (any token); names are unique."""
        require_token()
        organization = save_organization(get_session(), data)
        return commit_and_send(OrganizationSchema(), organization, 201)


@blp.route("/organizations/<int:organization_id>")
class OrganizationItem(MethodView):
    @blp.response(200, OrganizationSchema)
    @document_errors(304, 404)
    def get(self, organization_id):
        """One organization."""
        return send(OrganizationSchema(), _organization(organization_id))

    @blp.arguments(OrganizationSchema(partial=True))
    @blp.response(200, OrganizationSchema)
    @blp.doc(**AUTH)
    @document_errors(401, 403, 404, 409, 412)
    def patch(self, data, organization_id):
        """Change an organization: an admin token, or one whose conference is the only one it appears in."""
        organization = _organization(organization_id)
        require_directory_writer(organizations={organization.id})
        check_if_match(OrganizationSchema(), organization)
        save_organization(get_session(), data, organization)
        return commit_and_send(OrganizationSchema(), organization)

    @blp.response(204)
    @blp.doc(**AUTH)
    @document_errors(401, 403, 404, 409, 412)
    def delete(self, organization_id):
        """Delete an organization that no person, booth or sponsored session refers to."""
        organization = _organization(organization_id)
        require_directory_writer(organizations={organization.id})
        check_if_match(OrganizationSchema(), organization)
        db = get_session()
        _refuse_if_used("organization", {
            "people": sorted(db.scalars(select(Person.id).where(Person.organization_id == organization.id))),
            "booths": sorted(db.scalars(select(Booth.id).where(Booth.organization_id == organization.id))),
            "sessions": sorted(db.scalars(select(ProgramSession.id).where(ProgramSession.sponsor_id == organization.id))),
        })
        db.delete(organization)
        db.commit()
