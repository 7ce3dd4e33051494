"""Helpers every area's operations share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from eventapp.db import Base
from eventapp.errors import DomainError

T = TypeVar("T", bound=Base)


def assign(obj: Base, values: Mapping[str, Any]) -> bool:
    """Set the attributes whose value differs; True when anything changed.

    Leaving equal values alone keeps updated_at, SEQUENCE and the schedule version still when the same data
    is written again (a second seed load, a retried PATCH).
    """
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def local_time_problem(moment: datetime, zone: ZoneInfo) -> str | None:
    """What is wrong with a naive local time in zone, or None when it names exactly one instant.

    A local time in a daylight-saving gap (02:30 when the clocks jump from 02:00 to 03:00) names none, and one in
    an overlap (02:30 when they go back from 03:00 to 02:00) two: both are refused rather than guessed, which
    Python would do silently.
    """
    local = moment.replace(tzinfo=zone)
    if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != moment:
        return (
            f"{moment.isoformat()} does not exist in {zone.key}: the clocks skip that hour there "
            "(daylight saving time). Give a time outside the gap."
        )
    later = moment.replace(tzinfo=zone, fold=1)
    if later.utcoffset() != local.utcoffset():
        return (
            f"{moment.isoformat()} happens twice in {zone.key} (the clocks go back that night): give its "
            f"offset, {local.isoformat()} or {later.isoformat()}."
        )
    return None


def in_zone(moment: datetime, zone: ZoneInfo, field: str | None = None) -> datetime:
    """A timezone-aware datetime; naive input is read as local time in zone, which must name one instant (422 on
    field otherwise: local_time_problem)."""
    if moment.tzinfo is not None:
        return moment
    problem = local_time_problem(moment, zone)
    if problem is not None:
        raise DomainError(problem, field)
    return moment.replace(tzinfo=zone)


def get_referenced(db: Session, model: type[T], ident: int | None, field: str) -> T | None:
    """The row that field refers to by id; a reference to nothing is invalid input (422). None stays None."""
    if ident is None:
        return None
    obj = db.get(model, ident)
    if obj is None:
        raise DomainError(f"No {model.__name__.lower()} with id {ident}.", field)
    return obj


def preload(db: Session, model: type[T], ids: Iterable[int | None]) -> list[T]:
    """Read the rows of model with these ids that the session does not hold yet, in a few queries, so that a
    batch's rules find each with db.get() in the identity map (which holds them only while they are
    referenced: the caller keeps the list until the batch is written)."""
    missing = {i for i in ids if i is not None and db.identity_map.get(identity_key(model, i)) is None}
    found: list[T] = []
    ordered = sorted(missing)
    for start in range(0, len(ordered), 500):
        found += db.scalars(select(model).where(model.id.in_(ordered[start : start + 500]))).all()
    return found
