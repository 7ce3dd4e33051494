"""The published schedule as JSON: the conference, its feed URLs, and its sessions by local day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from eventapp.conferences.schemas import ConferenceSchema
from eventapp.feeds.context import ScheduleData
from eventapp.program.schemas import ProgramSessionSchema


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def render_schedule(data: ScheduleData, day: date | None = None) -> dict[str, Any]:
    """Every conference day (or the one asked for) with its sessions in start order."""
    conference = data.conference
    zone = conference.zone
    by_day: dict[date, list[dict[str, Any]]] = {
        d: [] for d in ([day] if day else _days(conference.start_date, conference.end_date))
    }
    entries = ProgramSessionSchema(many=True).dump(data.sessions)
    for program_session, entry in zip(data.sessions, entries, strict=True):
        entry["title"] = data.title(program_session)
        entry["abstract"] = data.abstract(program_session)
        entry["uid"] = data.uid(program_session)
        entry["url"] = data.session_url(program_session)
        local_day = program_session.starts_at.astimezone(zone).date()
        by_day.setdefault(max(local_day, day) if day else local_day, []).append(entry)
    summary = ConferenceSchema(only=(
        "slug", "name", "name_translations", "series", "edition", "venue", "timezone", "start_date", "end_date",
        "languages", "website", "schedule_version", "schedule_changed_at",
    )).dump(conference)
    summary["name"] = data.conference_name(conference)
    return {
        "conference": summary,
        "feeds": data.feed_urls,
        "days": [{"date": d.isoformat(), "sessions": by_day[d]} for d in sorted(by_day)],
    }
