"""Conference resources under /api/v1/conferences."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eventapp.api import paginate
from eventapp.conferences.models import Booth, Conference
from eventapp.conferences.schemas import ConferenceDetailSchema, ConferenceSchema
from eventapp.db import get_session
from eventapp.enums import ConferenceStatus
from eventapp.errors import NotFound
from eventapp.schemas import PageArgs, page_of

blp = Blueprint("conferences", __name__, url_prefix="/api/v1/conferences", description="Conferences")


def published_conference(slug: str, *options) -> Conference:
    """The published conference with slug, or 404; drafts are not public."""
    conference = get_session().scalar(
        select(Conference)
        .where(Conference.slug == slug, Conference.status == ConferenceStatus.PUBLISHED.value)
        .options(*options)
    )
    if conference is None:
        raise NotFound(f"No published conference {slug!r}.", "slug", location="path")
    return conference


@blp.route("")
class Conferences(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(ConferenceSchema))
    def get(self, args):
        """List published conferences, newest first."""
        stmt = (
            select(Conference)
            .where(Conference.status == ConferenceStatus.PUBLISHED.value)
            .order_by(Conference.start_date.desc(), Conference.id)
        )
        return paginate(stmt, args)


@blp.route("/<slug>")
class ConferenceDetail(MethodView):
    @blp.response(200, ConferenceDetailSchema)
    def get(self, slug):
        """A published conference with its rooms, tracks and booths."""
        return published_conference(
            slug,
            selectinload(Conference.rooms),
            selectinload(Conference.tracks),
            selectinload(Conference.booths).joinedload(Booth.organization),
        )
