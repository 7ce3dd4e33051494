"""Who the request is, and what it may read and write.

Reading a published conference needs no token. Drafts, and every write, need one: an admin token reaches
everything; an organizer token reaches its own conference; a check-in token only checks people in at its
conference and reads their names (eventapp/registrations/routes.py). People and organizations are shared by all
conferences: any token may add them, but only an admin may change one that appears in another conference.
"""

from __future__ import annotations

from flask import g, request
from sqlalchemy import ColumnElement, and_, or_, true

from eventapp.auth.operations import VerifiedToken, authenticate
from eventapp.conferences.models import Conference
from eventapp.conferences.operations import get_by_slug
from eventapp.db import get_session
from eventapp.enums import ConferenceStatus, SessionStatus, TokenRole
from eventapp.errors import Forbidden, NotFound, Unauthorized
from eventapp.program.models import ProgramSession
from eventapp.program.queries import conferences_showing
from eventapp.ratelimits import AUTH_FAILURES, count, refuse_if_reached
from eventapp.transactions import READ_METHODS


def current_token() -> VerifiedToken | None:
    """The request's token, None without one; 401 for a malformed, unknown or revoked one."""
    if "api_token" not in g:
        header = request.headers.get("Authorization")
        token = None
        if header:
            scheme, _, value = header.partition(" ")
            if scheme.lower() != "bearer" or not value.strip():
                raise Unauthorized(
                    "Send the token as 'Authorization: Bearer <token>'.", "Authorization", location="header"
                )
            # Checked before the token, so that a guess past the limit learns nothing, right or wrong.
            refuse_if_reached(AUTH_FAILURES)
            token = authenticate(get_session(), value.strip())
            if token is None:
                count(AUTH_FAILURES)
                raise Unauthorized("The token is unknown or revoked.", "Authorization", location="header")
        g.api_token = token
    return g.api_token


def require_any_token() -> VerifiedToken:
    """The request's token, of any role; 401 without one."""
    token = current_token()
    if token is None:
        raise Unauthorized(
            "This needs an API token: 'Authorization: Bearer <token>'.", "Authorization", location="header"
        )
    return token


def require_token() -> VerifiedToken:
    """The request's admin or organizer token; 401 without one, 403 for a check-in token."""
    token = require_any_token()
    if token.role == TokenRole.CHECKIN:
        raise Forbidden("A check-in token may only check people in and read their names.")
    return token


def require_token_for_writes() -> None:
    """Before a blueprint parses a body: who may not write learns nothing about what a valid body looks like."""
    if request.method not in READ_METHODS:
        require_token()


def _reaches(token: VerifiedToken | None, conference_id: int) -> bool:
    if token is None or token.role == TokenRole.CHECKIN:
        return False
    return token.role == TokenRole.ADMIN or token.conference_id == conference_id


def require_admin() -> VerifiedToken:
    """An admin token; 401 without a token, 403 with another."""
    token = require_token()
    if token.role != TokenRole.ADMIN:
        raise Forbidden("Only an admin token may do this.")
    return token


def conference_for_read(slug: str, *options) -> Conference:
    """The conference if the request may see it: published, or within its token's reach; else 404."""
    conference = get_by_slug(get_session(), slug, *options)
    if conference is None or (
        conference.status != ConferenceStatus.PUBLISHED and not _reaches(current_token(), conference.id)
    ):
        raise NotFound(f"No published conference {slug!r}.", "slug", location="path")
    return conference


def sees_drafts(conference: Conference) -> bool:
    """Whether the request may see the conference's drafts."""
    return _reaches(current_token(), conference.id)


def visible_sessions() -> ColumnElement[bool]:
    """The sessions the request may see, in any conference: published ones that are not drafts, and everything
    in the conferences its token reaches."""
    token = current_token()
    if token is not None and token.role == TokenRole.ADMIN:
        return true()
    published = and_(
        ProgramSession.conference.has(Conference.status == ConferenceStatus.PUBLISHED),
        ProgramSession.status != SessionStatus.DRAFT,
    )
    if token is None or token.role == TokenRole.CHECKIN:
        return published
    return or_(published, ProgramSession.conference_id == token.conference_id)


def conference_for_write(slug: str) -> Conference:
    """The conference if the request's token may change it: 401 without a token, 404 unknown, 403 out of reach."""
    token = require_token()
    conference = get_by_slug(get_session(), slug)
    if conference is None:
        raise NotFound(f"No conference {slug!r}.", "slug", location="path")
    if not _reaches(token, conference.id):
        raise Forbidden(f"This token may not change conference {slug!r}.")
    return conference


def require_directory_writer(
    *, people: set[int] = frozenset(), organizations: set[int] = frozenset()
) -> VerifiedToken:
    """A token that may change these shared people and organizations: 403 if they appear in a conference out of its reach."""
    token = require_token()
    if token.role == TokenRole.ADMIN:
        return token
    elsewhere = conferences_showing(get_session(), set(people), set(organizations)) - {token.conference_id}
    if elsewhere:
        raise Forbidden("This appears in another conference's programme; only an admin token may change it.")
    return token
