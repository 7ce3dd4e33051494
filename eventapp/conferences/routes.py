"""Conferences, and their rooms, tracks and booths, under /api/v1/conferences."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from eventapp.api import (
    AUTH, check_if_match, commit_and_send, document_errors, paginate, send, writes_need_a_token,
)
from eventapp.auth.access import conference_for_read, conference_for_write, current_token, require_admin
from eventapp.conferences.models import Booth, Conference, Room, Track
from eventapp.conferences.operations import save_child, save_conference
from eventapp.conferences.schemas import BoothSchema, ConferenceDetailSchema, ConferenceSchema, RoomSchema, TrackSchema
from eventapp.db import get_session
from eventapp.enums import ConferenceStatus, TokenRole
from eventapp.errors import Conflict, NotFound
from eventapp.program.models import ProgramSession
from eventapp.schemas import PageArgs, page_of

blp = Blueprint("conferences", __name__, url_prefix="/api/v1/conferences", description="Conferences")
blp.before_request(writes_need_a_token)

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
class Conferences(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(ConferenceSchema))
    def get(self, args):
        """List conferences, newest first: the published ones, and the drafts the token reaches."""
        stmt = select(Conference).order_by(Conference.start_date.desc(), Conference.id)
        token = current_token()
        if token is None:
            stmt = stmt.where(Conference.status == ConferenceStatus.PUBLISHED.value)
        elif token.role != TokenRole.ADMIN.value:
            stmt = stmt.where(
                or_(Conference.status == ConferenceStatus.PUBLISHED.value, Conference.id == token.conference_id)
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
        return commit_and_send(ConferenceDetailSchema(), _reload_conference(conference.slug), 201)


@blp.route("/<slug:slug>")
class ConferenceDetail(MethodView):
    @blp.response(200, ConferenceDetailSchema)
    @document_errors(304, 404)
    def get(self, slug):
        """A conference with its rooms, tracks and booths."""
        return send(ConferenceDetailSchema(), conference_for_read(slug, *DETAIL_LOADS))

    @blp.arguments(ConferenceSchema(partial=True))
    @blp.response(200, ConferenceDetailSchema)
    @blp.doc(**AUTH)
    @document_errors(401, 403, 404, 409, 412)
    def patch(self, data, slug):
        """Change a conference; its sessions must still fit its dates. Honours If-Match."""
        conference = conference_for_write(slug)
        check_if_match(ConferenceDetailSchema(), conference)
        conference = save_conference(get_session(), data, conference)
        return commit_and_send(ConferenceDetailSchema(), _reload_conference(conference.slug))

    @blp.response(204)
    @blp.doc(**AUTH)
    @document_errors(401, 403, 404, 412)
    def delete(self, slug):
        """Delete a conference with everything in it (admin token). Honours If-Match."""
        require_admin()
        conference = conference_for_write(slug)
        check_if_match(ConferenceDetailSchema(), conference)
        get_session().delete(conference)
        get_session().commit()


def _child_routes(model: type, schema: type, path: str, label: str) -> None:
    """List, create, read, change and delete one kind of thing that belongs to a conference."""
    key = "label" if model is Booth else "name"
    id_name = f"{label}_id"

    def find(conference: Conference, child_id: int) -> Any:
        obj = get_session().get(model, child_id)
        if obj is None or obj.conference_id != conference.id:
            raise NotFound(f"No {label} {child_id} in this conference.", id_name, location="path")
        return obj

    class Collection(MethodView):
        @blp.arguments(PageArgs, location="query")
        @blp.response(200, page_of(schema))
        @document_errors(404)
        def get(self, args, slug):
            conference = conference_for_read(slug)
            stmt = select(model).where(model.conference_id == conference.id).order_by(getattr(model, key), model.id)
            return paginate(stmt, args)

        @blp.arguments(schema)
        @blp.response(201, schema)
        @blp.doc(**AUTH)
        @document_errors(401, 403, 404, 409)
        def post(self, data, slug):
            conference = conference_for_write(slug)
            obj = save_child(get_session(), conference, model, data)
            return commit_and_send(schema(), obj, 201)

    class Item(MethodView):
        @blp.response(200, schema)
        @document_errors(304, 404)
        def get(self, slug, **ids):
            return send(schema(), find(conference_for_read(slug), ids[id_name]))

        @blp.arguments(schema(partial=True))
        @blp.response(200, schema)
        @blp.doc(**AUTH)
        @document_errors(401, 403, 404, 409, 412)
        def patch(self, data, slug, **ids):
            conference = conference_for_write(slug)
            obj = find(conference, ids[id_name])
            check_if_match(schema(), obj)
            obj = save_child(get_session(), conference, model, data, obj)
            return commit_and_send(schema(), obj)

        @blp.response(204)
        @blp.doc(**AUTH)
        @document_errors(401, 403, 404, 409, 412)
        def delete(self, slug, **ids):
            conference = conference_for_write(slug)
            obj = find(conference, ids[id_name])
            check_if_match(schema(), obj)
            if model in (Room, Track):
                column = ProgramSession.room_id if model is Room else ProgramSession.track_id
                used = get_session().scalars(select(ProgramSession.id).where(column == obj.id)).all()
                if used:
                    raise Conflict(
                        f"The {label} is used by sessions {', '.join(map(str, used))}: move them first.", None
                    )
            get_session().delete(obj)
            get_session().commit()

    plural = f"{label}s"
    for view, suffix in ((Collection, ""), (Item, f"/<int:{id_name}>")):
        view.__name__ = f"{label.title()}{view.__name__}"
        view.get.__doc__ = f"{'List the' if view is Collection else 'One of the'} conference's {plural}."
        if view is Collection:
            view.post.__doc__ = f"Add a {label} to the conference."
        else:
            view.patch.__doc__ = f"Change a {label}. Honours If-Match."
            view.delete.__doc__ = f"Delete a {label}{' not used by any session' if model is not Booth else ''}. Honours If-Match."
        blp.route(f"/<slug:slug>/{path}{suffix}")(view)


_child_routes(Room, RoomSchema, "rooms", "room")
_child_routes(Track, TrackSchema, "tracks", "track")
_child_routes(Booth, BoothSchema, "booths", "booth")
