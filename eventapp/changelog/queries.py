"""Queries of the change log."""

from __future__ import annotations

from sqlalchemy import Select, select

from eventapp.changelog.models import ScheduleChange


def changes_since(conference_id: int, since: int) -> Select:
    """The conference's changes made by schedule versions after since, newest version first."""
    return (
        select(ScheduleChange)
        .where(ScheduleChange.conference_id == conference_id, ScheduleChange.schedule_version > since)
        .order_by(ScheduleChange.schedule_version.desc(), ScheduleChange.id)
    )
