"""Published schedules and feeds: thin resources over feeds/publish.py.

Personal agendas (eventapp/agendas/routes.py) are a blueprint nested in this one: same prefix, same tag in
the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Callable

from flask.views import MethodView

from eventapp.agendas.routes import blp as agendas_blp
from eventapp.feeds.publish import CALENDAR, JSON, XML, serve_conference, serve_person, serve_session
from eventapp.feeds.schemas import FeedArgs, ScheduleSchema
from eventapp.views import ApiBlueprint, document_errors

# An ApiBlueprint: a query parameter a feed does not take is a 400 naming it, never a feed of everything.
blp = ApiBlueprint(
    "feeds", __name__, url_prefix="/api/v1", description="Published schedules, feeds and agendas"
)

# Schema instances, not classes: webargs would build a new schema on every request of the hot path.
FEED_ARGS = FeedArgs()
LAST_MODIFIED = {
    "description": "When what the feed shows last changed",
    "schema": {"type": "string"},
    "required": True,
}
# A person's feed spans conferences: a day of one is no filter for it, nor is another person.
PERSON_FEED_ARGS = FeedArgs(only=("track", "room", "kind", "lang", "language", "follow"))
# A session's feed holds the one session: only its language can be chosen.
SESSION_FEED_ARGS = FeedArgs(only=("lang",))


def feed_body(mimetype: str, description: str | None = None, schema: type | None = None) -> Callable:
    """Document a feed view's 200 answer: its media type and schema (a marshmallow schema, or a string or
    object), described by the view's docstring unless given, with the Last-Modified that If-Modified-Since is
    compared with."""

    def decorator(get: Callable) -> Callable:
        # A JSON feed with no schema of ours (frab's schedule.json) is documented as an object.
        body = schema or ({"type": "object"} if mimetype == JSON else {"type": "string"})
        answer = {
            "description": description or get.__doc__,
            "content": {mimetype: {"schema": body}},
            "headers": {"Last-Modified": LAST_MODIFIED},
        }
        return blp.doc(responses={"200": answer})(get)

    return decorator


@blp.route("/conferences/<slug:slug>/schedule")
class ScheduleJson(MethodView):
    @blp.arguments(FEED_ARGS, location="query")
    @feed_body(JSON, schema=ScheduleSchema)
    @document_errors(304, 404)
    # One line, however long: the first line of a docstring is the operation's summary.
    def get(self, args, slug):
        """The published schedule by day, with the feed URLs. Filters: track, room, person, kind, day, language (held in), follow (held in or interpreted into); lang picks the language of titles and abstracts."""
        return serve_conference(slug, args, "schedule")


@blp.route("/conferences/<slug:slug>/schedule.ics")
class ScheduleIcal(MethodView):
    @blp.arguments(FEED_ARGS, location="query")
    @feed_body(CALENDAR)
    @document_errors(304, 404)
    def get(self, args, slug):
        """The schedule as an iCalendar feed to subscribe to, with the same filters."""
        return serve_conference(slug, args, "schedule.ics")


@blp.route("/conferences/<slug:slug>/schedule.xml")
class FrabXml(MethodView):
    @blp.arguments(FEED_ARGS, location="query")
    @feed_body(XML)
    @document_errors(304, 404)
    def get(self, args, slug):
        """The schedule in frab's schedule.xml format."""
        return serve_conference(slug, args, "schedule.xml")


@blp.route("/conferences/<slug:slug>/schedule.frab.json")
class FrabJson(MethodView):
    @blp.arguments(FEED_ARGS, location="query")
    @feed_body(JSON)
    @document_errors(304, 404)
    def get(self, args, slug):
        """The schedule in frab's schedule.json format."""
        return serve_conference(slug, args, "schedule.frab.json")


@blp.route("/conferences/<slug:slug>/sessions/<int:session_id>.ics")
class SessionFeed(MethodView):
    @blp.arguments(SESSION_FEED_ARGS, location="query")
    @feed_body(CALENDAR, "iCalendar")
    @document_errors(304, 404)
    def get(self, args, slug, session_id):
        """One published session as an iCalendar file: the same event as in the conference's feed."""
        return serve_session(slug, args, session_id=session_id)


@blp.route("/conferences/<slug:slug>/sessions/by-code/<code>.ics")
class SessionFeedByCode(MethodView):
    @blp.arguments(SESSION_FEED_ARGS, location="query")
    @feed_body(CALENDAR, "iCalendar")
    @document_errors(304, 404)
    def get(self, args, slug, code):
        """One published session, found by its code, as an iCalendar file."""
        return serve_session(slug, args, code=code)


@blp.route("/people/<int:person_id>/schedule.ics")
class PersonFeed(MethodView):
    @blp.arguments(PERSON_FEED_ARGS, location="query")
    @feed_body(CALENDAR, "iCalendar")
    @document_errors(304, 404)
    def get(self, args, person_id):
        """Every published session a person appears in, in any role and any conference."""
        return serve_person(person_id, args)


# Last, so that the agendas' operations follow the feeds' in the OpenAPI document, as they always have.
blp.register_blueprint(agendas_blp)
