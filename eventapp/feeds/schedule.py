"""The published schedule as JSON: the conference, its feed URLs, and its sessions by local day."""

from __future__ import annotations

from datetime import date, timedelta

from eventapp.conferences.schemas import ConferenceSchema
from eventapp.feeds.cache import dumps_compact
from eventapp.feeds.schedule_data import Fragments, ScheduleData
from eventapp.feeds.schemas import SCHEDULE_CONFERENCE_FIELDS
from eventapp.program.schemas import ProgramSessionSchema


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def render_schedule(data: ScheduleData, day: date | None = None, fragments: Fragments | None = None) -> str:
    """Every conference day (or the one asked for) with its sessions in start order, as JSON text.

    Assembled from one JSON entry a session; fragments may keep those between renders.
    """
    conference = data.conference
    zone = conference.zone
    by_day: dict[date, list[str]] = {
        d: [] for d in ([day] if day else _days(conference.start_date, conference.end_date))
    }
    schema = ProgramSessionSchema()

    def entry(program_session) -> str:
        item = schema.dump(program_session)
        item["title"] = data.title(program_session)
        item["abstract"] = data.abstract(program_session)
        item["uid"] = data.uid(program_session)
        item["url"] = data.session_url(program_session)
        return dumps_compact(item)

    for stamp, text in data.pieces("json", entry, fragments):
        local_day = stamp.starts_at.astimezone(zone).date()
        by_day.setdefault(max(local_day, day) if day else local_day, []).append(text)
    summary = ConferenceSchema(only=SCHEDULE_CONFERENCE_FIELDS).dump(conference)
    summary["name"] = data.conference_name(conference)
    days = ",".join(
        f'{{"date":"{d.isoformat()}","sessions":[{",".join(by_day[d])}]}}' for d in sorted(by_day)
    )
    return (
        f'{{"conference":{dumps_compact(summary)},"feeds":{dumps_compact(data.feed_urls)},"days":[{days}]}}'
    )
