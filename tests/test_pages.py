"""The attendee's pages, through HTTP: what they show, in which language, their filters and subscribe
links against the feeds, caching, and the change log."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import icalendar
import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from helpers import DIA, libical_read
from lxml import html

PAGE = "/conferences/dia-japan-2025/"
CATALOGUE = (
    Path(__file__).resolve().parent.parent / "eventapp" / "pages" / "translations" / "ja" / "LC_MESSAGES"
)


def page(client, url, status=200, **headers):
    answer = client.get(url, headers=headers)
    assert answer.status_code == status, answer.get_data(as_text=True)[:500]
    return answer


def tree(answer):
    assert answer.mimetype == "text/html"
    return html.fromstring(answer.get_data(as_text=True))


def schedule_sessions(client, **filters):
    days = client.get(f"{DIA}/schedule", query_string=filters).get_json()["days"]
    return [s for day in days for s in day["sessions"]]


def listed_ids(doc) -> list[int]:
    """The sessions of a schedule page's list (the narrow layout), in order."""
    return [int(a.get("data-session")) for a in doc.cssselect(".day-list article[data-session]")]


def subscribe_block(doc, name="schedule") -> dict[str, str]:
    block = doc.cssselect(f'section[data-subscribe="{name}"]')[0]
    links = {a.get("data-link"): a.get("href") for a in block.cssselect("a[data-link]")}
    links["copy"] = block.cssselect("input.feed-url")[0].get("value")
    return links


def test_front_page_lists_published_conferences_in_both_languages(client, seeded):
    english = tree(page(client, "/?lang=en"))
    japanese = tree(page(client, "/", **{"Accept-Language": "ja,en;q=0.5"}))
    assert english.get("lang") == "en" and japanese.get("lang") == "ja"
    link = english.cssselect("ul.conferences a")[0]
    assert link.get("href") == f"{PAGE}?lang=en"
    assert link.text_content().startswith("22nd DIA Japan Annual Meeting")
    assert "第22回 DIA日本年会" in link.text_content()  # the other language beside
    assert japanese.cssselect("ul.conferences a")[0].text_content().startswith("第22回 DIA日本年会")
    assert japanese.cssselect("h1")[0].text_content() == "学会・会議"


def test_schedule_lists_every_published_session_by_day_and_start_with_times_in_the_zone(client, seeded):
    doc = tree(page(client, f"{PAGE}?lang=en"))
    expected = [s["id"] for s in schedule_sessions(client)]
    assert listed_ids(doc) == expected
    assert [h.text_content() for h in doc.cssselect("section.day > h2")] == [
        "Sunday, October 19, 2025",
        "Monday, October 20, 2025",
        "Tuesday, October 21, 2025",
    ]
    assert "All times are in Asia/Tokyo (UTC+09:00)." in doc.cssselect(".zone-note")[0].text_content()
    for slot in doc.cssselect(".day-list section.slot"):
        start = slot.cssselect("h3 time")[0].get("datetime")
        assert start.endswith("+09:00")
        assert all(a.cssselect(".when time")[0].get("datetime") == start for a in slot.cssselect("article"))
    first = doc.cssselect(".day-list article")[0]
    assert first.cssselect(".zone")[0].text_content() == "JST"
    # A table a day, with the day's rooms as column headers, holding the same sessions.
    tables = doc.cssselect("table.grid")
    assert tables and all(t.cssselect("thead th[scope=col]") for t in tables)
    assert sorted(int(c.get("data-session")) for c in doc.cssselect("table.grid [data-session]")) == sorted(
        expected
    )
    assert all(len(t.cssselect("thead th")) <= 8 for t in tables)  # at most 7 rooms beside the time


def test_titles_and_names_in_the_chosen_language_with_the_other_beside(client, seeded):
    town_hall = next(s for s in schedule_sessions(client) if s["kind"] == "town_hall")
    assert town_hall["title_translations"].get("ja")
    url = f"{PAGE}sessions/{town_hall['id']}"
    english, japanese = tree(page(client, url + "?lang=en")), tree(page(client, url + "?lang=ja"))
    heading_en, heading_ja = english.cssselect("h1")[0], japanese.cssselect("h1")[0]
    assert heading_en.cssselect("span")[0].text_content() == town_hall["title"]
    assert heading_en.cssselect("span.other")[0].text_content() == town_hall["title_translations"]["ja"]
    assert heading_ja.cssselect("span")[0].text_content() == town_hall["title_translations"]["ja"]
    assert heading_ja.cssselect("span.other")[0].text_content() == town_hall["title"]
    # People with a native name: Japanese page shows it first.
    person = next(
        p["person"]
        for s in schedule_sessions(client)
        for p in s["participants"]
        if p["person"].get("native_name")
    )
    person_en = tree(page(client, f"/people/{person['id']}?lang=en")).cssselect("h1")[0].text_content()
    person_ja = tree(page(client, f"/people/{person['id']}?lang=ja")).cssselect("h1")[0].text_content()
    assert person_en.startswith(person["display_name"]) and person["native_name"] in person_en
    assert person_ja.startswith(person["native_name"]) and person["display_name"] in person_ja


def test_language_from_query_then_accept_language(client, seeded):
    assert tree(page(client, PAGE, **{"Accept-Language": "ja"})).get("lang") == "ja"
    assert tree(page(client, PAGE + "?lang=en", **{"Accept-Language": "ja"})).get("lang") == "en"
    assert tree(page(client, PAGE, **{"Accept-Language": "fr"})).get("lang") == "en"
    answer = page(client, PAGE, **{"Accept-Language": "ja"})
    assert answer.headers["Content-Language"] == "ja"
    assert "Accept-Language" in answer.headers["Vary"]


def test_pages_are_validated_by_version_and_language(client, seeded, admin):
    first = page(client, PAGE + "?lang=en")
    etag = first.headers["ETag"]
    assert page(client, PAGE + "?lang=en", 304, **{"If-None-Match": etag}).data == b""
    assert page(client, PAGE + "?lang=ja").headers["ETag"] != etag
    assert page(client, PAGE + "?lang=ja", 200, **{"If-None-Match": etag}).data
    session = schedule_sessions(client)[0]
    assert (
        client.patch(f"{DIA}/sessions/{session['id']}", json={"title": "Renamed"}, headers=admin).status_code
        == 200
    )
    again = page(client, PAGE + "?lang=en", 200, **{"If-None-Match": etag})
    assert again.headers["ETag"] != etag and "Renamed" in again.get_data(as_text=True)
    assert "public" in again.headers["Cache-Control"]


def test_filters_are_the_feeds_filters_and_the_subscribe_block_is_the_filtered_feed(client, seeded):
    sessions = schedule_sessions(client)
    track = next(s["track"]["id"] for s in sessions if s["track"])
    doc = tree(page(client, f"{PAGE}?track={track}&day=2025-10-20&room=&kind=&language=&follow=&lang=en"))
    expected = [s["id"] for s in schedule_sessions(client, track=track, day="2025-10-20")]
    assert listed_ids(doc) == expected
    links = subscribe_block(doc)
    feed = f"http://localhost{DIA}/schedule.ics?day=2025-10-20&lang=en&track={track}"
    assert links["copy"] == links["download"] == feed
    assert links["webcal"] == "webcal://" + feed.split("://", 1)[1]
    assert links["google"] == "https://calendar.google.com/calendar/r?cid=" + quote(links["webcal"], safe="")
    for key, host in (("outlook-com", "outlook.live.com"), ("microsoft-365", "outlook.office.com")):
        parts = urlsplit(links[key])
        assert (parts.netloc, parts.path) == (host, "/calendar/0/addfromweb")
        query = parse_qs(parts.query)
        assert query["url"] == [feed] and query["name"][0].startswith("22nd DIA Japan Annual Meeting")
    answer = client.get(feed)
    assert answer.status_code == 200 and answer.mimetype == "text/calendar"
    assert libical_read(answer.data) == {"events": len(expected), "problems": []}
    events = icalendar.Calendar.from_ical(answer.data).walk("VEVENT")
    assert sorted(int(str(e["UID"]).split("-")[1].split("@")[0]) for e in events) == sorted(expected)
    # The form's own fields name the filters the feeds take.
    form = doc.cssselect("form.filters")[0]
    assert form.get("method") == "get"
    assert {f.get("name") for f in form.cssselect("select, input")} == {
        "day",
        "track",
        "room",
        "kind",
        "language",
        "follow",
        "lang",
    }


def test_i_can_follow_in_japanese_keeps_sessions_held_in_it_or_interpreted_into_it(client, seeded):
    sessions = schedule_sessions(client)
    followable = [s["id"] for s in sessions if s["language"] == "ja" or "ja" in s["interpretation"]]
    held = [s["id"] for s in sessions if s["language"] == "ja"]
    assert set(held) < set(followable)  # the seed has sessions interpreted into Japanese
    assert listed_ids(tree(page(client, f"{PAGE}?follow=ja"))) == followable
    assert listed_ids(tree(page(client, f"{PAGE}?language=ja"))) == held
    assert [s["id"] for s in schedule_sessions(client, follow="ja")] == followable
    links = subscribe_block(tree(page(client, f"{PAGE}?follow=ja&lang=ja")))
    feed = client.get(links["copy"])
    assert len(icalendar.Calendar.from_ical(feed.data).walk("VEVENT")) == len(followable)


@pytest.mark.parametrize("query", ["track=abc", "day=yesterday", "kind=party", "colour=red", "follow=ja%22"])
def test_a_bad_filter_is_a_400_in_the_error_shape(client, seeded, query):
    answer = client.get(f"{PAGE}?{query}")
    assert answer.status_code == 400
    body = answer.get_json()
    assert body["status"] == 400 and body["errors"][0]["location"] == "query"


def test_unknown_conference_session_and_person_are_404(client, seeded):
    for url in ("/conferences/nothing/", f"{PAGE}sessions/999999", "/people/999999", "/agendas/nope"):
        answer = client.get(url)
        assert answer.status_code == 404 and answer.get_json()["code"] == "not_found", url


def test_session_page_shows_people_room_languages_status_and_its_own_calendar(client, seeded):
    session = next(s for s in schedule_sessions(client) if s["interpretation"] and s["participants"])
    doc = tree(page(client, f"{PAGE}sessions/{session['id']}?lang=en"))
    facts = doc.cssselect("dl.facts")[0].text_content()
    assert session["room"]["name"] in facts and "Confirmed" in facts
    assert "simultaneous interpretation into" in facts
    people = doc.cssselect(".people-list li")
    assert len(people) == len(session["participants"])
    for item, participant in zip(people, session["participants"], strict=True):
        assert participant["role"].replace("_", "-").capitalize()[:4] in item.text_content()
        assert item.cssselect("a")[0].get("href") == f"/people/{participant['person']['id']}?lang=en"
    links = subscribe_block(doc, "session")
    assert links["copy"] == f"http://localhost{DIA}/sessions/{session['id']}.ics?lang=en"
    assert len(icalendar.Calendar.from_ical(client.get(links["copy"]).data).walk("VEVENT")) == 1
    # No registration data: the registration block renders nothing.
    assert not doc.cssselect("section.registration")


def test_moved_and_cancelled_sessions_are_labelled_everywhere_and_in_the_change_log(client, seeded, admin):
    confirmed = [s for s in schedule_sessions(client) if s["status"] == "confirmed" and s["participants"]]
    moved, cancelled = confirmed[0], confirmed[1]
    moves = {"starts_at": "2025-10-21T19:00:00+09:00", "ends_at": "2025-10-21T19:30:00+09:00"}
    assert client.patch(f"{DIA}/sessions/{moved['id']}", json=moves, headers=admin).status_code == 200
    assert (
        client.patch(
            f"{DIA}/sessions/{cancelled['id']}", json={"status": "cancelled"}, headers=admin
        ).status_code
        == 200
    )
    doc = tree(page(client, f"{PAGE}?lang=en"))
    item = doc.cssselect(f".day-list #session-{cancelled['id']}")[0]
    assert "is-cancelled" in item.get("class") and item.cssselect(".status-cancelled")[0].text == "Cancelled"
    assert doc.cssselect(f".day-list #session-{moved['id']} .status-moved")[0].text == "Moved"
    assert doc.cssselect(f"table.grid [data-session='{cancelled['id']}'] .status-cancelled")
    japanese = tree(page(client, f"{PAGE}?lang=ja"))
    assert japanese.cssselect(f".day-list #session-{cancelled['id']} .status-cancelled")[0].text == "中止"
    session_page = tree(page(client, f"{PAGE}sessions/{cancelled['id']}?lang=en"))
    assert session_page.cssselect(".notice")[0].text_content() == "This session is cancelled."
    person = cancelled["participants"][0]["person"]["id"]
    assert tree(page(client, f"/people/{person}?lang=en")).cssselect(
        f"#session-{cancelled['id']} .status-cancelled"
    )

    log = tree(page(client, f"{PAGE}changes?lang=en"))
    rows = {row.cssselect("td")[2].text_content(): row for row in log.cssselect("tr.change")}
    moved_row = rows["Moved"].text_content()
    assert moved["title"] in moved_row and "19:00–19:30" in moved_row
    old_start = moved["starts_at"][11:16]
    assert old_start in rows["Moved"].cssselect("td")[3].text_content()
    assert cancelled["title"] in rows["Cancelled"].text_content()
    assert [c.text_content() for c in rows["Cancelled"].cssselect("td")[3:5]] == ["confirmed", "cancelled"]
    version = client.get(f"{DIA}/schedule").get_json()["conference"]["schedule_version"]
    assert {int(r.get("data-version")) for r in rows.values()} <= set(range(1, version + 1))


def test_agenda_page_shows_the_agenda_and_its_feed_privately(client, seeded):
    chosen = [s["id"] for s in schedule_sessions(client)[:2]]
    made = client.post(f"{DIA}/agendas", json={"session_ids": chosen}).get_json()
    answer = page(client, f"/agendas/{made['token']}?lang=en")
    assert answer.headers["Cache-Control"].startswith("private")
    doc = tree(answer)
    assert [int(a.get("data-session")) for a in doc.cssselect("section.agenda article")] == chosen
    links = subscribe_block(doc, "agenda")
    assert links["copy"] == f"http://localhost/api/v1/agendas/{made['token']}.ics?lang=en"
    assert len(icalendar.Calendar.from_ical(client.get(links["copy"]).data).walk("VEVENT")) == 2
    assert client.delete(f"/api/v1/agendas/{made['token']}").status_code == 204
    assert client.get(f"/agendas/{made['token']}").status_code == 410


def test_pages_run_only_their_own_files(client, seeded):
    answer = page(client, PAGE)
    policy = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    doc = tree(answer)
    assert not [
        s for s in doc.cssselect("script") if not s.get("src") and s.get("type") != "application/json"
    ]
    assert not doc.cssselect("[style]")
    for asset in doc.cssselect("script[src], link[rel=stylesheet]"):
        with client.get(asset.get("src") or asset.get("href")) as served:
            assert served.status_code == 200


def test_the_japanese_catalogue_is_complete_and_compiled():
    with open(CATALOGUE / "messages.po", "rb") as source:
        po = read_po(source, locale="ja")
    with open(CATALOGUE / "messages.mo", "rb") as compiled:
        mo = read_mo(compiled)
    untranslated = [
        m.id for m in po if m.id and not all(m.string if isinstance(m.string, tuple) else [m.string])
    ]
    assert not untranslated

    def entries(catalog):
        plain = lambda value: tuple(value) if isinstance(value, list | tuple) else value  # noqa: E731
        return {plain(m.id): plain(m.string) for m in catalog if m.id}

    assert entries(po) == entries(mo)
