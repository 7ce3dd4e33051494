"""Conferences, and their rooms, tracks and booths, under /api/v1/conferences."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from eventapp.auth.access import (
    conference_for_read,
    conference_for_write,
    current_token,
    require_admin,
    require_token_for_writes,
)
from eventapp.conferences.models import Booth, Conference, Room, Track
from eventapp.conferences.operations import (
    CHILD_KEYS,
    delete_child,
    delete_conference,
    save_child,
    save_conference,
)
from eventapp.conferences.schemas import (
    BoothSchema,
    ConferenceDetailSchema,
    ConferenceSchema,
    RoomSchema,
    TrackSchema,
)
from eventapp.db import get_session
from eventapp.enums import ConferenceStatus, TokenRole
from eventapp.errors import NotFound
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
    respond_with_etag,
)

blp = ApiBlueprint("conferences", __name__, url_prefix="/api/v1/conferences", description="Conferences")
blp.before_request(begin_write_transaction)
blp.before_request(require_token_for_writes)

DETAIL_LOADS = (
    selectinload(Conference.rooms),
    selectinload(Conference.tracks),
    selectinload(Conference.booths).joinedload(Booth.organization),
)


def _reload_conference(slug: str) -> Conference:
    db = get_session()
    db.expire_all()
    return conference_for_read(slug, *DETAIL_LOADS)


@blp.route("")
class Conferences(ResourceView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(ConferenceSchema))
    @blp.doc(**READ_AUTH)
    def get(self, args):
        """List conferences, newest first: the published ones, and the drafts the token reaches."""
        stmt = select(Conference).order_by(Conference.start_date.desc(), Conference.id)
        token = current_token()
        if token is None or token.role == TokenRole.CHECKIN:
            stmt = stmt.where(Conference.status == ConferenceStatus.PUBLISHED)
        elif token.role != TokenRole.ADMIN:
            stmt = stmt.where(
                or_(
                    Conference.status == ConferenceStatus.PUBLISHED,
                    Conference.id == token.conference_id,
                )
            )
        return paginate(stmt, args)

    @blp.arguments(ConferenceSchema)
    @blp.response(201, ConferenceDetailSchema)
    @blp.doc(**AUTH)
    @document_errors(401, 403, 409)
    def post(self, data):
        """Create a conference (admin token)."""
        require_admin()
        conference = save_conference(get_session(), data)
        return commit_and_respond_created(
            ConferenceDetailSchema(), _reload_conference(conference.slug), conference.slug
        )


@blp.route("/<slug:slug>")
class ConferenceDetail(ResourceView):
    @blp.response(200, ConferenceDetailSchema)
    @document_errors(304, 404)
    @blp.doc(**READ_AUTH)
    def get(self, slug):
        """A conference with its rooms, tracks and booths."""
        return respond_with_etag(ConferenceDetailSchema(), conference_for_read(slug, *DETAIL_LOADS))

    @blp.arguments(ConferenceSchema(partial=True))
    @blp.response(200, ConferenceDetailSchema)
    @blp.doc(**AUTH)
    @document_errors(401, 403, 404, 409, 412)
    def patch(self, data, slug):
        """Change a conference; its sessions must still fit its dates. Honours If-Match."""
        conference = conference_for_write(slug)
        check_if_match(ConferenceDetailSchema(), conference)
        conference = save_conference(get_session(), data, conference)
        return commit_and_respond(ConferenceDetailSchema(), _reload_conference(conference.slug))

    @blp.response(204)
    @blp.doc(**AUTH)
    @document_errors(401, 403, 404, 412)
    def delete(self, slug):
        """Delete a conference with everything in it (admin token). Honours If-Match."""
        require_admin()
        conference = conference_for_write(slug)
        check_if_match(ConferenceDetailSchema(), conference)
        delete_conference(get_session(), conference)
        get_session().commit()


def _child_resources(
    model: type[Room | Track | Booth], schema: type, label: str, names: tuple[str, str]
) -> tuple[type[ResourceView], type[ResourceView]]:
    """The list and the item resource of one kind of thing that belongs to a conference, named as given and
    routed at /<slug>/<label>s.

    Rooms, tracks and booths are served alike; the schema of each is bound in the decorators at class
    creation, so the classes are made here rather than written out three times.
    """
    id_name = f"{label}_id"
    plural = f"{label}s"

    def find(conference: Conference, child_id: int) -> Room | Track | Booth:
        obj = get_session().get(model, child_id)
        if obj is None or obj.conference_id != conference.id:
            raise NotFound(f"No {label} {child_id} in this conference.", id_name, location="path")
        return obj

    class ChildList(ResourceView):
        @blp.arguments(PageArgs, location="query")
        @blp.response(200, page_of(schema))
        @document_errors(404)
        @blp.doc(**READ_AUTH)
        def get(self, args, slug):
            conference = conference_for_read(slug)
            order = (getattr(model, CHILD_KEYS[model]), model.id)
            return paginate(select(model).where(model.conference_id == conference.id).order_by(*order), args)

        @blp.arguments(schema)
        @blp.response(201, schema)
        @blp.doc(**AUTH)
        @document_errors(401, 403, 404, 409)
        def post(self, data, slug):
            conference = conference_for_write(slug)
            obj = save_child(get_session(), conference, model, data)
            return commit_and_respond_created(schema(), obj, obj.id)

    class ChildDetail(ResourceView):
        @blp.response(200, schema)
        @document_errors(304, 404)
        @blp.doc(**READ_AUTH)
        def get(self, slug, **ids):
            return respond_with_etag(schema(), find(conference_for_read(slug), ids[id_name]))

        @blp.arguments(schema(partial=True))
        @blp.response(200, schema)
        @blp.doc(**AUTH)
        @document_errors(401, 403, 404, 409, 412)
        def patch(self, data, slug, **ids):
            conference = conference_for_write(slug)
            obj = find(conference, ids[id_name])
            check_if_match(schema(), obj)
            obj = save_child(get_session(), conference, model, data, obj)
            return commit_and_respond(schema(), obj)

        @blp.response(204)
        @blp.doc(**AUTH)
        @document_errors(401, 403, 404, 409, 412)
        def delete(self, slug, **ids):
            conference = conference_for_write(slug)
            obj = find(conference, ids[id_name])
            check_if_match(schema(), obj)
            delete_child(get_session(), obj)
            get_session().commit()

    ChildList.get.__doc__ = f"List the conference's {plural}."
    ChildList.post.__doc__ = f"Add a {label} to the conference."
    ChildDetail.get.__doc__ = f"One of the conference's {plural}."
    ChildDetail.patch.__doc__ = f"Change a {label}. Honours If-Match."
    unused = " not used by any session" if model is not Booth else ""
    ChildDetail.delete.__doc__ = f"Delete a {label}{unused}. Honours If-Match."
    for view, name in zip((ChildList, ChildDetail), names, strict=True):
        view.__name__ = view.__qualname__ = name
    blp.route(f"/<slug:slug>/{plural}")(ChildList)
    blp.route(f"/<slug:slug>/{plural}/<int:{id_name}>")(ChildDetail)
    return ChildList, ChildDetail


RoomList, RoomDetail = _child_resources(Room, RoomSchema, "room", ("RoomList", "RoomDetail"))
TrackList, TrackDetail = _child_resources(Track, TrackSchema, "track", ("TrackList", "TrackDetail"))
BoothList, BoothDetail = _child_resources(Booth, BoothSchema, "booth", ("BoothList", "BoothDetail"))
