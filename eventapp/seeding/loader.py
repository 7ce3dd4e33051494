"""Read, check and load seed files: all or nothing, idempotent, every problem reported with its line."""

from __future__ import annotations

import gc
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
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
from eventapp.seeding.schemas import SeedFileSchema

Path_ = tuple[str | int, ...]


# libyaml's parser where the machine has it: seed files of thousands of sessions are megabytes of YAML.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SeedLoader(_BaseLoader):
    """YAML without surprises: dates and times stay strings (the schemas read them), only true/false are booleans.

    Plain YAML 1.1 would turn 2025-10-20 13:30 into a naive datetime and the country code NO into False.
    """


SeedLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
SeedLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def read_yaml(text: str) -> tuple[Any, yaml.Node | None]:
    """The document and its node tree (which knows the line of everything), from one parse."""
    loader = SeedLoader(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    finally:
        loader.dispose()


@dataclass
class Problem:
    """One thing wrong with a seed file, where it is and what it is."""

    path: Path_
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{format_path(self.path) or '(file)'}: {self.message}"


class SeedError(Exception):
    """The seed file was refused; nothing of it was stored."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {p}" for p in problems))


@dataclass
class Report:
    """What a load created, changed and left alone, by kind."""

    created: Counter[str] = field(default_factory=Counter)
    changed: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    slug: str = ""

    def lines(self) -> list[str]:
        kinds = list(dict.fromkeys([*self.created, *self.changed, *self.unchanged]))
        return [
            f"{kind}: {self.created[kind]} created, {self.changed[kind]} changed, {self.unchanged[kind]} unchanged"
            for kind in kinds
        ]


def format_path(path: Path_) -> str:
    """sessions[3].participants[0].person for ("sessions", 3, "participants", 0, "person")."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line_index(node: yaml.Node | None, path: Path_ = (), index: dict[Path_, int] | None = None) -> dict[Path_, int]:
    """Map each path in the document to the 1-based line it starts on."""
    index = {} if index is None else index
    if node is None:
        return index
    index.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*path, key_node.value)
            index[child] = key_node.start_mark.line + 1
            _line_index(value_node, child, index)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_index(item, (*path, i), index)
    return index


def _locate(problems: Iterable[Problem], lines: dict[Path_, int]) -> list[Problem]:
    located = []
    for problem in problems:
        path = problem.path
        while path and path not in lines:
            path = path[:-1]
        located.append(Problem(problem.path, problem.message, lines.get(path)))
    return located


def parse(text: str, source: str) -> tuple[dict[str, Any], dict[Path_, int]]:
    """The validated content of a seed file and the line of each of its paths; SeedError if anything is wrong."""
    try:
        raw, node = read_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise SeedError(source, [Problem((), f"not valid YAML: {getattr(exc, 'problem', exc)}", line)]) from exc
    lines = _line_index(node)
    if not isinstance(raw, dict):
        raise SeedError(source, [Problem((), "a seed file is a mapping with a 'conference' key", 1)])
    try:
        data = SeedFileSchema().load(raw)
    except ma.ValidationError as exc:
        problems = [Problem(path, message) for path, message in flatten_messages(exc.messages)]
        raise SeedError(source, _locate(problems, lines)) from exc
    problems = _cross_reference_problems(data)
    if problems:
        raise SeedError(source, _locate(problems, lines))
    return data, lines


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

    def check(path: Path_, kind: str, value: Any, section: str) -> None:
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


class _Applier:
    """Upserts one validated seed file through the operations, counting what it did."""

    def __init__(self, db: Session, data: dict[str, Any], tick: Callable[[], None] = lambda: None,
                 check_conflicts: bool = True):
        self.db = db
        self.data = data
        self.check_conflicts = check_conflicts
        self.tick = tick
        self.report = Report(slug=data["conference"]["slug"])
        self.problems: list[Problem] = []

    def _upsert(self, kind: str, path: Path_, existing: Any, save: Callable[[Any], Any]) -> Any:
        self.tick()
        before = existing.updated_at if existing is not None else None
        try:
            obj = save(existing)
        except DomainError as exc:
            for detail in exc.details:
                field_path = tuple(int(p) if p.isdigit() else p for p in (detail.get("field") or "").split(".") if p)
                self.problems.append(Problem((*path, *field_path), detail["message"]))
            return existing
        if existing is None:
            self.report.created[kind] += 1
        elif obj.updated_at != before:
            self.report.changed[kind] += 1
        else:
            self.report.unchanged[kind] += 1
        return obj

    def _existing(self, model: type, key: str, items: list[dict[str, Any]], *options, **scope: Any) -> dict[Any, Any]:
        """The stored rows of model whose key is one of the items', by key: a few queries, not one an item."""
        wanted = [item[key] for item in items]
        found: dict[Any, Any] = {}
        for start in range(0, len(wanted), 500):
            stmt = select(model).filter_by(**scope).where(getattr(model, key).in_(wanted[start:start + 500]))
            found |= {getattr(obj, key): obj for obj in self.db.scalars(stmt.options(*options))}
        return found

    def run(self) -> Report:
        db, data = self.db, self.data
        conference_data = data["conference"]
        conference: Conference = self._upsert(
            "conference", ("conference",), get_by_slug(db, conference_data["slug"]),
            lambda obj: save_conference(db, conference_data, obj),
        )
        if conference is None:
            return self.report

        orgs: dict[str, Organization] = {}
        stored = self._existing(Organization, "name", data["organizations"])
        for i, item in enumerate(data["organizations"]):
            orgs[item["name"]] = self._upsert(
                "organizations", ("organizations", i), stored.get(item["name"]),
                lambda obj, item=item: save_organization(db, item, obj),
            )

        def org_id(name: str | None) -> int | None:
            org = orgs.get(name) if name is not None else None
            return org.id if org is not None else None

        people: dict[str, Person] = {}
        stored = self._existing(Person, "slug", data["people"])
        for i, item in enumerate(data["people"]):
            values = {**{k: v for k, v in item.items() if k != "organization"}, "organization_id": org_id(item.get("organization"))}
            people[item["slug"]] = self._upsert(
                "people", ("people", i), stored.get(item["slug"]),
                lambda obj, values=values: save_person(db, values, obj),
            )

        children: dict[str, dict[str, Any]] = {}
        for section, model, key in (("rooms", Room, "name"), ("tracks", Track, "name"), ("booths", Booth, "label")):
            children[section] = {}
            stored = self._existing(model, key, data[section], conference_id=conference.id)
            for i, item in enumerate(data[section]):
                values = dict(item)
                if model is Booth:
                    values["organization_id"] = org_id(values.pop("organization"))
                children[section][item[key]] = self._upsert(
                    section, (section, i), stored.get(item[key]),
                    lambda obj, model=model, values=values: save_child(db, conference, model, values, obj),
                )

        def child_id(section: str, name: str | None) -> int | None:
            obj = children[section].get(name) if name is not None else None
            return obj.id if obj is not None else None

        stored = self._existing(ProgramSession, "code", data["sessions"], selectinload(ProgramSession.participants),
                                conference_id=conference.id)
        for i, item in enumerate(data["sessions"]):
            values = {k: v for k, v in item.items() if k not in ("room", "track", "sponsor", "participants")}
            values |= {
                "room_id": child_id("rooms", item.get("room")),
                "track_id": child_id("tracks", item.get("track")),
                "sponsor_id": org_id(item.get("sponsor")),
                "participants": [
                    {**{k: v for k, v in p.items() if k != "person"}, "person_id": getattr(people.get(p["person"]), "id", None)}
                    for p in item["participants"]
                ],
            }
            self._upsert(
                "sessions", ("sessions", i), stored.get(item["code"]),
                lambda obj, values=values: save_session(db, conference, values, obj,
                                                        check_conflicts=self.check_conflicts),
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


def load(db: Session, text: str, source: str = "<seed>", *, dry_run: bool = False,
         progress: Progress | None = None, check_conflicts: bool = True) -> Report:
    """Validate and upsert a seed file in one transaction; SeedError, and nothing stored, if anything is wrong."""
    with _without_cycle_collection():
        return _load(db, text, source, dry_run, progress, check_conflicts)


def _load(db: Session, text: str, source: str, dry_run: bool, progress: Progress | None,
          check_conflicts: bool) -> Report:
    data, lines = parse(text, source)
    total = 1 + sum(len(data[section]) for section in SECTIONS)
    try:
        with progress(total) if progress else nullcontext(lambda: None) as tick:
            applier = _Applier(db, data, tick, check_conflicts)
            report = applier.run()
        if applier.problems:
            raise SeedError(source, _locate(applier.problems, lines))
        if dry_run:
            db.rollback()
        else:
            db.commit()
    except BaseException:
        db.rollback()
        raise
    return report


def load_file(db: Session, path: str | Path, *, dry_run: bool = False, progress: Progress | None = None) -> Report:
    """load() for a file on disk."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedError(str(path), [Problem((), f"cannot read the file: {exc}")]) from exc
    return load(db, text, str(path), dry_run=dry_run, progress=progress)
