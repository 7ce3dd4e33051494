"""Schedules and iCal feeds that calendars keep in sync, personal agendas, and conditional GET."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
import vobject
from helpers import DIA, FEED, MINIMAL, counted_queries, load, make_app, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventapp.db import get_engine


def calendar(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.get_data(as_text=True)
    return icalendar.Calendar.from_ical(response.data)


def events(response) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in calendar(response).walk("VEVENT")}


def api_sessions(client, url=f"{DIA}/sessions?page_size=200", headers=None):
    return {s["id"]: s for s in client.get(url, headers=headers).get_json()["items"]}


def uid(session_id: int) -> str:
    return f"session-{session_id}@eventapp"


# The DIA Japan feed


def test_dia_feed_parses_in_two_parsers_with_every_event_at_the_right_instant(client, seeded):
    response = client.get(FEED)
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    sessions = api_sessions(client)
    by_icalendar = events(response)
    by_vobject = {e.uid.value: e for e in vobject.readOne(response.get_data(as_text=True)).vevent_list}
    assert set(by_icalendar) == set(by_vobject) == {uid(i) for i in sessions}
    for session_id, session in sessions.items():
        starts, ends = (
            datetime.fromisoformat(session["starts_at"]),
            datetime.fromisoformat(session["ends_at"]),
        )
        for parsed in (
            by_icalendar[uid(session_id)]["DTSTART"].dt,
            by_vobject[uid(session_id)].dtstart.value,
        ):
            assert parsed.tzinfo is not None and parsed == starts
            assert parsed.utcoffset().total_seconds() == 9 * 3600
        assert by_icalendar[uid(session_id)]["DTEND"].dt == ends
        assert by_vobject[uid(session_id)].dtend.value == ends
    town_hall = next(e for e in by_icalendar.values() if e["SUMMARY"] == "China Town Hall")
    description = str(town_hall["DESCRIPTION"])
    assert "Moderator: Su Ling (Lilly Asia Ventures)" in description
    assert "Co-host: Zhang Dingheng" in description and "Co-host: Hitoshi Endo" in description
    assert "Simultaneous interpretation: ja" in description
    assert "[online]" in description  # Lv Shuchao's online speech
    assert "Reception Hall A" in str(town_hall["LOCATION"]) and "Tokyo Big Sight" in str(
        town_hall["LOCATION"]
    )
    assert [str(c) for c in town_hall["CATEGORIES"].cats] == ["Town hall", "China-Japan Collaboration"]
    assert str(town_hall["URL"]).endswith(f"/sessions/{town_hall['UID'].split('-')[1].split('@')[0]}")


def test_calendar_properties(client, seeded):
    cal = calendar(client.get(FEED))
    assert (cal["VERSION"], cal["CALSCALE"]) == ("2.0", "GREGORIAN")
    assert "METHOD" not in cal  # a feed to subscribe to, not an iTIP message (RFC 5546)
    assert cal["PRODID"].startswith("-//eventapp")
    assert cal["NAME"] == cal["X-WR-CALNAME"] == "22nd DIA Japan Annual Meeting"
    assert cal["X-WR-TIMEZONE"] == "Asia/Tokyo"
    assert cal["X-PUBLISHED-TTL"] == "PT1H"
    assert cal["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    zones = cal.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Asia/Tokyo"]
    assert "+0900" in zones[0].to_ical().decode()
    assert "COMMENT" not in zones[0]  # RFC 5545 has no COMMENT in a VTIMEZONE itself


def test_lines_are_folded_at_75_octets_without_splitting_characters(client, seeded):
    raw = client.get(FEED).data
    assert raw.endswith(b"\r\n")
    lines = raw.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # a fold inside a multi-byte character would not decode
    assert any("–".encode() in line for line in lines)


def unfold(data: bytes) -> bytes:
    """Content lines as they are before folding (RFC 5545 3.1)."""
    return re.sub(rb"\r\n[ \t]", b"", data)


def test_each_vevent_has_the_lines_icalendar_writes_for_its_session(client, seeded):
    """ical.py writes each VEVENT line by line, for speed, claiming icalendar's own output: build every session's
    event with icalendar's Event from the API's view of the session and compare. The text the feed composes
    (description, location) and the last change are taken from the feed, read by icalendar; the folding is
    ours, at 75 octets (icalendar folds a line after 74), and checked by the test above."""
    response = client.get(FEED)
    written = {
        re.search(rb"\r\nUID:(.*?)\r\n", unfold(block)).group(1).decode(): block
        for block in re.findall(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", response.data, re.DOTALL)
    }
    parsed = events(response)
    sessions = api_sessions(client)
    assert set(written) == set(parsed) == {uid(i) for i in sessions}
    assert any(b"\r\n " in block for block in written.values())  # folded lines are among those compared
    for session_id, session in sessions.items():
        feed_event = parsed[uid(session_id)]
        cancelled = session["status"] == "cancelled"
        kind = session["kind"].replace("_", " ").capitalize()
        track = session["track"]["name"] if session["track"] else None
        modified = feed_event["LAST-MODIFIED"].dt
        built = icalendar.Event()
        built.add("summary", ("Cancelled: " if cancelled else "") + session["title"])
        built.add("dtstart", datetime.fromisoformat(session["starts_at"]).astimezone(ZoneInfo("Asia/Tokyo")))
        built.add("dtend", datetime.fromisoformat(session["ends_at"]).astimezone(ZoneInfo("Asia/Tokyo")))
        built.add("dtstamp", modified)
        built.add("uid", uid(session_id))
        built.add("sequence", session["sequence"])
        built.add("categories", [kind] + ([track] if track and track != kind else []))
        built.add("created", datetime.fromisoformat(session["created_at"]))
        if "DESCRIPTION" in feed_event:
            built.add("description", str(feed_event["DESCRIPTION"]))
        built.add("last-modified", modified)
        if "LOCATION" in feed_event:
            built.add("location", str(feed_event["LOCATION"]))
        built.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        built.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
        built.add("url", f"http://localhost/conferences/dia-japan-2025/sessions/{session_id}")
        assert unfold(written[uid(session_id)]) == unfold(built.to_ical()), session["code"]


def test_feed_is_stable_between_fetches(client, seeded):
    first = client.get(FEED)
    second = client.get(FEED)
    assert first.data == second.data  # DTSTAMP is the last change, not the request time
    assert first.headers["ETag"] == second.headers["ETag"]


# Calendars pick up edits and cancellations


def test_move_then_cancel_reaches_subscribed_calendars(client, admin, seeded):
    sessions = api_sessions(client)
    town_hall = next(s for s in sessions.values() if s["code"] == "CN-TOWN-HALL")
    first = client.get(FEED)
    before = events(first)[uid(town_hall["id"])]
    other_room = next(r for r in client.get(DIA).get_json()["rooms"] if r["name"] == "Room 605")
    # iCalendar times have whole seconds: the edit falls in a later one.
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=2)):
        moved = client.patch(
            f"{DIA}/sessions/{town_hall['id']}", json={"room_id": other_room["id"]}, headers=admin
        )
    assert moved.status_code == 200, moved.get_json()

    second = client.get(FEED, headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    after = events(second)[uid(town_hall["id"])]
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after["LAST-MODIFIED"].dt > before["LAST-MODIFIED"].dt
    assert after["DTSTAMP"].dt == after["LAST-MODIFIED"].dt
    assert "Room 605" in str(after["LOCATION"])
    assert client.get(FEED, headers={"If-None-Match": second.headers["ETag"]}).status_code == 304

    client.patch(f"{DIA}/sessions/{town_hall['id']}", json={"status": "cancelled"}, headers=admin)
    third = client.get(FEED, headers={"If-None-Match": second.headers["ETag"]})
    assert third.status_code == 200
    cancelled = events(third)[uid(town_hall["id"])]
    assert cancelled["STATUS"] == "CANCELLED"
    assert cancelled["SEQUENCE"] > after["SEQUENCE"]
    assert str(cancelled["SUMMARY"]) == "Cancelled: China Town Hall"
    assert len(events(third)) == len(sessions)


def test_editing_a_speaker_updates_the_events_last_modified(client, admin, seeded):
    first = events(client.get(FEED))
    sessions = api_sessions(client)
    satellite = next(s for s in sessions.values() if s["code"] == "SAT-TIGERMED")
    speaker = satellite["participants"][0]["person"]
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=2)):  # iCalendar times have whole seconds
        edited = client.patch(f"/api/v1/people/{speaker['id']}", json={"honorific": "Dr."}, headers=admin)
    assert edited.status_code == 200
    second = events(client.get(FEED))
    assert second[uid(satellite["id"])]["LAST-MODIFIED"].dt > first[uid(satellite["id"])]["LAST-MODIFIED"].dt
    assert second[uid(satellite["id"])]["SEQUENCE"] == first[uid(satellite["id"])]["SEQUENCE"]


# HTTP caching


def test_conditional_get_and_cache_headers(client, seeded):
    response = client.get(FEED)
    assert response.headers["Cache-Control"].startswith("public, max-age=")
    last_modified = response.headers["Last-Modified"]
    assert client.get(FEED, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    assert client.get(FEED, headers={"If-None-Match": f"W/{response.headers['ETag']}"}).status_code == 304
    not_modified = client.get(FEED, headers={"If-Modified-Since": last_modified})
    assert not_modified.status_code == 304 and not_modified.data == b""
    assert not_modified.headers["ETag"] == response.headers["ETag"]
    assert client.get(FEED, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code == 200
    # A filtered feed is another resource with another ETag
    assert client.get(f"{FEED}?kind=roundtable").headers["ETag"] != response.headers["ETag"]


def test_public_json_has_cors(client, seeded):
    response = client.get(f"{DIA}/schedule", headers={"Origin": "https://app.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]


def generated_seed(sessions: int) -> str:
    """A published meeting with this many sessions, each with two people, in ten rooms."""
    rooms = "".join(f"  - name: Room {r}\n" for r in range(10))
    people = "".join(
        f"  - slug: p{i}\n    given_name: Given{i}\n    family_name: Family{i}\n    organization: Org{i % 3}\n"
        for i in range(2 * sessions)
    )
    items = "".join(
        f"  - code: S{i}\n    title: Session {i}\n    status: confirmed\n"
        f'    starts_at: "2025-10-{19 + i // 40}T{8 + (i // 10) % 4 * 2:02d}:00"\n'
        f'    ends_at: "2025-10-{19 + i // 40}T{9 + (i // 10) % 4 * 2:02d}:00"\n'
        f"    room: Room {i % 10}\n    track: T{i % 2}\n"
        f"    participants:\n      - person: p{2 * i}\n        role: moderator\n"
        f"      - person: p{2 * i + 1}\n        role: speaker\n"
        for i in range(sessions)
    )
    return (
        "conference:\n  slug: gen\n  name: Generated\n  timezone: Asia/Tokyo\n"
        '  start_date: "2025-10-19"\n  end_date: "2025-10-21"\n  status: published\n'
        "organizations:\n"
        + "".join(f"  - name: Org{i}\n" for i in range(3))
        + "people:\n"
        + people
        + "rooms:\n"
        + rooms
        + "tracks:\n  - name: T0\n  - name: T1\n"
        + "sessions:\n"
        + items
    )


@pytest.mark.parametrize("path", ["schedule", "schedule.ics", "schedule.xml", "schedule.frab.json"])
def test_queries_do_not_grow_with_the_number_of_sessions(app, client, runner, tmp_path, path):
    counts = []
    for size in (3, 60):
        assert load(runner, write(tmp_path, generated_seed(size), f"gen{size}.yaml")).exit_code == 0
        with counted_queries(app) as statements:
            response = client.get(f"/api/v1/conferences/gen/{path}")
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 15, counts  # a handful of eager loads, never one query a session
    with counted_queries(app) as statements:
        assert (
            client.get(
                f"/api/v1/conferences/gen/{path}", headers={"If-None-Match": response.headers["ETag"]}
            ).status_code
            == 304
        )
    assert len(statements) == 1, statements  # the 304 costs one small query


# The filter grammar, shared by JSON and iCal


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("kind=town_hall", {"CN-TOWN-HALL"}),
        ("day=2025-10-19", {"EXH-1"}),
        ("day=2025-10-21", {"EXH-3", "JP-INTO-CN", "CN-TOWN-HALL"}),
        ("room={Room 605}", {"RT-CN-JP"}),
        ("track={Satellite Symposia}", {"SAT-TIGERMED"}),
        ("person={su-ling}", {"CN-TOWN-HALL"}),
    ],
)
def test_json_and_ical_share_one_filter_grammar(client, seeded, query, codes):
    conference = client.get(DIA).get_json()
    ids = {r["name"]: r["id"] for r in conference["rooms"]} | {
        t["name"]: t["id"] for t in conference["tracks"]
    }
    sessions = api_sessions(client)
    ids |= {p["person"]["slug"]: p["person"]["id"] for s in sessions.values() for p in s["participants"]}
    query = re.sub(r"\{([^}]+)\}", lambda m: str(ids[m.group(1)]), query)
    schedule = client.get(f"{DIA}/schedule?{query}").get_json()
    in_json = {s["code"] for day in schedule["days"] for s in day["sessions"]}
    by_code = {s["code"]: s["id"] for s in sessions.values()}
    in_ical = set(events(client.get(f"{FEED}?{query}")))
    assert in_json == codes
    assert in_ical == {uid(by_code[c]) for c in codes}
    assert schedule["feeds"]["ics"].endswith(f"/schedule.ics?{query}")
    assert schedule["feeds"]["webcal"].startswith("webcal://")


def test_schedule_json_by_day_in_the_conference_zone(client, seeded):
    schedule = client.get(f"{DIA}/schedule").get_json()
    assert [d["date"] for d in schedule["days"]] == ["2025-10-19", "2025-10-20", "2025-10-21"]
    assert schedule["conference"]["timezone"] == "Asia/Tokyo"
    for day in schedule["days"]:
        for session in day["sessions"]:
            assert session["starts_at"].startswith(day["date"]) and session["starts_at"].endswith("+09:00")
    town_hall = next(s for d in schedule["days"] for s in d["sessions"] if s["code"] == "CN-TOWN-HALL")
    assert town_hall["interpretation"] == ["ja"] and town_hall["language"] == "en"
    assert {"organization"} <= set(town_hall["participants"][0]["person"])


def test_lang_picks_translated_titles(client, seeded):
    schedule = client.get(f"{DIA}/schedule?lang=ja").get_json()
    titles = {s["code"]: s["title"] for d in schedule["days"] for s in d["sessions"]}
    assert titles["CN-TOWN-HALL"] == "チャイナ・タウンホール"
    assert titles["EXH-1"] == "Exhibition"  # untranslated titles stay as they are
    assert schedule["conference"]["name"] == "第22回 DIA日本年会"
    summaries = {str(e["SUMMARY"]) for e in events(client.get(f"{FEED}?lang=ja")).values()}
    assert "チャイナ・タウンホール" in summaries


def test_bad_filters_are_422(client, seeded):
    for query in ("kind=lecture", "day=tomorrow", "room=abc", "lang=???"):
        response = client.get(f"{FEED}?{query}")
        assert response.status_code == 422
        assert response.get_json()["errors"][0]["location"] == "query"


# Only what is published


def test_drafts_are_never_published(client, admin, runner, tmp_path, seeded):
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
    assert "Secret draft" not in client.get(FEED).get_data(as_text=True)
    assert "Secret draft" not in client.get(f"{DIA}/schedule").get_data(as_text=True)
    client.patch(DIA, json={"status": "draft"}, headers=admin)
    for path in ("schedule", "schedule.ics", "schedule.xml", "schedule.frab.json"):
        assert client.get(f"{DIA}/{path}").status_code == 404
        assert client.get(f"{DIA}/{path}", headers=admin).status_code == 404


def test_no_private_email_in_any_output(client, admin, seeded):
    sessions = api_sessions(client)
    su_ling = next(
        p["person"]["id"]
        for s in sessions.values()
        for p in s["participants"]
        if p["person"]["slug"] == "su-ling"
    )
    client.patch(f"/api/v1/people/{su_ling}", json={"email": "su.ling@private.example"}, headers=admin)
    agenda = client.post(f"{DIA}/agendas", json={"session_ids": list(sessions)}).get_json()
    for url in (
        FEED,
        f"{DIA}/schedule",
        f"{DIA}/schedule.xml",
        f"{DIA}/schedule.frab.json",
        f"/api/v1/people/{su_ling}/schedule.ics",
        f"/api/v1/people/{su_ling}",
        f"{DIA}/sessions",
        agenda["feeds"]["ics"],
    ):
        body = client.get(url, headers=admin).get_data(as_text=True)
        assert "private.example" not in body, url


# A person's feed


def test_person_feed_holds_every_session_they_appear_in(client, seeded):
    sessions = api_sessions(client)
    su_ling = next(
        p["person"] for s in sessions.values() for p in s["participants"] if p["person"]["slug"] == "su-ling"
    )
    feed = client.get(f"/api/v1/people/{su_ling['id']}/schedule.ics")
    cal = calendar(feed)
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == ["China Town Hall"]
    assert "Su Ling" in str(cal["X-WR-CALNAME"])
    assert (
        client.get(
            f"/api/v1/people/{su_ling['id']}/schedule.ics", headers={"If-None-Match": feed.headers["ETag"]}
        ).status_code
        == 304
    )
    assert client.get("/api/v1/people/99999/schedule.ics").status_code == 404


# Personal agendas


def test_agenda_without_login(client, seeded):
    sessions = api_sessions(client)
    codes = {s["code"]: s["id"] for s in sessions.values()}
    chosen = [codes["RT-CN-JP"], codes["CN-TOWN-HALL"]]
    created = client.post(f"{DIA}/agendas", json={"session_ids": chosen})
    assert created.status_code == 201, created.get_json()
    agenda = created.get_json()
    token = agenda["token"]
    assert len(token) >= 22 and re.fullmatch(r"[A-Za-z0-9_-]+", token)  # >= 128 bits, URL-safe
    assert sorted(agenda["session_ids"]) == sorted(chosen)
    assert agenda["feeds"]["webcal"].startswith("webcal://") and agenda["feeds"]["ics"].endswith(
        f"{token}.ics"
    )

    feed = client.get(f"/api/v1/agendas/{token}.ics")
    assert set(events(feed)) == {uid(i) for i in chosen}
    assert "private" in feed.headers["Cache-Control"]

    changed = client.put(f"/api/v1/agendas/{token}", json={"session_ids": [codes["SAT-TIGERMED"]]})
    assert changed.status_code == 200 and changed.get_json()["session_ids"] == [codes["SAT-TIGERMED"]]
    refreshed = client.get(f"/api/v1/agendas/{token}.ics", headers={"If-None-Match": feed.headers["ETag"]})
    assert set(events(refreshed)) == {uid(codes["SAT-TIGERMED"])}

    other = client.post(f"{DIA}/agendas", json={"session_ids": chosen}).get_json()["token"]
    assert other != token

    assert client.delete(f"/api/v1/agendas/{token}").status_code == 204
    assert client.get(f"/api/v1/agendas/{token}.ics").status_code == 410
    assert client.get(f"/api/v1/agendas/{token}").status_code == 410
    assert client.get(f"/api/v1/agendas/{other}.ics").status_code == 200
    assert client.get("/api/v1/agendas/not-a-token.ics").status_code == 404


def test_agenda_takes_only_published_sessions_of_its_conference(client, admin, runner, tmp_path, seeded):

    assert load(runner, write(tmp_path, MINIMAL)).exit_code == 0
    foreign = next(iter(api_sessions(client, "/api/v1/conferences/tiny-2025/sessions")))
    draft = client.post(
        f"{DIA}/sessions",
        headers=admin,
        json={
            "title": "Draft",
            "status": "draft",
            "starts_at": "2025-10-19T10:00",
            "ends_at": "2025-10-19T11:00",
        },
    ).get_json()
    for ids in ([foreign], [draft["id"]], [999999]):
        response = client.post(f"{DIA}/agendas", json={"session_ids": ids})
        assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "session_ids"
    assert client.post("/api/v1/conferences/nope/agendas", json={"session_ids": []}).status_code == 404


# Any text survives the feed


TEXT = (
    st.lists(
        st.one_of(
            st.characters(blacklist_categories=("Cs", "Cc", "Co", "Cn")),
            st.sampled_from([*"\n,;:\\\"'", "BEGIN:VEVENT", "END:VCALENDAR", "\r\n", "日本語", "–"]),
        ),
        min_size=1,
        max_size=60,
    )
    .map("".join)
    .filter(lambda s: s.strip() and s == s.strip() and len(s) <= 200)
)


@pytest.fixture
def one_session(client, admin, seeded):
    sessions = api_sessions(client)
    return next(s for s in sessions.values() if s["code"] == "SAT-TIGERMED")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=TEXT, abstract=TEXT, family_name=TEXT)
def test_any_text_goes_through_the_feed_unchanged(client, admin, one_session, title, abstract, family_name):
    session_id = one_session["id"]
    person_id = one_session["participants"][0]["person"]["id"]
    patched = client.patch(
        f"{DIA}/sessions/{session_id}", json={"title": title, "abstract": abstract}, headers=admin
    )
    assert patched.status_code == 200, patched.get_json()
    assert (
        client.patch(
            f"/api/v1/people/{person_id}", json={"family_name": family_name}, headers=admin
        ).status_code
        == 200
    )
    response = client.get(FEED)
    parsed = events(response)[uid(session_id)]
    assert str(parsed["SUMMARY"]) == title.replace("\r\n", "\n")
    description = str(parsed["DESCRIPTION"])
    assert description.startswith(abstract.replace("\r\n", "\n"))
    assert family_name.replace("\r\n", "\n") in description
    other = {e.uid.value: e for e in vobject.readOne(response.get_data(as_text=True)).vevent_list}[
        uid(session_id)
    ]
    assert other.summary.value == title.replace("\r\n", "\n")


def test_a_new_agenda_answers_201_with_its_address(client, seeded):
    session_ids = list(api_sessions(client))[:2]
    made = client.post(f"{DIA}/agendas", json={"session_ids": session_ids})
    assert made.status_code == 201
    token = made.get_json()["token"]
    assert made.headers["Location"] == f"http://localhost/api/v1/agendas/{token}" == made.get_json()["url"]
    read = client.get(made.headers["Location"])
    assert read.status_code == 200 and read.get_json() == made.get_json()


def test_a_filtered_feeds_calendar_name_says_what_it_holds(client, seeded):
    tracks = {t["name"]: t["id"] for t in client.get(f"{DIA}/tracks").get_json()["items"]}
    track = tracks["China-Japan Collaboration"]
    cal = calendar(client.get(f"{FEED}?track={track}"))
    assert (
        cal["NAME"] == cal["X-WR-CALNAME"] == "22nd DIA Japan Annual Meeting: China-Japan Collaboration track"
    )
    cal = calendar(client.get(f"{FEED}?track={track}&kind=town_hall&day=2025-10-21"))
    assert str(cal["X-WR-CALNAME"]) == (
        "22nd DIA Japan Annual Meeting: China-Japan Collaboration track / Town hall / 2025-10-21"
    )
    su_ling = client.get("/api/v1/people/by-slug/su-ling").get_json()["id"]
    cal = calendar(client.get(f"/api/v1/people/{su_ling}/schedule.ics?kind=town_hall"))
    assert str(cal["X-WR-CALNAME"]) == "Su Ling: sessions (Town hall)"
    assert calendar(client.get(FEED))["X-WR-CALNAME"] == "22nd DIA Japan Annual Meeting"


def test_an_empty_feed_carries_no_vtimezone(client, seeded):
    empty = client.get(f"{FEED}?kind=poster")
    cal = calendar(empty)
    assert cal.walk("VEVENT") == [] and cal.walk("VTIMEZONE") == []
    assert b"BEGIN:VTIMEZONE" not in empty.data
    assert [str(z["TZID"]) for z in calendar(client.get(FEED)).walk("VTIMEZONE")] == ["Asia/Tokyo"]


def test_each_event_links_to_the_sessions_page_once_there_is_one(client, seeded, database_url):
    for event_uid, vevent in events(client.get(FEED)).items():
        session_id = event_uid.split("-")[1].split("@")[0]
        # By default the session's page (eventapp/pages), which answers HTML.
        assert str(vevent["URL"]) == f"http://localhost/conferences/dia-japan-2025/sessions/{session_id}"
        page = client.get(str(vevent["URL"]))
        assert page.status_code == 200 and page.mimetype == "text/html"
    paged = make_app(database_url, SESSION_PAGE_URL="https://meeting.example/{conference}/sessions/{id}")
    try:
        other = paged.test_client()
        for event_uid, vevent in events(other.get(FEED)).items():
            session_id = event_uid.split("-")[1].split("@")[0]
            assert str(vevent["URL"]) == f"https://meeting.example/dia-japan-2025/sessions/{session_id}"
        schedule = other.get(f"{DIA}/schedule").get_json()
        urls = [s["url"] for day in schedule["days"] for s in day["sessions"]]
        assert urls and all(
            url.startswith("https://meeting.example/dia-japan-2025/sessions/") for url in urls
        )
    finally:
        get_engine(paged).dispose()
