"""Issue, list, revoke and check API tokens."""

from __future__ import annotations

import hmac
import secrets
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from eventapp.auth.models import ApiToken
from eventapp.auth.secrets import hash_secret
from eventapp.conferences.models import Conference
from eventapp.db import utcnow
from eventapp.enums import SCOPED_ROLES
from eventapp.errors import DomainError, NotFound

TOKEN_PREFIX = "evt_"


def create_token(
    db: Session, role: str, conference: Conference | None = None, name: str | None = None
) -> str:
    """Store a new token and return it; this is the only time its clear text exists."""
    if (role in SCOPED_ROLES) != (conference is not None):
        raise DomainError(
            "An organizer or check-in token needs a conference, and only those take one.", "conference"
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.add(
        ApiToken(
            token_hash=hash_secret(token),
            prefix=token[:10],
            name=name,
            role=role,
            conference_id=conference.id if conference else None,
        )
    )
    db.flush()
    return token


def list_tokens(db: Session) -> list[ApiToken]:
    """Every token, newest first."""
    return list(db.scalars(select(ApiToken).order_by(ApiToken.id.desc())))


def revoke_token(db: Session, token_id: int) -> ApiToken:
    """Revoke a token by id; a revoked token authenticates nobody."""
    token = db.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"No token with id {token_id}.", "id")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    db.flush()
    return token


@dataclass(frozen=True)
class VerifiedToken:
    """What a request needs of its token: which it is, and what it reaches (neither ever changes)."""

    id: int
    role: str
    conference_id: int | None


# Tokens this process verified, by their database and hash (no clear secret is kept), newest last: a token seen again is
# only checked to be still there and not revoked, by its primary key, in the request's own transaction, so a
# revocation by any process (or a conference's deletion, which takes its tokens) holds from its commit on.
_VERIFIED: OrderedDict[tuple[str, str], VerifiedToken] = OrderedDict()
_VERIFIED_MAX = 256
_LIVE = select(ApiToken.id).where(ApiToken.id == bindparam("id"), ApiToken.revoked_at.is_(None))
_BY_HASH = select(ApiToken).where(ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None))


def authenticate(db: Session, token: str) -> VerifiedToken | None:
    """The live token matching token, or None."""
    digest = hash_secret(token)
    key = (str(db.get_bind().url), digest)
    known = _VERIFIED.get(key)
    if known is not None:
        if db.scalar(_LIVE, {"id": known.id}) is not None:
            _VERIFIED.move_to_end(key)
            return known
        _VERIFIED.pop(key, None)  # revoked or deleted since
        return None
    found = db.scalar(_BY_HASH, {"digest": digest})
    # The lookup is by hash, so timing reveals nothing of the token; compare again in constant time anyway.
    if found is None or not hmac.compare_digest(found.token_hash, digest):
        return None
    verified = VerifiedToken(found.id, found.role, found.conference_id)
    _VERIFIED[key] = verified
    while len(_VERIFIED) > _VERIFIED_MAX:
        _VERIFIED.popitem(last=False)
    return verified
