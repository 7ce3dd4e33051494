"""The read API a newcomer tries first, and the one error shape."""

from __future__ import annotations

import json

import pytest
from helpers import MINIMAL, load, write

ERROR_KEYS = {"status", "code", "message", "errors"}


def assert_error(response, status: int, code: str):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == ERROR_KEYS
    assert (body["status"], body["code"]) == (status, code)
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def test_health(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "database": "ok",
        "notifications": {"pending": 0, "failing": 0, "dead": 0, "oldest_pending_seconds": None},
        "warnings": [],
    }


def test_conference_list_envelope_and_pagination(client, seeded, runner, tmp_path):
    assert load(runner, write(tmp_path, MINIMAL)).exit_code == 0
    first = client.get("/api/v1/conferences?page_size=1").get_json()
    assert set(first) == {"items", "total", "page", "page_size"}
    assert (first["total"], first["page"], first["page_size"], len(first["items"])) == (2, 1, 1, 1)
    second = client.get("/api/v1/conferences?page_size=1&page=2").get_json()
    assert len(second["items"]) == 1
    assert {first["items"][0]["slug"], second["items"][0]["slug"]} == {"dia-japan-2025", "tiny-2025"}
    beyond = client.get("/api/v1/conferences?page=3&page_size=1").get_json()
    assert beyond["items"] == [] and beyond["total"] == 2


@pytest.mark.parametrize(
    ("query", "field"),
    [("page_size=201", "page_size"), ("page_size=0", "page_size"), ("page=0", "page"), ("page=abc", "page")],
)
def test_bad_paging_is_a_located_422(client, query, field):
    body = assert_error(client.get(f"/api/v1/conferences?{query}"), 422, "validation_failed")
    assert body["errors"][0]["location"] == "query"
    assert body["errors"][0]["field"] == field


def test_unknown_things_are_404_in_the_error_shape(client, seeded):
    body = assert_error(client.get("/api/v1/conferences/no-such-meeting"), 404, "not_found")
    assert body["errors"] == [
        {"location": "path", "field": "slug", "message": "No published conference 'no-such-meeting'."}
    ]
    assert_error(client.get("/api/v1/conferences/no-such-meeting/sessions"), 404, "not_found")
    assert_error(client.get("/no/such/url"), 404, "not_found")


def test_wrong_method_is_405_with_allow(client):
    response = client.delete("/api/v1/conferences")
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_drafts_are_not_public(client, runner, tmp_path):
    draft = MINIMAL.replace("status: published", "status: draft")
    assert load(runner, write(tmp_path, draft)).exit_code == 0
    assert client.get("/api/v1/conferences").get_json()["total"] == 0
    assert_error(client.get("/api/v1/conferences/tiny-2025"), 404, "not_found")

    published = MINIMAL.replace("    status: confirmed\n", "    status: draft\n")
    assert load(runner, write(tmp_path, published)).exit_code == 0
    assert client.get("/api/v1/conferences/tiny-2025/sessions").get_json()["total"] == 0


def test_cancelled_sessions_stay_visible(client, runner, tmp_path):
    cancelled = MINIMAL.replace("    status: confirmed\n", "    status: cancelled\n")
    assert load(runner, write(tmp_path, cancelled)).exit_code == 0
    items = client.get("/api/v1/conferences/tiny-2025/sessions").get_json()["items"]
    assert [s["status"] for s in items] == ["cancelled"]


def test_sessions_in_start_order_with_people_and_offsets(client, seeded):
    body = client.get("/api/v1/conferences/dia-japan-2025/sessions").get_json()
    starts = [s["starts_at"] for s in body["items"]]
    assert starts == sorted(starts) and body["total"] == len(starts) == 7
    session = body["items"][0]
    assert {
        "id",
        "code",
        "title",
        "abstract",
        "kind",
        "status",
        "starts_at",
        "ends_at",
        "room",
        "track",
        "participants",
    } <= set(session)
    participant = next(s for s in body["items"] if s["participants"])["participants"][0]
    assert {"role", "order", "person"} <= set(participant)
    assert {"id", "given_name", "family_name", "organization"} <= set(participant["person"])


def test_private_email_is_never_published(client, runner, tmp_path):
    assert load(runner, write(tmp_path, MINIMAL)).exit_code == 0
    for url in (
        "/api/v1/conferences",
        "/api/v1/conferences/tiny-2025",
        "/api/v1/conferences/tiny-2025/sessions",
    ):
        text = client.get(url).get_data(as_text=True)
        assert "sun@example.com" not in text and '"email"' not in text


def test_openapi_document_describes_the_api_and_the_error_shape(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {
        "/api/v1/conferences",
        "/api/v1/conferences/{slug}",
        "/api/v1/conferences/{slug}/sessions",
        "/healthz",
    } <= set(spec["paths"])
    error = spec["components"]["schemas"]["Error"]
    assert set(error["properties"]) == ERROR_KEYS
    assert client.get("/api/v1/docs").status_code == 200


def test_json_is_utf8_not_escaped(client, seeded):
    raw = client.get("/api/v1/conferences/dia-japan-2025/sessions").get_data()
    assert "宇山 佳明".encode() in raw
    json.loads(raw)
