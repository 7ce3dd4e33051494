"""The checks a seed document passes before anything is written: its schema, then its references.

Each phase runs on what the one before it parsed, so that one run names every problem: a time zone typo and a
person nobody defined come out together. An item that did not pass is None in the checked data, in its place,
so that the paths of later problems keep the file's indexes; nothing is written for it.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from eventapp.errors import flatten_messages
from eventapp.seeding.problems import DocumentPath, Problem
from eventapp.seeding.schemas import SeedFileSchema

NOT_A_MAPPING = "a seed file is a mapping with a 'conference' key"

# Each section of a seed file, and the natural key its items are named by.
SECTION_KEYS = {
    "organizations": "name",
    "people": "slug",
    "rooms": "name",
    "tracks": "name",
    "booths": "label",
    "sessions": "code",
}
SECTIONS = tuple(SECTION_KEYS)


def check_document(document: Any) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The document as the schemas load it (None for what did not pass), and every problem of both phases."""
    if not isinstance(document, dict):
        return None, [Problem((), NOT_A_MAPPING)]
    data, parsed, problems = _schema_phase(document)
    problems += _reference_phase(document, parsed, data)
    return data, problems


def _schema_phase(document: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], list[Problem]]:
    """The items that passed (None in place of the others), every item's fields that passed, the problems."""
    try:
        data = SeedFileSchema().load(document)
        return data, data, []
    except ma.ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {}
        loaded = exc.valid_data if isinstance(exc.valid_data, dict) else {}
        problems = [Problem(path, message) for path, message in flatten_messages(exc.messages)]
    data: dict[str, Any] = {"conference": None if "conference" in messages else loaded.get("conference")}
    parsed: dict[str, Any] = {}
    for section in SECTIONS:
        errors = messages.get(section)
        items = loaded.get(section) or []
        if errors is not None and not isinstance(errors, dict):
            items = []  # the section itself is wrong (not a list): nothing in it parsed
        # marshmallow keeps a broken item's valid fields in its place: their references are checked, but
        # such an item is not written at all.
        parsed[section] = [item if isinstance(item, dict) else {} for item in items]
        data[section] = [None if i in (errors or {}) else item for i, item in enumerate(items)]
    return data, parsed, problems


def _reference_phase(document: dict[str, Any], parsed: dict[str, Any], data: dict[str, Any]) -> list[Problem]:
    """References to things the file does not define, and natural keys defined twice, in every item's parsed
    fields; the items they are in become None in data."""
    problems: list[Problem] = []
    refused: set[tuple[str, int]] = set()

    def refuse(section: str, index: int, path: DocumentPath, message: str) -> None:
        problems.append(Problem((section, index, *path), message))
        refused.add((section, index))

    for section, key in SECTION_KEYS.items():
        seen: set[Any] = set()
        for i, item in enumerate(parsed[section]):
            if item.get(key) is None:
                continue
            if item[key] in seen:
                refuse(section, i, (key,), f"{item[key]!r} is defined twice in {section}")
            seen.add(item[key])

    # Names the file defines, whether or not their items passed: a reference to a broken room is no
    # reference to an undefined one (the room's own problem is named already).
    defined = {section: _defined(document, section, key) for section, key in SECTION_KEYS.items()}
    references = {
        "people": (("organization", "organizations"),),
        "booths": (("organization", "organizations"),),
        "sessions": (("room", "rooms"), ("track", "tracks"), ("sponsor", "organizations")),
    }
    for section, fields in references.items():
        for i, item in enumerate(parsed[section]):
            for field, target in fields:
                value = item.get(field)
                if value is not None and value not in defined[target]:
                    refuse(section, i, (field,), f"{value!r} is not defined in {target}")
            for j, participant in enumerate(item.get("participants", ()) if section == "sessions" else ()):
                person = participant.get("person") if isinstance(participant, dict) else None
                if person is not None and person not in defined["people"]:
                    refuse(section, i, ("participants", j, "person"), f"{person!r} is not defined in people")
    for section, index in refused:
        data[section][index] = None
    return problems


def _defined(document: dict[str, Any], section: str, key: str) -> set[Any]:
    items = document.get(section)
    if not isinstance(items, list):
        return set()
    return {item[key] for item in items if isinstance(item, dict) and isinstance(item.get(key), str)}
