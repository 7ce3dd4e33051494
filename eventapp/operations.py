"""Helpers every area's operations share."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

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


def in_zone(moment: datetime, zone: ZoneInfo) -> datetime:
    """A timezone-aware datetime; naive input is read as local time in zone."""
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def get_referenced(db: Session, model: type[T], ident: int | None, field: str) -> T | None:
    """The row that field refers to by id; a reference to nothing is invalid input (422). None stays None."""
    if ident is None:
        return None
    obj = db.get(model, ident)
    if obj is None:
        raise DomainError(f"No {model.__name__.lower()} with id {ident}.", field)
    return obj
