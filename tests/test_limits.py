"""Limits: rate limits per client address (failed authentications, agenda creation), and the limits on what a
request may hold (body size, page size, text lengths, number ranges, control characters), each refused in the
one error shape, never with a 5xx, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import os
import uuid

import pytest
from helpers import issue_token, make_app, row_counts

from eventapp import create_app
from eventapp.db import get_engine

REDIS_URL = os.environ.get("TEST_REDIS_URL")
requires_redis = pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is not set (.ci/run sets it)")
DIA = "/api/v1/conferences/dia-japan-2025"
ALICE = {"REMOTE_ADDR": "198.51.100.7"}
BOB = {"REMOTE_ADDR": "203.0.113.9"}
WRONG = {"Authorization": "Bearer evt_not-a-token-anyone-was-given"}


@pytest.fixture
def limited(app, database_url):
    """Build apps on the test database with rate limits on (each with keys of its own in a shared storage)."""
    built = []

    def build(**config):
        config = {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex,
            "REDIS_URL": "",
            **config,
        }
        built.append(make_app(database_url, **config))
        return built[-1]

    yield build
    for made in built:
        get_engine(made).dispose()


def assert_429(response, words: str, longest: int) -> dict:
    body = response.get_json()
    assert response.status_code == 429, body
    assert body["status"] == 429 and body["code"] == "too_many_requests" and words in body["message"]
    assert 1 <= int(response.headers["Retry-After"]) <= longest
    return body


# Failed authentications


def test_failed_authentications_are_limited_per_address(limited, runner, seeded):
    client = limited(AUTH_FAILURE_LIMIT="5 per minute").test_client()
    admin = issue_token(runner, "--role", "admin")
    for _ in range(5):
        assert client.get(f"{DIA}/sessions", headers=WRONG, environ_base=ALICE).status_code == 401
    assert_429(client.get(f"{DIA}/sessions", headers=WRONG, environ_base=ALICE), "failed authentications", 60)
    # Past the limit even the right token is refused, so that a lucky guess cannot be told from a wrong one.
    assert_429(
        client.post(f"{DIA}/rooms", json={"name": "Room 9"}, headers=admin, environ_base=ALICE),
        "failed authentications",
        60,
    )
    # Without a token the address still reads what is public; other addresses are not affected.
    assert client.get(f"{DIA}/sessions", environ_base=ALICE).status_code == 200
    assert client.get(f"{DIA}/sessions", headers=WRONG, environ_base=BOB).status_code == 401
    assert (
        client.post(f"{DIA}/rooms", json={"name": "Room 9"}, headers=admin, environ_base=BOB).status_code
        == 201
    )


def test_revoked_tokens_count_and_good_ones_do_not(limited, runner, seeded):
    client = limited(AUTH_FAILURE_LIMIT="3 per minute").test_client()
    admin = issue_token(runner, "--role", "admin")
    revoked = issue_token(runner, "--role", "admin", "--name", "gone")
    listing = runner.invoke(args=["tokens", "list"]).output
    token_id = next(line for line in listing.splitlines() if "\tgone\t" in line).split("\t")[0]
    assert runner.invoke(args=["tokens", "revoke", token_id]).exit_code == 0
    for _ in range(10):
        assert client.get(f"{DIA}/sessions", headers=admin, environ_base=ALICE).status_code == 200
    for _ in range(3):
        assert client.get(f"{DIA}/sessions", headers=revoked, environ_base=ALICE).status_code == 401
    assert_429(
        client.get(f"{DIA}/sessions", headers=revoked, environ_base=ALICE), "failed authentications", 60
    )


def test_the_default_is_twenty_failures_a_minute(limited, seeded):
    client = limited().test_client()
    statuses = [
        client.get(f"{DIA}/sessions", headers=WRONG, environ_base=ALICE).status_code for _ in range(21)
    ]
    assert statuses == [401] * 20 + [429]


def test_limits_come_from_the_environment(limited, database_url, monkeypatch, seeded):
    monkeypatch.setenv("AUTH_FAILURE_LIMIT", "2 per hour")
    client = limited().test_client()
    statuses = [
        client.get(f"{DIA}/sessions", headers=WRONG, environ_base=ALICE).status_code for _ in range(3)
    ]
    assert statuses == [401, 401, 429]
    assert int(client.get(f"{DIA}/sessions", headers=WRONG, environ_base=ALICE).headers["Retry-After"]) > 60

    for switch, expected in (("1", {401, 429}), ("0", {401})):
        monkeypatch.setenv("RATE_LIMITS", switch)
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": database_url,
                "REDIS_URL": "",
                "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex,
            }
        )
        client = app.test_client()
        assert {
            client.get(f"{DIA}/sessions", headers=WRONG, environ_base=ALICE).status_code for _ in range(3)
        } == expected
        get_engine(app).dispose()


@pytest.mark.parametrize("proxies", [0, 1])
def test_behind_a_trusted_proxy_the_forwarded_address_counts(limited, seeded, proxies):
    client = limited(AUTH_FAILURE_LIMIT="2 per minute", TRUSTED_PROXIES=proxies).test_client()

    def failed_from(address: str) -> int:
        forwarded = {**WRONG, "X-Forwarded-For": address}
        return client.get(f"{DIA}/sessions", headers=forwarded, environ_base=ALICE).status_code

    statuses = [failed_from(address) for address in ("192.0.2.1", "192.0.2.1", "192.0.2.2", "192.0.2.2")]
    # Behind the proxy each client has its own count; without one, a forged header changes nothing.
    assert statuses == ([401] * 4 if proxies else [401, 401, 429, 429])


def test_a_limit_that_does_not_parse_stops_the_app_from_starting(limited):
    with pytest.raises(ValueError):
        limited(AGENDA_CREATION_LIMIT="thirty an hour")


# Agenda creation


def test_agenda_creation_is_limited_per_address(limited, client, seeded):
    limited_client = limited(AGENDA_CREATION_LIMIT="30 per hour").test_client()
    session_id = client.get(f"{DIA}/sessions").get_json()["items"][0]["id"]
    for _ in range(30):
        made = limited_client.post(f"{DIA}/agendas", json={"session_ids": [session_id]}, environ_base=ALICE)
        assert made.status_code == 201
    before = row_counts(client.application)
    refused = limited_client.post(f"{DIA}/agendas", json={"session_ids": [session_id]}, environ_base=ALICE)
    assert_429(refused, "agendas", 3600)
    assert row_counts(client.application) == before
    # The agendas already made keep working; another address may still make one.
    token = made.get_json()["token"]
    assert (
        limited_client.put(
            f"/api/v1/agendas/{token}", json={"session_ids": []}, environ_base=ALICE
        ).status_code
        == 200
    )
    assert (
        limited_client.post(f"{DIA}/agendas", json={"session_ids": []}, environ_base=BOB).status_code == 201
    )


@requires_redis
def test_with_redis_every_worker_counts_together(limited, seeded):
    prefix = uuid.uuid4().hex
    workers = [
        limited(REDIS_URL=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix, AUTH_FAILURE_LIMIT="4 per minute")
        for _ in range(2)
    ]
    statuses = [
        workers[i % 2].test_client().get(f"{DIA}/sessions", headers=WRONG, environ_base=ALICE).status_code
        for i in range(5)
    ]
    assert statuses == [401] * 4 + [429]


def test_without_redis_each_worker_counts_on_its_own(limited, seeded):
    prefix = uuid.uuid4().hex
    workers = [limited(RATELIMIT_KEY_PREFIX=prefix, AUTH_FAILURE_LIMIT="4 per minute") for _ in range(2)]
    statuses = [
        workers[i % 2].test_client().get(f"{DIA}/sessions", headers=WRONG, environ_base=ALICE).status_code
        for i in range(5)
    ]
    assert statuses == [401] * 5


def test_when_redis_is_gone_each_worker_still_counts(limited, seeded, caplog):
    client = limited(REDIS_URL="redis://127.0.0.1:1/0", AUTH_FAILURE_LIMIT="2 per minute").test_client()
    statuses = [
        client.get(f"{DIA}/sessions", headers=WRONG, environ_base=ALICE).status_code for _ in range(3)
    ]
    assert statuses == [401, 401, 429]
    assert "rate limit storage unavailable" in caplog.text


# What a request may hold


@pytest.mark.parametrize("path", ["/api/v1/organizations", f"{DIA}/sessions", f"{DIA}/agendas"])
def test_bodies_over_max_content_length_are_413(limited, admin, seeded, path):
    client = limited(MAX_CONTENT_LENGTH=1000).test_client()
    before = row_counts(client.application)
    response = client.post(
        path, data=b'{"name": "' + b"x" * 1000 + b'"}', content_type="application/json", headers=admin
    )
    body = response.get_json()
    assert (
        response.status_code == 413
        and body["code"] == "payload_too_large"
        and "1000 bytes" in body["message"]
    )
    assert row_counts(client.application) == before


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/conferences",
        "/api/v1/people",
        "/api/v1/organizations",
        f"{DIA}/sessions",
        f"{DIA}/satellite-symposia",
        f"{DIA}/rooms",
        f"{DIA}/tracks",
        f"{DIA}/booths",
    ],
)
def test_pages_hold_at_most_200(client, seeded, path):
    assert client.get(f"{path}?page_size=200").status_code == 200
    for query, field in (("page_size=201", "page_size"), ("page=2147483648", "page"), ("page=1.5", "page")):
        body = client.get(f"{path}?{query}").get_json()
        assert body["status"] == 422 and body["errors"][0]["location"] == "query"
        assert body["errors"][0]["field"] == field


# One text of each column length, as long as the column holds (in characters, CJK too), then one longer.
TEXTS = [
    ("/api/v1/organizations", {}, "name", 200),
    ("/api/v1/organizations", {"name": "Org"}, "native_name", 200),
    ("/api/v1/people", {"given_name": "A"}, "family_name", 200),
    ("/api/v1/people", {"given_name": "A", "family_name": "B"}, "honorific", 64),
    ("/api/v1/people", {"given_name": "A", "family_name": "B"}, "position", 500),
    (f"{DIA}/rooms", {}, "name", 200),
    (f"{DIA}/booths", {"organization_id": 1}, "label", 64),
    (f"{DIA}/sessions", {"starts_at": "2025-10-19T09:00", "ends_at": "2025-10-19T10:00"}, "title", 500),
    (
        f"{DIA}/sessions",
        {"title": "T", "starts_at": "2025-10-19T09:00", "ends_at": "2025-10-19T10:00"},
        "code",
        64,
    ),
]


@pytest.mark.parametrize(
    ("path", "body", "field", "length"),
    TEXTS,
    ids=[f"{path.split('/')[-1]}.{field}" for path, _, field, _ in TEXTS],
)
def test_texts_longer_than_their_column_are_422(client, admin, seeded, path, body, field, length):
    if "organization_id" in body:
        body = {**body, "organization_id": client.get("/api/v1/organizations").get_json()["items"][0]["id"]}
    assert client.post(path, json={**body, field: "東" * length}, headers=admin).status_code == 201
    response = client.post(path, json={**body, field: "京" * (length + 1)}, headers=admin)
    assert response.status_code == 422
    [error] = response.get_json()["errors"]
    assert error["location"] == "json" and error["field"] == field and f"and {length}." in error["message"]


def test_a_text_is_blank_only_when_it_has_nothing_visible(client, admin):
    assert client.post("/api/v1/organizations", json={"name": " 0"}, headers=admin).status_code == 201
    response = client.post("/api/v1/organizations", json={"name": " \u3000\t"}, headers=admin)
    assert response.status_code == 422 and response.get_json()["errors"][0]["message"] == "Must not be blank."


def test_a_language_tag_longer_than_its_column_is_422(client, admin, seeded):
    session = {"title": "T", "starts_at": "2025-10-19T09:00", "ends_at": "2025-10-19T10:00"}
    assert (
        client.post(f"{DIA}/sessions", json={**session, "language": "zh-Hant-TW"}, headers=admin).status_code
        == 201
    )
    response = client.post(
        f"{DIA}/sessions", json={**session, "language": "en-abcdefgh-abcdefgh"}, headers=admin
    )
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "language"


def test_a_slug_made_from_a_long_name_stays_within_its_column(client, admin):
    person = {
        "given_name": "Bartholomew-Maximilian Alexander",
        "family_name": "Featherstonehaugh-Cholmondeley",
    }
    slugs = [client.post("/api/v1/people", json=person, headers=admin).get_json()["slug"] for _ in range(3)]
    assert len(set(slugs)) == 3 and all(len(slug) <= 64 for slug in slugs)
    assert slugs[1].endswith("-2") and slugs[2].endswith("-3")


# Numbers and characters that the database could not take: refused before it sees them


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/people/2147483648",
        "/api/v1/organizations/99999999999999999999999",
        f"{DIA}/rooms/2147483648",
        f"{DIA}/sessions/0",
        "/api/v1/people/2147483648/schedule.ics",
        "/api/v1/conferences/a%00b",
        "/api/v1/conferences/a%00b/schedule.ics",
        "/api/v1/conferences/DIA-JAPAN-2025",
    ],
)
def test_ids_and_slugs_that_cannot_exist_are_404(client, seeded, path):
    response = client.get(path)
    assert response.status_code == 404 and response.get_json()["code"] == "not_found"


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/people?organization_id=2147483648",
        f"{DIA}/sessions?room=-1",
        f"{DIA}/schedule?person=10000000000000",
        "/api/v1/people?q=a%00b",
        "/api/v1/organizations?q=%01",
        f"{DIA}/sessions?q=a%00b",
    ],
)
def test_query_values_the_database_could_not_compare_are_422(client, seeded, query):
    body = client.get(query).get_json()
    assert body["status"] == 422 and body["errors"][0]["location"] == "query"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("capacity", 2.5),
        ("capacity", 1e300),
        ("capacity", 10**30),
        ("capacity", True),
        ("capacity", "12 seats"),
    ],
)
def test_numbers_are_whole_and_in_range_or_422(client, admin, seeded, field, value):
    response = client.post(f"{DIA}/rooms", json={"name": "Room 9", field: value}, headers=admin)
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == field


def test_a_whole_number_written_as_a_float_is_taken(client, admin, seeded):
    response = client.post(f"{DIA}/rooms", json={"name": "Room 9", "capacity": 120.0}, headers=admin)
    assert response.status_code == 201 and response.get_json()["capacity"] == 120


@pytest.mark.parametrize(
    "body",
    [
        {"session_ids": [2147483648]},
        {"session_ids": [1.5]},
        {"session_ids": [0]},
    ],
)
def test_agenda_references_out_of_range_are_422(client, seeded, body):
    response = client.post(f"{DIA}/agendas", json=body)
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"].startswith("session_ids")


def test_a_body_that_is_not_json_is_400_as_documented(client, admin, seeded):
    response = client.post(f"{DIA}/agendas", data=b"\x00", content_type="application/json")
    assert response.status_code == 400 and response.get_json()["code"] == "bad_request"
    operation = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/conferences/{slug}/agendas"][
        "post"
    ]
    assert {"400", "413", "422", "429"} <= set(operation["responses"])


# Registration


def test_registration_is_limited_per_address(limited, client, admin):
    meeting = {
        "slug": "limits-2030",
        "name": "Limits",
        "timezone": "Asia/Tokyo",
        "start_date": "2030-10-18",
        "end_date": "2030-10-18",
        "status": "published",
        "registration": {},
    }
    assert client.post("/api/v1/conferences", json=meeting, headers=admin).status_code == 201
    limited_client = limited(REGISTRATION_CREATION_LIMIT="3 per hour").test_client()
    path = "/api/v1/conferences/limits-2030/registrations"

    def body(n):
        return {"given_name": "A", "family_name": "B", "email": f"l{n}@example.org"}

    for n in range(3):
        assert limited_client.post(path, json=body(n), environ_base=ALICE).status_code == 201
    before = row_counts(client.application)
    assert_429(limited_client.post(path, json=body(9), environ_base=ALICE), "registrations", 3600)
    assert row_counts(client.application) == before
    assert limited_client.post(path, json=body(9), environ_base=BOB).status_code == 201
