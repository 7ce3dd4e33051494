"""The answer of a write is what a GET of the same resource shows, ETag included: a client that writes, then
sends If-Match with the ETag it was answered, is never refused for a change it did not see."""

from __future__ import annotations

import pytest
from test_api_write import BASE, meeting, session_body  # noqa: F401  (meeting is a fixture)


def _as_read(client, admin, answer):
    read = client.get(f"{BASE}/sessions/{answer.get_json()['id']}", headers=admin)
    assert read.status_code == 200
    assert answer.get_json() == read.get_json()
    assert answer.headers["ETag"] == read.headers["ETag"]


@pytest.mark.parametrize("ordered", [True, False], ids=["own order", "list order"])
def test_a_created_session_answers_what_a_get_shows(client, admin, meeting, ordered):  # noqa: F811
    body = session_body(meeting)
    for index, participant in enumerate(body["participants"]):
        if ordered:
            participant["order"] = 10 - index  # the reverse of the list's
        else:
            del participant["order"]
    answer = client.post(f"{BASE}/sessions", json=body, headers=admin)
    assert answer.status_code == 201, answer.get_json()
    _as_read(client, admin, answer)
    names = [p["person"]["family_name"] for p in answer.get_json()["participants"]]
    assert names == (["Asahina", "Su", "Uyama"] if ordered else ["Uyama", "Su", "Asahina"])


def test_patches_answer_what_a_get_shows_and_their_etag_is_the_next_if_match(client, admin, meeting):  # noqa: F811
    created = client.post(f"{BASE}/sessions", json=session_body(meeting), headers=admin)
    session_id, etag = created.get_json()["id"], created.headers["ETag"]
    changes = [
        {"title": "Renamed"},
        {"starts_at": "2026-10-19T14:00:00+09:00", "room_id": meeting["Room 101"]},  # SEQUENCE moves
        {
            "participants": [
                {"person_id": meeting["Endo"], "role": "speaker"},
                {"person_id": meeting["Su"], "role": "moderator"},
            ]
        },
        {
            "participants": [
                {"person_id": meeting["Su"], "role": "moderator", "order": 5},
                {"person_id": meeting["Endo"], "role": "speaker", "order": 1},
            ]
        },
        {"status": "cancelled"},
    ]
    for change in changes:
        answer = client.patch(
            f"{BASE}/sessions/{session_id}", json=change, headers={**admin, "If-Match": etag}
        )
        assert answer.status_code == 200, answer.get_json()
        _as_read(client, admin, answer)
        assert answer.headers["ETag"] != etag
        etag = answer.headers["ETag"]
    final = client.get(f"{BASE}/sessions/{session_id}", headers=admin).get_json()
    assert final["sequence"] >= 2
    assert [p["person"]["family_name"] for p in final["participants"]] == ["Endo", "Su"]
