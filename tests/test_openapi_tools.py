"""The OpenAPI document through the tools a newcomer runs on it: openapi-python-client generates a client
without a warning, and that client, against the app served over HTTP, lists sessions, creates a room and
PATCHes it with If-Match; Redocly CLI's recommended rules find no error. Both are installed by `make test`
(requirements-dev.txt, package.json)."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import NODE_BIN, live_server

DIA = "dia-japan-2025"


@pytest.fixture
def document_file(client, tmp_path) -> Path:
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(client.get("/api/v1/openapi.json").get_json()), encoding="utf-8")
    return path


def tool_environment() -> dict[str, str]:
    """The environment with this interpreter's scripts first; Redocly's telemetry and update check off (the
    tests reach nothing outside this machine)."""
    bin_dir = str(Path(sys.executable).parent)
    return {
        **os.environ,
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "REDOCLY_TELEMETRY": "off",
        "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
        "NO_COLOR": "1",
    }


@pytest.fixture
def generated_client(document_file, tmp_path):
    """The package openapi-python-client generates from the document, imported."""
    generator = Path(sys.executable).parent / "openapi-python-client"
    assert generator.exists(), (
        "openapi-python-client is not installed: run `make test` (requirements-dev.txt)"
    )
    config = tmp_path / "generator.json"
    # Formatting the generated code (ruff, by default) is the user's business, not the document's.
    # The generator knows no Atom: the change log's feed is, to a generated client, bytes.
    settings = {
        "post_hooks": [],
        "content_type_overrides": {"application/atom+xml": "application/octet-stream"},
    }
    config.write_text(json.dumps(settings), encoding="utf-8")
    package = "eventapp_generated_client"
    result = subprocess.run(
        [
            str(generator),
            "generate",
            "--path",
            str(document_file),
            "--output-path",
            str(tmp_path / package),
            "--meta",
            "none",
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        env=tool_environment(),
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "warning" not in output.lower(), output
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(package)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name.split(".")[0] == package]:
            del sys.modules[name]


def test_a_generated_client_lists_sessions_creates_a_room_and_patches_it_with_if_match(
    app, seeded, admin, generated_client
):
    api = importlib.import_module(f"{generated_client.__name__}.api")
    conferences = importlib.import_module(f"{api.__name__}.conferences")
    sessions = importlib.import_module(f"{api.__name__}.sessions")
    for name in ("get_room_detail", "patch_room_detail", "post_room_list"):
        importlib.import_module(f"{conferences.__name__}.{name}")
    importlib.import_module(f"{sessions.__name__}.get_sessions")
    models = importlib.import_module(f"{generated_client.__name__}.models")
    token = admin["Authorization"].removeprefix("Bearer ")

    with live_server(app) as base_url:
        with generated_client.Client(base_url=base_url) as anonymous:
            page = sessions.get_sessions.sync(slug=DIA, client=anonymous, page_size=200)
        assert isinstance(page, models.ProgramSessionPage)
        assert page.total == len(page.items) > 0
        assert all(isinstance(s, models.ProgramSession) for s in page.items)
        rooms = {s.room.name for s in page.items if s.room is not None}
        assert rooms and all(isinstance(s.room, models.Room | type(None)) for s in page.items)

        with generated_client.AuthenticatedClient(base_url=base_url, token=token) as writer:
            created = conferences.post_room_list.sync_detailed(
                slug=DIA, client=writer, body=models.Room(name="Hall Z", capacity=40)
            )
            assert created.status_code == 201, created.content
            room = created.parsed
            assert isinstance(room, models.Room) and room.name == "Hall Z" and room.is_online is False
            etag = created.headers["ETag"]

            stale = conferences.patch_room_detail.sync_detailed(
                slug=DIA,
                room_id=room.id,
                client=writer,
                body=models.RoomUpdate(capacity=1),
                if_match='"stale"',
            )
            assert stale.status_code == 412
            assert isinstance(stale.parsed, models.Error)

            changed = conferences.patch_room_detail.sync_detailed(
                slug=DIA, room_id=room.id, client=writer, body=models.RoomUpdate(capacity=60), if_match=etag
            )
            assert changed.status_code == 200, changed.content
            assert changed.parsed.capacity == 60 and changed.parsed.name == "Hall Z"
            assert changed.headers["ETag"] != etag

            again = conferences.get_room_detail.sync_detailed(
                slug=DIA, room_id=room.id, client=writer, if_none_match=changed.headers["ETag"]
            )
            assert again.status_code == 304


def test_redocly_recommended_lint_finds_no_error(document_file):
    redocly = NODE_BIN / "redocly"
    assert redocly.exists() or shutil.which("redocly"), (
        "Redocly CLI is not installed: run `make test` (package.json)"
    )
    result = subprocess.run(
        [str(redocly), "lint", str(document_file), "--extends", "recommended", "--format", "json"],
        capture_output=True,
        text=True,
        env=tool_environment(),
        timeout=300,
        check=False,
    )
    report = json.loads(result.stdout)
    errors = [problem for problem in report["problems"] if problem["severity"] == "error"]
    assert errors == [], json.dumps(errors, indent=1)
    assert report["totals"]["errors"] == 0
    assert result.returncode == 0, result.stderr
