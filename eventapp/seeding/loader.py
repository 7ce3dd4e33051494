"""Read, check and load seed documents: all or nothing, idempotent, every problem reported with its place.

`load_document` takes a seed document (a dict: read from a YAML file, cloned from a stored conference or
translated from a frab schedule), validates it with the seed schemas and writes it through the API's
operations. It only flushes: the command that calls it commits, or rolls back when it raises SeedError, so
nothing of a refused document is stored. `load_text` and `load_file` read YAML, then name each problem's line.
"""

from __future__ import annotations

import gc
import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import marshmallow as ma
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from eventapp.conferences.models import Booth, Conference, Room, Track
from eventapp.conferences.operations import get_by_slug, save_child, save_conference
from eventapp.errors import DomainError, flatten_messages
from eventapp.people.models import Organization, Person
from eventapp.people.operations import save_organization, save_person
from eventapp.program.models import ProgramSession
from eventapp.program.operations import save_session
from eventapp.seeding.problems import DocumentPath, Problem, SeedError, line_index, locate
from eventapp.seeding.schemas import SeedFileSchema

NOT_A_MAPPING = "a seed file is a mapping with a 'conference' key"

# libyaml's parser where the machine has it: seed files of thousands of sessions are megabytes of YAML.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SeedYamlLoader(_BaseLoader):
    """YAML without surprises: dates and times stay strings (the schemas read them); booleans are true/false.

    Plain YAML 1.1 would turn 2025-10-20 13:30 into a naive datetime and the country code NO into False.
    """


SeedYamlLoader.yaml_implicit_resolvers = {
    first: [
        (tag, rx)
        for tag, rx in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
SeedYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def read_yaml(text: str) -> tuple[Any, yaml.Node | None]:
    """The document and its node tree (which knows the line of everything), from one parse."""
    loader = SeedYamlLoader(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    finally:
        loader.dispose()


def read_document(text: str, source: str) -> tuple[dict[str, Any], dict[DocumentPath, int]]:
    """The seed document in YAML text, and the line of each of its paths; SeedError if there is none."""
    try:
        document, node = read_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise SeedError(
            source, [Problem((), f"not valid YAML: {getattr(exc, 'problem', exc)}", line)]
        ) from exc
    if not isinstance(document, dict):
        raise SeedError(source, [Problem((), NOT_A_MAPPING, 1)])
    return document, line_index(node)


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


def validated(document: Any, source: str) -> dict[str, Any]:
    """The document as the seed schemas load it; SeedError naming each problem by its path."""
    if not isinstance(document, dict):
        raise SeedError(source, [Problem((), NOT_A_MAPPING)])
    try:
        data = SeedFileSchema().load(document)
    except ma.ValidationError as exc:
        raise SeedError(
            source, [Problem(path, message) for path, message in flatten_messages(exc.messages)]
        ) from exc
    problems = _cross_reference_problems(data)
    if problems:
        raise SeedError(source, problems)
    return data


def _duplicates(section: str, items: list[dict[str, Any]], key: str) -> list[Problem]:
    seen: set[Any] = set()
    problems = []
    for i, item in enumerate(items):
        if item.get(key) in seen:
            problems.append(Problem((section, i, key), f"{item[key]!r} is defined twice in {section}"))
        seen.add(item.get(key))
    return problems


def _cross_reference_problems(data: dict[str, Any]) -> list[Problem]:
    """References to things the file does not define, and natural keys defined twice."""
    problems = [
        *_duplicates("organizations", data["organizations"], "name"),
        *_duplicates("people", data["people"], "slug"),
        *_duplicates("rooms", data["rooms"], "name"),
        *_duplicates("tracks", data["tracks"], "name"),
        *_duplicates("booths", data["booths"], "label"),
        *_duplicates("sessions", data["sessions"], "code"),
    ]
    defined = {
        "organization": {o["name"] for o in data["organizations"]},
        "person": {p["slug"] for p in data["people"]},
        "room": {r["name"] for r in data["rooms"]},
        "track": {t["name"] for t in data["tracks"]},
    }
    defined["sponsor"] = defined["organization"]

    def check(path: DocumentPath, kind: str, value: Any, section: str) -> None:
        if value is not None and value not in defined[kind]:
            problems.append(Problem(path, f"{value!r} is not defined in {section}"))

    for i, person in enumerate(data["people"]):
        check(("people", i, "organization"), "organization", person.get("organization"), "organizations")
    for i, booth in enumerate(data["booths"]):
        check(("booths", i, "organization"), "organization", booth.get("organization"), "organizations")
    for i, session in enumerate(data["sessions"]):
        for key, section in (("room", "rooms"), ("track", "tracks"), ("sponsor", "organizations")):
            check(("sessions", i, key), key, session.get(key), section)
        for j, participant in enumerate(session["participants"]):
            check(("sessions", i, "participants", j, "person"), "person", participant["person"], "people")
    return problems


class _Upserter:
    """Upserts one validated seed document through the operations, counting what it did."""

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

    def _upsert(self, kind: str, path: DocumentPath, existing: Any, save: Callable[[Any], Any]) -> Any:
        self.tick()
        before = existing.updated_at if existing is not None else None
        try:
            obj = save(existing)
        except DomainError as exc:
            for detail in exc.details:
                field_path = tuple(
                    int(p) if p.isdigit() else p for p in (detail.get("field") or "").split(".") if p
                )
                self.problems.append(Problem((*path, *field_path), detail["message"], error_type=type(exc)))
            return existing
        if existing is None:
            self.report.created[kind] += 1
        elif obj.updated_at != before:
            self.report.changed[kind] += 1
        else:
            self.report.unchanged[kind] += 1
        return obj

    def _existing(
        self, model: type, key: str, items: list[dict[str, Any]], *options, **scope: Any
    ) -> dict[Any, Any]:
        """The stored rows of model whose key is one of the items', by key: a few queries, not one an item."""
        wanted = [item[key] for item in items]
        found: dict[Any, Any] = {}
        for start in range(0, len(wanted), 500):
            stmt = (
                select(model).filter_by(**scope).where(getattr(model, key).in_(wanted[start : start + 500]))
            )
            found |= {getattr(obj, key): obj for obj in self.db.scalars(stmt.options(*options))}
        return found

    def run(self) -> Report:
        db, data = self.db, self.data
        conference_data = data["conference"]
        conference: Conference = self._upsert(
            "conference",
            ("conference",),
            get_by_slug(db, conference_data["slug"]),
            lambda obj: save_conference(db, conference_data, obj),
        )
        if conference is None:
            return self.report

        orgs: dict[str, Organization] = {}
        stored = self._existing(Organization, "name", data["organizations"])
        for i, item in enumerate(data["organizations"]):
            orgs[item["name"]] = self._upsert(
                "organizations",
                ("organizations", i),
                stored.get(item["name"]),
                lambda obj, item=item: save_organization(db, item, obj),
            )

        def org_id(name: str | None) -> int | None:
            org = orgs.get(name) if name is not None else None
            return org.id if org is not None else None

        people: dict[str, Person] = {}
        stored = self._existing(Person, "slug", data["people"])
        for i, item in enumerate(data["people"]):
            values = {
                **{k: v for k, v in item.items() if k != "organization"},
                "organization_id": org_id(item.get("organization")),
            }
            people[item["slug"]] = self._upsert(
                "people",
                ("people", i),
                stored.get(item["slug"]),
                lambda obj, values=values: save_person(db, values, obj),
            )

        children: dict[str, dict[str, Any]] = {}
        for section, model, key in (
            ("rooms", Room, "name"),
            ("tracks", Track, "name"),
            ("booths", Booth, "label"),
        ):
            children[section] = {}
            stored = self._existing(model, key, data[section], conference_id=conference.id)
            for i, item in enumerate(data[section]):
                values = dict(item)
                if model is Booth:
                    values["organization_id"] = org_id(values.pop("organization"))
                children[section][item[key]] = self._upsert(
                    section,
                    (section, i),
                    stored.get(item[key]),
                    lambda obj, model=model, values=values: save_child(db, conference, model, values, obj),
                )

        def child_id(section: str, name: str | None) -> int | None:
            obj = children[section].get(name) if name is not None else None
            return obj.id if obj is not None else None

        stored = self._existing(
            ProgramSession,
            "code",
            data["sessions"],
            selectinload(ProgramSession.participants),
            conference_id=conference.id,
        )
        for i, item in enumerate(data["sessions"]):
            values = {k: v for k, v in item.items() if k not in ("room", "track", "sponsor", "participants")}
            values |= {
                "room_id": child_id("rooms", item.get("room")),
                "track_id": child_id("tracks", item.get("track")),
                "sponsor_id": org_id(item.get("sponsor")),
                "participants": [
                    {
                        **{k: v for k, v in p.items() if k != "person"},
                        "person_id": getattr(people.get(p["person"]), "id", None),
                    }
                    for p in item["participants"]
                ],
            }
            self._upsert(
                "sessions",
                ("sessions", i),
                stored.get(item["code"]),
                lambda obj, values=values: save_session(
                    db, conference, values, obj, check_conflicts=self.check_conflicts
                ),
            )
        return self.report


# Given the number of entities a load will write, a context that yields the function to call after each one.
Progress = Callable[[int], AbstractContextManager[Callable[[], None]]]

SECTIONS = ("organizations", "people", "rooms", "tracks", "booths", "sessions")


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector off for a while. A load keeps every object it makes (the session holds them
    until the commit), so the collector's passes over a growing heap find nothing to free: they were a sixth
    of loading 5,000 sessions. Reference counting still frees everything that is dropped."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_document(
    db: Session,
    document: Any,
    source: str = "<seed>",
    *,
    progress: Progress | None = None,
    check_conflicts: bool = True,
) -> Report:
    """Validate a seed document and upsert it through the operations, only flushing; SeedError if it is wrong.

    On SeedError the session holds a part of the document: the caller rolls back (and commits otherwise).
    """
    with _without_cycle_collection():
        data = validated(document, source)
        total = 1 + sum(len(data[section]) for section in SECTIONS)
        with progress(total) if progress else nullcontext(lambda: None) as tick:
            upserter = _Upserter(db, data, tick, check_conflicts)
            report = upserter.run()
        if upserter.problems:
            raise SeedError(source, upserter.problems)
        return report


def load_text(db: Session, text: str, source: str = "<seed>", *, progress: Progress | None = None) -> Report:
    """load_document() for the YAML text of a seed file, each problem named with its line."""
    with _without_cycle_collection():
        document, lines = read_document(text, source)
        try:
            return load_document(db, document, source, progress=progress)
        except SeedError as error:
            raise SeedError(error.source, locate(error.problems, lines)) from error


def conference_slug(path: str | Path) -> str | None:
    """The slug of the conference a seed file holds; None when the file does not say (or cannot be read)."""
    try:
        document, _ = read_document(Path(path).read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeDecodeError, SeedError):
        return None
    conference = document.get("conference")
    slug = conference.get("slug") if isinstance(conference, dict) else None
    return slug if isinstance(slug, str) else None


def load_file(db: Session, path: str | Path, *, progress: Progress | None = None) -> Report:
    """load_text() for a file on disk."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedError(str(path), [Problem((), f"cannot read the file: {exc}")]) from exc
    return load_text(db, text, str(path), progress=progress)
