"""Create, change, revoke and find personal agendas; flush, never commit."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from eventapp.agendas.models import Agenda
from eventapp.auth.secrets import hash_secret
from eventapp.conferences.models import Conference
from eventapp.db import utcnow
from eventapp.enums import SessionStatus
from eventapp.errors import DomainError
from eventapp.program.models import ProgramSession


def _sessions(db: Session, conference: Conference, session_ids: list[int]) -> list[ProgramSession]:
    wanted = list(dict.fromkeys(session_ids))
    found = (
        {
            s.id: s
            for s in db.scalars(
                select(ProgramSession).where(
                    ProgramSession.id.in_(wanted),
                    ProgramSession.conference_id == conference.id,
                    ProgramSession.status != SessionStatus.DRAFT,
                )
            )
        }
        if wanted
        else {}
    )
    missing = [i for i in wanted if i not in found]
    if missing:
        raise DomainError(
            f"No published session {', '.join(map(str, missing))} in this conference.", "session_ids"
        )
    return [found[i] for i in wanted]


def create_agenda(db: Session, conference: Conference, session_ids: list[int]) -> tuple[Agenda, str]:
    """A new agenda and its token (192 random bits), which exists in clear text only in this answer."""
    token = secrets.token_urlsafe(24)
    agenda = Agenda(conference_id=conference.id, token_hash=hash_secret(token))
    agenda.program_sessions = _sessions(db, conference, session_ids)
    db.add(agenda)
    db.flush()
    return agenda, token


def set_sessions(db: Session, agenda: Agenda, session_ids: list[int]) -> Agenda:
    """Make the agenda hold exactly these sessions."""
    chosen = _sessions(db, agenda.conference, session_ids)
    if {s.id for s in chosen} != {s.id for s in agenda.program_sessions}:
        agenda.program_sessions = chosen
        agenda.updated_at = utcnow()
    db.flush()
    return agenda


def revoke_agenda(db: Session, agenda: Agenda) -> None:
    """Revoke the agenda: its token opens nothing any more."""
    agenda.revoked_at = agenda.revoked_at or utcnow()
    db.flush()


def find_agenda(db: Session, token: str) -> Agenda | None:
    """The agenda behind token, revoked or not; None for a token that never existed.

    The lookup is by the token's hash, so neither a database index nor a comparison sees the token itself.
    """
    return db.scalar(select(Agenda).where(Agenda.token_hash == hash_secret(token)))
