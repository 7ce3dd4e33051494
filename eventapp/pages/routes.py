"""The pages' blueprint: thin views that read the filters, answer 304 or a cached page, else render.

Pages are cached and validated like the feeds (feeds/http.py, feeds/cache.py): the ETag holds what decides a
page's bytes (the schedule version, the filter, the language, the base URL and the pages' own revision), so a
change of the schedule, or a new release of the templates, is a new ETag and never a stale page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import flask_smorest
from flask import Blueprint, Response, has_request_context, render_template, request
from marshmallow import ValidationError
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from eventapp.agendas.models import agenda_sessions
from eventapp.agendas.routes import live_agenda
from eventapp.changelog.models import ChangeKind, ScheduleChange
from eventapp.changelog.queries import changes_since
from eventapp.conferences.models import Conference
from eventapp.db import get_session
from eventapp.enums import ConferenceStatus, SessionKind, SessionStatus
from eventapp.errors import NotFound
from eventapp.feeds.cache import CachedFeed, feed_cache
from eventapp.feeds.http import feed_etag, feed_response, not_modified, validators
from eventapp.feeds.publish import ETAG_OF_VERSION, feed_urls, filter_caption, published_state
from eventapp.feeds.schemas import FeedArgs
from eventapp.pages import display, i18n
from eventapp.people.models import Person
from eventapp.program.models import Participation, ProgramSession
from eventapp.program.operations import check_filter_references
from eventapp.program.queries import filtered, sessions_of, sessions_of_person
from eventapp.program.schemas import effective_capacity
from eventapp.views import public_base_url

HERE = Path(__file__).parent
blp = Blueprint(
    "pages", __name__, template_folder="templates", static_folder="static", static_url_path="/static/pages"
)

HTML = "text/html"
# The filters of a schedule page are the feeds' own (feeds/schemas.py), so that a page's filter is its feed's.
PAGE_ARGS = FeedArgs(only=("day", "track", "room", "kind", "language", "follow", "lang"))
PERSON_PAGE_ARGS = FeedArgs(only=("lang",))
# The change log page shows this many of the latest changes, as the Atom feed does.
CHANGES_SHOWN = 200
# Changes that make a session "moved" in the schedule's status words.
MOVES = (ChangeKind.MOVED, ChangeKind.ROOM_CHANGED)


def _revision() -> str:
    """A digest of the templates, static files and catalogues: part of every page's ETag."""
    digest = hashlib.sha256()
    for path in sorted(HERE.rglob("*")):
        if path.is_file() and path.suffix in (".html", ".css", ".js", ".mo"):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


REVISION = _revision()


def parse_args(schema: FeedArgs) -> dict[str, Any]:
    """The query's filters, empty form fields dropped (a GET form sends "track=" for "any"); 400 in the one
    error shape for anything the feeds would refuse."""
    raw = {key: value for key, value in request.args.items() if value != ""}
    try:
        return schema.load(raw)
    except ValidationError as error:
        flask_smorest.abort(400, exc=error, messages={"query": error.messages})
        raise  # flask_smorest.abort raises


def serve_page(
    kind: str, parts: tuple, last_modified: datetime, render: Callable[[], str], *, private: bool = False
) -> Response:
    """A page: 304 when the client holds it, else the cached copy, else render() once and keep it."""
    etag = page_etag(kind, *parts)
    headers = validators(etag, last_modified, private=private)
    # The language may come from Accept-Language.
    headers["Vary"] = "Accept-Encoding, Accept-Language"
    headers["Content-Language"] = i18n.current_language()
    if (answer := not_modified(etag, last_modified, headers)) is not None:
        return answer
    cache = feed_cache()
    page = cache.get(etag)
    if page is None:
        page = CachedFeed.of(render(), HTML)
        cache.put(etag, page)
    return feed_response(page, headers)


def page_etag(kind: str, *parts: Any, language: str | None = None, base_url: str | None = None) -> str:
    """The ETag of a page: what decides its bytes, with the language, the base URL and the pages' revision."""
    return feed_etag(
        f"page-{kind}",
        *parts,
        language or i18n.current_language(),
        base_url or public_base_url(),
        REVISION,
    )


def replayable(kind: str, *parts: Any) -> None:
    """Tell the replay cache (feeds/replay.py) the ETag a version of the conference implies for this page, so
    that it may answer the next request for it without Flask, as it does for feeds. (It calls it outside the
    request: the language and base URL are read now.)"""
    language, base_url = i18n.current_language(), public_base_url()
    request.environ[ETAG_OF_VERSION] = lambda conference_id, created_at, version: page_etag(
        kind, conference_id, created_at, version, *parts, language=language, base_url=base_url
    )


def _published(conference_id: int) -> Conference:
    return get_session().get(Conference, conference_id)


def _moved_ids(conference_id: int) -> set[int]:
    return set(
        get_session().scalars(
            select(ScheduleChange.session_id)
            .where(ScheduleChange.conference_id == conference_id, ScheduleChange.kind.in_(MOVES))
            .distinct()
        )
    )


def _filter_key(args: dict[str, Any]) -> list:
    return sorted((key, str(value)) for key, value in args.items())


def links() -> dict[str, Callable[..., str]]:
    """The pages' own addresses, in the page's language, built by formatting: a day of 1,700 sessions links
    each to its page, room, track and people, and url_for() was a third of its render."""
    root = request.script_root
    lang = i18n.current_language()

    def session_href(slug: str, session_id: int) -> str:
        return f"{root}/conferences/{slug}/sessions/{session_id}?lang={lang}"

    def person_href(person_id: int) -> str:
        return f"{root}/people/{person_id}?lang={lang}"

    def schedule_href(slug: str, args: dict[str, Any] | None = None, **changes: Any) -> str:
        return f"{root}/conferences/{slug}/" + display.query_string(args or {}, lang=lang, **changes)

    return {"session_href": session_href, "person_href": person_href, "schedule_href": schedule_href}


@blp.app_context_processor
def page_helpers() -> dict[str, Any]:
    """What every template may call."""
    if not has_request_context() or request.blueprint != "pages":
        return {}
    hrefs = links()
    labels = {
        "kinds": {k: str(v) for k, v in i18n.KINDS.items()},
        "roles": {k: str(v) for k, v in i18n.ROLES.items()},
    }
    views: dict[tuple, display.SessionView] = {}

    def view_of(program_session: ProgramSession, moved=(), args: dict[str, Any] | None = None):
        """The session's view, computed once a render."""
        key = (program_session.id, id(args))
        if key not in views:
            views[key] = display.session_view(
                program_session,
                program_session.conference.zone,
                program_session.id in moved,
                hrefs,
                labels,
                args or {},
            )
        return views[key]

    return {
        **hrefs,
        "view_of": view_of,
        "ui_language": i18n.current_language,
        "LANGUAGES": i18n.LANGUAGES,
        "KINDS": i18n.KINDS,
        "ROLES": i18n.ROLES,
        "STATUSES": i18n.STATUSES,
        "CHANGES": i18n.CHANGES,
        "DELIVERIES": i18n.DELIVERIES,
        "title_of": display.title,
        "conference_name": display.conference_name,
        "person_name": display.person_name,
        "language_name": display.language_name,
        "language_names": display.language_names,
        "clock": display.clock,
        "day_heading": display.day_heading,
        "zone_label": display.zone_label,
        "zone_abbreviation": display.zone_abbreviation,
        "change_value": display.change_value,
        "query_string": display.query_string,
        "subscribe_links": display.subscribe_links,
        "REVISION": REVISION,
    }


@blp.route("/")
def index():
    """The published conferences."""
    parse_args(PERSON_PAGE_ARGS)
    db = get_session()
    conferences = db.scalars(
        select(Conference)
        .where(Conference.status == ConferenceStatus.PUBLISHED)
        .order_by(Conference.start_date.desc(), Conference.id)
    ).all()
    versions = [(c.id, c.created_at, c.schedule_version, c.updated_at) for c in conferences]
    last = max(
        [c.schedule_changed_at for c in conferences] + [c.updated_at for c in conferences], default=None
    )
    return serve_page(
        "index",
        (versions,),
        last or datetime(2000, 1, 1, tzinfo=UTC),
        lambda: render_template("pages/index.html", conferences=conferences),
    )


@blp.route("/conferences/<slug:slug>/")
def schedule(slug: str):
    """A conference's schedule by day, filtered, with the feed of the same filter."""
    args = parse_args(PAGE_ARGS)
    args.pop("lang", None)
    conference_id, created_at, version, changed_at = published_state(slug)
    if any(args.get(name) is not None for name in ("room", "track")):
        db = get_session()
        check_filter_references(db, db.get(Conference, conference_id), args)

    def render() -> str:
        conference = _published(conference_id)
        language = i18n.current_language()
        feed_args = {**args, "lang": language}
        zone = conference.zone
        days = display.days_of(
            get_session().scalars(page_sessions(conference, args)).unique().all(),
            zone,
            _conference_days(conference),
            args.get("day"),
        )
        base = f"/api/v1/conferences/{slug}"
        # The feed's own name (feeds/publish.py): the conference in the language, and what the filter keeps.
        name = conference.name_translations.get(language) or conference.name
        if caption := filter_caption(args):
            name = f"{name}: {' / '.join(caption)}"
        return render_template(
            "pages/schedule.html",
            conference=conference,
            zone=zone,
            days=days,
            all_days=_conference_days(conference),
            args=args,
            moved=_moved_ids(conference.id),
            feed=feed_urls(f"{base}/schedule.ics", feed_args),
            feed_name=name,
            json_url=f"{public_base_url()}{base}/schedule{display.query_string(feed_args)}",
            kinds=list(SessionKind),
            languages=sorted(set(conference.languages) | {"en", "ja"}),
            filtered=bool(args),
        )

    replayable("schedule", _filter_key(args))
    return serve_page("schedule", (conference_id, created_at, version, _filter_key(args)), changed_at, render)


def page_sessions(conference: Conference, args: dict[str, Any]) -> Select:
    """The published sessions a schedule page shows: the feeds' filter grammar (program/queries.filtered) on
    the feeds' selection (no drafts), loading only what a page shows of them (room, track, people; not the
    sponsor or organizations, which the session's own page shows): loading is most of a large day's render."""
    stmt = (
        select(ProgramSession)
        .where(ProgramSession.conference_id == conference.id, ProgramSession.status != SessionStatus.DRAFT)
        .order_by(ProgramSession.starts_at, ProgramSession.id)
        .options(
            joinedload(ProgramSession.room),
            joinedload(ProgramSession.track),
            selectinload(ProgramSession.participants).joinedload(Participation.person),
        )
    )
    return filtered(stmt, args, conference.zone, conference.languages)


def _conference_days(conference: Conference) -> list:
    from datetime import timedelta

    count = (conference.end_date - conference.start_date).days + 1
    return [conference.start_date + timedelta(days=n) for n in range(count)]


@blp.route("/conferences/<slug:slug>/sessions/<int:session_id>")
def session_page(slug: str, session_id: int):
    """One session: its people in their roles, room, languages, status, and its own .ics."""
    parse_args(PERSON_PAGE_ARGS)
    conference_id, created_at, version, changed_at = published_state(slug)
    db = get_session()
    conference = _published(conference_id)
    found = (
        db.scalars(sessions_of(conference, {}, include_drafts=False).where(ProgramSession.id == session_id))
        .unique()
        .first()
    )
    if found is None:
        raise NotFound(f"No session {session_id} in this conference.", "session_id", location="path")

    def render() -> str:
        language = i18n.current_language()
        feed = feed_urls(f"/api/v1/conferences/{slug}/sessions/{session_id}.ics", {"lang": language})
        history = db.scalars(
            changes_since(conference_id, 0).where(ScheduleChange.session_id == session_id).limit(50)
        ).all()
        return render_template(
            "pages/session.html",
            conference=conference,
            zone=conference.zone,
            s=found,
            moved=session_id in _moved_ids(conference_id),
            feed=feed,
            feed_name=f"{display.conference_name(conference).main}: {display.title(found).main}",
            history=history,
            registration=_registration_block(conference, found),
        )

    replayable("session", session_id)
    return serve_page("session", (conference_id, created_at, version, session_id), changed_at, render)


def _registration_block(conference: Conference, found: ProgramSession) -> dict[str, Any] | None:
    """What the session page's register form needs, for a session that takes registrations; else None.

    The page is cached by schedule version, and seats move without one: the page carries the seat total, and its
    script reads the seats left from the public availability answer when it shows the form.
    """
    if not found.registration_required or found.status == SessionStatus.CANCELLED:
        return None
    base = f"/api/v1/conferences/{conference.slug}"  # the page's own origin, as the agenda calls are
    return {
        "capacity": effective_capacity(found),
        "availability": f"{base}/sessions/{found.id}/availability",
        "endpoint": f"{base}/registrations",
        "session_id": found.id,
        "asks_sponsor": found.kind == SessionKind.SATELLITE_SYMPOSIUM,
    }


@blp.route("/people/<int:person_id>")
def person_page(person_id: int):
    """A person: who they are, and every published session they appear in, with their feed."""
    parse_args(PERSON_PAGE_ARGS)
    db = get_session()
    person = db.get(Person, person_id)
    if person is None:
        raise NotFound(f"No person {person_id}.", "person_id", location="path")
    visible = (ProgramSession.status != SessionStatus.DRAFT) & ProgramSession.conference.has(
        Conference.status == ConferenceStatus.PUBLISHED
    )
    sessions = db.scalars(sessions_of_person(person_id, visible)).unique().all()
    conferences = {s.conference_id: s.conference for s in sessions}
    versions = sorted((c.id, c.created_at, c.schedule_version) for c in conferences.values())
    last = max([person.updated_at, *(c.schedule_changed_at for c in conferences.values())])

    def render() -> str:
        language = i18n.current_language()
        feed = feed_urls(f"/api/v1/people/{person_id}/schedule.ics", {"lang": language})
        return render_template(
            "pages/person.html",
            person=person,
            sessions=sessions,
            feed=feed,
            feed_name=f"{person.display_name}: sessions",
        )

    return serve_page("person", (person_id, person.created_at, person.updated_at, versions), last, render)


@blp.route("/conferences/<slug:slug>/changes")
def changes_page(slug: str):
    """The latest changes to the schedule, old and new values; the browser marks those since the last visit."""
    parse_args(PERSON_PAGE_ARGS)
    conference_id, created_at, version, changed_at = published_state(slug)

    def render() -> str:
        conference = _published(conference_id)
        changes = get_session().scalars(changes_since(conference_id, 0).limit(CHANGES_SHOWN)).all()
        return render_template(
            "pages/changes.html",
            conference=conference,
            zone=conference.zone,
            changes=changes,
            version=version,
        )

    replayable("changes")
    return serve_page("changes", (conference_id, created_at, version), changed_at, render)


@blp.route("/agendas/<token>")
def agenda_page(token: str):
    """A personal agenda, by its token: its sessions, its subscribe block; the page's script edits it."""
    parse_args(PERSON_PAGE_ARGS)
    db = get_session()
    agenda = live_agenda(token)
    conference = agenda.conference

    def render() -> str:
        chosen = select(agenda_sessions.c.session_id).where(agenda_sessions.c.agenda_id == agenda.id)
        sessions = (
            db.scalars(sessions_of(conference, {}, include_drafts=False).where(ProgramSession.id.in_(chosen)))
            .unique()
            .all()
        )
        feed = feed_urls(f"/api/v1/agendas/{token}.ics", {"lang": i18n.current_language()})
        return render_template(
            "pages/agenda.html",
            conference=conference,
            zone=conference.zone,
            sessions=sessions,
            token=token,
            feed=feed,
            feed_name=f"{display.conference_name(conference).main}: my agenda",
        )

    parts = (agenda.id, agenda.created_at, agenda.updated_at, conference.schedule_version)
    last = max(agenda.updated_at, conference.schedule_changed_at)
    # The token is the agenda's only key: no shared cache keeps the page.
    return serve_page("agenda", parts, last, render, private=True)
