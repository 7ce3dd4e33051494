"""`flask seed import-frab`: a conference from a frab or pretalx schedule.json or schedule.xml."""

from __future__ import annotations

import json
import re
import textwrap
from datetime import datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from helpers import row_counts

DEMOCON = Path(__file__).resolve().parent / "data" / "frab" / "pretalx-democon.json"
DIA = "/api/v1/conferences/dia-japan-2025"
REPORT_LINE = re.compile(r"^\s+(\w+): (\d+) created, (\d+) changed, (\d+) unchanged$", re.MULTILINE)


def import_frab(runner, source, *args: str, publish: bool = True):
    """`flask seed import-frab source args`, with --publish unless told not to: most tests read it publicly."""
    return runner.invoke(
        args=["seed", "import-frab", str(source), *args, *(["--publish"] if publish else [])]
    )


def imported(runner, source, *args: str) -> dict[str, tuple[int, int, int]]:
    """Import, expecting success; what the report says was created, changed and left alone, by kind."""
    result = import_frab(runner, source, *args)
    assert result.exit_code == 0, result.output
    return {kind: (int(a), int(b), int(c)) for kind, a, b, c in REPORT_LINE.findall(result.output)}


def write(tmp_path, text: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def schedule(client, slug: str) -> dict:
    response = client.get(f"/api/v1/conferences/{slug}/schedule")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def scheduled_sessions(client, slug: str) -> list[dict]:
    return [session for day in schedule(client, slug)["days"] for session in day["sessions"]]


def sequences(client, slug: str) -> dict[str, int]:
    """SEQUENCE of each event in the conference's iCal feed, by title."""
    response = client.get(f"/api/v1/conferences/{slug}/schedule.ics")
    assert response.status_code == 200
    events = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
    return {str(event["SUMMARY"]): int(event["SEQUENCE"]) for event in events}


def democon_events(document: dict) -> list[dict]:
    return [
        event
        for day in document["schedule"]["conference"]["days"]
        for events in day["rooms"].values()
        for event in events
    ]


def instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None, text
    return moment


def nothing_stored(app, client) -> bool:
    return set(row_counts(app).values()) == {0} and client.get("/api/v1/conferences").get_json()["total"] == 0


# The pretalx demo conference

# pretalx's sample double-books Stephanie Hudson: this talk lies inside her workshop in the Tan Room. Our
# rules refuse a confirmed session whose speaker is elsewhere: as published it imports only with
# --allow-conflicts, and the other tests move the talk to a free half hour.
CLASH = "Re-engineered bandwidth-monitored focus group"


def democon_document() -> dict:
    """The pretalx sample with its one double booking resolved."""
    document = json.loads(DEMOCON.read_text(encoding="utf-8"))
    clash = next(e for e in democon_events(document) if e["title"] == CLASH)
    assert (clash["date"], clash["room"]) == ("2020-12-16T09:30:00+01:00", "Gray Room")
    clash["date"], clash["start"] = "2020-12-16T10:30:00+01:00", "10:30"
    return document


def democon_file(tmp_path, document: dict | None = None, name: str = "democon.json") -> Path:
    return write(tmp_path, json.dumps(document or democon_document()), name)


def test_pretalx_schedule_becomes_a_published_conference_that_matches_it(runner, client, tmp_path):
    source = json.loads(DEMOCON.read_text(encoding="utf-8"))  # as published, double booking and all
    counts = imported(runner, DEMOCON, "--allow-conflicts")
    events = democon_events(source)
    assert counts["conference"] == (1, 0, 0)
    assert counts["sessions"] == (len(events), 0, 0)
    assert counts["rooms"] == (2, 0, 0)

    body = schedule(client, "democon")
    assert body["conference"]["name"] == "DemoCon"
    assert body["conference"]["timezone"] == "UTC"
    assert (body["conference"]["start_date"], body["conference"]["end_date"]) == ("2020-12-14", "2020-12-16")
    ours = {s["code"]: s for s in scheduled_sessions(client, "democon")}
    assert set(ours) == {e["guid"] for e in events}
    for event in events:
        session = ours[event["guid"]]
        hours, minutes = map(int, event["duration"].split(":"))
        assert session["title"] == event["title"]
        assert instant(session["starts_at"]) == instant(event["date"])
        assert instant(session["ends_at"]) == instant(event["date"]) + timedelta(hours=hours, minutes=minutes)
        assert session["room"]["name"] == event["room"]
        assert session["track"]["name"] == event["track"]
        assert session["language"] == event["language"]
        assert session["kind"] == {"Talk": "session", "Workshop": "workshop"}[event["type"]]
        assert session["status"] == "confirmed"
        assert session["abstract"] == f"{event['abstract']}\n\n{event['description']}"
        assert [(p["role"], p["person"]["display_name"]) for p in session["participants"]] == [
            ("speaker", p["public_name"]) for p in event["persons"]
        ]
    # A person in several talks is one person.
    curtis = {
        p["person"]["slug"]
        for s in ours.values()
        for p in s["participants"]
        if p["person"]["display_name"] == "Curtis Andrews"
    }
    assert curtis == {"frab-democon-person-20"}


def test_an_import_is_a_draft_unless_published_and_a_stored_conference_keeps_its_status(
    runner, client, admin, tmp_path
):
    path = democon_file(tmp_path)
    result = import_frab(runner, path, publish=False)
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/conferences/democon").status_code == 404
    assert client.get("/api/v1/conferences/democon", headers=admin).get_json()["status"] == "draft"

    assert import_frab(runner, path).exit_code == 0
    assert client.get("/api/v1/conferences/democon").get_json()["status"] == "published"
    # Importing again without --publish updates the schedule, and does not take the conference down.
    assert import_frab(runner, path, publish=False).exit_code == 0
    assert client.get("/api/v1/conferences/democon").get_json()["status"] == "published"


def test_pretalx_schedule_as_published_is_refused_for_its_double_booking(runner, app, client):
    result = import_frab(runner, DEMOCON)

    assert result.exit_code == 1
    assert "refused, nothing was stored" in result.output
    assert "Stephanie Hudson is in session" in result.output and CLASH in result.output
    assert not re.search(r"session \d+ |_id\b", result.output)  # no database ids, no API field names
    assert "(1 problem(s))" in result.output  # the hint below is none
    assert "\nhint: to mirror a schedule that double-books, add --allow-conflicts\n" in result.output
    assert "line " not in result.output  # no lines of a document the user never saw
    assert "sessions[" not in result.output  # nor its paths: the event's place in the file
    assert nothing_stored(app, client)


def test_importing_again_changes_nothing_and_a_moved_talk_is_one_change(runner, client, tmp_path):
    path = democon_file(tmp_path)
    imported(runner, path)
    before = scheduled_sessions(client, "democon")
    sequence_before = sequences(client, "democon")

    again = imported(runner, path)

    assert again and all(created == changed == 0 for created, changed, _ in again.values())
    assert scheduled_sessions(client, "democon") == before
    assert sequences(client, "democon") == sequence_before

    document = democon_document()
    moved = democon_events(document)[0]
    assert moved["date"] == "2020-12-14T09:00:00+01:00"
    moved["date"], moved["start"] = "2020-12-14T08:15:00+01:00", "08:15"

    counts = imported(runner, democon_file(tmp_path, document, "moved.json"))

    assert counts["sessions"] == (0, 1, len(democon_events(document)) - 1)
    session = next(s for s in scheduled_sessions(client, "democon") if s["code"] == moved["guid"])
    assert instant(session["starts_at"]) == instant("2020-12-14T08:15:00+01:00")
    assert instant(session["ends_at"]) == instant("2020-12-14T08:45:00+01:00")
    sequence_after = sequences(client, "democon")
    assert sequence_after[moved["title"]] > sequence_before[moved["title"]]
    assert {t: s for t, s in sequence_after.items() if t != moved["title"]} == {
        t: s for t, s in sequence_before.items() if t != moved["title"]
    }


def test_a_double_booking_is_told_by_its_kind_not_its_words(runner, app, client, monkeypatch):
    # Messages may be reworded (or translated) at any time: the --allow-conflicts hint follows the error's type.
    from eventapp.errors import SchedulingConflict
    from eventapp.program import operations

    check_conflicts = operations._check_conflicts

    def reworded(*args):
        try:
            check_conflicts(*args)
        except SchedulingConflict as exc:
            details = [{**detail, "message": "Double-booked."} for detail in exc.details]
            raise SchedulingConflict("Double-booked.", details=details) from exc

    monkeypatch.setattr(operations, "_check_conflicts", reworded)
    result = import_frab(runner, DEMOCON)

    assert result.exit_code == 1
    # The file's terms come from the conflict's details, never from its words; the place is the schedule
    # file's (the event's persons), not the document it was translated into; the hint is no problem.
    assert (
        "(1 problem(s)):\n  schedule.conference.days[2].rooms.Tan Room[0].persons: Stephanie Hudson is in session "
        in result.output
    )
    assert f"('{CLASH}', 2020-12-16 08:30 to 09:00) at that time\n" in result.output
    assert "Double-booked" not in result.output
    assert result.output.endswith("\nhint: to mirror a schedule that double-books, add --allow-conflicts\n")
    assert nothing_stored(app, client)

    assert imported(runner, DEMOCON, "--allow-conflicts")["sessions"] == (
        len(democon_events(json.loads(DEMOCON.read_text(encoding="utf-8")))),
        0,
        0,
    )


def test_a_conflict_that_is_no_double_booking_is_refused_even_with_allow_conflicts(runner, client, tmp_path):
    document = democon_document()
    for event in democon_events(document):
        event["title"] += " at that time"  # the words of a double booking's message, in a title
    imported(runner, democon_file(tmp_path, document))
    before = schedule(client, "democon")
    # A year later: the stored sessions would fall outside the conference's new dates when it is saved.
    next_year = write(tmp_path, json.dumps(document).replace("2020-12-", "2021-12-"), "next-year.json")

    for args in ((), ("--allow-conflicts",)):
        result = import_frab(runner, next_year, *args)

        assert result.exit_code == 1, args
        assert "(1 problem(s))" in result.output
        # At the file's field, and named by its code (the frab guid), not by its id in our database.
        assert "  schedule.conference.start: session " in result.output
        assert not re.search(r"[Ss]ession \d+ ", result.output)
        assert "would fall outside the conference's dates" in result.output
        assert "to mirror a schedule that double-books" not in result.output
        assert "line " not in result.output
        assert schedule(client, "democon") == before  # nothing half-written


def test_dry_run_reports_and_stores_nothing(runner, app, client, tmp_path):
    result = import_frab(runner, democon_file(tmp_path), "--dry-run")

    assert result.exit_code == 0, result.output
    assert result.output.startswith("checked democon from ")
    assert "sessions: 36 created, 0 changed, 0 unchanged" in result.output
    assert nothing_stored(app, client)


# Our own exports, read back


def comparable(sessions: list[dict]) -> list[tuple]:
    """Title as schedule apps show it, instants, room and people of each session, in a stable order."""
    return sorted(
        (
            f"Cancelled: {s['title']}" if s["status"] == "cancelled" else s["title"],
            instant(s["starts_at"]),
            instant(s["ends_at"]),
            s["room"]["name"] if s["room"] else "TBA",
            # Our export lists a person once even in two roles; the import makes each a speaker.
            tuple(dict.fromkeys(p["person"]["display_name"] for p in s["participants"])),
        )
        for s in sessions
    )


@pytest.mark.parametrize(
    ("suffix", "name"), [("schedule.xml", "dia.xml"), ("schedule.frab.json", "dia.json")]
)
def test_our_frab_exports_import_as_the_same_schedule(runner, client, seeded, tmp_path, suffix, name):
    response = client.get(f"{DIA}/{suffix}")
    assert response.status_code == 200
    path = tmp_path / name
    path.write_bytes(response.data)

    counts = imported(runner, path, "--slug", "dia-copy")

    original = schedule(client, "dia-japan-2025")
    copy = schedule(client, "dia-copy")
    assert counts["conference"] == (1, 0, 0)
    for key in ("name", "timezone", "start_date", "end_date"):
        assert copy["conference"][key] == original["conference"][key]
    copied = scheduled_sessions(client, "dia-copy")
    assert comparable(copied) == comparable(scheduled_sessions(client, "dia-japan-2025"))
    tracks = {
        slug: {t["name"]: t["color"] for t in client.get(f"/api/v1/conferences/{slug}").get_json()["tracks"]}
        for slug in ("dia-japan-2025", "dia-copy")
    }
    assert tracks["dia-copy"] == {name: tracks["dia-japan-2025"][name] for name in tracks["dia-copy"]}
    # Our kinds travel as frab's type; roles do not (frab knows persons only); people are known by guid.
    assert {s["title"]: s["kind"] for s in copied}["China Town Hall"] == "town_hall"
    participants = [p for s in copied for p in s["participants"]]
    assert {p["role"] for p in participants} == {"speaker"}
    assert all(re.fullmatch(r"frab-[0-9a-f]{32}", p["person"]["slug"]) for p in participants)
    # Importing the export again finds everything in place.
    again = imported(runner, path, "--slug", "dia-copy")
    assert all(created == changed == 0 for created, changed, _ in again.values())


# What older frab, pentabarf and pretalx versions write

OLD_XML = textwrap.dedent(
    """\
    <?xml version="1.0" encoding="utf-8"?>
    <schedule>
      <version>Arrival</version>
      <conference>
        <acronym>Old_Con</acronym>
        <title>Old &amp; Odd Con</title>
        <start>2019-08-21</start>
        <end>2019-08-21</end>
        <days>1</days>
        <timeslot_duration>00:15</timeslot_duration>
      </conference>
      <day index="1" date="2019-08-21" start="2019-08-21T10:00:00" end="2019-08-22T04:00:00">
        <room name="Main Hall">
          <event id="101">
            <start>23:00</start>
            <duration>01:00:00</duration>
            <room>Main Hall</room>
            <title>Late &lt;night&gt; "talk" \u2013 ÿ 🎉</title>
            <subtitle>Lovelace's notes</subtitle>
            <type>lecture</type>
            <abstract></abstract>
            <track></track>
            <language>EN</language>
            <persons>
              <person id="7">Ada King Lovelace</person>
              <person>Zed</person>
            </persons>
          </event>
          <event id="102">
            <start>01:30</start>
            <duration>00:45</duration>
            <room>Main Hall</room>
            <title>After midnight</title>
            <type>Podiumsdiskussion</type>
            <persons><person id="7">Ada King Lovelace</person></persons>
          </event>
        </room>
      </day>
    </schedule>
    """
)


def test_old_xml_without_zone_needs_timezone_and_stores_nothing(runner, app, client, tmp_path):
    result = import_frab(runner, write(tmp_path, OLD_XML, "old.xml"))

    assert result.exit_code == 1
    assert "refused, nothing was stored" in result.output
    assert "no time zone" in result.output and "--timezone" in result.output
    assert nothing_stored(app, client)


def test_old_xml_quirks(runner, client, tmp_path):
    """No guids, no zone, a day start without offset, a talk after midnight under the day before, HH:MM:SS,
    people as plain text with and without ids."""
    counts = imported(runner, write(tmp_path, OLD_XML, "old.xml"), "--timezone", "Europe/Berlin")

    assert counts["sessions"] == (2, 0, 0)
    assert counts["people"] == (2, 0, 0)
    body = schedule(client, "old-con")
    assert body["conference"]["name"] == "Old & Odd Con"
    assert body["conference"]["timezone"] == "Europe/Berlin"
    # The talk after midnight is on the next calendar date, which the conference now spans.
    assert (body["conference"]["start_date"], body["conference"]["end_date"]) == ("2019-08-21", "2019-08-22")
    late, after = sorted(scheduled_sessions(client, "old-con"), key=lambda s: s["starts_at"])
    assert late["code"] == "frab-101" and after["code"] == "frab-102"
    assert late["title"] == 'Late <night> "talk" – ÿ 🎉'
    assert instant(late["starts_at"]) == instant("2019-08-21T23:00:00+02:00")
    assert instant(late["ends_at"]) == instant("2019-08-22T00:00:00+02:00")
    assert instant(after["starts_at"]) == instant("2019-08-22T01:30:00+02:00")
    assert instant(after["ends_at"]) == instant("2019-08-22T02:15:00+02:00")
    assert (late["kind"], after["kind"]) == ("session", "roundtable")
    assert late["abstract"] == "Lovelace's notes"
    assert late["language"] == "en" and late["track"] is None
    ada, zed = (p["person"] for p in late["participants"])
    assert (ada["given_name"], ada["family_name"]) == ("Ada King", "Lovelace")
    # A single name is both: the model wants a given and a family name.
    assert (zed["given_name"], zed["family_name"]) == ("Zed", "Zed")
    assert [p["person"]["id"] for p in after["participants"]] == [ada["id"]]
    assert ada["slug"] == "frab-old-con-person-7"

    again = imported(runner, write(tmp_path, OLD_XML, "old.xml"), "--timezone", "Europe/Berlin")
    assert all(created == changed == 0 for created, changed, _ in again.values())


OLD_JSON = {
    "schedule": {
        "version": "0.9",
        "conference": {
            "acronym": "jsonold",
            "title": "JSON of Old",
            "start": "2019-08-21",
            "end": "2019-08-21",
            "days": [
                {
                    "index": 1,
                    "date": "2019-08-21",
                    "day_start": "2019-08-21T09:00:00+02:00",
                    "day_end": "2019-08-22T03:00:00+02:00",
                    "rooms": {
                        "Hall": [
                            {
                                "id": 1,
                                "date": "2019-08-21T09:00:00",
                                "start": "09:00",
                                "duration": "00:45:00",
                                "title": "Offset-less date, seconds in the duration",
                                "type": "Lightning Talk",
                                "persons": [{"name": "Grace Brewster Hopper"}],
                            },
                            {
                                "id": 2,
                                "start": "10:00",
                                "duration": "00:30",
                                "title": "No date at all",
                                "type": "Meeting",
                                "persons": [{"id": 5, "full_name": "Alan Turing"}],
                            },
                        ],
                        "Lab": [
                            {
                                "id": 3,
                                "start": "11:00",
                                "duration": "1:02:00",
                                "type": "workshop",
                                "title": "Hackathon, a day and two hours",
                            },
                        ],
                        "Bar": [
                            {
                                "id": 4,
                                "start": "00:30",
                                "duration": "00:30",
                                "title": "Night owls",
                                "persons": [],
                            },
                        ],
                    },
                }
            ],
        },
    },
}


def test_old_json_quirks(runner, client, tmp_path):
    """No guids or zone, offset-less dates, HH:MM:SS and D:HH:MM, missing type, track and language,
    people by name or full_name, a talk after midnight."""
    path = write(tmp_path, json.dumps(OLD_JSON), "old.json")
    counts = imported(runner, path, "--timezone", "Europe/Berlin")

    assert counts["sessions"] == (4, 0, 0)
    sessions = {s["code"]: s for s in scheduled_sessions(client, "jsonold")}
    expected = {
        "frab-1": ("2019-08-21T09:00:00+02:00", "2019-08-21T09:45:00+02:00", "Hall", "session"),
        "frab-2": ("2019-08-21T10:00:00+02:00", "2019-08-21T10:30:00+02:00", "Hall", "other"),
        "frab-3": ("2019-08-21T11:00:00+02:00", "2019-08-22T13:00:00+02:00", "Lab", "workshop"),
        "frab-4": ("2019-08-22T00:30:00+02:00", "2019-08-22T01:00:00+02:00", "Bar", "session"),
    }
    assert set(sessions) == set(expected)
    for code, (starts, ends, room, kind) in expected.items():
        session = sessions[code]
        assert instant(session["starts_at"]) == instant(starts)
        assert instant(session["ends_at"]) == instant(ends)
        assert (session["room"]["name"], session["kind"]) == (room, kind)
        assert session["track"] is None and session["language"] is None and session["abstract"] is None
    names = {code: [p["person"]["display_name"] for p in s["participants"]] for code, s in sessions.items()}
    assert names["frab-1"] == ["Grace Brewster Hopper"] and names["frab-2"] == ["Alan Turing"]
    assert sessions["frab-4"]["participants"] == []
    body = schedule(client, "jsonold")
    assert (body["conference"]["start_date"], body["conference"]["end_date"]) == ("2019-08-21", "2019-08-22")


def test_slug_option_names_the_conference_and_keeps_people_apart(runner, client, tmp_path):
    """Without guids, people are told apart by id within one conference only: frab ids are per server."""
    path = write(tmp_path, json.dumps(OLD_JSON), "old.json")
    imported(runner, path, "--timezone", "Europe/Berlin")
    counts = imported(runner, path, "--timezone", "Europe/Berlin", "--slug", "other-meeting")

    assert counts["conference"] == (1, 0, 0)
    assert counts["people"] == (2, 0, 0)
    assert schedule(client, "other-meeting")["conference"]["name"] == "JSON of Old"


# Refusals


BROKEN_JSON = '{\n  "schedule": {\n    "version": "1",\n    "conference": {\n      "acronym": "x"\n  "t": 1\n'
BROKEN_XML = "<?xml version='1.0'?>\n<schedule>\n  <conference>\n    <title>x</titel>\n  </conference>\n"


def with_first_event(document: dict, **changes) -> str:
    document = json.loads(json.dumps(document))
    document["schedule"]["conference"]["days"][0]["rooms"]["Hall"][0].update(changes)
    return json.dumps(document)


BAD_FILES = {
    "broken-json": (BROKEN_JSON, "broken.json", ["line 6: (file): not valid JSON: Expecting ',' delimiter"]),
    "broken-xml": (BROKEN_XML, "broken.xml", ["line 4: (file): not well-formed XML: mismatched tag"]),
    "neither": ("schedule: yes\n", "schedule.yaml", ["neither a schedule.json", "nor a schedule.xml"]),
    "no-schedule": ('{"conference": {}}', "empty.json", ["schedule: missing"]),
    "no-days": (
        '{"schedule": {"conference": {"acronym": "x", "time_zone_name": "UTC"}}}',
        "nodays.json",
        ["schedule.conference.days: missing"],
    ),
    "no-xml-days": (
        "<schedule><conference><acronym>x</acronym></conference></schedule>",
        "nodays.xml",
        ["schedule/day: missing"],
    ),
    "bad-duration": (
        with_first_event(OLD_JSON, duration="soon"),
        "bad.json",
        ["schedule.conference.days[0].rooms.Hall[0].duration: 'soon' is no duration"],
    ),
    "bad-start": (
        with_first_event(OLD_JSON, date=None, start="nine"),
        "bad.json",
        ["schedule.conference.days[0].rooms.Hall[0].start: 'nine' is no time like"],
    ),
    "bad-xml-duration": (
        OLD_XML.replace("<duration>00:45</duration>", "<duration>long</duration>"),
        "bad.xml",
        ["schedule/day[1]/room[1]/event[2]/duration: 'long' is no duration"],
    ),
    "bad-zone": (
        json.dumps(
            {
                "schedule": {
                    "conference": {
                        **OLD_JSON["schedule"]["conference"],
                        "time_zone_name": "Central European Time",
                    }
                }
            }
        ),
        "zone.json",
        ["schedule.conference.time_zone_name", "is no IANA time zone", "--timezone"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_unreadable_schedule_is_refused_with_its_place_and_nothing_stored(
    runner, app, client, tmp_path, case
):
    text, name, expected = BAD_FILES[case]
    args = [] if case == "bad-zone" else ["--timezone", "Europe/Berlin"]
    result = import_frab(runner, write(tmp_path, text, name), *args)

    assert result.exit_code == 1
    assert "refused, nothing was stored" in result.output
    for words in expected:
        assert words in result.output
    assert nothing_stored(app, client)


def test_unknown_timezone_option_is_refused(runner, app, client, tmp_path):
    result = import_frab(runner, write(tmp_path, OLD_XML, "old.xml"), "--timezone", "Berlin")
    assert result.exit_code == 1
    assert "--timezone 'Berlin' is no IANA time zone" in result.output
    assert nothing_stored(app, client)


def test_every_problem_of_the_file_is_reported_at_once(runner, app, client, tmp_path):
    document = json.loads(with_first_event(OLD_JSON, duration="soon"))
    document["schedule"]["conference"]["days"][0]["rooms"]["Lab"][0]["start"] = "25:99"
    result = import_frab(runner, write(tmp_path, json.dumps(document), "bad.json"), "--timezone", "UTC")

    assert result.exit_code == 1
    assert "(2 problem(s))" in result.output
    assert "rooms.Hall[0].duration" in result.output and "rooms.Lab[0].start" in result.output
    assert nothing_stored(app, client)


def test_a_local_time_the_zone_skips_is_a_problem_at_its_event(runner, app, client, tmp_path):
    # 2019-03-31 02:30 does not exist in Berlin; 2019-10-27 02:30 happens twice there.
    for day, problem in (("2019-03-31", "does not exist in Europe/Berlin"), ("2019-10-27", "happens twice")):
        text = (
            OLD_XML.replace("2019-08-21", day)
            .replace("2019-08-22T04:00:00", f"{day}T23:00:00")
            .replace(f"{day}T10:00:00", f"{day}T00:00:00")  # the day starts at midnight: 02:30 is on it
            .replace("<start>23:00</start>", "<start>02:30</start>")
            .replace("<start>01:30</start>", "<start>11:00</start>")
        )
        before = row_counts(app)
        result = import_frab(runner, write(tmp_path, text, "dst.xml"), "--timezone", "Europe/Berlin")
        assert result.exit_code == 1, result.output
        assert problem in result.output and "start" in result.output
        assert "Traceback" not in result.output
        assert row_counts(app) == before
