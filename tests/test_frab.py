"""frab's schedule.json and schedule.xml: valid against c3voc's schemas, and what schedule apps read."""

from __future__ import annotations

import io
import json
import textwrap
import uuid
import xml.etree.ElementTree as ET
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import xmlschema
from helpers import load, write
from jsonschema import Draft6Validator, FormatChecker

DATA = Path(__file__).resolve().parent / "data" / "frab"
DIA = "/api/v1/conferences/dia-japan-2025"
JSON_URL = f"{DIA}/schedule.frab.json"
XML_URL = f"{DIA}/schedule.xml"

# python-jsonschema checks none of the schema's formats for draft-06 without optional packages: these do.
FORMATS = FormatChecker([])


@FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    return not isinstance(value, str) or bool(date.fromisoformat(value))


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


@FORMATS.checks("uuid", raises=ValueError)
def _is_uuid(value: object) -> bool:
    return not isinstance(value, str) or bool(uuid.UUID(value))


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or bool(urlsplit(value).scheme and urlsplit(value).netloc)


JSON_SCHEMA = Draft6Validator(json.loads((DATA / "schedule.schema.json").read_text()), format_checker=FORMATS)
XML_SCHEMA = xmlschema.XMLSchema(str(DATA / "schedule.xml.xsd"))


def frab_json(client, url=JSON_URL) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    document = response.get_json()
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in JSON_SCHEMA.iter_errors(document)]
    assert errors == []
    # The schema's "$oneOf" is no keyword, so it checks neither of these: a date or a date-time.
    conference = document["schedule"]["conference"]
    assert date.fromisoformat(conference["start"]) <= date.fromisoformat(conference["end"])
    return document


def frab_xml(client, url=XML_URL) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/xml"
    assert response.data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    errors = [str(error) for error in XML_SCHEMA.iter_errors(io.BytesIO(response.data))]
    assert errors == []
    return ET.fromstring(response.data)


def json_events(document: dict) -> list[tuple[dict, str, dict]]:
    """Every event with the date of its day and the day itself."""
    return [
        (event, room, day)
        for day in document["schedule"]["conference"]["days"]
        for room, events in day["rooms"].items()
        for event in events
    ]


def xml_events(root: ET.Element) -> list[tuple[ET.Element, str, ET.Element]]:
    return [
        (event, room.get("name"), day)
        for day in root.findall("day")
        for room in day.findall("room")
        for event in room.findall("event")
    ]


def api_sessions(client, headers=None) -> dict[int, dict]:
    items = client.get(f"{DIA}/sessions?page_size=200", headers=headers).get_json()["items"]
    return {s["id"]: s for s in items}


def by_code(client, code: str) -> dict:
    return next(s for s in api_sessions(client).values() if s["code"] == code)


def json_event(document: dict, session_id: int) -> dict:
    return next(event for event, _, _ in json_events(document) if event["id"] == session_id)


def xml_event(root: ET.Element, session_id: int) -> ET.Element:
    return next(event for event, _, _ in xml_events(root) if event.get("id") == str(session_id))


# The DIA Japan meeting


def test_both_exports_of_the_dia_meeting_are_valid(client, seeded):
    document = frab_json(client)
    root = frab_xml(client)
    conference = document["schedule"]["conference"]
    assert conference["acronym"] == root.findtext("conference/acronym") == "dia_japan_2025"
    assert conference["title"] == root.findtext("conference/title") == "22nd DIA Japan Annual Meeting"
    assert conference["time_zone_name"] == root.findtext("conference/time_zone_name") == "Asia/Tokyo"
    assert (conference["start"], conference["end"]) == ("2025-10-19", "2025-10-21")
    assert conference["daysCount"] == 3 and root.findtext("conference/days") == "3"
    assert conference["timeslot_duration"] == root.findtext("conference/timeslot_duration") == "00:15"
    version = str(client.get(DIA).get_json()["schedule_version"])
    assert document["schedule"]["version"] == root.findtext("version") == version
    assert root.findtext("url").endswith(XML_URL)


def test_every_conference_day_runs_midnight_to_midnight_in_tokyo(client, seeded):
    days = frab_json(client)["schedule"]["conference"]["days"]
    expected = [
        (1, "2025-10-19", "2025-10-19T00:00:00+09:00", "2025-10-20T00:00:00+09:00"),
        (2, "2025-10-20", "2025-10-20T00:00:00+09:00", "2025-10-21T00:00:00+09:00"),
        (3, "2025-10-21", "2025-10-21T00:00:00+09:00", "2025-10-22T00:00:00+09:00"),
    ]
    assert [(d["index"], d["date"], d["day_start"], d["day_end"]) for d in days] == expected
    xml_days = frab_xml(client).findall("day")
    assert [(int(d.get("index")), d.get("date"), d.get("start"), d.get("end")) for d in xml_days] == expected


def test_every_published_session_appears_once_at_its_local_time(client, seeded):
    sessions = api_sessions(client)
    document, root = frab_json(client), frab_xml(client)
    in_json = {event["id"]: (event, room, day) for event, room, day in json_events(document)}
    in_xml = {int(event.get("id")): (event, room, day) for event, room, day in xml_events(root)}
    assert len(in_json) == len(json_events(document)) and len(in_xml) == len(xml_events(root))
    assert set(in_json) == set(in_xml) == set(sessions)
    for session_id, session in sessions.items():
        starts = datetime.fromisoformat(session["starts_at"])
        ends = datetime.fromisoformat(session["ends_at"])
        event, room, day = in_json[session_id]
        assert datetime.fromisoformat(event["date"]) == starts and event["date"].endswith("+09:00")
        assert datetime.fromisoformat(event["end"]) == ends
        assert day["date"] == event["date"][:10] and event["start"] == event["date"][11:16]
        hours, minutes = divmod(int((ends - starts).total_seconds()) // 60, 60)
        assert event["duration"] == f"{hours:02d}:{minutes:02d}"
        assert room == event["room"] == session["room"]["name"]
        element, xml_room, xml_day = in_xml[session_id]
        assert (element.findtext("date"), element.findtext("start"), element.findtext("duration")) == (
            event["date"],
            event["start"],
            event["duration"],
        )
        assert xml_room == element.findtext("room") == room and xml_day.get("date") == day["date"]

    town_hall = next(event for event, _, _ in json_events(document) if event["title"] == "China Town Hall")
    assert (town_hall["date"], town_hall["start"], town_hall["duration"], town_hall["room"]) == (
        "2025-10-21T13:00:00+09:00",
        "13:00",
        "01:30",
        "Reception Hall A",
    )
    assert (town_hall["type"], town_hall["track"], town_hall["language"]) == (
        "town_hall",
        "China-Japan Collaboration",
        "en",
    )
    assert town_hall["url"].endswith(f"/conferences/dia-japan-2025/sessions/{town_hall['id']}")
    assert town_hall["abstract"].startswith("How to use the similarities")
    assert town_hall["do_not_record"] is False and town_hall["links"] == town_hall["attachments"] == []


def test_rooms_are_the_ones_with_sessions(client, seeded):
    document = frab_json(client)
    conference = document["schedule"]["conference"]
    used = {s["room"]["name"] for s in api_sessions(client).values()}
    assert "Online" in {r["name"] for r in client.get(DIA).get_json()["rooms"]} - used
    assert [r["name"] for r in conference["rooms"]] == sorted(used)
    for day in conference["days"]:
        assert list(day["rooms"]) == sorted(day["rooms"]) and all(day["rooms"].values())
    assert list(conference["days"][0]["rooms"]) == ["Exhibition Hall"]
    guids = {r["name"]: r["guid"] for r in conference["rooms"]}
    assert {room.get("name"): room.get("guid") for room in frab_xml(client).findall("day/room")} == guids


def test_guids_codes_and_slugs_are_unique_and_stable(client, seeded):
    first, second = frab_json(client), frab_json(client)
    assert first == second
    events = [event for event, _, _ in json_events(first)]
    for key in ("guid", "code", "slug"):
        assert len({event[key] for event in events}) == len(events), key
    root = frab_xml(client)
    in_xml = {e.get("id"): e.get("guid") for e, _, _ in xml_events(root)}
    assert in_xml == {str(e["id"]): e["guid"] for e in events}
    town_hall = next(event for event in events if event["title"] == "China Town Hall")
    assert town_hall["slug"] == f"dia_japan_2025-{town_hall['id']}-china-town-hall"
    assert client.get(XML_URL).data == client.get(XML_URL).data


def test_a_translated_title_keeps_the_slug_and_guid(client, seeded):
    events = {e["id"]: e for e, _, _ in json_events(frab_json(client))}
    translated = {e["id"]: e for e, _, _ in json_events(frab_json(client, f"{JSON_URL}?lang=ja"))}
    town_hall = by_code(client, "CN-TOWN-HALL")["id"]
    assert translated[town_hall]["title"] == "チャイナ・タウンホール"
    assert {i: (e["slug"], e["guid"]) for i, e in translated.items()} == {
        i: (e["slug"], e["guid"]) for i, e in events.items()
    }
    assert (
        xml_event(frab_xml(client, f"{XML_URL}?lang=ja"), town_hall).findtext("title")
        == "チャイナ・タウンホール"
    )


def test_people_appear_in_their_roles_without_email(client, admin, seeded):
    town_hall = by_code(client, "CN-TOWN-HALL")
    su_ling = next(p["person"] for p in town_hall["participants"] if p["person"]["slug"] == "su-ling")
    assert (
        client.patch(
            f"/api/v1/people/{su_ling['id']}", json={"email": "su.ling@private.example"}, headers=admin
        ).status_code
        == 200
    )
    assert "private.example" not in client.get(JSON_URL).get_data(as_text=True)
    assert "private.example" not in client.get(XML_URL).get_data(as_text=True)

    names = [p["person"]["display_name"] for p in town_hall["participants"]]
    event = json_event(frab_json(client), town_hall["id"])
    assert [p["public_name"] for p in event["persons"]] == names
    assert all(set(p) <= {"id", "guid", "public_name", "biography"} for p in event["persons"])
    assert "Moderator: Su Ling (Lilly Asia Ventures)" in event["description"]
    assert "Co-host: Hitoshi Endo" in event["description"]
    assert not event["description"].startswith(event["abstract"][:40])  # the abstract has a field of its own
    element = xml_event(frab_xml(client), town_hall["id"])
    people = element.findall("persons/person")
    assert [p.text for p in people] == names
    expected = [(p["id"], p["guid"]) for p in event["persons"]]
    assert [(int(p.get("id")), p.get("guid")) for p in people] == expected
    assert "Moderator: Su Ling" in element.findtext("description")


def test_a_cancelled_session_stays_with_a_word_in_its_title(client, admin, seeded):
    town_hall = by_code(client, "CN-TOWN-HALL")
    before = json_event(frab_json(client), town_hall["id"])
    patched = client.patch(f"{DIA}/sessions/{town_hall['id']}", json={"status": "cancelled"}, headers=admin)
    assert patched.status_code == 200, patched.get_json()
    after = json_event(frab_json(client), town_hall["id"])
    assert after["title"] == "Cancelled: China Town Hall"
    assert (after["guid"], after["date"], after["room"]) == (before["guid"], before["date"], before["room"])
    assert xml_event(frab_xml(client), town_hall["id"]).findtext("title") == "Cancelled: China Town Hall"


def test_drafts_are_not_exported(client, admin, seeded):
    draft = client.post(
        f"{DIA}/sessions",
        headers=admin,
        json={
            "title": "Secret draft",
            "status": "draft",
            "starts_at": "2025-10-19T10:00",
            "ends_at": "2025-10-19T11:00",
        },
    )
    assert draft.status_code == 201
    assert "Secret draft" not in client.get(JSON_URL).get_data(as_text=True)
    assert "Secret draft" not in client.get(XML_URL).get_data(as_text=True)
    assert client.patch(DIA, json={"status": "draft"}, headers=admin).status_code == 200
    for url in (JSON_URL, XML_URL):
        assert client.get(url).status_code == 404
        assert client.get(url, headers=admin).status_code == 404


def test_a_session_without_a_room_goes_to_tba(client, admin, seeded):
    created = client.post(
        f"{DIA}/sessions",
        headers=admin,
        json={
            "title": "Closing remarks",
            "kind": "plenary",
            "status": "confirmed",
            "starts_at": "2025-10-21T17:00",
            "ends_at": "2025-10-21T17:30",
        },
    )
    assert created.status_code == 201, created.get_json()
    conference = frab_json(client)["schedule"]["conference"]
    assert conference["rooms"][-1]["name"] == "TBA"
    last_day = conference["days"][-1]["rooms"]
    assert list(last_day)[-1] == "TBA" and [e["id"] for e in last_day["TBA"]] == [created.get_json()["id"]]
    assert last_day["TBA"][0]["track"] is None
    rooms = frab_xml(client).findall("day[@index='3']/room")
    assert rooms[-1].get("name") == "TBA" and rooms[-1].findtext("event/track") == ""


# Meetings unlike DIA Japan


ODD = textwrap.dedent(
    """\
    conference:
      slug: ab
      name: Zwei Tage
      timezone: {zone}
      start_date: "2025-10-25"
      end_date: "2025-10-27"
      status: published
    people:
      - slug: anna
        given_name: Anna
        family_name: Schmidt
        email: anna@private.example
    sessions:
      - code: S1
        title: 日本語のセッション
        kind: break
        status: confirmed
        starts_at: "2025-10-26T10:00"
        ends_at: "2025-10-26T10:45"
        participants:
          - person: anna
            role: speaker
          - person: anna
            role: moderator
    """
)


def test_a_short_slug_a_dst_change_and_a_title_without_latin_letters(client, runner, tmp_path):
    assert load(runner, write(tmp_path, ODD.format(zone="Europe/Berlin"))).exit_code == 0
    url = "/api/v1/conferences/ab/schedule"
    document = frab_json(client, f"{url}.frab.json")
    conference = document["schedule"]["conference"]
    assert conference["acronym"] == "ab_2025"
    day = conference["days"][1]
    # Summer time ends on 26 October 2025: the day starts at +02:00 and ends at +01:00.
    assert (day["date"], day["day_start"], day["day_end"]) == (
        "2025-10-26",
        "2025-10-26T00:00:00+02:00",
        "2025-10-27T00:00:00+01:00",
    )
    [event] = day["rooms"]["TBA"]
    assert (event["date"], event["start"], event["duration"]) == (
        "2025-10-26T10:00:00+01:00",
        "10:00",
        "00:45",
    )
    assert event["slug"] == f"ab_2025-{event['id']}-break"
    assert [p["public_name"] for p in event["persons"]] == ["Anna Schmidt"]  # once, though in two roles
    assert conference["days"][0]["rooms"] == {} and conference["days"][2]["rooms"] == {}
    root = frab_xml(client, f"{url}.xml")
    assert [p.text for p in root.iter("person")] == ["Anna Schmidt"]
    assert "private.example" not in json.dumps(document) + ET.tostring(root, encoding="unicode")


@pytest.mark.parametrize("zone", ["Etc/GMT-9", "UTC", "America/Argentina/Buenos_Aires"])
def test_any_zone_gives_valid_documents(client, runner, tmp_path, zone):
    assert load(runner, write(tmp_path, ODD.format(zone=zone))).exit_code == 0
    conference = frab_json(client, "/api/v1/conferences/ab/schedule.frab.json")["schedule"]["conference"]
    # The JSON schema's pattern refuses names like Etc/GMT-9; the offsets of every time still say it all.
    assert conference.get("time_zone_name", zone) == zone
    root = frab_xml(client, "/api/v1/conferences/ab/schedule.xml")
    assert root.findtext("conference/time_zone_name") == zone


def test_markup_and_any_script_pass_through_unchanged(client, admin, seeded):
    satellite = by_code(client, "SAT-TIGERMED")
    title, abstract, family_name = '<b>R&D</b> "]]>" 日本語 – ok', "a < b & c > d\n\nÉtude 研究", "Sun & <Co>"
    assert (
        client.patch(
            f"{DIA}/sessions/{satellite['id']}", json={"title": title, "abstract": abstract}, headers=admin
        ).status_code
        == 200
    )
    person = satellite["participants"][0]["person"]
    assert (
        client.patch(
            f"/api/v1/people/{person['id']}", json={"family_name": family_name}, headers=admin
        ).status_code
        == 200
    )
    name = client.get(f"/api/v1/people/{person['id']}").get_json()["display_name"]
    event = json_event(frab_json(client), satellite["id"])
    assert (event["title"], event["abstract"], [p["public_name"] for p in event["persons"]]) == (
        title,
        abstract,
        [name],
    )
    element = xml_event(frab_xml(client), satellite["id"])
    assert (element.findtext("title"), element.findtext("abstract"), element.findtext("persons/person")) == (
        title,
        abstract,
        name,
    )


def test_a_carriage_return_in_a_text_survives_the_xml(client, seeded, admin):
    session = by_code(client, "CN-TOWN-HALL")
    abstract = "First line\r\nsecond line\rthird\nfourth"
    patched = client.patch(f"{DIA}/sessions/{session['id']}", json={"abstract": abstract}, headers=admin)
    assert patched.status_code == 200, patched.get_data(as_text=True)
    assert patched.get_json()["abstract"] == abstract
    raw = client.get(XML_URL).data
    assert b"\r" not in raw and b"First line&#13;\nsecond line&#13;third\nfourth" in raw
    event = xml_event(frab_xml(client), session["id"])
    assert event.findtext("abstract") == abstract  # the XSD holds, and a parser reads the text back as it was
    assert json_event(frab_json(client), session["id"])["abstract"] == abstract
