"""What every renderer of a schedule gets: the conference, its published sessions, the language and the URLs."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Protocol

from eventapp.conferences.models import Conference
from eventapp.enums import SessionStatus
from eventapp.program.models import ProgramSession


def label(value: str) -> str:
    """A vocabulary value as people read it: "town_hall" -> "Town hall"."""
    return value.replace("_", " ").capitalize().replace("Co host", "Co-host")


@dataclass(frozen=True)
class Stamp:
    """What a schedule knows of a session before loading it: its id, its start, and when anything its rendering
    shows last changed (the key of its rendered pieces)."""

    id: int
    starts_at: datetime
    changed_at: datetime


class Fragments(Protocol):
    """Where rendered pieces are kept between renders (FeedCache.fragments)."""

    def get(self, key: Hashable) -> Any: ...

    def keep(self, key: Hashable, value: Any) -> None: ...


class NoFragments:
    """No pieces kept: every piece is rendered."""

    def get(self, key: Hashable) -> None:
        return None

    def keep(self, key: Hashable, value: Any) -> None:
        pass


# Loads the sessions with these ids (with room, track, sponsor and people), or all of the schedule's for None.
Loader = Callable[[Sequence[int] | None], Sequence[ProgramSession]]


@dataclass
class ScheduleData:
    """A schedule to render: its sessions of one or more conferences, known first by their stamps and loaded
    (with room, track, sponsor and people) only where a renderer needs them."""

    stamps: list[Stamp]
    load: Loader
    # The conference the schedule is of; None for a person's feed, which may span conferences.
    conference: Conference | None
    base_url: str  # "https://events.example.org", no trailing slash
    uid_domain: str
    lang: str | None = None
    name: str = ""
    feed_urls: dict[str, str] = field(default_factory=dict)
    # A template of the page where a person reads a session ({conference}: its slug, {id}); "" for none yet.
    session_page: str = ""

    @classmethod
    def of(cls, sessions: Sequence[ProgramSession], **options: Any) -> ScheduleData:
        """A schedule of sessions already loaded."""
        data = cls([], lambda _ids: sessions, **options)
        data.stamps = [Stamp(s.id, s.starts_at, data.last_modified(s)) for s in sessions]
        return data

    @cached_property
    def sessions(self) -> list[ProgramSession]:
        """Every session, loaded, in the stamps' order (less any deleted since the stamps were read)."""
        loaded = {s.id: s for s in self.load(None)}
        return [loaded[stamp.id] for stamp in self.stamps if stamp.id in loaded]

    def pieces(
        self, kind: str, render: Callable[[ProgramSession], Any], fragments: Fragments | None = None
    ) -> list[tuple[Stamp, Any]]:
        """One rendered piece a session, in order: kept ones where a session has not changed since (no
        loading at all), rendered (and kept) for the rest, which alone are loaded."""
        fragments = fragments or NoFragments()
        keys = [
            (kind, stamp.id, stamp.changed_at, self.lang, self.base_url, self.uid_domain)
            for stamp in self.stamps
        ]
        found = [fragments.get(key) for key in keys]
        missing = [stamp.id for stamp, piece in zip(self.stamps, found, strict=True) if piece is None]
        loaded = {s.id: s for s in self.load(missing)} if missing else {}
        pieces = []
        for stamp, key, piece in zip(self.stamps, keys, found, strict=True):
            if piece is None:
                if stamp.id not in loaded:
                    continue  # deleted, or made a draft, since the stamps were read
                piece = render(loaded[stamp.id])
                fragments.keep(key, piece)
            pieces.append((stamp, piece))
        return pieces

    def title(self, program_session: ProgramSession) -> str:
        """The session's title in the requested language, or its own."""
        return (self.lang and program_session.title_translations.get(self.lang)) or program_session.title

    def __post_init__(self) -> None:
        if not self.name and self.conference is not None:
            self.name = self.conference_name(self.conference)

    def display_title(self, program_session: ProgramSession) -> str:
        """The title as schedules show it: apps that know no status see the cancellation in the title."""
        title = self.title(program_session)
        return f"Cancelled: {title}" if program_session.status == SessionStatus.CANCELLED else title

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
        return (
            self.lang and program_session.abstract_translations.get(self.lang)
        ) or program_session.abstract

    def conference_name(self, conference: Conference) -> str:
        """The conference's name in the requested language, or its own."""
        return (self.lang and conference.name_translations.get(self.lang)) or conference.name

    def session_url(self, program_session: ProgramSession) -> str:
        """Where a person can read the session: session_page (SESSION_PAGE_URL) when set, else its page here
        (eventapp/pages)."""
        slug = program_session.conference.slug
        if self.session_page:
            return self.session_page.format(conference=slug, id=program_session.id)
        return f"{self.base_url}/conferences/{slug}/sessions/{program_session.id}"

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
