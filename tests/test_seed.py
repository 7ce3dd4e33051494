"""`flask seed load`: the DIA Japan meeting as the article describes it, idempotent loads, located refusals."""

from __future__ import annotations

import re
import textwrap
from datetime import datetime

import pytest
from helpers import DIA_SEED, MINIMAL, load, row_counts, write

from eventapp.db import get_engine


def sessions_by_code(client, slug="dia-japan-2025"):
    body = client.get(f"/api/v1/conferences/{slug}/sessions?page_size=200").get_json()
    return {s["code"]: s for s in body["items"]}


def people_in(session):
    return {(p["role"], p["person"]["display_name"]) for p in session["participants"]}


# The meeting as the article describes it


def test_dia_meeting_is_browsable(client, seeded):
    conference = client.get("/api/v1/conferences/dia-japan-2025").get_json()
    assert conference["name"] == "22nd DIA Japan Annual Meeting"
    assert conference["series"] == "DIA Japan Annual Meeting"
    assert conference["edition"] == 22
    assert conference["timezone"] == "Asia/Tokyo"
    assert (conference["start_date"], conference["end_date"]) == ("2025-10-19", "2025-10-21")
    assert conference["venue"]["name"] == "Tokyo Big Sight"
    assert conference["venue"]["city"] == "Tokyo"
    assert {b["organization"]["name"] for b in conference["booths"]} >= {"Tigermed"}


def test_china_town_hall_people_in_their_roles(client, seeded):
    town_hall = next(s for s in sessions_by_code(client).values() if s["title"] == "China Town Hall")
    assert town_hall["kind"] == "town_hall"
    assert {
        ("moderator", "Su Ling"),
        ("co_host", "Zhang Dingheng"),
        ("co_host", "Hitoshi Endo"),
    } <= people_in(town_hall)
    by_name = {p["person"]["display_name"]: p for p in town_hall["participants"]}
    assert by_name["Zhang Dingheng"]["person"]["organization"]["name"].startswith(
        "China Center for Food and Drug International Exchange"
    )
    assert by_name["Hitoshi Endo"]["person"]["position"].startswith("Director of the Asian Training Center")
    # The online speech
    online = by_name["Lv Shuchao"]
    assert online["remote"] is True
    assert online["presentation_title"].startswith("New Technologies Empower Clinical Trial Inspections")


def test_roundtable_and_satellite_symposium(client, seeded):
    sessions = sessions_by_code(client).values()
    title = (
        "Delivering Innovative Medicines Faster to Patients in Asia – From Perspective of China-Japan "
        "Collaboration in Simultaneous Global Development"
    )
    roundtable = next(s for s in sessions if s["title"] == title)
    assert roundtable["kind"] == "roundtable"
    assert ("organizer", "Yoshiaki Uyama") in people_in(roundtable)
    uyama = next(p["person"] for p in roundtable["participants"] if p["role"] == "organizer")
    assert uyama["native_name"] == "宇山 佳明"
    assert uyama["organization"]["kind"] == "regulator"

    satellite = next(s for s in sessions if s["kind"] == "satellite_symposium")
    assert satellite["sponsor"]["name"] == "Tigermed"
    assert satellite["participants"][0]["presentation_title"] == (
        "Unlocking the Opportunities of Real-World Evidence (RWE) in China"
    )


def test_times_carry_the_conference_offset(client, seeded):
    for session in sessions_by_code(client).values():
        assert session["starts_at"].endswith("+09:00"), session["starts_at"]
        assert session["ends_at"].endswith("+09:00")
    satellite = sessions_by_code(client)["SAT-TIGERMED"]
    assert satellite["starts_at"] == "2025-10-20T12:00:00+09:00"


# Idempotent loads and edits


def test_loading_twice_changes_nothing(client, runner, app, seeded):
    before = client.get("/api/v1/conferences/dia-japan-2025").get_json()
    sessions_before = sessions_by_code(client)
    counts = row_counts(app)

    again = load(runner, DIA_SEED)

    assert again.exit_code == 0, again.output
    assert " 0 created, 0 changed" in again.output
    assert "created, 0 changed" in again.output and " 1 created" not in again.output
    assert row_counts(app) == counts
    after = client.get("/api/v1/conferences/dia-japan-2025").get_json()
    assert after["schedule_version"] == before["schedule_version"]
    assert after["updated_at"] == before["updated_at"]
    assert sessions_by_code(client) == sessions_before


def test_seed_edits_move_version_and_sequence(client, runner, tmp_path):
    assert load(runner, write(tmp_path, MINIMAL)).exit_code == 0
    version = client.get("/api/v1/conferences/tiny-2025").get_json()["schedule_version"]
    session = sessions_by_code(client, "tiny-2025")["S1"]

    # A new room for the session: a SEQUENCE change
    moved = MINIMAL.replace(
        "rooms:\n  - name: Room 101\n", "rooms:\n  - name: Room 101\n  - name: Room 605\n"
    )
    moved = moved.replace("    room: Room 101\n", "    room: Room 605\n")
    result = load(runner, write(tmp_path, moved))
    assert result.exit_code == 0, result.output
    assert "sessions: 0 created, 1 changed" in result.output
    after = sessions_by_code(client, "tiny-2025")["S1"]
    assert after["room"]["name"] == "Room 605"
    assert after["sequence"] == session["sequence"] + 1
    assert after["updated_at"] > session["updated_at"]
    version_after_move = client.get("/api/v1/conferences/tiny-2025").get_json()["schedule_version"]
    assert version_after_move > version

    # A new abstract: the schedule changes, the SEQUENCE does not
    described = moved.replace("    title: Opening\n", "    title: Opening\n    abstract: Welcome.\n")
    assert load(runner, write(tmp_path, described)).exit_code == 0
    again = sessions_by_code(client, "tiny-2025")["S1"]
    assert again["abstract"] == "Welcome."
    assert again["sequence"] == after["sequence"]
    assert client.get("/api/v1/conferences/tiny-2025").get_json()["schedule_version"] > version_after_move


def test_editing_a_person_moves_the_schedule_version(client, runner, tmp_path):
    assert load(runner, write(tmp_path, MINIMAL)).exit_code == 0
    version = client.get("/api/v1/conferences/tiny-2025").get_json()["schedule_version"]
    renamed = MINIMAL.replace("    given_name: Lixia\n", "    given_name: Lixia\n    honorific: Ms.\n")
    assert load(runner, write(tmp_path, renamed)).exit_code == 0
    assert client.get("/api/v1/conferences/tiny-2025").get_json()["schedule_version"] > version
    speaker = sessions_by_code(client, "tiny-2025")["S1"]["participants"][0]["person"]
    assert speaker["honorific"] == "Ms."


def test_removing_a_participant_touches_the_session(client, runner, tmp_path):
    assert load(runner, write(tmp_path, MINIMAL)).exit_code == 0
    before = sessions_by_code(client, "tiny-2025")["S1"]
    alone = MINIMAL.replace(
        "    participants:\n      - person: sun-lixia\n        role: speaker\n", "    participants: []\n"
    )
    assert load(runner, write(tmp_path, alone)).exit_code == 0
    after = sessions_by_code(client, "tiny-2025")["S1"]
    assert after["participants"] == []
    assert after["updated_at"] > before["updated_at"]
    assert after["sequence"] == before["sequence"]


def test_yaml_reads_country_no_and_times_as_written(client, runner, tmp_path):
    """Plain YAML 1.1 would read NO (Norway) as false and an unquoted time as a naive datetime."""
    text = MINIMAL.replace("    kind: cro\n", "    kind: cro\n    country: NO\n")
    text = text.replace('starts_at: "2025-10-19T09:00"', "starts_at: 2025-10-19 09:00:00")
    result = load(runner, write(tmp_path, text))
    assert result.exit_code == 0, result.output
    session = sessions_by_code(client, "tiny-2025")["S1"]
    assert session["starts_at"] == "2025-10-19T09:00:00+09:00"
    assert session["participants"][0]["person"]["organization"]["country"] == "NO"


def test_anchors_merge_keys_and_numbers_read_as_yaml_has_them(client, runner, tmp_path):
    """A second session written as the first one's mapping merged with its own keys, a room named by a number."""
    text = MINIMAL.replace("  - code: S1\n", "  - &opening\n    code: S1\n").replace(
        "  - name: Room 101\n", "  - name: Room 101\n  - name: 102\n"
    )
    text += textwrap.indent(
        textwrap.dedent(
            """\
            - <<: *opening
              code: S2
              title: Second
              room: "102"
              participants: []
            """
        ),
        "  ",
    )
    result = load(runner, write(tmp_path, text))
    assert "line " in result.output and "rooms[1].name: Not a valid string." in result.output
    result = load(runner, write(tmp_path, text.replace("  - name: 102\n", '  - name: "102"\n')))
    assert result.exit_code == 0, result.output
    sessions = sessions_by_code(client, "tiny-2025")
    assert sessions["S2"]["title"] == "Second" and sessions["S2"]["starts_at"] == sessions["S1"]["starts_at"]
    assert sessions["S2"]["kind"] == "plenary" and sessions["S2"]["room"]["name"] == "102"
    assert people_in(sessions["S1"]) == {("speaker", "Sun Lixia")} and sessions["S2"]["participants"] == []


def test_dry_run_stores_nothing(client, runner, app, tmp_path):
    result = runner.invoke(args=["seed", "load", "--dry-run", write(tmp_path, MINIMAL)])
    assert result.exit_code == 0, result.output
    assert "checked tiny-2025" in result.output
    assert set(row_counts(app).values()) == {0}


# Refusals: located, and nothing stored

BAD_FILES = {
    "unknown-field": (
        MINIMAL.replace("  - name: Room 101\n", "  - name: Room 101\n    colour: red\n"),
        "line 20: rooms[0].colour: Unknown field.",
    ),
    "end-before-start": (
        MINIMAL.replace('ends_at: "2025-10-19T10:00"', 'ends_at: "2025-10-19T08:00"'),
        "line 26: sessions[0].ends_at: Must be after starts_at.",
    ),
    "unknown-timezone": (
        MINIMAL.replace("timezone: Asia/Tokyo", "timezone: Asia/Tokio"),
        "line 4: conference.timezone: Unknown time zone 'Asia/Tokio'",
    ),
    "satellite-without-sponsor": (
        MINIMAL.replace("kind: plenary", "kind: satellite_symposium"),
        "sessions[0].sponsor: A satellite symposium needs a sponsor organization.",
    ),
    "undefined-person": (
        MINIMAL.replace("- person: sun-lixia", "- person: nobody"),
        "line 29: sessions[0].participants[0].person: 'nobody' is not defined in people",
    ),
    "outside-conference-dates": (
        MINIMAL.replace('"2025-10-19T09:00"', '"2025-10-21T09:00"').replace(
            '"2025-10-19T10:00"', '"2025-10-21T10:00"'
        ),
        (
            "line 25: sessions[0].starts_at: The session must lie within the conference's dates, 2025-10-19 to "
            "2025-10-20 in Asia/Tokyo."
        ),
    ),
    "undefined-room": (
        MINIMAL.replace("    room: Room 101\n", "    room: Room 999\n"),
        "line 27: sessions[0].room: 'Room 999' is not defined in rooms",
    ),
    "not-yaml": (MINIMAL.replace("  name: Tiny Meeting", "  name: [Tiny"), "not valid YAML"),
    "not-a-mapping": ("- just\n- a list\n", "a seed file is a mapping with a 'conference' key"),
    # YAML lets an alias name a list it is in: the file is refused for what it says, never a RecursionError.
    "alias-into-itself": (MINIMAL + "extra: &loop [*loop]\n", "line 31: extra: Unknown field."),
    "country-not-a-string": (
        MINIMAL.replace("  - name: Tigermed\n", "  - name: Tigermed\n    country: 12\n"),
        "line 10: organizations[0].country: Not a valid string.",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_is_refused_with_its_place_and_nothing_stored(runner, app, client, tmp_path, case):
    text, expected = BAD_FILES[case]
    result = load(runner, write(tmp_path, text))
    assert result.exit_code == 1
    assert "refused, nothing was stored" in result.output
    assert expected in result.output
    assert set(row_counts(app).values()) == {0}
    assert client.get("/api/v1/conferences").get_json()["total"] == 0


def test_every_problem_is_reported_at_once(runner, tmp_path):
    text = (
        MINIMAL.replace("timezone: Asia/Tokyo", "timezone: Nowhere/City")
        .replace("- person: sun-lixia", "- person: nobody")
        .replace("kind: plenary", "kind: lecture")
    )
    result = load(runner, write(tmp_path, text))
    assert result.exit_code == 1
    assert "conference.timezone" in result.output
    assert "sessions[0].kind: Must be one of" in result.output


def test_bad_edit_leaves_the_stored_meeting_untouched(client, runner, app, seeded, tmp_path):
    before = client.get("/api/v1/conferences/dia-japan-2025").get_json()
    sessions_before = sessions_by_code(client)
    counts = row_counts(app)
    text = DIA_SEED.read_text(encoding="utf-8")
    text = text.replace("title: China Town Hall", "title: China Town Hall (renamed)")
    text = text.replace("  - name: Online\n", "  - name: Online 2\n  - name: Online\n")
    text = text.replace("- person: xu-lei", "- person: xu-lei-unknown")

    result = load(runner, write(tmp_path, text))

    assert result.exit_code == 1
    assert "xu-lei-unknown" in result.output
    assert row_counts(app) == counts
    assert client.get("/api/v1/conferences/dia-japan-2025").get_json() == before
    assert sessions_by_code(client) == sessions_before


def test_rule_broken_only_in_the_database_is_refused_whole(client, runner, app, tmp_path):
    """A problem only the operations see (after earlier entities were written) still stores nothing."""
    text = MINIMAL + (
        "  - code: S2\n"
        "    title: Too late\n"
        "    status: confirmed\n"
        '    starts_at: "2025-10-22T09:00"\n'
        '    ends_at: "2025-10-22T10:00"\n'
    )
    result = load(runner, write(tmp_path, text))
    assert result.exit_code == 1
    assert "sessions[1].starts_at" in result.output
    assert set(row_counts(app).values()) == {0}


def test_validate_reports_and_writes_nothing(runner, app, tmp_path):
    ok = runner.invoke(args=["seed", "validate", write(tmp_path, MINIMAL)])
    assert ok.exit_code == 0 and "valid" in ok.output
    bad = runner.invoke(
        args=["seed", "validate", write(tmp_path, MINIMAL.replace("Asia/Tokyo", "Mars/Base"))]
    )
    assert bad.exit_code == 1 and "conference.timezone" in bad.output
    assert set(row_counts(app).values()) == {0}


def test_missing_file_is_a_clear_error(runner, tmp_path):
    result = load(runner, tmp_path / "nope.yaml")
    assert result.exit_code == 1
    assert "cannot read the file" in result.output


def test_load_if_absent_loads_a_new_meeting_and_leaves_a_stored_one_as_it_is(client, runner, admin, tmp_path):
    path = write(tmp_path, MINIMAL)
    first = runner.invoke(args=["seed", "load", "--if-absent", path])
    assert first.exit_code == 0, first.output
    assert first.output.startswith(f"loaded tiny-2025 from {path}")
    session = sessions_by_code(client, "tiny-2025")["S1"]
    edited = client.patch(
        f"/api/v1/conferences/tiny-2025/sessions/{session['id']}",
        headers=admin,
        json={"title": "Opening (edited)", "starts_at": "2025-10-19T11:00", "ends_at": "2025-10-19T12:00"},
    )
    assert edited.status_code == 200, edited.get_json()
    before = sessions_by_code(client, "tiny-2025")["S1"]

    again = runner.invoke(args=["seed", "load", "--if-absent", path])

    assert again.exit_code == 0, again.output
    assert again.output == (
        f"tiny-2025 is in the database already: {path} not loaded, so that edits made since stay "
        "(seed load without --if-absent, or make seed, applies the file again)\n"
    )
    assert sessions_by_code(client, "tiny-2025")["S1"] == before
    assert before["title"] == "Opening (edited)"

    # Without the option the file wins: that is what `make seed` is for.
    assert load(runner, path).exit_code == 0
    assert sessions_by_code(client, "tiny-2025")["S1"]["title"] == "Opening"


# Every problem of every phase in one run, in the file's terms

CONFLICTS = MINIMAL + (
    "  - code: OPEN\n"
    "    title: Open slot\n"
    "    status: confirmed\n"
    '    starts_at: "2025-10-19T09:30"\n'
    '    ends_at: "2025-10-19T10:30"\n'
    "    room: Room 101\n"
    "    participants:\n"
    "      - person: sun-lixia\n"
    "        role: speaker\n"
)


def test_every_phase_reports_in_one_run(runner, app, tmp_path):
    """YAML, schema, references and the operations' rules: all their problems at once, in the file's order."""
    text = (
        CONFLICTS.replace(
            "  - name: Room 101\n", "  - name: Room 101\n  - name: Room 102\n    capacity: lots\n"
        ).replace("    kind: cro\n", "    kind: cro\n    country: Japan\n")
        + "  - code: S3\n    title: Nobody's\n    title: Nobody's again\n    starts_at: 2025-10-20 09:00\n    ends_at: 2025-10-20 10:00\n"
        + "    participants:\n      - person: nobody\n        role: speaker\n"
    )
    result = runner.invoke(args=["seed", "validate", write(tmp_path, text)])

    assert result.exit_code == 1
    assert result.output.splitlines()[1:] == [
        "  line 11: organizations[0].country: Not an ISO 3166 country code such as 'JP'.",
        "  line 22: rooms[1].capacity: Not a valid integer.",
        (
            "  line 39: sessions[1].room: Room 101 is booked at that time by session S1 ('Opening', "
            "2025-10-19 09:00 to 10:00)"
        ),
        (
            "  line 41: sessions[1].participants[0].person: Sun Lixia is in session S1 ('Opening', "
            "2025-10-19 09:00 to 10:00) at that time"
        ),
        "  line 45: sessions[2]: 'title' is written twice here: YAML would keep only the last",
        "  line 49: sessions[2].participants[0].person: 'nobody' is not defined in people",
    ]
    assert set(row_counts(app).values()) == {0}


def test_a_zone_typo_and_an_undefined_person_come_out_together(runner, tmp_path):
    text = MINIMAL.replace("timezone: Asia/Tokyo", "timezone: Asia/Tokio").replace(
        "- person: sun-lixia", "- person: nobody"
    )
    result = load(runner, write(tmp_path, text))
    assert result.exit_code == 1
    assert "(2 problem(s))" in result.output
    assert "  line 4: conference.timezone: Unknown time zone 'Asia/Tokio'" in result.output
    assert "  line 29: sessions[0].participants[0].person: 'nobody' is not defined in people" in result.output


def test_conflicts_name_sessions_by_code_and_keys_of_the_file(runner, tmp_path):
    """Ids of a validate that never stored anything, and the API's field names, mean nothing in a file."""
    result = runner.invoke(args=["seed", "validate", write(tmp_path, CONFLICTS)])
    assert result.exit_code == 1
    assert "(2 problem(s))" in result.output
    assert "sessions[1].room: Room 101 is booked at that time by session S1 (" in result.output
    assert "sessions[1].participants[0].person: Sun Lixia is in session S1 (" in result.output
    assert not re.search(r"session \d|_id\b|participants:", result.output)


def test_a_conference_moved_past_its_sessions_names_them_by_code(runner, client, tmp_path):
    assert load(runner, write(tmp_path, MINIMAL)).exit_code == 0
    later = MINIMAL.replace('start_date: "2025-10-19"', 'start_date: "2025-10-20"')
    result = load(runner, write(tmp_path, later))
    assert result.exit_code == 1
    assert (
        "line 5: conference.start_date: session S1 ('Opening', 2025-10-19 09:00 to 10:00) would fall outside "
        "the conference's dates: move or cancel it first"
    ) in result.output


# What is ours and what the article says, told to attendees: in the data, not in YAML comments


def test_the_illustrative_and_inferred_marks_reach_the_api_and_the_feeds(client, seeded):
    conference = client.get("/api/v1/conferences/dia-japan-2025").get_json()
    assert (
        "Illustrative, chosen by us because the article does not give them: every time, room"
        in (conference["description"])
    )
    assert (
        "Inferred, not stated by the article: the month and year of the dates (it says 19th-21st)"
        in (conference["description"])
    )
    schedule = client.get("/api/v1/conferences/dia-japan-2025/schedule").get_json()
    sessions = [s for day in schedule["days"] for s in day["sessions"]]
    assert len(sessions) == 7
    for session in sessions:
        assert re.search(r"\((Illustrative|Inferred): ", session["abstract"] or ""), session["code"]
    satellite = next(s for s in sessions if s["code"] == "SAT-TIGERMED")
    assert "(Inferred: the article names the symposium's one talk, not its subject;" in satellite["abstract"]
    ical = client.get("/api/v1/conferences/dia-japan-2025/schedule.ics").get_data(as_text=True)
    unfolded = ical.replace("\r\n ", "")
    # One note in each event's description
    assert len(re.findall(r"\((Illustrative|Inferred): ", unfolded)) == 7

    booths = {b["label"]: b for b in conference["booths"]}
    assert all("(Illustrative: " in booths[label]["description"] for label in ("E-01", "E-02", "E-03"))
    uyama = client.get("/api/v1/people/by-slug/yoshiaki-uyama").get_json()
    assert "(Inferred: his name in Japanese script;" in uyama["biography"]


def test_xiang_anbo_spoke_in_japanese_as_data(client, seeded):
    session = sessions_by_code(client)["JP-INTO-CN"]
    assert (session["language"], session["interpretation"]) == ("ja", ["en"])
    assert (
        "Xiang Anbo (CSPC) spoke in Japanese, on recruiting patients for clinical trials in China."
        in (session["abstract"])
    )
    xiang = client.get("/api/v1/people/by-slug/xiang-anbo").get_json()
    assert "he spoke in Japanese" in xiang["biography"]


def test_organizations_are_named_as_the_article_names_them(client, seeded):
    jasmine = client.get("/api/v1/people/by-slug/jasmine-wang").get_json()
    assert jasmine["organization"]["name"] == "Astellas China"


def test_a_refused_person_leaves_the_others_checked_at_their_own_places(runner, tmp_path):
    text = CONFLICTS.replace(
        "people:\n",
        "people:\n  - slug: broken\n    given_name: Broken\n    family_name: Person\n    colour: red\n",
    )
    # Both sessions have the broken person first: Sun Lixia is participants[1] in the file.
    text = text.replace(
        "    participants:\n      - person: sun-lixia\n",
        "    participants:\n      - person: broken\n        role: speaker\n      - person: sun-lixia\n",
    )
    result = runner.invoke(args=["seed", "validate", write(tmp_path, text)])
    assert result.exit_code == 1
    assert result.output.splitlines()[1:] == [
        "  line 15: people[0].colour: Unknown field.",
        (
            "  line 42: sessions[1].room: Room 101 is booked at that time by session S1 ('Opening', "
            "2025-10-19 09:00 to 10:00)"
        ),
        (
            "  line 46: sessions[1].participants[1].person: Sun Lixia is in session S1 ('Opening', "
            "2025-10-19 09:00 to 10:00) at that time"
        ),
    ]


def _planned_rows(app, table: str) -> float | None:
    """The row count the query planner holds for table: SQLite's sqlite_stat1, PostgreSQL's pg_class."""
    with get_engine(app).connect() as connection:
        if connection.dialect.name == "sqlite":
            if not connection.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"
            ).first():
                return None
            stat = connection.exec_driver_sql(
                "SELECT stat FROM sqlite_stat1 WHERE tbl = ? ORDER BY idx LIMIT 1", (table,)
            ).scalar()
            return float(stat.split()[0]) if stat else None
        return connection.exec_driver_sql(
            "SELECT reltuples FROM pg_class WHERE relname = %(t)s", {"t": table}
        ).scalar()


def test_a_load_leaves_the_planner_knowing_the_tables_sizes(app, runner, tmp_path):
    # 37 sessions, fewer than PostgreSQL's autovacuum waits for before it analyzes a table by itself: the count
    # the planner holds can only come from the load.
    sessions = "".join(
        f"""
  - code: P{i}
    title: Poster {i}
    kind: plenary
    status: confirmed
    starts_at: "2025-10-19T{8 + i // 4:02d}:{(i % 4) * 15:02d}"
    ends_at: "2025-10-19T{8 + i // 4:02d}:{(i % 4) * 15 + 10:02d}"
    room: Room 101"""
        for i in range(37)
    )
    text = MINIMAL.split("sessions:")[0] + "sessions:" + sessions + "\n"
    result = load(runner, write(tmp_path, text))
    assert result.exit_code == 0, result.output
    assert _planned_rows(app, "program_sessions") == 37


def test_the_worker_keeps_sqlite_statistics_current_every_hour(app, runner, client, admin, tmp_path):
    if get_engine(app).dialect.name != "sqlite":
        pytest.skip("PostgreSQL's autovacuum keeps its statistics; the hourly job is SQLite's")
    assert load(runner, write(tmp_path, MINIMAL)).exit_code == 0
    assert _planned_rows(app, "program_sessions") == 1
    room = client.get("/api/v1/conferences/tiny-2025/rooms", headers=admin).get_json()["items"][0]["id"]
    for hour in (11, 12, 13):
        session = {
            "code": f"API{hour}",
            "title": f"Added at {hour}",
            "status": "confirmed",
            "starts_at": f"2025-10-19T{hour}:00",
            "ends_at": f"2025-10-19T{hour}:30",
            "room_id": room,
        }
        answer = client.post("/api/v1/conferences/tiny-2025/sessions", json=session, headers=admin)
        assert answer.status_code == 201, answer.get_json()
    assert _planned_rows(app, "program_sessions") == 1  # the API does not analyze

    queue = app.extensions["eventapp.queue"]
    due = {task.name: task for task in queue.read_periodic(datetime(2026, 12, 5, 3, 17))}
    assert "statistics" not in {task.name for task in queue.read_periodic(datetime(2026, 12, 5, 3, 18))}
    queue.execute(due["statistics"])
    assert _planned_rows(app, "program_sessions") == 4
