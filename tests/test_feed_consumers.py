"""What consumers other than our own parsers make of the feeds: libical, the library behind Evolution,
GNOME Calendar and many servers, reads every kind of feed without a problem."""

from __future__ import annotations

import pytest
from helpers import libical_read

DIA = "/api/v1/conferences/dia-japan-2025"


def _person_id(client, slug: str) -> int:
    return client.get(f"/api/v1/people/by-slug/{slug}").get_json()["id"]


def _track_id(client, name: str) -> int:
    tracks = client.get(f"{DIA}/tracks").get_json()["items"]
    return next(track["id"] for track in tracks if track["name"] == name)


def _session_ids(client) -> list[int]:
    return [s["id"] for s in client.get(f"{DIA}/sessions?page_size=200").get_json()["items"]]


@pytest.mark.parametrize("kind", ["conference", "filtered", "person", "agenda", "session", "empty"])
def test_libical_reads_every_kind_of_feed_without_a_problem(client, seeded, kind):
    if kind == "conference":
        url, expected = f"{DIA}/schedule.ics", len(_session_ids(client))
    elif kind == "filtered":
        track = _track_id(client, "China-Japan Collaboration")
        url = f"{DIA}/schedule.ics?track={track}"
        expected = client.get(f"{DIA}/sessions?track={track}").get_json()["total"]
        assert 0 < expected < len(_session_ids(client))
    elif kind == "person":
        url, expected = f"/api/v1/people/{_person_id(client, 'su-ling')}/schedule.ics", 1
    elif kind == "agenda":
        chosen = _session_ids(client)[:2]
        url = client.post(f"{DIA}/agendas", json={"session_ids": chosen}).get_json()["feeds"]["ics"]
        expected = 2
    elif kind == "session":
        url, expected = f"{DIA}/sessions/{_session_ids(client)[0]}.ics", 1
    else:
        url, expected = f"{DIA}/schedule.ics?kind=poster", 0
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    read = libical_read(response.data)
    assert read == {"events": expected, "problems": []}
