"""Queries of a conference's rows that other areas ask."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from eventapp.conferences.models import Booth


def booths_of_organization(db: Session, organization_id: int) -> list[int]:
    """Ids of the booths the organization holds, in any conference."""
    return list(
        db.scalars(select(Booth.id).where(Booth.organization_id == organization_id).order_by(Booth.id))
    )
