"""The pages in a real browser: Debian's Chromium driven by Playwright, over a live server.

Without JavaScript and with it; at 360 px (no horizontal scroll) and 1440 px (the table per day); filter and
subscribe links against the feeds; favourites into an agenda feed; cancelled sessions; the change log's
"new since your last visit"; axe-core's WCAG 2 A/AA rules in both languages.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import icalendar
import pytest
from helpers import DIA, live_server

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
PAGE = "/conferences/dia-japan-2025/"
NARROW = {"width": 360, "height": 740}
WIDE = {"width": 1440, "height": 900}


def _require_chromium() -> None:
    """Skip without Chromium or Playwright, saying why; under CI (CI=true), fail saying why."""
    reason = ""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        reason = f"the playwright package is missing ({error}): `make test` installs requirements-dev.txt"
    if not reason and not os.access(CHROMIUM, os.X_OK):
        reason = f"{CHROMIUM} is missing: install Debian's chromium (`make test` as root does: apt-get install chromium)"
    if reason:
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def server(app, seeded):
    with live_server(app) as url:
        yield url


@pytest.fixture
def open_page(browser, server):
    """open_page(path, viewport=..., javascript=True, **context options) -> a Playwright page at path."""
    contexts = []

    def opener(path: str, viewport=NARROW, javascript=True, **options):
        context = browser.new_context(viewport=viewport, java_script_enabled=javascript, **options)
        contexts.append(context)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.goto(server + path)
        page.errors = errors
        return page

    yield opener
    for context in contexts:
        context.close()


def listed(page) -> list[int]:
    return [
        int(x)
        for x in page.eval_on_selector_all(
            ".day-list article[data-session]", "els => els.map(e => e.dataset.session)"
        )
    ]


def fetch_calendar(page, url: str) -> icalendar.Calendar:
    answer = page.request.get(url)
    assert answer.status == 200 and answer.headers["content-type"].startswith("text/calendar"), url
    return icalendar.Calendar.from_ical(answer.body())


def event_ids(calendar: icalendar.Calendar) -> list[int]:
    return sorted(int(str(e["UID"]).split("-")[1].split("@")[0]) for e in calendar.walk("VEVENT"))


def test_schedule_renders_without_javascript_and_with_it(open_page, client):
    expected = [s["id"] for d in client.get(f"{DIA}/schedule").get_json()["days"] for s in d["sessions"]]
    plain = open_page(PAGE + "?lang=en", javascript=False)
    assert listed(plain) == expected
    assert plain.locator("section.day h2").count() == 3
    assert plain.locator("button.star").count() == 0 and not plain.locator("#favourites").is_visible()
    assert plain.locator("section.subscribe a[data-link=webcal]").is_visible()
    scripted = open_page(PAGE + "?lang=en")
    assert listed(scripted) == expected
    assert scripted.locator(".day-list button.star").count() == len(expected)
    assert scripted.locator("#favourites").is_visible()
    assert scripted.errors == []


@pytest.mark.parametrize("path", [PAGE, f"{PAGE}changes", "/"])
def test_no_horizontal_scroll_at_360_px_and_a_table_per_day_at_1440(open_page, path):
    for lang in ("en", "ja"):
        narrow = open_page(f"{path}?lang={lang}")
        width = narrow.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert width[0] <= width[1], (path, lang, width)
    if path == PAGE:
        assert not narrow.locator("table.grid").first.is_visible()
        assert narrow.locator(".day-list article").first.is_visible()
        wide = open_page(f"{path}?lang=en", viewport=WIDE)
        assert wide.locator("table.grid").first.is_visible()
        assert not wide.locator(".day-list").first.is_visible()
        headers = wide.locator("table.grid").first.locator("thead th[scope=col]").all_inner_texts()
        assert len(headers) >= 2 and headers[0].startswith("Time")


def test_session_and_person_pages_fit_360_px(open_page, client):
    session = next(
        s
        for d in client.get(f"{DIA}/schedule").get_json()["days"]
        for s in d["sessions"]
        if s["participants"]
    )
    for path in (f"{PAGE}sessions/{session['id']}", f"/people/{session['participants'][0]['person']['id']}"):
        page = open_page(path + "?lang=ja")
        width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1], (path, width)


def test_the_filter_form_and_every_subscribe_link_give_the_feed_of_the_view(open_page, server, client):
    page = open_page(PAGE + "?lang=en")
    sessions = [s for d in client.get(f"{DIA}/schedule").get_json()["days"] for s in d["sessions"]]
    track = next(
        s["track"]
        for s in sessions
        if s["track"] and s["room"] and (s["language"] == "ja" or "ja" in s["interpretation"])
    )
    page.select_option("#f-track", str(track["id"]))
    page.select_option("#f-follow", "ja")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    query = parse_qs(urlsplit(page.url).query)
    assert query["track"] == [str(track["id"])] and query["follow"] == ["ja"]
    shown = listed(page)
    expected = [
        s["id"]
        for s in sessions
        if s["track"]
        and s["track"]["id"] == track["id"]
        and (s["language"] == "ja" or "ja" in s["interpretation"])
    ]
    assert shown == expected and shown
    feed = f"{server}{DIA}/schedule.ics?follow=ja&lang=en&track={track['id']}"
    block = page.locator('section[data-subscribe="schedule"]')
    links = {
        a.get_attribute("data-link"): a.get_attribute("href") for a in block.locator("a[data-link]").all()
    }
    assert block.locator("input.feed-url").input_value() == feed
    assert links["download"] == feed
    assert links["webcal"] == "webcal://" + feed.split("://", 1)[1]
    google = parse_qs(urlsplit(links["google"]).query)["cid"][0]
    assert links["google"].startswith("https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2F")
    assert google == links["webcal"]
    for key in ("outlook-com", "microsoft-365"):
        assert parse_qs(urlsplit(links[key]).query)["url"] == [feed]
    # Every one of them fetches the same valid feed, holding the sessions the page shows.
    for url in (
        feed,
        "http://" + links["webcal"].removeprefix("webcal://"),
        "http://" + unquote(google).removeprefix("webcal://"),
    ):
        assert event_ids(fetch_calendar(page, url)) == sorted(shown)
    # The filter links in a session (its track, its room) are filtered views too.
    page.locator(".day-list .room a").first.click()
    page.wait_for_load_state()
    room = parse_qs(urlsplit(page.url).query)["room"][0]
    assert page.locator("input.feed-url").first.input_value().endswith(f"room={room}&track={track['id']}")


def test_starred_sessions_become_the_agenda_feed_and_the_agenda_page_edits_it(open_page, server, client):
    page = open_page(PAGE + "?lang=en")
    stars = page.locator(".day-list button.star")
    chosen = [int(stars.nth(i).get_attribute("data-id")) for i in (0, 2)]
    stars.nth(0).click()
    stars.nth(2).click()
    assert stars.nth(0).get_attribute("aria-pressed") == "true"
    assert "2" in page.locator(".favourites-count").inner_text()
    page.click("button.make-calendar")
    page.wait_for_url("**/agendas/**")
    feed = page.locator('section[data-subscribe="agenda"] input.feed-url').input_value()
    assert event_ids(fetch_calendar(page, feed)) == sorted(chosen)
    assert "/api/v1/agendas/" in feed and feed.endswith(".ics?lang=en")
    # The agenda page removes a session; the feed follows.
    page.locator("section.agenda article button").first.click()
    page.wait_for_selector(".agenda-status:has-text('Saved')")
    assert len(event_ids(fetch_calendar(page, feed))) == 1
    # Starring again in the schedule updates the same agenda, not a new one.
    again = page.context.new_page()  # the same browser's storage
    again.goto(server + PAGE + "?lang=en")
    assert again.locator(".day-list button.star[aria-pressed=true]").count() == 1
    token = feed.split("/agendas/")[1].split(".ics")[0]
    assert again.locator(".my-agenda").get_attribute("href").startswith(f"/agendas/{token}")


def test_cancelled_sessions_stay_visible_and_labelled(open_page, client, admin):
    session = next(s for d in client.get(f"{DIA}/schedule").get_json()["days"] for s in d["sessions"])
    answer = client.patch(f"{DIA}/sessions/{session['id']}", json={"status": "cancelled"}, headers=admin)
    assert answer.status_code == 200
    for viewport, selector in (
        (NARROW, f".day-list #session-{session['id']}"),
        (WIDE, f"table.grid [data-session='{session['id']}']"),
    ):
        page = open_page(PAGE + "?lang=en", viewport=viewport)
        item = page.locator(selector)
        assert item.is_visible() and item.locator(".status-cancelled").inner_text().lower() == "cancelled"
    assert open_page(f"{PAGE}sessions/{session['id']}?lang=ja").locator(".notice").is_visible()


def test_change_log_marks_what_changed_since_the_last_visit(open_page, client, admin):
    page = open_page(f"{PAGE}changes?lang=en")
    assert "next visit" in page.locator(".since-note").inner_text()
    session = next(s for d in client.get(f"{DIA}/schedule").get_json()["days"] for s in d["sessions"])
    moved = {"starts_at": "2025-10-21T19:00:00+09:00", "ends_at": "2025-10-21T19:30:00+09:00"}
    assert client.patch(f"{DIA}/sessions/{session['id']}", json=moved, headers=admin).status_code == 200
    page.reload()
    new = page.locator("tr.change.is-new")
    assert new.count() == 1 and "Moved" in new.inner_text() and "19:00–19:30" in new.inner_text()
    assert "1 changes since your last visit" in page.locator(".since-note").inner_text()
    page.reload()
    assert page.locator("tr.change.is-new").count() == 0


def test_your_time_beside_the_conference_time(open_page):
    page = open_page(PAGE + "?lang=en", timezone_id="Europe/Berlin")
    first = page.locator(".day-list .your-time").first
    assert first.is_visible() and "your time" in first.inner_text()
    assert "Europe/Berlin" in page.locator(".your-time-note").inner_text()
    tokyo = open_page(PAGE + "?lang=en", timezone_id="Asia/Tokyo")
    assert tokyo.locator(".your-time").count() == 0


def test_now_marks_running_sessions_and_print_hides_the_controls(browser, server):
    context = browser.new_context(viewport=WIDE)
    try:
        context.clock.set_fixed_time("2025-10-20T03:30:00Z")  # 12:30 in Tokyo
        running = context.new_page()
        running.goto(server + PAGE + "?lang=en&day=2025-10-20")
        now = running.locator(".day-list article.is-now")
        titles = now.locator(".session-title a").all_inner_texts()
        assert "Tigermed Satellite Symposium" in titles and len(titles) == 2  # and the day's exhibition
        assert running.locator(".now-link").is_visible()
        running.emulate_media(media="print")
        assert running.locator(".day-list article").first.is_visible()
        for hidden in ("form.filters", "section.subscribe", "#favourites", "table.grid"):
            assert not running.locator(hidden).first.is_visible(), hidden
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_no_wcag_2_a_or_aa_violation(open_page, client, lang):
    from axe_playwright_python.sync_playwright import Axe

    session = next(
        s
        for d in client.get(f"{DIA}/schedule").get_json()["days"]
        for s in d["sessions"]
        if s["participants"]
    )
    person = session["participants"][0]["person"]["id"]
    axe = Axe()
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    paths = [PAGE, f"{PAGE}sessions/{session['id']}", f"/people/{person}", f"{PAGE}changes", "/"]
    for path in paths:
        for viewport, scheme in ((NARROW, "light"), (WIDE, "light"), (WIDE, "dark")):
            page = open_page(f"{path}?lang={lang}", viewport=viewport, color_scheme=scheme)
            results = axe.run(page, options=options)
            assert results.violations_count == 0, f"{path} {viewport} {scheme}: {results.generate_report()}"


def test_a_session_that_takes_registrations_shows_its_seats_and_registers(open_page, client, admin):
    from axe_playwright_python.sync_playwright import Axe

    slug, day = "register-page-2030", "2030-10-18"
    conference = {
        "slug": slug,
        "name": "Registration Page Meeting",
        "timezone": "Asia/Tokyo",
        "start_date": day,
        "end_date": day,
        "status": "published",
        "registration": {"waitlist_mode": "auto"},
    }
    assert client.post("/api/v1/conferences", json=conference, headers=admin).status_code == 201
    workshop = {
        "title": "Hands-on workshop",
        "kind": "workshop",
        "status": "confirmed",
        "starts_at": f"{day}T10:00",
        "ends_at": f"{day}T11:00",
        "registration_required": True,
        "capacity": 1,
    }
    answer = client.post(f"/api/v1/conferences/{slug}/sessions", json=workshop, headers=admin)
    assert answer.status_code == 201, answer.get_json()
    session_id = answer.get_json()["id"]
    path = f"/conferences/{slug}/sessions/{session_id}"
    availability = f"/api/v1/conferences/{slug}/sessions/{session_id}/availability"

    plain = open_page(f"{path}?lang=en", javascript=False)
    assert "1 seat in all." in plain.locator("#registration").inner_text()
    assert not plain.locator("#register-form").is_visible()

    def register(n: int):
        page = open_page(f"{path}?lang=en")
        page.locator("#register-given").fill(f"Given{n}")
        page.locator("#register-family").fill(f"Family{n}")
        page.locator("#register-email").fill(f"page{n}@example.org")
        page.locator("#register-form button[type=submit]").click()
        page.locator(".register-result p").first.wait_for()
        return page

    first = register(1)
    assert first.locator(".seats-left").inner_text() in (
        "Seats left now: 1.",
        "No seats left now: registering puts you on the waitlist.",
    )
    assert first.locator(".register-result").inner_text().startswith("Your seat is confirmed.")
    own = first.locator(".register-result a").first.get_attribute("href")
    mine = client.get(urlsplit(own).path)
    assert mine.status_code == 200 and mine.get_json()["seats"][0]["status"] == "confirmed"
    assert client.get(availability).get_json()["confirmed"] == 1
    assert first.errors == []

    second = register(2)
    assert "No seats left now" in second.locator(".seats-left").inner_text()
    assert "waitlist, at position 1" in second.locator(".register-result").inner_text()
    again = register(2)  # the same address again: the API's 409, said on the page
    assert again.locator(".register-result").inner_text().startswith("Could not register:")
    counts = client.get(availability).get_json()
    assert (counts["confirmed"], counts["waitlisted"]) == (1, 1)

    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    for lang in ("en", "ja"):
        page = open_page(f"{path}?lang={lang}")
        page.locator("#register-form").wait_for()
        results = Axe().run(page, options=options)
        assert results.violations_count == 0, f"{lang}: {results.generate_report()}"
