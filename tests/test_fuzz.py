"""Fuzzing: requests generated from the API's own OpenAPI document (schemathesis), run through the app in-process.

For every operation, valid and invalid requests, without a token and with an admin token, against the DIA
Japan seed; half of those with a valid path are aimed at things that exist, and half of the GETs answered
with an ETag are sent again with If-None-Match. No answer may be a 5xx, and every answer must be what
the document says: a status it lists, a body in its schema, its content type and headers; invalid data must
be refused. The check is stricter than the document: the catch-all `default` response is left out, so every
status an operation can give must be listed for it.

FUZZ_EXAMPLES (default 25) sets the examples per operation and caller; generation is derandomized, so a run
is the same every time.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import pytest
import schemathesis
from helpers import issue_token
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks
from schemathesis.core.parameters import ParameterLocation

from eventapp import create_app

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 25))
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.negative_data_rejection,
]

# What every answer carries (tests/test_security.py has the whole story).
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
}


def _document() -> dict[str, Any]:
    """The OpenAPI document as the app serves it (it needs no database), without its catch-all responses."""
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    for path_item in document["paths"].values():
        for operation in path_item.values():
            if isinstance(operation, dict):
                operation.get("responses", {}).pop("default", None)
    return document


SCHEMA = schemathesis.openapi.from_dict(_document())
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.fixture(scope="module")
def stats(request):
    """What the module ran, written under the test report."""
    counts: Counter[str] = Counter()
    yield counts
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is not None and capture is not None and counts["requests"]:
        statuses = ", ".join(f"{status}: {n}" for status, n in sorted(counts.items()) if status.isdigit())
        with capture.global_and_fixture_disabled():
            reporter.write_line(
                f"\nfuzz: {counts['examples']} examples, {counts['requests']} requests in {counts['runs']} runs "
                f"({len(OPERATIONS)} operations, anonymous and admin), {counts['5xx']} 5xx; statuses {statuses}"
            )


@pytest.fixture
def known(client, seeded, admin) -> dict[str, list[Any]]:
    """Path parameter values that exist in the seeded database, found through the API."""
    slug = "dia-japan-2025"
    conference = client.get(f"/api/v1/conferences/{slug}").get_json()
    sessions = client.get(f"/api/v1/conferences/{slug}/sessions?page_size=200", headers=admin).get_json()[
        "items"
    ]
    symposia = [s["id"] for s in sessions if s["kind"] == "satellite_symposium"]
    people = client.get("/api/v1/people?page_size=200").get_json()["items"]
    organizations = client.get("/api/v1/organizations?page_size=200").get_json()["items"]
    public = [s["id"] for s in sessions if s["status"] != "draft"]
    live = client.post(f"/api/v1/conferences/{slug}/agendas", json={"session_ids": public[:2]}).get_json()
    revoked = client.post(f"/api/v1/conferences/{slug}/agendas", json={"session_ids": public[:1]}).get_json()
    assert client.delete(f"/api/v1/agendas/{revoked['token']}").status_code == 204
    # A webhook endpoint, and one delivery to it (a session cancelled).
    hook = {"url": "https://hooks.example.org/eventapp", "events": ["session.cancelled"]}
    hooks = f"/api/v1/conferences/{slug}/webhooks"
    endpoint = client.post(hooks, json=hook, headers=admin).get_json()
    confirmed = next(s for s in sessions if s["status"] == "confirmed")
    cancel = {"status": "cancelled"}
    cancelled = client.patch(
        f"/api/v1/conferences/{slug}/sessions/{confirmed['id']}", json=cancel, headers=admin
    )
    assert cancelled.status_code == 200
    log = client.get(f"{hooks}/{endpoint['id']}/deliveries", headers=admin).get_json()
    deliveries = [d["id"] for d in log["items"]]
    assert deliveries
    # Registration: a meeting still to come that takes registrations, a workshop that needs one, and two
    # people holding its seat and its waitlist.
    future = "fuzz-2030"
    meeting = {
        "slug": future,
        "name": "Fuzz Meeting",
        "timezone": "Asia/Tokyo",
        "start_date": "2030-10-18",
        "end_date": "2030-10-18",
        "status": "published",
        "registration": {"waitlist_mode": "offer"},
    }
    assert client.post("/api/v1/conferences", json=meeting, headers=admin).status_code == 201
    base = f"/api/v1/conferences/{future}"
    workshop = {
        "code": "W1",
        "title": "Workshop",
        "status": "confirmed",
        "starts_at": "2030-10-18T10:00",
        "ends_at": "2030-10-18T11:00",
        "registration_required": True,
        "capacity": 1,
    }
    workshop = client.post(f"{base}/sessions", json=workshop, headers=admin).get_json()
    registrations = [
        client.post(
            f"{base}/registrations",
            json={
                "given_name": "Fuzz",
                "family_name": f"Person{i}",
                "email": f"fuzz{i}@example.org",
                "session_ids": [workshop["id"]],
            },
        ).get_json()
        for i in range(2)
    ]
    assert all("token" in r for r in registrations), registrations
    return {
        "slug": [slug, future],
        "room_id": [r["id"] for r in conference["rooms"]],
        "track_id": [t["id"] for t in conference["tracks"]],
        "booth_id": [b["id"] for b in conference["booths"]],
        "session_id": [s["id"] for s in sessions]
        + symposia * 3
        + [workshop["id"]] * 10,  # satellite symposia have their own paths
        "code": [s["code"] for s in sessions if s["code"]],
        "person_id": [p["id"] for p in people],
        "person_slug": [p["slug"] for p in people],
        "organization_id": [o["id"] for o in organizations],
        "token": [live["token"], revoked["token"], *(r["token"] for r in registrations)],
        "registration_id": [r["id"] for r in registrations],
        "endpoint_id": [endpoint["id"]],
        "delivery_id": deliveries,
    }


def _path_is_valid(case) -> bool:
    # A case generated to be invalid in its path must stay so, or the checks would expect it to be refused.
    path = case.meta.components.get(ParameterLocation.PATH) if case.meta else None
    return bool(case.path_parameters) and (path is None or path.mode == GenerationMode.POSITIVE)


@pytest.mark.parametrize("caller", ["anonymous", "admin"])
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_every_answer_is_documented_and_no_5xx(app, runner, known, stats, operation, caller):
    # Identity: the in-process transport would hand the checks a gzipped feed as it is.
    headers = {"Accept-Encoding": "identity"}
    if caller == "admin":
        headers |= issue_token(runner, "--role", "admin")
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
    )
    stats["runs"] += 1

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    @given(case=strategy, data=st.data())
    def run(case, data):
        stats["examples"] += 1
        if _path_is_valid(case) and data.draw(st.booleans(), label="aim at existing"):
            for name in case.path_parameters:
                case.path_parameters[name] = data.draw(st.sampled_from(known[name]), label=name)
        response = call_and_check(case, headers)
        etag = response.headers.get("etag")
        if (
            case.method == "GET"
            and response.status_code == 200
            and etag
            and data.draw(st.booleans(), label="again")
        ):
            # The same request with the copy's validator: 304, as documented.
            assert call_and_check(case, {**headers, "If-None-Match": etag[0]}).status_code == 304

    def call_and_check(case, headers):
        response = case.call(app=app, headers=headers)
        stats["requests"] += 1
        stats[str(response.status_code)] += 1
        stats["5xx"] += response.status_code >= 500
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == [value], (name, response.status_code)
        case.validate_response(response, checks=CHECKS, headers=headers, transport_kwargs={"app": app})
        return response

    run()
