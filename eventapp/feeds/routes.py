"""Published schedules and feeds, and personal agendas.

Every feed answers conditional requests from one small query (the conference's schedule version), before
anything is loaded or rendered. Public outputs hold published conferences and their non-draft sessions only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import joinedload

from eventapp.agendas.models import Agenda, agenda_sessions
from eventapp.agendas.operations import create_agenda, find_agenda, revoke_agenda, set_sessions
from eventapp.agendas.schemas import AgendaSchema
from eventapp.conferences.models import Conference
from eventapp.db import get_session
from eventapp.enums import ConferenceStatus, SessionStatus
from eventapp.errors import Gone, NotFound
from eventapp.feeds import frab
from eventapp.feeds.cache import CachedFeed, feed_cache
from eventapp.feeds.schedule_data import Fragments, ScheduleData, Stamp
from eventapp.feeds.http import feed_etag, feed_response, not_modified, validators
from eventapp.feeds.ical import render_ical
from eventapp.feeds.schedule import render_schedule
from eventapp.feeds.schemas import FeedArgs
from eventapp.people.models import Person
from eventapp.program.models import Participation, ProgramSession
from eventapp.program.queries import SESSION_LOADS, filtered, session_stamps, sessions_of
from eventapp.ratelimits import AGENDA_CREATION, spend
from eventapp.views import document_errors

blp = Blueprint("feeds", __name__, url_prefix="/api/v1", description="Published schedules, feeds and agendas")

CALENDAR = "text/calendar"
XML = "application/xml"
JSON = "application/json"
# After a change, the sessions whose pieces must be rendered again are loaded by id up to this many (a
# database's limit on bound parameters is far above it); beyond it, the whole schedule is loaded.
MAX_LOAD_BY_ID = 1000


def _json_bytes(document: dict[str, Any]) -> str:
    return current_app.json.dumps(document)


# The formats of a conference's schedule: path suffix -> (renderer, media type). Renderers get the data, the
# filter and the cache of rendered pieces, and return the feed's text or bytes.
Renderer = Callable[[ScheduleData, dict[str, Any], Fragments], bytes | str]
FORMATS: dict[str, tuple[Renderer, str]] = {
    "schedule": (lambda data, args, fragments: render_schedule(data, args.get("day"), fragments), JSON),
    "schedule.ics": (lambda data, args, fragments: render_ical(data, fragments), CALENDAR),
    "schedule.xml": (lambda data, args, fragments: frab.render_frab_xml(data), XML),
    "schedule.frab.json": (lambda data, args, fragments: _json_bytes(frab.render_frab_json(data)), JSON),
}


def base_url() -> str:
    """The public address of the service, for URLs inside feeds."""
    return current_app.config["PUBLIC_BASE_URL"] or request.host_url.rstrip("/")


def feed_urls(path: str, args: dict[str, Any] | None = None) -> dict[str, str]:
    """The https (or http) and webcal addresses of an iCal feed, with its filter."""
    query = urlencode(sorted((key, str(value)) for key, value in (args or {}).items()))
    url = f"{base_url()}{path}" + (f"?{query}" if query else "")
    return {"ics": url, "webcal": "webcal://" + url.split("://", 1)[1]}


def _schedule_options(conference, name, args, urls) -> dict[str, Any]:
    return {"conference": conference, "base_url": base_url(), "uid_domain": current_app.config["UID_DOMAIN"],
            "lang": args.get("lang"), "name": name, "feed_urls": urls}


def _schedule_data(sessions, conference, name, args, urls) -> ScheduleData:
    return ScheduleData.of(list(sessions), **_schedule_options(conference, name, args, urls))


# The one small query every conference feed request makes: built once, run on the request's connection.
PUBLISHED_STATE = (
    select(Conference.id, Conference.created_at, Conference.schedule_version, Conference.schedule_changed_at)
    .where(Conference.slug == bindparam("slug"), Conference.status == ConferenceStatus.PUBLISHED.value)
)
# Schema instances, not classes: webargs would build a new schema on every request of the hot path.
FEED_ARGS = FeedArgs()
AGENDA_FEED_ARGS = FeedArgs(only=("lang",))


def _serve_conference(slug: str, args: dict[str, Any], suffix: str) -> Response:
    render, mimetype = FORMATS[suffix]
    db = get_session()
    state = db.connection().execute(PUBLISHED_STATE, {"slug": slug}).first()
    if state is None:
        raise NotFound(f"No published conference {slug!r}.", "slug", location="path")
    filter_key = sorted((key, str(value)) for key, value in args.items())
    # created_at tells apart conferences that reuse a deleted one's id (SQLite does reuse them).
    etag = feed_etag(suffix, state.id, state.created_at, state.schedule_version, filter_key, base_url())
    headers = validators(etag, state.schedule_changed_at)
    if (answer := not_modified(etag, state.schedule_changed_at, headers)) is not None:
        return answer
    cache = feed_cache()
    if (cached := cache.get(etag)) is not None:
        return feed_response(cached, headers)

    conference = db.get(Conference, state.id)
    stamps = [Stamp(*row) for row in db.execute(session_stamps(conference, args))]

    def load(ids: Sequence[int] | None) -> Sequence[ProgramSession]:
        stmt = sessions_of(conference, args, include_drafts=False)
        if ids is not None and len(ids) <= MAX_LOAD_BY_ID:
            stmt = stmt.where(ProgramSession.id.in_(ids))
        return db.scalars(stmt).unique().all()

    base_path = f"/api/v1/conferences/{slug}"
    urls = {
        **feed_urls(f"{base_path}/schedule.ics", args),
        "json": f"{base_url()}{base_path}/schedule",
        "frab_xml": f"{base_url()}{base_path}/schedule.xml",
        "frab_json": f"{base_url()}{base_path}/schedule.frab.json",
    }
    # Named after the conference, in its language.
    data = ScheduleData(stamps, load, **_schedule_options(conference, "", args, urls))
    # The version actually rendered, should a write have landed since the first look.
    etag = feed_etag(suffix, conference.id, conference.created_at, conference.schedule_version, filter_key,
                     base_url())
    feed = CachedFeed.of(render(data, args, cache.fragments), mimetype)
    cache.put(etag, feed)
    return feed_response(feed, validators(etag, conference.schedule_changed_at))


def _body_schema(mimetype: str) -> dict[str, str]:
    return {"type": "object"} if mimetype == JSON else {"type": "string"}


def _feed(etag: str, last_modified: datetime, render: Callable[[Fragments], bytes], *,
          private: bool = False) -> Response:
    """The steps of a person's or an agenda's feed: 304, else the cached feed, else render(fragments) once and
    keep it under its ETag."""
    headers = validators(etag, last_modified, private=private)
    if (answer := not_modified(etag, last_modified, headers)) is not None:
        return answer
    cache = feed_cache()
    feed = cache.get(etag)
    if feed is None:
        feed = CachedFeed.of(render(cache.fragments), CALENDAR)
        cache.put(etag, feed)
    return feed_response(feed, headers)


def _conference_feed(suffix: str, mimetype: str, summary: str) -> type[MethodView]:
    class Feed(MethodView):
        @blp.arguments(FEED_ARGS, location="query")
        @blp.doc(responses={"200": {"description": summary, "content": {mimetype: {"schema": _body_schema(mimetype)}}}})
        @document_errors(304, 404)
        def get(self, args, slug):
            return _serve_conference(slug, args, suffix)

    Feed.__name__ = "Feed_" + suffix.replace(".", "_")
    Feed.get.__doc__ = summary
    return Feed


for _suffix, _mimetype, _summary in (
    ("schedule", JSON, "The published schedule by day, with the feed URLs. Filters: track, room, person, kind, "
                       "day; lang picks the language of titles and abstracts."),
    ("schedule.ics", CALENDAR, "The schedule as an iCalendar feed to subscribe to, with the same filters."),
    ("schedule.xml", XML, "The schedule in frab's schedule.xml format."),
    ("schedule.frab.json", JSON, "The schedule in frab's schedule.json format."),
):
    blp.route(f"/conferences/<slug:slug>/{_suffix}")(_conference_feed(_suffix, _mimetype, _summary))


@blp.route("/people/<int:person_id>/schedule.ics")
class PersonFeed(MethodView):
    @blp.arguments(FEED_ARGS, location="query")
    @blp.doc(responses={"200": {"description": "iCalendar", "content": {CALENDAR: {"schema": {"type": "string"}}}}})
    @document_errors(304, 404)
    def get(self, args, person_id):
        """Every published session a person appears in, in any role and any conference."""
        db = get_session()
        person = db.get(Person, person_id)
        if person is None:
            raise NotFound(f"No person {person_id}.", "person_id", location="path")
        appears = exists().where(
            ProgramSession.conference_id == Conference.id,
            Participation.session_id == ProgramSession.id,
            Participation.person_id == person_id,
        )
        states = db.execute(
            select(Conference.id, Conference.created_at, Conference.schedule_version, Conference.schedule_changed_at)
            .where(Conference.status == ConferenceStatus.PUBLISHED.value, appears)
            .order_by(Conference.id)
        ).all()
        filter_key = sorted((key, str(value)) for key, value in args.items())
        versions = [(s.id, s.created_at, s.schedule_version) for s in states]
        etag = feed_etag("person.ics", person_id, person.created_at, person.updated_at, versions, filter_key,
                         base_url())
        last_modified = max([person.updated_at, *(s.schedule_changed_at for s in states)])
        return _feed(etag, last_modified, lambda fragments: self._render(person, args, fragments))

    @staticmethod
    def _render(person: Person, args: dict[str, Any], fragments: Fragments) -> bytes:
        stmt = (
            select(ProgramSession)
            .join(Conference, Conference.id == ProgramSession.conference_id)
            .where(Conference.status == ConferenceStatus.PUBLISHED.value)
            .where(ProgramSession.status != SessionStatus.DRAFT.value)
            .where(ProgramSession.participants.any(Participation.person_id == person.id))
            .order_by(ProgramSession.starts_at, ProgramSession.id)
            .options(*SESSION_LOADS, joinedload(ProgramSession.conference))
        )
        sessions = get_session().scalars(filtered(stmt, {k: v for k, v in args.items() if k != "day"}))
        data = _schedule_data(sessions.unique().all(), None, f"{person.display_name}: sessions", args,
                              feed_urls(f"/api/v1/people/{person.id}/schedule.ics", args))
        return render_ical(data, fragments)


# Personal agendas


def _agenda_view(agenda: Agenda, token: str) -> dict[str, Any]:
    path = f"/api/v1/agendas/{token}"
    return {
        "token": token,
        "conference": agenda.conference.slug,
        "session_ids": [s.id for s in agenda.program_sessions],
        "url": f"{base_url()}{path}",
        "feeds": feed_urls(f"{path}.ics"),
    }


def _live_agenda(token: str) -> Agenda:
    agenda = find_agenda(get_session(), token)
    if agenda is None:
        raise NotFound("No agenda with that token.", "token", location="path")
    if agenda.revoked_at is not None or agenda.conference.status != ConferenceStatus.PUBLISHED.value:
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
            select(Conference).where(Conference.slug == slug, Conference.status == ConferenceStatus.PUBLISHED.value)
        )
        if conference is None:
            raise NotFound(f"No published conference {slug!r}.", "slug", location="path")
        agenda, token = create_agenda(db, conference, data["session_ids"])
        view = _agenda_view(agenda, token)  # read before the commit, as every write answers
        db.commit()
        return view


@blp.route("/agendas/<token>")
class AgendaItem(MethodView):
    @blp.response(200, AgendaSchema)
    @document_errors(404, 410)
    def get(self, token):
        """An agenda's sessions and feed URLs."""
        return _agenda_view(_live_agenda(token), token)

    @blp.arguments(AgendaSchema)
    @blp.response(200, AgendaSchema)
    @document_errors(404, 410)
    def put(self, data, token):
        """Replace the agenda's sessions."""
        agenda = _live_agenda(token)
        set_sessions(get_session(), agenda, data["session_ids"])
        view = _agenda_view(agenda, token)
        get_session().commit()
        return view

    @blp.response(204)
    @document_errors(404, 410)
    def delete(self, token):
        """Revoke the agenda: its token and feed stop working."""
        revoke_agenda(get_session(), _live_agenda(token))
        get_session().commit()


@blp.route("/agendas/<token>.ics")
class AgendaFeed(MethodView):
    @blp.arguments(AGENDA_FEED_ARGS, location="query")
    @blp.doc(responses={"200": {"description": "iCalendar", "content": {CALENDAR: {"schema": {"type": "string"}}}}})
    @document_errors(304, 404, 410)
    def get(self, args, token):
        """The agenda as an iCalendar feed."""
        agenda = _live_agenda(token)
        conference = agenda.conference
        etag = feed_etag("agenda.ics", agenda.id, agenda.created_at, agenda.updated_at, conference.schedule_version,
                         sorted(args.items()), base_url())
        last_modified: datetime = max(agenda.updated_at, conference.schedule_changed_at)

        def render(fragments: Fragments) -> bytes:
            chosen = select(agenda_sessions.c.session_id).where(agenda_sessions.c.agenda_id == agenda.id)
            stmt = sessions_of(conference, {}, include_drafts=False).where(ProgramSession.id.in_(chosen))
            data = _schedule_data(get_session().scalars(stmt).unique().all(), conference,
                                  f"{conference.name}: my agenda", args, feed_urls(f"/api/v1/agendas/{token}.ics", args))
            return render_ical(data, fragments)

        # The token is the agenda's only key: no shared cache should keep a copy under it.
        return _feed(etag, last_modified, render, private=True)
