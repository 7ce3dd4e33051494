"""The change log of a published schedule: JSON, paginated, and an Atom feed of the same."""

from __future__ import annotations

from feedgen.feed import FeedGenerator
from flask import Response
from flask.views import MethodView
from sqlalchemy import select

from eventapp.changelog.queries import changes_since
from eventapp.changelog.schemas import ChangeQueryArgs, ScheduleChangeSchema
from eventapp.conferences.models import Conference
from eventapp.db import get_session
from eventapp.enums import ConferenceStatus
from eventapp.errors import NotFound
from eventapp.feeds.http import feed_etag, not_modified, validators
from eventapp.schemas import page_of
from eventapp.views import ApiBlueprint, document_errors, paginate, public_url

blp = ApiBlueprint(
    "changelog", __name__, url_prefix="/api/v1", description="What changed in a published schedule"
)

ATOM = "application/atom+xml"
# The Atom feed holds this many of the latest changes: feed readers poll it, they do not page through it.
ATOM_ENTRIES = 200


def published_conference(slug: str) -> Conference:
    """The published conference of slug; 404 if there is none."""
    conference = get_session().scalar(
        select(Conference).where(Conference.slug == slug, Conference.status == ConferenceStatus.PUBLISHED)
    )
    if conference is None:
        raise NotFound(f"No published conference {slug!r}.", "slug", location="path")
    return conference


@blp.route("/conferences/<slug:slug>/changes")
class Changes(MethodView):
    @blp.arguments(ChangeQueryArgs, location="query")
    @blp.response(200, page_of(ScheduleChangeSchema))
    @document_errors(404)
    def get(self, args, slug):
        """Every change to the published schedule after version since, newest first: one item per session and kind, with old and new values."""
        return paginate(changes_since(published_conference(slug).id, args["since"]), args)


def _entry_text(change) -> str:
    return f"{change.kind.replace('_', ' ')}: {change.old_value!r} → {change.new_value!r}"


@blp.route("/conferences/<slug:slug>/changes.atom")
class ChangesAtom(MethodView):
    @blp.doc(
        responses={"200": {"description": "Atom feed", "content": {ATOM: {"schema": {"type": "string"}}}}}
    )
    @document_errors(304, 404)
    def get(self, slug):
        """The latest changes to the published schedule as an Atom feed."""
        conference = published_conference(slug)
        etag = feed_etag("changes.atom", conference.id, conference.created_at, conference.schedule_version)
        headers = validators(etag, conference.schedule_changed_at)
        if (answer := not_modified(etag, conference.schedule_changed_at, headers)) is not None:
            return answer
        page = public_url("changelog.Changes", slug=slug)
        feed = FeedGenerator()
        feed.id(public_url("changelog.ChangesAtom", slug=slug))
        feed.title(f"{conference.name}: schedule changes")
        feed.link(href=page, rel="alternate")
        feed.link(href=public_url("changelog.ChangesAtom", slug=slug), rel="self")
        feed.updated(conference.schedule_changed_at)
        changes = get_session().scalars(changes_since(conference.id, 0).limit(ATOM_ENTRIES)).all()
        for change in reversed(changes):  # feedgen puts the last added first
            entry = feed.add_entry()
            entry.id(f"{page}#change-{change.id}")
            entry.title(
                f"{change.session_title}: {change.kind.replace('_', ' ')} (version {change.schedule_version})"
            )
            entry.updated(change.changed_at)
            entry.link(href=public_url("sessions.SessionItem", slug=slug, session_id=change.session_id))
            entry.content(_entry_text(change), type="text")
        return Response(feed.atom_str(pretty=True), mimetype=ATOM, headers=headers)
