"""Write a checked seed document through the API's operations, and say what each refusal means in the file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from eventapp.conferences.models import Booth, Conference, Room, Track
from eventapp.conferences.operations import get_by_slug, save_child, save_conference
from eventapp.errors import DomainError
from eventapp.people.models import Organization, Person
from eventapp.people.operations import save_organization, save_people
from eventapp.program.models import ProgramSession
from eventapp.program.operations import save_sessions
from eventapp.seeding.problems import DocumentPath, Problem
from eventapp.seeding.refusals import in_file_terms


@dataclass
class Report:
    """What a load created, changed and left alone, by kind."""

    created: Counter[str] = field(default_factory=Counter)
    changed: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    slug: str = ""

    def summary(self) -> list[str]:
        """One line a kind: how many were created, changed and left alone."""
        kinds = list(dict.fromkeys([*self.created, *self.changed, *self.unchanged]))
        return [
            f"{kind}: {self.created[kind]} created, {self.changed[kind]} changed, "
            f"{self.unchanged[kind]} unchanged"
            for kind in kinds
        ]


class _Unresolved(Exception):
    """An item needs something that was refused: that problem is named already, so the item is skipped."""


def _resolve(written: dict[str, Any], name: str | None, *, needed: bool = False) -> int | None:
    """The id of what name names; None when it was refused (its problem is named already), so that the rest
    of the item is still checked; _Unresolved when the item cannot be checked without it."""
    obj = written.get(name) if name is not None else None
    if obj is None and name is not None and needed:
        raise _Unresolved(name)
    return obj.id if obj is not None else None


class Upserter:
    """Upserts one checked seed document through the operations, counting what it did.

    Items that are None (refused by the checks) and items that name one of them are skipped; every refusal
    of an operation becomes a problem in the file's terms, and the run goes on, so that all are named.
    """

    def __init__(
        self,
        db: Session,
        data: dict[str, Any],
        tick: Callable[[], None] = lambda: None,
        check_conflicts: bool = True,
    ):
        self.db = db
        self.data = data
        self.check_conflicts = check_conflicts
        self.tick = tick
        self.report = Report(slug=data["conference"]["slug"])
        self.problems: list[Problem] = []

    def _upsert(
        self,
        kind: str,
        path: DocumentPath,
        item: dict[str, Any],
        values: dict[str, Any],
        existing: Any,
        save: Callable[[dict[str, Any], Any], Any],
    ) -> Any:
        self.tick()
        before = existing.updated_at if existing is not None else None
        try:
            obj = save(values, existing)
        except DomainError as exc:
            self.problems += in_file_terms(self.db, exc, path, item, values)
            return None
        if existing is None:
            self.report.created[kind] += 1
        elif obj.updated_at != before:
            self.report.changed[kind] += 1
        else:
            self.report.unchanged[kind] += 1
        return obj

    def _existing(
        self, model: type, key: str, items: list[dict[str, Any] | None], *options, **scope: Any
    ) -> dict[Any, Any]:
        """The stored rows of model whose key is one of the items', by key: a few queries, not one an item."""
        wanted = [item[key] for item in items if item is not None]
        found: dict[Any, Any] = {}
        for start in range(0, len(wanted), 500):
            stmt = (
                select(model).filter_by(**scope).where(getattr(model, key).in_(wanted[start : start + 500]))
            )
            found |= {getattr(obj, key): obj for obj in self.db.scalars(stmt.options(*options))}
        return found

    def _section(
        self,
        section: str,
        key: str,
        stored: dict[Any, Any],
        values_of: Callable[[dict[str, Any]], dict[str, Any]],
        save: Callable[[dict[str, Any], Any], Any],
    ) -> dict[str, Any]:
        """Upsert every item of a section that passed the checks; what was written, by natural key."""
        written: dict[str, Any] = {}
        for i, item in enumerate(self.data[section]):
            if item is None:
                continue
            try:
                values = values_of(item)
            except _Unresolved:
                continue
            obj = self._upsert(section, (section, i), item, values, stored.get(item[key]), save)
            if obj is not None:
                written[item[key]] = obj
        return written

    def _batch(
        self,
        section: str,
        key: str,
        stored: dict[Any, Any],
        values_of: Callable[[dict[str, Any]], dict[str, Any]],
        save_batch: Callable[[list[tuple[dict[str, Any], Any]]], list[Any]],
    ) -> dict[str, Any]:
        """Upsert every item of a section that passed the checks as one batch of the operations: their rules
        read what they need for all of them at once, and the rows are flushed together. What was written, by
        natural key."""
        places, batch, before = [], [], []
        for i, item in enumerate(self.data[section]):
            if item is None:
                continue
            try:
                values = values_of(item)
            except _Unresolved:
                continue
            existing = stored.get(item[key])
            places.append((i, item, values))
            batch.append((values, existing))
            before.append(existing.updated_at if existing is not None else None)
        written: dict[str, Any] = {}
        results = save_batch(batch)
        for (i, item, values), (_, existing), was, result in zip(places, batch, before, results, strict=True):
            self.tick()
            if isinstance(result, DomainError):
                self.problems += in_file_terms(self.db, result, (section, i), item, values)
                continue
            written[item[key]] = result
            if existing is None:
                self.report.created[section] += 1
            elif result.updated_at != was:
                self.report.changed[section] += 1
            else:
                self.report.unchanged[section] += 1
        return written

    def run(self) -> Report:
        """Upsert the conference, then everything in it, in the order references need."""
        db, data = self.db, self.data
        conference_data = data["conference"]
        existing = get_by_slug(db, conference_data["slug"])
        conference: Conference | None = self._upsert(
            "conference",
            ("conference",),
            conference_data,
            conference_data,
            existing,
            lambda values, obj: save_conference(db, values, obj),
        )
        conference = conference or existing
        if conference is None:
            return self.report

        orgs = self._section(
            "organizations",
            "name",
            self._existing(Organization, "name", data["organizations"]),
            dict,
            lambda values, obj: save_organization(db, values, obj),
        )
        people = self._batch(
            "people",
            "slug",
            self._existing(Person, "slug", data["people"]),
            lambda item: {
                **{k: v for k, v in item.items() if k != "organization"},
                "organization_id": _resolve(orgs, item.get("organization")),
            },
            lambda batch: save_people(db, batch),
        )
        children: dict[str, dict[str, Any]] = {}
        for section, model, key in (
            ("rooms", Room, "name"),
            ("tracks", Track, "name"),
            ("booths", Booth, "label"),
        ):

            def values_of(item: dict[str, Any], model=model) -> dict[str, Any]:
                values = dict(item)
                if model is Booth:
                    values["organization_id"] = _resolve(orgs, values.pop("organization"), needed=True)
                return values

            children[section] = self._section(
                section,
                key,
                self._existing(model, key, data[section], conference_id=conference.id),
                values_of,
                lambda values, obj, model=model: save_child(db, conference, model, values, obj),
            )

        def session_values(item: dict[str, Any]) -> dict[str, Any]:
            values = {k: v for k, v in item.items() if k not in ("room", "track", "sponsor", "participants")}
            return values | {
                "room_id": _resolve(children["rooms"], item.get("room")),
                "track_id": _resolve(children["tracks"], item.get("track")),
                "sponsor_id": _resolve(orgs, item.get("sponsor"), needed=True),
                # A refused person is left out; the others are checked for double bookings all the same.
                "participants": [
                    {**{k: v for k, v in p.items() if k != "person"}, "person_id": people[p["person"]].id}
                    for p in item["participants"]
                    if p["person"] in people
                ],
            }

        self._batch(
            "sessions",
            "code",
            self._existing(
                ProgramSession,
                "code",
                data["sessions"],
                selectinload(ProgramSession.participants),
                conference_id=conference.id,
            ),
            session_values,
            lambda batch: save_sessions(db, conference, batch, check_conflicts=self.check_conflicts),
        )
        return self.report
