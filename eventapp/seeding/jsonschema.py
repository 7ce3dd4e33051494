"""The seed format as a JSON Schema, generated from the marshmallow schemas the loader uses."""

from __future__ import annotations

import json
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from eventapp.openapi import schema_name
from eventapp.seeding.schemas import SeedFileSchema

SCHEMA_ID = "https://github.com/eventapp/eventapp/seed/seed.schema.json"


def _rewrite_refs(node: Any) -> Any:
    """OpenAPI component references become $defs references; read-only properties (ids) are left out."""
    if isinstance(node, dict):
        return {
            key: value.replace("#/components/schemas/", "#/$defs/") if key == "$ref" else _rewrite_refs(value)
            for key, value in node.items()
            if not (isinstance(value, dict) and value.get("readOnly"))
        }
    if isinstance(node, list):
        return [_rewrite_refs(item) for item in node]
    return node


def seed_json_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of a seed file: editors and CI check files with it without running eventapp."""
    spec = APISpec(
        "eventapp seed file", "1", "3.1.0", plugins=[MarshmallowPlugin(schema_name_resolver=schema_name)]
    )
    spec.components.schema("SeedFile", schema=SeedFileSchema)
    definitions = _rewrite_refs(spec.to_dict()["components"]["schemas"])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "eventapp seed file",
        "description": "One meeting: its conference, organizations, people, rooms, tracks, booths and sessions. "
        "References are by natural key (names, person slugs), to things defined in the same file. Times "
        "without an offset are local time in the conference's time zone.",
        "$ref": "#/$defs/SeedFile",
        "$defs": definitions,
    }


def seed_json_schema_text() -> str:
    """The schema as the file seed/seed.schema.json holds it."""
    return json.dumps(seed_json_schema(), indent=2, ensure_ascii=False) + "\n"
