"""The OpenAPI document as client generators read it: operation ids, preconditions and validators, security,
servers, the JSON schedule's schema, text feeds, typed nullable references, and PATCH schemas without
defaults."""

from __future__ import annotations

import pytest

from eventapp import create_app

METHODS = {"get", "post", "put", "patch", "delete"}
DIA = "/api/v1/conferences/dia-japan-2025"


@pytest.fixture(scope="module")
def document():
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    return app.test_client().get("/api/v1/openapi.json").get_json()


def operations(document):
    """(method, path, operation) for every operation of the document."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def header_parameters(operation) -> set[str]:
    """The names of the request headers an operation declares."""
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}


def response_headers(operation, status: str) -> dict:
    """The headers an operation's answer with status declares."""
    return operation["responses"][status].get("headers", {})


def test_every_operation_has_a_unique_operation_id(document):
    ids = [operation.get("operationId") for _, _, operation in operations(document)]
    assert None not in ids and len(ids) > 40
    assert len(set(ids)) == len(ids)
    item = document["paths"]["/api/v1/conferences/{slug}/rooms/{room_id}"]
    assert item["patch"]["operationId"] == "patch_room_detail"
    assert document["paths"]["/api/v1/conferences/{slug}/sessions"]["get"]["operationId"] == "get_sessions"


def test_preconditions_and_validators_are_declared_where_they_apply(document):
    seen = {"If-None-Match": 0, "If-Match": 0, "201": 0}
    for method, path, operation in operations(document):
        responses = operation["responses"]
        if "304" in responses:
            seen["If-None-Match"] += 1
            assert "If-None-Match" in header_parameters(operation), path
            assert response_headers(operation, "200")["ETag"]["required"] is True, path
            assert "ETag" in response_headers(operation, "304"), path
        else:
            assert "If-None-Match" not in header_parameters(operation), (method, path)
        if "412" in responses:
            seen["If-Match"] += 1
            assert "If-Match" in header_parameters(operation), (method, path)
            if method == "patch":
                assert "ETag" in response_headers(operation, "200"), path
        # An agenda's or a registration's holder is the only writer under its secret token.
        self_service = path == "/api/v1/agendas/{token}" or path.startswith("/api/v1/registrations/{token}")
        if method in ("patch", "delete") and not self_service:
            assert "412" in responses, (method, path)
        if "201" in responses and operation["security"]:
            seen["201"] += 1
            assert {"ETag", "Location"} <= set(response_headers(operation, "201")), path
    assert seen["If-None-Match"] >= 15 and seen["If-Match"] >= 14 and seen["201"] >= 7
    feed = document["paths"]["/api/v1/conferences/{slug}/schedule.ics"]["get"]
    assert {"If-None-Match", "If-Modified-Since"} <= header_parameters(feed)
    assert "Last-Modified" in response_headers(feed, "200")


def test_the_documented_validators_are_the_ones_the_api_sends(client, admin, seeded):
    room = client.post(f"{DIA}/rooms", json={"name": "Room 9"}, headers=admin)
    assert room.headers["ETag"] and room.headers["Location"].endswith(f"/rooms/{room.get_json()['id']}")
    item = room.headers["Location"]
    assert client.get(item, headers={"If-None-Match": room.headers["ETag"]}).status_code == 304
    stale = client.patch(item, json={"capacity": 9}, headers={**admin, "If-Match": '"stale"'})
    assert stale.status_code == 412
    feed = client.get(f"{DIA}/schedule.ics")
    again = client.get(f"{DIA}/schedule.ics", headers={"If-Modified-Since": feed.headers["Last-Modified"]})
    assert again.status_code == 304


def test_servers_are_set(document):
    assert document["servers"] and all(server["url"] for server in document["servers"])


def test_servers_name_the_public_address_when_it_is_set():
    app = create_app(
        {"TESTING": True, "DATABASE_URL": "sqlite://", "PUBLIC_BASE_URL": "https://events.example.org"}
    )
    servers = app.test_client().get("/api/v1/openapi.json").get_json()["servers"]
    assert [server["url"] for server in servers] == ["https://events.example.org"]


def test_every_operation_declares_its_security(document):
    by_kind = {"public": set(), "optional": set(), "token": set()}
    for method, path, operation in operations(document):
        security = operation["security"]
        kind = "public" if security == [] else "optional" if {} in security else "token"
        assert security in ([], [{}, {"bearerAuth": []}], [{"bearerAuth": []}]), (method, path)
        by_kind[kind].add((method, path))
        if kind == "optional":
            assert "401" in operation["responses"], (method, path)  # a token sent must be a good one
        # Anyone may make an agenda or register; its token then opens it (self-service, no account).
        self_service = "agendas" in path or path.startswith("/api/v1/registrations/{token}")
        if method != "get" and not self_service and path != "/api/v1/conferences/{slug}/registrations":
            assert kind == "token", (method, path)
    assert ("get", "/healthz") in by_kind["public"]
    assert ("get", "/api/v1/conferences/{slug}/schedule.ics") in by_kind["public"]
    assert ("get", "/api/v1/people") in by_kind["public"]
    assert ("get", "/api/v1/conferences/{slug}/sessions") in by_kind["optional"]  # drafts for a token


def test_a_read_that_takes_an_optional_token_refuses_a_bad_one(client, seeded):
    assert client.get(f"{DIA}/sessions").status_code == 200
    assert client.get(f"{DIA}/sessions", headers={"Authorization": "Bearer nope"}).status_code == 401


def resolve(document, schema):
    """schema, or the component its $ref names."""
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_the_json_schedule_has_a_full_schema(document, client, seeded):
    answer = document["paths"]["/api/v1/conferences/{slug}/schedule"]["get"]["responses"]["200"]
    schedule = resolve(document, answer["content"]["application/json"]["schema"])
    assert set(schedule["required"]) == {"conference", "feeds", "days"}
    day = resolve(document, schedule["properties"]["days"]["items"])
    entry = resolve(document, day["properties"]["sessions"]["items"])
    session = document["components"]["schemas"]["ProgramSession"]
    assert set(entry["properties"]) == set(session["properties"]) | {"uid", "url"}
    shown = client.get(f"{DIA}/schedule").get_json()
    assert set(shown) == set(schedule["properties"])
    conference = resolve(document, schedule["properties"]["conference"])
    assert set(shown["conference"]) == set(conference["properties"])
    sessions = [s for d in shown["days"] for s in d["sessions"]]
    assert sessions and all(set(s) <= set(entry["properties"]) for s in sessions)


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/api/v1/conferences/{slug}/schedule.xml", "text/xml"),
        ("/api/v1/conferences/{slug}/schedule.ics", "text/calendar"),
        ("/api/v1/people/{person_id}/schedule.ics", "text/calendar"),
        ("/api/v1/agendas/{token}.ics", "text/calendar"),
    ],
)
def test_xml_and_ical_feeds_are_declared_as_text(document, path, media_type):
    content = document["paths"][path]["get"]["responses"]["200"]["content"]
    assert content == {media_type: {"schema": {"type": "string"}}}


def test_schedule_xml_is_served_as_declared(client, seeded):
    assert client.get(f"{DIA}/schedule.xml").mimetype == "text/xml"


def nullable_references(node):
    """Every anyOf of the document that puts a reference next to null."""
    if isinstance(node, dict):
        alternatives = node.get("anyOf", [])
        if any("$ref" in a for a in alternatives) and any(a.get("nullable") for a in alternatives):
            yield alternatives
        for value in node.values():
            yield from nullable_references(value)
    elif isinstance(node, list):
        for value in node:
            yield from nullable_references(value)


def test_nullable_references_are_the_reference_or_a_typed_null(document):
    found = list(nullable_references(document))
    assert len(found) >= 10
    for alternatives in found:
        nulls = [a for a in alternatives if "$ref" not in a]
        assert nulls == [{"type": "object", "nullable": True, "enum": [None]}], alternatives
    room = document["components"]["schemas"]["ProgramSession"]["properties"]["room"]
    assert room["anyOf"][0] == {"$ref": "#/components/schemas/Room"}


def test_patch_schemas_show_no_defaults(document):
    schemas = document["components"]["schemas"]
    updates = [name for name in schemas if name.endswith("Update")]
    assert {"ConferenceUpdate", "RoomUpdate", "ProgramSessionUpdate", "PersonUpdate"} <= set(updates)
    for name in updates:
        for field, prop in schemas[name]["properties"].items():
            assert "default" not in prop, (name, field)
    # Creation does apply them, and says so.
    assert schemas["ProgramSession"]["properties"]["status"]["default"] == "draft"
    assert schemas["Room"]["properties"]["is_online"]["default"] is False
    patch = document["paths"]["/api/v1/conferences/{slug}/sessions/{session_id}"]["patch"]
    assert patch["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ProgramSessionUpdate"
    )
