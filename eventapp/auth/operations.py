"""Issue, list, revoke and check API tokens."""

from __future__ import annotations

import hmac
import secrets

from sqlalchemy import select
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


def authenticate(db: Session, token: str) -> ApiToken | None:
    """The live token matching token, or None."""
    digest = hash_secret(token)
    found = db.scalar(select(ApiToken).where(ApiToken.token_hash == digest, ApiToken.revoked_at.is_(None)))
    # The lookup is by hash, so timing reveals nothing of the token; compare again in constant time anyway.
    if found is None or not hmac.compare_digest(found.token_hash, digest):
        return None
    return found
