"""Security headers on every answer, and personal agenda tokens: unguessable, never repeated, never stored."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from helpers import make_app
from sqlalchemy import text

from eventapp.db import get_engine
from eventapp.models import Base

DIA = "/api/v1/conferences/dia-japan-2025"
API_POLICY = "default-src 'none'; frame-ancestors 'none'"


def assert_secured(response, policy: str = API_POLICY) -> None:
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Content-Security-Policy"] == policy
    assert "Strict-Transport-Security" not in headers  # plain http
    assert "Server" not in headers


def answers(client, admin):
    """One answer of each kind the API gives, by name."""
    conference = client.get(DIA)
    feed = client.get(f"{DIA}/schedule.ics")
    yield "200", conference, 200
    yield "304", client.get(DIA, headers={"If-None-Match": conference.headers["ETag"]}), 304
    yield "404", client.get("/api/v1/conferences/no-such-meeting"), 404
    yield "422", client.get(f"{DIA}/sessions?page_size=0"), 422
    yield "401", client.post(f"{DIA}/rooms", json={"name": "Room 9"}), 401
    yield "401 bad token", client.get(f"{DIA}/sessions", headers={"Authorization": "Bearer nope"}), 401
    yield "405", client.put(DIA, json={}, headers=admin), 405
    yield (
        "413",
        client.post(f"{DIA}/agendas", data=b"[" * (1024 * 1024 + 1), content_type="application/json"),
        413,
    )
    yield "ical", feed, 200
    yield "ical 304", client.get(f"{DIA}/schedule.ics", headers={"If-None-Match": feed.headers["ETag"]}), 304
    yield "ical gzip", client.get(f"{DIA}/schedule.ics", headers={"Accept-Encoding": "gzip"}), 200
    yield "frab xml", client.get(f"{DIA}/schedule.xml"), 200
    yield "openapi", client.get("/api/v1/openapi.json"), 200
    yield "health", client.get("/healthz"), 200
    yield (
        "cors preflight",
        client.options(
            f"{DIA}/sessions",
            headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
        ),
        200,
    )
    yield "201", client.post(f"{DIA}/rooms", json={"name": "Room 9"}, headers=admin), 201


def test_every_kind_of_answer_carries_the_headers(client, admin, seeded):
    seen = set()
    for name, response, status in answers(client, admin):
        assert response.status_code == status, name
        assert_secured(response)
        seen.add(name)
    assert {"200", "304", "404", "422", "401", "ical"} <= seen


def test_rate_limited_answers_carry_them_too(database_url, app, seeded):
    limited = make_app(database_url, RATELIMIT_ENABLED=True, REDIS_URL="", AUTH_FAILURE_LIMIT="1 per minute")
    client = limited.test_client()
    bad = {"Authorization": "Bearer nope"}
    assert client.get(f"{DIA}/sessions", headers=bad).status_code == 401
    response = client.get(f"{DIA}/sessions", headers=bad)
    assert response.status_code == 429
    assert_secured(response)
    get_engine(limited).dispose()


def test_strict_transport_security_only_over_https(client, seeded):
    assert client.get(DIA, base_url="https://events.example.org").headers["Strict-Transport-Security"] == (
        "max-age=31536000"
    )
    assert "Strict-Transport-Security" not in client.get(DIA).headers
    # A header anyone can send does not make plain http secure.
    assert "Strict-Transport-Security" not in client.get(DIA, headers={"X-Forwarded-Proto": "https"}).headers


def test_behind_a_trusted_proxy_https_is_what_it_forwarded(database_url, app, seeded):
    proxied = make_app(database_url, TRUSTED_PROXIES=1)
    response = proxied.test_client().get(DIA, headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    get_engine(proxied).dispose()


def docs_policy_of(response) -> dict[str, str]:
    """The Content-Security-Policy of response, by directive."""
    return dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))


def inline_script_hash(page: bytes) -> str:
    """The CSP source of the page's one inline script."""
    inline = re.findall(rb"<script>(.*?)</script>", page, re.DOTALL)
    assert len(inline) == 1
    return "'sha256-" + base64.b64encode(hashlib.sha256(inline[0]).digest()).decode() + "'"


def test_the_docs_page_may_load_swagger_ui_and_its_own_script_and_nothing_else(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    policy = docs_policy_of(response)
    page = response.get_data()
    assets = (
        "http://localhost/api/v1/docs/"  # this service's folder of swagger-ui's files, nothing else of it
    )
    assert policy["default-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert policy["script-src"].split() == [assets, inline_script_hash(page)]
    assert policy["style-src"].split() == [assets, "'unsafe-inline'"]
    assert policy["connect-src"] == "'self'" and policy["img-src"] == "'self' data:"
    assert policy["base-uri"] == "'none'" and policy["form-action"] == "'none'"
    sources = re.findall(rb'(?:src|href)="([^"]+)"', page)
    assert len(sources) == 3
    for src in sources:
        assert src.startswith(b"/api/v1/docs/"), src  # no CDN: the docs work offline
    assert b"validatorUrl" in page  # the online validator's badge is off
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_docs_assets_come_from_the_installed_package(client):
    from swagger_ui_bundle import swagger_ui_path

    page = client.get("/api/v1/docs").get_data()
    for src in re.findall(rb'(?:src|href)="([^"]+)"', page):
        asset = client.get(src.decode())
        assert asset.status_code == 200, src
        name = src.decode().rsplit("/", 1)[1]
        with open(f"{swagger_ui_path}/{name}", "rb") as installed:
            assert asset.get_data() == installed.read()
        asset.close()
        assert asset.mimetype == ("text/css" if name.endswith(".css") else "text/javascript")
        assert "max-age" in asset.headers["Cache-Control"]
        assert_secured(asset)
    # Only swagger-ui's own files: not the package's sample pages, nothing outside its folder.
    for other in ("index.html", "oauth2-redirect.html", "swagger-initializer.js", "../__init__.py", "x.js"):
        assert client.get(f"/api/v1/docs/{other}").status_code == 404, other


def test_the_docs_policy_names_the_host_the_page_came_from_only_when_it_can(client):
    response = client.get("/api/v1/docs", base_url="https://events.example.org:8443")
    assert docs_policy_of(response)["script-src"].startswith("https://events.example.org:8443/api/v1/docs/ ")
    # A Host header that is no host cannot be written into the policy: the page falls back to its own origin.
    odd = client.get("/api/v1/docs", headers={"Host": "evil.example; script-src *"})
    assert docs_policy_of(odd)["script-src"].split()[0] == "'self'"


def test_docs_from_a_cdn_are_allowed_that_cdn_only(database_url):
    app = make_app(database_url, OPENAPI_SWAGGER_UI_URL="https://cdn.jsdelivr.net/npm/swagger-ui-dist/")
    response = app.test_client().get("/api/v1/docs")
    policy = docs_policy_of(response)
    assert policy["script-src"].split() == [
        "https://cdn.jsdelivr.net",
        inline_script_hash(response.get_data()),
    ]
    get_engine(app).dispose()


# Agenda tokens


@pytest.fixture
def agenda_tokens(client, seeded) -> list[str]:
    session_ids = [s["id"] for s in client.get(f"{DIA}/sessions").get_json()["items"]]
    tokens = []
    for i in range(40):
        response = client.post(f"{DIA}/agendas", json={"session_ids": session_ids[: i % 4]})
        assert response.status_code == 201
        assert_secured(response)
        tokens.append(response.get_json()["token"])
    return tokens


def test_agenda_tokens_are_unguessable_and_never_repeat(agenda_tokens):
    assert len(set(agenda_tokens)) == len(agenda_tokens)
    for token in agenda_tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]+", token), token  # base64url, no padding
        assert len(token) * 6 >= 128


def test_agenda_tokens_are_not_stored_anywhere(app, agenda_tokens):
    with get_engine(app).connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM agendas")).scalar_one() == len(agenda_tokens)
        stored = "\n".join(
            repr(tuple(row))
            for table in Base.metadata.sorted_tables
            for row in connection.execute(text(f'SELECT * FROM "{table.name}"'))
        )
    for token in agenda_tokens:
        assert token not in stored


def test_an_agenda_is_reached_by_its_token_only(client, agenda_tokens):
    token = agenda_tokens[0]
    assert client.get(f"/api/v1/agendas/{token}").status_code == 200
    assert client.get(f"/api/v1/agendas/{token[:-1]}").status_code == 404
    stored = hashlib.sha256(token.encode()).hexdigest()
    assert client.get(f"/api/v1/agendas/{stored}").status_code == 404
