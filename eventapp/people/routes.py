"""People and organizations, shared by all conferences: /api/v1/people and /api/v1/organizations."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from eventapp.auth.access import (
    require_directory_writer,
    require_token,
    require_token_for_writes,
    visible_sessions,
)
from eventapp.db import get_session
from eventapp.errors import NotFound
from eventapp.people.models import Organization, Person
from eventapp.people.operations import delete_organization, delete_person, save_organization, save_person
from eventapp.people.queries import person_matches
from eventapp.people.schemas import (
    OrganizationQueryArgs,
    OrganizationSchema,
    PersonDetailSchema,
    PersonQueryArgs,
    PersonSchema,
)
from eventapp.program.queries import sessions_of_person
from eventapp.program.schemas import PersonSessionSchema
from eventapp.schemas import PageArgs, page_of
from eventapp.transactions import begin_write_transaction
from eventapp.views import (
    AUTH,
    READ_AUTH,
    ApiBlueprint,
    ResourceView,
    check_if_match,
    commit_and_respond,
    commit_and_respond_created,
    document_errors,
    paginate,
    public_url,
    respond_with_etag,
    with_headers,
)

blp = ApiBlueprint("people", __name__, url_prefix="/api/v1", description="People and organizations")
blp.before_request(begin_write_transaction)
blp.before_request(require_token_for_writes)


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


@blp.route("/people")
class People(ResourceView):
    @blp.arguments(PersonQueryArgs, location="query")
    @blp.response(200, page_of(PersonSchema))
    def get(self, args):
        """List people by family name, filtered by name text or organization.

        `q` finds text in their name or their organization's. Contact emails are never shown.
        """
        stmt = (
            select(Person)
            .options(joinedload(Person.organization))
            .order_by(Person.family_name, Person.given_name, Person.id)
        )
        if args.get("q"):
            stmt = stmt.where(person_matches(args["q"]))
        if "organization_id" in args:
            stmt = stmt.where(Person.organization_id == args["organization_id"])
        return paginate(stmt, args)

    @blp.arguments(PersonSchema)
    @blp.response(201, PersonDetailSchema)
    @blp.doc(**AUTH)
    @document_errors(401, 404, 409)
    def post(self, data):
        """Add a person (any token). Without a slug, one is made from the name."""
        require_token()
        person = save_person(get_session(), data)
        return commit_and_respond_created(PersonDetailSchema(), _person(person.id), person.id)


@blp.route("/people/<int:person_id>")
class PersonItem(ResourceView):
    @blp.response(200, PersonDetailSchema)
    @document_errors(304, 404)
    def get(self, person_id):
        """One person, with links to their sessions and their calendar feed."""
        return respond_with_etag(PersonDetailSchema(), _person(person_id))

    @blp.arguments(PersonSchema(partial=True))
    @blp.response(200, PersonDetailSchema)
    @blp.doc(**AUTH)
    @document_errors(401, 403, 404, 409, 412)
    def patch(self, data, person_id):
        """Change a person: an admin token, or one whose conference is the only one the person appears in."""
        person = _person(person_id)
        require_directory_writer(people={person.id})
        check_if_match(PersonDetailSchema(), person)
        save_person(get_session(), data, person)
        get_session().expire_all()
        return commit_and_respond(PersonDetailSchema(), _person(person_id))

    @blp.response(204)
    @blp.doc(**AUTH)
    @document_errors(401, 403, 404, 409, 412)
    def delete(self, person_id):
        """Delete a person who is in no session."""
        person = _person(person_id)
        require_directory_writer(people={person.id})
        check_if_match(PersonDetailSchema(), person)
        delete_person(get_session(), person)
        get_session().commit()


@blp.route("/people/by-slug/<slug:person_slug>")
class PersonBySlug(ResourceView):
    @blp.response(200, PersonDetailSchema)
    @document_errors(304, 404)
    def get(self, person_slug):
        """One person, found by their slug.

        The slug is the key seed files use. The answer is the one their own address gives, which
        Content-Location names.
        """
        person_id = get_session().scalar(select(Person.id).where(Person.slug == person_slug))
        if person_id is None:
            raise NotFound(f"No person {person_slug!r}.", "person_slug", location="path")
        answer = respond_with_etag(PersonDetailSchema(), _person(person_id))
        location = public_url("people.PersonItem", person_id=person_id)
        return with_headers(answer, {"Content-Location": location})


@blp.route("/people/<int:person_id>/sessions")
class PersonSessions(ResourceView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(PersonSessionSchema))
    @document_errors(404)
    @blp.doc(**READ_AUTH)
    def get(self, args, person_id):
        """The sessions a person takes part in, in any role and any conference, by start time.

        The published ones, and the drafts of conferences the token reaches.
        """
        _person(person_id)
        return paginate(sessions_of_person(person_id, visible_sessions()), args)


@blp.route("/organizations")
class Organizations(ResourceView):
    @blp.arguments(OrganizationQueryArgs, location="query")
    @blp.response(200, page_of(OrganizationSchema))
    def get(self, args):
        """List organizations by name, filtered by name text or kind."""
        stmt = select(Organization).order_by(Organization.name, Organization.id)
        if args.get("q"):
            stmt = stmt.where(
                or_(
                    Organization.name.icontains(args["q"], autoescape=True),
                    Organization.native_name.icontains(args["q"], autoescape=True),
                )
            )
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
        return commit_and_respond_created(OrganizationSchema(), organization, organization.id)


@blp.route("/organizations/<int:organization_id>")
class OrganizationItem(ResourceView):
    @blp.response(200, OrganizationSchema)
    @document_errors(304, 404)
    def get(self, organization_id):
        """One organization."""
        return respond_with_etag(OrganizationSchema(), _organization(organization_id))

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
        return commit_and_respond(OrganizationSchema(), organization)

    @blp.response(204)
    @blp.doc(**AUTH)
    @document_errors(401, 403, 404, 409, 412)
    def delete(self, organization_id):
        """Delete an organization that no person, booth or sponsored session refers to."""
        organization = _organization(organization_id)
        require_directory_writer(organizations={organization.id})
        check_if_match(OrganizationSchema(), organization)
        delete_organization(get_session(), organization)
        get_session().commit()
