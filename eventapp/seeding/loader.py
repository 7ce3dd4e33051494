"""Read, check and load seed documents: all or nothing, idempotent, every problem reported with its place.

`load_document` takes a seed document (a dict: read from a YAML file, cloned from a stored conference or
translated from a frab schedule), validates it with the seed schemas and writes it through the API's
operations. It only flushes: the command that calls it commits, or rolls back when it raises SeedError, so
nothing of a refused document is stored. `load_text` and `load_file` read YAML, then name each problem's line.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from eventapp.seeding.checks import NOT_A_MAPPING, SECTIONS, check_document
from eventapp.seeding.problems import DocumentPath, LineIndex, Problem, SeedError, duplicate_keys, locate
from eventapp.seeding.upsert import Report, Upserter

__all__ = ["Report", "conference_slug", "load_document", "load_file", "load_text", "read_document"]

# libyaml's parser where the machine has it: seed files of thousands of sessions are megabytes of YAML.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SeedYamlLoader(_BaseLoader):
    """YAML without surprises: dates and times stay strings (the schemas read them); booleans are true/false.

    Plain YAML 1.1 would turn 2025-10-20 13:30 into a naive datetime and the country code NO into False.

    Faster than pyyaml's own loaders at what seed files are, thousands of mappings of the same few keys: the tag
    of each plain scalar is resolved once per text, and the plain tree of mappings, lists and strings is built
    directly (both were four fifths of reading a 5,000-session file). Everything else is pyyaml's.
    """

    def __init__(self, stream: str):
        super().__init__(stream)
        self._plain_tags: dict[str, str] = {}

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        # The tag of a plain scalar depends on its text alone (this loader has no path resolvers).
        if kind is yaml.ScalarNode and implicit[0]:
            tag = self._plain_tags.get(value)
            if tag is None:
                tag = self._plain_tags[value] = super().resolve(kind, value, implicit)
            return tag
        return super().resolve(kind, value, implicit)

    def construct_document(self, node: yaml.Node) -> Any:
        try:
            return self._build(node, set())
        except (_NotPlain, RecursionError):
            # Merge keys, a key that is not a string, aliases that contain themselves: pyyaml knows them all.
            return super().construct_document(node)

    def _build(self, node: yaml.Node, open_nodes: set[int]) -> Any:
        kind = type(node)
        if kind is yaml.ScalarNode:
            # A number, a boolean, null or an explicitly tagged scalar: pyyaml constructs it.
            return node.value if node.tag == _STR else self.construct_object(node)
        if (node.tag, kind) not in _PLAIN_COLLECTIONS or id(node) in open_nodes:
            raise _NotPlain
        open_nodes.add(id(node))
        if kind is yaml.SequenceNode:
            built: Any = [self._build(item, open_nodes) for item in node.value]
        else:
            built = {}
            for key_node, value_node in node.value:
                if key_node.tag != _STR or type(key_node) is not yaml.ScalarNode:
                    raise _NotPlain
                built[key_node.value] = self._build(value_node, open_nodes)
        open_nodes.discard(id(node))
        return built


_STR = "tag:yaml.org,2002:str"
_PLAIN_COLLECTIONS = {
    ("tag:yaml.org,2002:map", yaml.MappingNode),
    ("tag:yaml.org,2002:seq", yaml.SequenceNode),
}


class _NotPlain(Exception):
    """The node tree is more than mappings with string keys, lists and scalars: pyyaml's constructor builds it."""


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


def read_yaml(text: str) -> tuple[Any, yaml.Node | None, list[Problem]]:
    """The document, its node tree (which knows the line of everything) and the keys written twice in it, from
    one parse."""
    loader = SeedYamlLoader(text)
    try:
        node = loader.get_single_node()
        # Before the document is built: building it writes a merge key's mappings into the node that merges
        # them, where the keys it sets itself would look written twice.
        duplicates = duplicate_keys(node)
        return (loader.construct_document(node) if node is not None else None), node, duplicates
    finally:
        loader.dispose()


def read_document(text: str, source: str) -> tuple[dict[str, Any], Mapping[DocumentPath, int], list[Problem]]:
    """The seed document in YAML text, the line of each of its paths, and what is wrong with its YAML that
    still let it parse (keys written twice); SeedError if there is no document."""
    try:
        document, node, duplicates = read_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise SeedError(
            source, [Problem((), f"not valid YAML: {getattr(exc, 'problem', exc)}", line)]
        ) from exc
    if not isinstance(document, dict):
        raise SeedError(source, [Problem((), NOT_A_MAPPING, 1)])
    return document, LineIndex(node), duplicates


# Given the number of entities a load will write, a context that yields the function to call after each one.
Progress = Callable[[int], AbstractContextManager[Callable[[], None]]]


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

    SeedError names every problem of every phase: the schema, the references, and the operations' rules (run
    on what passed the first two). On SeedError the session holds a part of the document: the caller rolls back (and commits otherwise).
    """
    with _without_cycle_collection():
        data, problems = check_document(document)
        report = Report()
        # The operations' rules run on what passed the checks, so that their problems are named too.
        if data is not None and data["conference"] is not None:
            total = 1 + sum(len(data[section]) for section in SECTIONS)
            with progress(total) if progress else nullcontext(lambda: None) as tick:
                upserter = Upserter(db, data, tick, check_conflicts)
                report = upserter.run()
            problems += upserter.problems
        if problems:
            raise SeedError(source, problems)
        return report


def load_text(db: Session, text: str, source: str = "<seed>", *, progress: Progress | None = None) -> Report:
    """load_document() for the YAML text of a seed file, each problem named with its line."""
    with _without_cycle_collection():
        document, lines, problems = read_document(text, source)
        try:
            report = load_document(db, document, source, progress=progress)
        except SeedError as error:
            problems += locate(error.problems, lines)
        if problems:
            # In the order of the file, whichever phase found them.
            raise SeedError(source, sorted(problems, key=lambda p: p.line or 0))
        return report


def conference_slug(path: str | Path) -> str | None:
    """The slug of the conference a seed file holds; None when the file does not say (or cannot be read)."""
    try:
        document, _, _ = read_document(Path(path).read_text(encoding="utf-8"), str(path))
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
