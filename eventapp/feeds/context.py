"""What every renderer of a schedule gets: the conference, its published sessions, the language and the URLs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from eventapp.conferences.models import Conference
from eventapp.enums import SessionStatus
from eventapp.program.models import ProgramSession


def label(value: str) -> str:
    """A vocabulary value as people read it: "town_hall" -> "Town hall"."""
    return value.replace("_", " ").capitalize().replace("Co host", "Co-host")


@dataclass
class ScheduleData:
    """A schedule to render: sessions (loaded with room, track, sponsor and people) of one or more conferences."""

    sessions: list[ProgramSession]
    # The conference the schedule is of; None for a person's feed, which may span conferences.
    conference: Conference | None
    base_url: str  # "https://events.example.org", no trailing slash
    uid_domain: str
    lang: str | None = None
    name: str = ""
    feed_urls: dict[str, str] = field(default_factory=dict)

    def title(self, program_session: ProgramSession) -> str:
        """The session's title in the requested language, or its own."""
        return (self.lang and program_session.title_translations.get(self.lang)) or program_session.title

    def __post_init__(self) -> None:
        if not self.name and self.conference is not None:
            self.name = self.conference_name(self.conference)

    def display_title(self, program_session: ProgramSession) -> str:
        """The title as schedules show it: apps that know no status see the cancellation in the title."""
        title = self.title(program_session)
        return f"Cancelled: {title}" if program_session.status == SessionStatus.CANCELLED.value else title

    def details(self, program_session: ProgramSession) -> str:
        """People in their roles with organizations and talks, languages, sponsor: as lines of text."""
        parts = []
        people = []
        for participant in program_session.participants:
            person = participant.person
            line = f"{label(participant.role)}: {person.display_name}"
            if person.organization is not None:
                line += f" ({person.organization.name})"
            if participant.presentation_title:
                line += f" – {participant.presentation_title}"
            if participant.remote:
                line += " [online]"
            people.append(line)
        if people:
            parts.append("\n".join(people))
        languages = []
        if program_session.language:
            languages.append(f"Language: {program_session.language}")
        if program_session.interpretation:
            languages.append(f"Simultaneous interpretation: {', '.join(program_session.interpretation)}")
        if languages:
            parts.append("\n".join(languages))
        if program_session.sponsor is not None:
            parts.append(f"Sponsored by {program_session.sponsor.name}")
        return "\n\n".join(parts)

    def abstract(self, program_session: ProgramSession) -> str | None:
        """The session's abstract in the requested language, or its own."""
        return (self.lang and program_session.abstract_translations.get(self.lang)) or program_session.abstract

    def conference_name(self, conference: Conference) -> str:
        """The conference's name in the requested language, or its own."""
        return (self.lang and conference.name_translations.get(self.lang)) or conference.name

    def session_url(self, program_session: ProgramSession) -> str:
        """Where the session can be read in the API."""
        slug = program_session.conference.slug
        return f"{self.base_url}/api/v1/conferences/{slug}/sessions/{program_session.id}"

    def uid(self, program_session: ProgramSession) -> str:
        """The session's iCalendar UID: it never changes, whatever happens to the session."""
        return f"session-{program_session.id}@{self.uid_domain}"

    def guid(self, program_session: ProgramSession) -> str:
        """A stable UUID for the session (frab's guid), derived from its UID."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, self.uid(program_session)))

    def last_modified(self, program_session: ProgramSession) -> datetime:
        """When anything the session's rendering shows last changed: the session, its room, track, sponsor,
        people and their organizations, or its conference (the venue is part of its location)."""
        stamps = [program_session.updated_at, program_session.conference.updated_at]
        for related in (program_session.room, program_session.track, program_session.sponsor):
            if related is not None:
                stamps.append(related.updated_at)
        for participant in program_session.participants:
            stamps.append(participant.updated_at)
            stamps.append(participant.person.updated_at)
            if participant.person.organization is not None:
                stamps.append(participant.person.organization.updated_at)
        return max(stamps)
