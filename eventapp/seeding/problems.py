"""What is wrong with a seed document, and where: paths into the document, and the lines of a YAML file."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import yaml

from eventapp.errors import DomainError

# Where something is in a seed document: ("sessions", 3, "participants", 0, "person").
DocumentPath = tuple[str | int, ...]


@dataclass
class Problem:
    """One thing wrong with a seed document: where it is, what it is, and which rule found it.

    error_type is the domain error an operation raised (Conflict, SchedulingConflict ...), so that callers
    tell problems apart by kind; None for a problem of the document itself (its format or references).
    """

    path: DocumentPath
    message: str
    line: int | None = None
    error_type: type[DomainError] | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{format_path(self.path) or '(file)'}: {self.message}"

    def is_a(self, error_type: type[DomainError]) -> bool:
        """True when an operation refused this with error_type (or a subclass of it)."""
        return self.error_type is not None and issubclass(self.error_type, error_type)


class SeedError(Exception):
    """The seed document was refused: its problems, for the caller to report after rolling back what was
    flushed (the CLI's commands do)."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {p}" for p in problems))


def format_path(path: DocumentPath) -> str:
    """sessions[3].participants[0].person for ("sessions", 3, "participants", 0, "person")."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def line_index(
    node: yaml.Node | None,
    path: DocumentPath = (),
    index: dict[DocumentPath, int] | None = None,
    above: frozenset[int] = frozenset(),
) -> dict[DocumentPath, int]:
    """Map each path in a YAML document's node tree to the 1-based line it starts on (an alias of a node that
    contains it, which YAML allows, is not followed into itself)."""
    index = {} if index is None else index
    if node is None or id(node) in above:
        return index
    index.setdefault(path, node.start_mark.line + 1)
    above |= {id(node)}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*path, key_node.value)
            index[child] = key_node.start_mark.line + 1
            line_index(value_node, child, index, above)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            line_index(item, (*path, i), index, above)
    return index


class LineIndex(Mapping[DocumentPath, int]):
    """line_index() of a node tree, made when first asked: only a file with problems needs its lines."""

    def __init__(self, node: yaml.Node | None):
        self._node = node
        self._index: dict[DocumentPath, int] | None = None

    def _lines(self) -> dict[DocumentPath, int]:
        if self._index is None:
            self._index = line_index(self._node)
        return self._index

    def __getitem__(self, path: DocumentPath) -> int:
        return self._lines()[path]

    def __iter__(self) -> Iterator[DocumentPath]:
        return iter(self._lines())

    def __len__(self) -> int:
        return len(self._lines())


def duplicate_keys(
    node: yaml.Node | None,
    path: DocumentPath = (),
    problems: list[Problem] | None = None,
    seen_nodes: set[int] | None = None,
) -> list[Problem]:
    """A key written twice in one mapping: YAML keeps the last silently, so the first would be lost unseen.
    Each mapping is looked at once, where it is written, not again where an alias names it."""
    problems = [] if problems is None else problems
    seen_nodes = set() if seen_nodes is None else seen_nodes
    if id(node) in seen_nodes:
        return problems
    seen_nodes.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key_node, value_node in node.value:
            if key_node.value in seen:
                message = f"{key_node.value!r} is written twice here: YAML would keep only the last"
                problems.append(Problem(path, message, key_node.start_mark.line + 1))
            seen.add(key_node.value)
            if isinstance(value_node, yaml.CollectionNode):
                duplicate_keys(value_node, (*path, key_node.value), problems, seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            if isinstance(item, yaml.CollectionNode):
                duplicate_keys(item, (*path, i), problems, seen_nodes)
    return problems


def locate(problems: Iterable[Problem], lines: Mapping[DocumentPath, int]) -> list[Problem]:
    """The problems with the line of their path, or of the nearest enclosing path the file has."""
    located = []
    for problem in problems:
        path = problem.path
        while path and path not in lines:
            path = path[:-1]
        located.append(Problem(problem.path, problem.message, lines.get(path), problem.error_type))
    return located
