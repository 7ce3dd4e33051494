"""Serving a feed: its version, its validators, the cache of rendered feeds, and the render on a miss.

Every feed answers conditional requests from one small query (the conference's schedule version), before
anything is loaded or rendered. Public outputs hold published conferences and their non-draft sessions only.
The route modules (feeds/routes.py, agendas/routes.py) only parse the request and call these.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app, request
from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import joinedload

from eventapp.agendas.models import Agenda, agenda_sessions
from eventapp.conferences.models import Conference, Room, Track
from eventapp.db import get_session
from eventapp.enums import ConferenceStatus, SessionStatus
from eventapp.errors import NotFound
from eventapp.feeds import frab
from eventapp.feeds.cache import CachedFeed, feed_cache
from eventapp.feeds.http import feed_etag, feed_response, not_modified, validators
from eventapp.feeds.ical import render_ical
from eventapp.feeds.schedule import render_schedule
from eventapp.feeds.schedule_data import Fragments, ScheduleData, Stamp, label
from eventapp.people.models import Person
from eventapp.program.models import Participation, ProgramSession
from eventapp.program.operations import check_filter_references
from eventapp.program.queries import SESSION_LOADS, filtered, session_stamps, sessions_of
from eventapp.views import public_base_url

CALENDAR = "text/calendar"
XML = "text/xml"
JSON = "application/json"
# After a change, the sessions whose pieces must be rendered again are loaded by id up to this many (a
# database's limit on bound parameters is far above it); beyond it, the whole schedule is loaded.
MAX_LOAD_BY_ID = 1000
# Where a conference feed's answer tells the replay cache (feeds/replay.py) how to compute the ETag a
# version implies for this request's filter and base URL: a function of (id, created_at, schedule_version).
ETAG_OF_VERSION = "eventapp.feed_etag_of_version"
# Where the replay cache leaves the conference's published state it has just read (PUBLISHED_STATE's row, as
# the ORM gives it), so that a request costs one version query, not two.
VERSION_ROW = "eventapp.feed_version_row"


def _json_text(document: dict[str, Any]) -> str:
    return current_app.json.dumps(document)


# The formats of a conference's schedule: path suffix -> (renderer, media type). Renderers get the data, the
# filter and the cache of rendered pieces, and return the feed's text or bytes.
Renderer = Callable[[ScheduleData, dict[str, Any], Fragments], bytes | str]
FORMATS: dict[str, tuple[Renderer, str]] = {
    "schedule": (lambda data, args, fragments: render_schedule(data, args.get("day"), fragments), JSON),
    "schedule.ics": (lambda data, args, fragments: render_ical(data, fragments), CALENDAR),
    "schedule.xml": (lambda data, args, fragments: frab.render_frab_xml(data), XML),
    "schedule.frab.json": (lambda data, args, fragments: _json_text(frab.render_frab_json(data)), JSON),
}

# The filters that name rows by id, which must exist (program.operations.check_filter_references).
REFERENCES = ("room", "track", "person")

# The one small query every conference feed request makes: built once, run on the request's connection.
PUBLISHED_STATE = select(
    Conference.id, Conference.created_at, Conference.schedule_version, Conference.schedule_changed_at
).where(Conference.slug == bindparam("slug"), Conference.status == ConferenceStatus.PUBLISHED)


def feed_urls(path: str, args: dict[str, Any] | None = None) -> dict[str, str]:
    """The https (or http) and webcal addresses of an iCal feed, with its filter."""
    query = urlencode(sorted((key, str(value)) for key, value in (args or {}).items()))
    url = f"{public_base_url()}{path}" + (f"?{query}" if query else "")
    return {"ics": url, "webcal": "webcal://" + url.split("://", 1)[1]}


def _schedule_options(conference, name, args, urls) -> dict[str, Any]:
    return {
        "conference": conference,
        "base_url": public_base_url(),
        "uid_domain": current_app.config["UID_DOMAIN"],
        "lang": args.get("lang"),
        "name": name,
        "feed_urls": urls,
        "session_page": current_app.config.get("SESSION_PAGE_URL", ""),
    }


def filter_caption(args: dict[str, Any]) -> list[str]:
    """What a feed's filter keeps, as people read it ("China-Japan Collaboration track", "Town hall"), for its
    calendar name: a calendar app shows only that name to tell subscriptions apart. Joined by " / ", not
    commas: apps that do not read X-WR-CALNAME as TEXT would show a comma's escaping."""
    db = get_session()
    caption = []
    if args.get("track") is not None and (track := db.get(Track, args["track"])) is not None:
        caption.append(f"{track.name} track")
    if args.get("room") is not None and (room := db.get(Room, args["room"])) is not None:
        caption.append(room.name)
    if args.get("person") is not None and (person := db.get(Person, args["person"])) is not None:
        caption.append(person.display_name)
    if args.get("kind"):
        caption.append(label(args["kind"]))
    if args.get("day") is not None:
        caption.append(args["day"].isoformat())
    if args.get("language"):
        caption.append(f"in {args['language']}")
    if args.get("follow"):
        caption.append(f"followable in {args['follow']}")
    return caption


def _schedule_data(sessions, conference, name, args, urls) -> ScheduleData:
    return ScheduleData.of(list(sessions), **_schedule_options(conference, name, args, urls))


def published_state(slug: str) -> tuple:
    """The published conference's PUBLISHED_STATE row (read already by the replay cache, or now); 404 if none."""
    state = (
        request.environ.get(VERSION_ROW)
        or get_session().connection().execute(PUBLISHED_STATE, {"slug": slug}).first()
    )
    if state is None:
        raise NotFound(f"No published conference {slug!r}.", "slug", location="path")
    return state


def conference_schedule_data(conference: Conference, args: dict[str, Any]) -> ScheduleData:
    """A published conference's schedule with the filter of args, as every format and page renders it: its
    stamps read now, its sessions loaded where a renderer needs them."""
    db = get_session()
    stamps = [Stamp(*row) for row in db.execute(session_stamps(conference, args))]

    def load(ids: Sequence[int] | None) -> Sequence[ProgramSession]:
        stmt = sessions_of(conference, args, include_drafts=False)
        if ids is not None and len(ids) <= MAX_LOAD_BY_ID:
            stmt = stmt.where(ProgramSession.id.in_(ids))
        return db.scalars(stmt).unique().all()

    url = public_base_url()
    base_path = f"/api/v1/conferences/{conference.slug}"
    urls = {
        **feed_urls(f"{base_path}/schedule.ics", args),
        "json": f"{url}{base_path}/schedule",
        "frab_xml": f"{url}{base_path}/schedule.xml",
        "frab_json": f"{url}{base_path}/schedule.frab.json",
    }
    # Named after the conference, in its language, and what the filter keeps of it.
    data = ScheduleData(stamps, load, **_schedule_options(conference, "", args, urls))
    if caption := filter_caption(args):
        data.name = f"{data.name}: {' / '.join(caption)}"
    return data


def serve_conference(slug: str, args: dict[str, Any], suffix: str) -> Response:
    """A conference's schedule in the format of suffix: 304, else the cached feed, else rendered and kept."""
    render, mimetype = FORMATS[suffix]
    db = get_session()
    conference_id, created_at, version, changed_at = published_state(slug)
    if any(args.get(name) is not None for name in REFERENCES):
        # Before the 304: a filter naming nothing that exists is an error, whatever the client holds.
        check_filter_references(db, db.get(Conference, conference_id), args)
    filter_key = sorted((key, str(value)) for key, value in args.items())
    url = public_base_url()

    def etag_of(conference_id: int, created_at: datetime, version: int) -> str:
        # created_at tells apart conferences that reuse a deleted one's id (SQLite does reuse them).
        return feed_etag(suffix, conference_id, created_at, version, filter_key, url)

    request.environ[ETAG_OF_VERSION] = etag_of
    etag = etag_of(conference_id, created_at, version)
    headers = validators(etag, changed_at)
    if (answer := not_modified(etag, changed_at, headers)) is not None:
        return answer
    cache = feed_cache()
    if (cached := cache.get(etag)) is not None:
        return feed_response(cached, headers)

    conference = db.get(Conference, conference_id)
    data = conference_schedule_data(conference, args)
    # The version actually rendered, should a write have landed since the first look.
    etag = etag_of(conference.id, conference.created_at, conference.schedule_version)
    feed = CachedFeed.of(render(data, args, cache.fragments), mimetype)
    cache.put(etag, feed)
    return feed_response(feed, validators(etag, conference.schedule_changed_at))


def _serve(
    etag: str, last_modified: datetime, render: Callable[[Fragments], bytes], *, private: bool = False
) -> Response:
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


def serve_person(person_id: int, args: dict[str, Any]) -> Response:
    """Every published session a person appears in, in any role and conference, as an iCal feed."""
    db = get_session()
    person = db.get(Person, person_id)
    if person is None:
        raise NotFound(f"No person {person_id}.", "person_id", location="path")
    check_filter_references(db, None, args)
    appears = exists().where(
        ProgramSession.conference_id == Conference.id,
        Participation.session_id == ProgramSession.id,
        Participation.person_id == person_id,
    )
    states = db.execute(
        select(
            Conference.id, Conference.created_at, Conference.schedule_version, Conference.schedule_changed_at
        )
        .where(Conference.status == ConferenceStatus.PUBLISHED, appears)
        .order_by(Conference.id)
    ).all()
    filter_key = sorted((key, str(value)) for key, value in args.items())
    versions = [(s.id, s.created_at, s.schedule_version) for s in states]
    etag = feed_etag(
        "person.ics", person_id, person.created_at, person.updated_at, versions, filter_key, public_base_url()
    )
    last_modified = max([person.updated_at, *(s.schedule_changed_at for s in states)])
    return _serve(etag, last_modified, lambda fragments: _render_person(person, args, fragments))


def _render_person(person: Person, args: dict[str, Any], fragments: Fragments) -> bytes:
    stmt = (
        select(ProgramSession)
        .join(Conference, Conference.id == ProgramSession.conference_id)
        .where(Conference.status == ConferenceStatus.PUBLISHED)
        .where(ProgramSession.status != SessionStatus.DRAFT)
        .where(ProgramSession.participants.any(Participation.person_id == person.id))
        .order_by(ProgramSession.starts_at, ProgramSession.id)
        .options(*SESSION_LOADS, joinedload(ProgramSession.conference))
    )
    sessions = get_session().scalars(filtered(stmt, {k: v for k, v in args.items() if k != "day"}))
    data = _schedule_data(
        sessions.unique().all(),
        None,
        f"{person.display_name}: sessions"
        + (f" ({' / '.join(caption)})" if (caption := filter_caption(args)) else ""),
        args,
        feed_urls(f"/api/v1/people/{person.id}/schedule.ics", args),
    )
    return render_ical(data, fragments)


def serve_session(
    slug: str, args: dict[str, Any], *, session_id: int | None = None, code: str | None = None
) -> Response:
    """One published session, by id or code, as an iCal feed: the VEVENT of the conference's feed, with its
    UID and SEQUENCE, so that a calendar that imported it sees it move and be cancelled."""
    db = get_session()
    conference_id, created_at, version, changed_at = published_state(slug)
    which = ProgramSession.id == session_id if code is None else ProgramSession.code == code
    found = db.scalar(
        select(ProgramSession.id).where(
            ProgramSession.conference_id == conference_id,
            ProgramSession.status != SessionStatus.DRAFT,  # feeds are public: a draft is not there
            which,
        )
    )
    if found is None:
        field, value = ("session_id", session_id) if code is None else ("code", code)
        raise NotFound(f"No session {value!r} in this conference.", field, location="path")
    filter_key = sorted((key, str(value)) for key, value in args.items())
    # Every change of what the event shows moves the conference's schedule version.
    etag = feed_etag("session.ics", conference_id, created_at, version, found, filter_key, public_base_url())

    def render(fragments: Fragments) -> bytes:
        conference = db.get(Conference, conference_id)
        stmt = sessions_of(conference, {}, include_drafts=False).where(ProgramSession.id == found)
        sessions = db.scalars(stmt).unique().all()
        urls = feed_urls(f"/api/v1/conferences/{slug}/sessions/{found}.ics", args)
        data = ScheduleData.of(sessions, **_schedule_options(conference, "", args, urls))
        if sessions:  # named after the conference and the session, in the language asked for
            data.name = f"{data.name}: {data.title(sessions[0])}"
        return render_ical(data, fragments)

    return _serve(etag, changed_at, render)


def serve_agenda(agenda: Agenda, token: str, args: dict[str, Any]) -> Response:
    """A personal agenda as an iCal feed, kept out of shared caches."""
    chosen = select(agenda_sessions.c.session_id).where(agenda_sessions.c.agenda_id == agenda.id)
    return _serve_personal(
        "agenda", agenda, agenda.updated_at, chosen, "my agenda", f"/api/v1/agendas/{token}.ics", args
    )


def serve_registration(
    registration: Any,
    token: str,
    args: dict[str, Any],
    adjust: Callable[[ProgramSession, bytes], bytes],
    changed_at: datetime,
) -> Response:
    """A registration's seats as an iCal feed (eventapp/registrations/ical.py says how each seat shows), kept
    out of shared caches like an agenda."""
    chosen = sorted({seat.session_id for seat in registration.seats})
    path = f"/api/v1/registrations/{token}.ics"
    return _serve_personal(
        "registration", registration, changed_at, chosen, "my registration", path, args, adjust=adjust
    )


def _serve_personal(
    kind: str,
    owner: Any,
    changed_at: datetime,
    chosen: Any,
    title: str,
    path: str,
    args: dict[str, Any],
    *,
    adjust: Callable[[ProgramSession, bytes], bytes] | None = None,
) -> Response:
    """The iCal feed of one person's sessions (an agenda's, a registration's): the sessions of owner's
    conference whose ids chosen gives (a list or a subquery), its ETag from owner and changed_at. The token
    in its URL is its only key: no shared cache should keep a copy under it."""
    conference = owner.conference
    etag = feed_etag(
        f"{kind}.ics",
        owner.id,
        owner.created_at,
        changed_at,
        conference.schedule_version,
        sorted(args.items()),
        public_base_url(),
    )
    last_modified: datetime = max(changed_at, conference.schedule_changed_at)

    def render(fragments: Fragments) -> bytes:
        stmt = sessions_of(conference, {}, include_drafts=False).where(ProgramSession.id.in_(chosen))
        data = _schedule_data(
            get_session().scalars(stmt).unique().all(),
            conference,
            f"{conference.name}: {title}",
            args,
            feed_urls(path, args),
        )
        return render_ical(data, fragments, adjust=adjust)

    return _serve(etag, last_modified, render, private=True)
