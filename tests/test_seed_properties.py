"""`flask seed load` over generated seed files (Hypothesis): every valid file loads, and loading it again changes
nothing; a valid file with one field set to a wrong value is refused, the problem named with its line and path,
and nothing stored.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
import yaml
from helpers import empty_tables, issue_token, row_counts
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from eventapp.enums import ConferenceStatus, Delivery, OrganizationKind, Role, SessionKind, SessionStatus
from eventapp.seeding.problems import format_path

# No shrinking: each example is a few loads through the CLI, and a failing one is printed whole anyway.
SETTINGS = settings(
    max_examples=50,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TIMEZONES = ["Asia/Tokyo", "UTC", "America/New_York", "Asia/Kolkata", "Pacific/Chatham", "Europe/Berlin"]
COUNTRIES = ["JP", "CN", "KR", "TW", "US", "DE", "NO"]  # NO: Norway, not false
LANGUAGES = ["en", "ja", "zh", "zh-Hans", "ko"]


# Valid seed files


def texts(longest: int) -> st.SearchStrategy[str]:
    """Names and titles in any script, with punctuation and symbols; now and then exactly as long as allowed."""
    characters = st.characters(categories=["L", "N", "P", "S", "Zs"])
    short = st.text(characters, min_size=1, max_size=16)
    return st.one_of(short, short, short, st.text(characters, min_size=longest, max_size=longest)).filter(
        str.strip
    )


slugs = st.from_regex(r"[a-z0-9]{1,10}(-[a-z0-9]{1,8}){0,2}", fullmatch=True)


@st.composite
def seed_documents(draw) -> dict[str, Any]:
    """A meeting whose every part is valid and whose sessions never overlap."""
    start = draw(st.dates(date(2020, 1, 1), date(2030, 12, 1)))
    days = draw(st.integers(1, 3))
    conference = {
        "slug": draw(slugs),
        "name": draw(texts(200)),
        "timezone": draw(st.sampled_from(TIMEZONES)),
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=days - 1)).isoformat(),
        "status": draw(st.sampled_from([s.value for s in ConferenceStatus])),
        "languages": draw(st.lists(st.sampled_from(LANGUAGES), unique=True, max_size=3)),
        "venue": {"name": draw(texts(200)), "country": draw(st.sampled_from(COUNTRIES))},
    }
    if draw(st.booleans()):
        conference |= {
            "series": draw(texts(200)),
            "edition": draw(st.integers(1, 2**31 - 1)),
            "name_translations": {"ja": draw(texts(200))},
            "website": "https://example.org/meeting",
        }
    organizations = [
        {
            "name": name,
            "kind": draw(st.sampled_from([k.value for k in OrganizationKind])),
            "country": draw(st.sampled_from([None, *COUNTRIES])),
        }
        for name in draw(st.lists(texts(200), unique=True, max_size=4))
    ]
    names = [o["name"] for o in organizations]
    people = [
        {
            "slug": slug,
            "given_name": draw(texts(200)),
            "family_name": draw(texts(200)),
            "family_name_first": draw(st.booleans()),
            "honorific": draw(st.sampled_from([None, "Dr.", "Prof."])),
            "organization": draw(st.sampled_from([None, *names])),
            "email": f"{slug}@example.org",
        }
        for slug in draw(st.lists(slugs, unique=True, max_size=4))
    ]
    rooms = [
        {
            "name": name,
            "capacity": draw(st.none() | st.integers(0, 1_000_000)),
            "is_online": draw(st.booleans()),
        }
        for name in draw(st.lists(texts(200), unique=True, max_size=3))
    ]
    tracks = [
        {"name": name, "color": draw(st.from_regex(r"#[0-9a-fA-F]{6}", fullmatch=True))}
        for name in draw(st.lists(texts(200), unique=True, max_size=2))
    ]
    booths = [
        {
            "label": label,
            "organization": draw(st.sampled_from(names)),
            "location": draw(st.none() | texts(200)),
        }
        for label in (draw(st.lists(texts(64), unique=True, max_size=2)) if names else [])
    ]
    sessions = []
    for i, code in enumerate(draw(st.lists(texts(64), unique=True, max_size=5))):
        kind = draw(st.sampled_from([k.value for k in SessionKind]))
        if kind == SessionKind.SATELLITE_SYMPOSIUM.value and not names:
            kind = SessionKind.SESSION.value
        day = start + timedelta(days=i % days)
        minutes = draw(st.integers(15, 60))
        people_in = (
            draw(st.lists(st.sampled_from(people), unique_by=lambda p: p["slug"], max_size=3))
            if people
            else []
        )
        sessions.append(
            {
                "code": code,
                "title": draw(texts(500)),
                "kind": kind,
                "status": draw(st.sampled_from([s.value for s in SessionStatus])),
                # One hour of its own for each session: no two can overlap, in a room or for a person.
                "starts_at": f"{day}T{8 + i:02d}:00",
                "ends_at": f"{day}T{8 + i:02d}:{minutes % 60:02d}"
                if minutes < 60
                else f"{day}T{9 + i:02d}:00",
                "room": draw(st.sampled_from([None, *[r["name"] for r in rooms]])),
                "track": draw(st.sampled_from([None, *[t["name"] for t in tracks]])),
                "sponsor": draw(st.sampled_from(names))
                if kind == SessionKind.SATELLITE_SYMPOSIUM.value
                else None,
                "language": draw(st.sampled_from([None, *LANGUAGES])),
                "interpretation": draw(st.lists(st.sampled_from(LANGUAGES), unique=True, max_size=2)),
                "delivery": draw(st.sampled_from([d.value for d in Delivery])),
                "participants": [
                    {
                        "person": person["slug"],
                        "role": draw(st.sampled_from([r.value for r in Role])),
                        "order": order,
                        "remote": draw(st.booleans()),
                    }
                    for order, person in enumerate(people_in)
                ],
            }
        )
    return {
        "conference": conference,
        "organizations": organizations,
        "people": people,
        "rooms": rooms,
        "tracks": tracks,
        "booths": booths,
        "sessions": sessions,
    }


# Mutations: one field of a valid file set to a wrong value, and the path the refusal must name


def mutations(doc: dict[str, Any]) -> list[tuple[tuple[str | int, ...], list[Any]]]:
    """Every (path, wrong values) that applies to doc."""
    start = date.fromisoformat(doc["conference"]["start_date"])
    found: list[tuple[tuple[str | int, ...], list[Any]]] = [
        (("conference", "slug"), ["Not a slug", "-lead", "a--b", "x" * 65, 42, None]),
        (("conference", "name"), ["", "   ", None, "x" * 201, "NUL \x00 inside", ["a", "list"]]),
        (("conference", "timezone"), ["Asia/Tokio", "Mars/Olympus_Mons", "+09:00", 9]),
        (("conference", "start_date"), ["2025-02-30", "tomorrow", 20251019]),
        (("conference", "end_date"), [(start - timedelta(days=1)).isoformat()]),
        (("conference", "status"), ["live", True]),
        (("conference", "languages"), [["english"], "en"]),
        (("conference", "edition"), [0, -3, 2.5, "first", 2**31]),
        (("conference", "website"), ["not a url"]),
        (("conference", "venue", "country"), ["Japan", "jp"]),
        (("conference", "surprise"), ["a field the format does not have"]),
    ]
    for i in range(len(doc["organizations"])):
        found += [
            (("organizations", i, "kind"), ["company", 3]),
            (("organizations", i, "country"), ["JPN", 81]),
            (("organizations", i, "name"), ["", None, "x" * 201]),
        ]
    for i in range(len(doc["people"])):
        found += [
            (("people", i, "slug"), ["Bad Slug", "ü"]),
            (("people", i, "email"), ["not-an-email"]),
            (("people", i, "organization"), ["Nowhere Inc"]),
            (("people", i, "given_name"), ["", None]),
            (("people", i, "family_name_first"), ["sometimes", 2]),
        ]
    for i in range(len(doc["rooms"])):
        found += [
            (("rooms", i, "capacity"), [-1, 1_000_001, 2.5, "big"]),
            (("rooms", i, "is_online"), ["sometimes", 2]),
        ]
    for i in range(len(doc["tracks"])):
        found += [(("tracks", i, "color"), ["red", "#12345", "#gggggg"])]
    for i in range(len(doc["booths"])):
        found += [(("booths", i, "organization"), ["Nobody Ltd"]), (("booths", i, "label"), ["", "x" * 65])]
    for i, session in enumerate(doc["sessions"]):
        found += [
            (("sessions", i, "kind"), ["lecture"]),
            (("sessions", i, "status"), ["done"]),
            (("sessions", i, "starts_at"), ["soon", "2025-13-01T10:00", "1999-01-01T10:00"]),
            (("sessions", i, "ends_at"), [session["starts_at"]]),
            (("sessions", i, "room"), ["Nowhere Hall"]),
            (("sessions", i, "track"), ["No Such Track"]),
            (("sessions", i, "sponsor"), ["Ghost Corp"]),
            (("sessions", i, "language"), ["english", "e"]),
            (("sessions", i, "interpretation"), [["x"], "ja"]),
            (("sessions", i, "delivery"), ["telepathy"]),
            (("sessions", i, "title"), ["", None, "x" * 501]),
        ]
        if i:
            found += [(("sessions", i, "code"), [doc["sessions"][0]["code"]])]  # defined twice
        for j, _participant in enumerate(session["participants"]):
            found += [
                (("sessions", i, "participants", j, "role"), ["boss"]),
                (("sessions", i, "participants", j, "person"), ["nobody"]),
                (("sessions", i, "participants", j, "order"), [-1, 10_001, 1.5]),
            ]
    return found


def with_value(doc: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    copy = yaml.safe_load(yaml.safe_dump(doc))
    target = copy
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return copy


# Through the command line, as an organizer would


@pytest.fixture
def loader(app, runner, client, tmp_path):
    """Start empty; write a document to a file and `flask seed load` it; read back what the API shows."""

    class Loader:
        def reset(self) -> None:
            empty_tables(app)
            self.admin = issue_token(runner, "--role", "admin")

        def load(self, doc: dict[str, Any]):
            path = tmp_path / "seed.yaml"
            path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
            return runner.invoke(args=["seed", "load", str(path)])

        def shown(self, slug: str) -> dict[str, Any]:
            base = f"/api/v1/conferences/{slug}"
            return {
                "rows": row_counts(app),
                "conference": client.get(base, headers=self.admin).get_json(),
                "sessions": client.get(f"{base}/sessions?page_size=200", headers=self.admin).get_json(),
                "people": client.get("/api/v1/people?page_size=200").get_json(),
                "organizations": client.get("/api/v1/organizations?page_size=200").get_json(),
            }

    return Loader()


def test_valid_files_load_and_a_second_load_changes_nothing(loader):
    @SETTINGS
    @given(doc=seed_documents())
    def run(doc):
        loader.reset()
        first = loader.load(doc)
        assert first.exit_code == 0, first.output
        slug = doc["conference"]["slug"]
        shown = loader.shown(slug)
        assert shown["conference"]["name"] == doc["conference"]["name"]
        assert shown["sessions"]["total"] == len(doc["sessions"])
        assert {s["code"]: s["title"] for s in shown["sessions"]["items"]} == {
            s["code"]: s["title"] for s in doc["sessions"]
        }
        assert shown["people"]["total"] == len(doc["people"])
        assert shown["organizations"]["total"] == len(doc["organizations"])

        again = loader.load(doc)
        assert again.exit_code == 0, again.output
        assert re.findall(r"(\d+) created, (\d+) changed", again.output) == [("0", "0")] * len(
            re.findall(r"created", first.output)
        )
        assert loader.shown(slug) == shown

    run()


def test_a_wrong_value_anywhere_is_refused_with_its_place_and_nothing_stored(loader):
    @SETTINGS
    @given(doc=seed_documents(), data=st.data())
    def run(doc, data):
        loader.reset()
        assert loader.load(doc).exit_code == 0
        before = loader.shown(doc["conference"]["slug"])
        path, wrong_values = data.draw(st.sampled_from(mutations(doc)), label="field")
        wrong = with_value(doc, path, data.draw(st.sampled_from(wrong_values), label="value"))

        result = loader.load(wrong)
        assert result.exit_code == 1, result.output
        assert "refused, nothing was stored" in result.output
        problems = result.output.splitlines()[1:]
        assert problems and all(re.match(r"  line \d+: \S", line) for line in problems), result.output
        named = re.compile(re.escape(format_path(path)) + r"(?:$|[.\[])")
        assert any(named.match(line.split(": ", 2)[1]) for line in problems), (path, result.output)
        assert loader.shown(doc["conference"]["slug"]) == before

    run()
