"""Personal agendas: made without a login, kept under an unguessable token, and published as an iCal feed.

Nested in the feeds' blueprint (eventapp/feeds/routes.py), under its prefix and its tag in the OpenAPI
document; the feed is served by feeds/publish.py like every other.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from sqlalchemy import select

from eventapp.agendas.models import Agenda
from eventapp.agendas.operations import create_agenda, find_agenda, revoke_agenda, set_sessions
from eventapp.agendas.schemas import AgendaSchema
from eventapp.conferences.models import Conference
from eventapp.db import get_session
from eventapp.enums import ConferenceStatus
from eventapp.errors import Gone, NotFound
from eventapp.feeds.publish import CALENDAR, feed_urls, serve_agenda
from eventapp.feeds.schemas import FeedArgs
from eventapp.ratelimits import AGENDA_CREATION, spend
from eventapp.views import ApiBlueprint, document_errors, public_base_url

blp = ApiBlueprint("agendas", __name__, description="Personal agendas")

# A schema instance, not a class: webargs would build a new schema on every request.
AGENDA_FEED_ARGS = FeedArgs(only=("lang",))


def _agenda_view(agenda: Agenda, token: str) -> dict[str, Any]:
    path = f"/api/v1/agendas/{token}"
    return {
        "token": token,
        "conference": agenda.conference.slug,
        "session_ids": [s.id for s in agenda.program_sessions],
        "url": f"{public_base_url()}{path}",
        "feeds": feed_urls(f"{path}.ics"),
    }


def live_agenda(token: str) -> Agenda:
    """The agenda of token: 404 if there is none, 410 if it was revoked or its conference unpublished."""
    agenda = find_agenda(get_session(), token)
    if agenda is None:
        raise NotFound("No agenda with that token.", "token", location="path")
    if agenda.revoked_at is not None or agenda.conference.status != ConferenceStatus.PUBLISHED:
        raise Gone("This agenda was revoked.", "token", location="path")
    return agenda


@blp.route("/conferences/<slug:slug>/agendas")
class Agendas(MethodView):
    @blp.arguments(AgendaSchema)
    @blp.response(201, AgendaSchema)
    @document_errors(404, 429)
    def post(self, data, slug):
        """Make a personal agenda of sessions: no login; the answer's token is the only key to it."""
        spend(AGENDA_CREATION)
        db = get_session()
        conference = db.scalar(
            select(Conference).where(Conference.slug == slug, Conference.status == ConferenceStatus.PUBLISHED)
        )
        if conference is None:
            raise NotFound(f"No published conference {slug!r}.", "slug", location="path")
        agenda, token = create_agenda(db, conference, data["session_ids"])
        view = _agenda_view(agenda, token)  # read before the commit, as every write answers
        db.commit()
        # Like every 201 of the API, with the new item's address; an agenda's is its token's, not the
        # collection's path.
        return view, {"Location": view["url"]}


@blp.route("/agendas/<token>")
class AgendaItem(MethodView):
    @blp.response(200, AgendaSchema)
    @document_errors(404, 410)
    def get(self, token):
        """An agenda's sessions and feed URLs."""
        return _agenda_view(live_agenda(token), token)

    @blp.arguments(AgendaSchema)
    @blp.response(200, AgendaSchema)
    @document_errors(404, 410)
    def put(self, data, token):
        """Replace the agenda's sessions."""
        agenda = live_agenda(token)
        set_sessions(get_session(), agenda, data["session_ids"])
        view = _agenda_view(agenda, token)
        get_session().commit()
        return view

    @blp.response(204)
    @document_errors(404, 410)
    def delete(self, token):
        """Revoke the agenda: its token and feed stop working."""
        revoke_agenda(get_session(), live_agenda(token))
        get_session().commit()


@blp.route("/agendas/<token>.ics")
class AgendaFeed(MethodView):
    @blp.arguments(AGENDA_FEED_ARGS, location="query")
    @blp.doc(
        responses={"200": {"description": "iCalendar", "content": {CALENDAR: {"schema": {"type": "string"}}}}}
    )
    @document_errors(304, 404, 410)
    def get(self, args, token):
        """The agenda as an iCalendar feed."""
        return serve_agenda(live_agenda(token), token, args)
