"""Organizer toolkit: export, clone and the seed format's documentation."""

from __future__ import annotations

import stat
from datetime import datetime
from pathlib import Path

import pytest
from helpers import DIA_SEED, MINIMAL, ROOT, load, make_app, reset_database, row_counts, write

from eventapp.db import get_engine


def export(runner, slug="dia-japan-2025") -> str:
    result = runner.invoke(args=["seed", "export", slug])
    assert result.exit_code == 0, result.output
    return result.output


def test_export_load_export_is_byte_identical(runner, seeded, tmp_path):
    first = export(runner)
    assert "Su Ling" not in first  # people are named by slug
    assert "su-ling" in first and "CN-TOWN-HALL" in first
    other = make_app(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    reset_database(other)
    other_runner = other.test_cli_runner()
    assert other_runner.invoke(args=["db", "upgrade"]).exit_code == 0
    loaded = load(other_runner, write(tmp_path, first, "export.yaml"))
    assert loaded.exit_code == 0, loaded.output
    assert export(other_runner) == first
    get_engine(other).dispose()


def test_export_to_a_file_and_load_it_again_changes_nothing(runner, app, seeded, tmp_path):
    target = tmp_path / "out.yaml"
    result = runner.invoke(args=["seed", "export", "dia-japan-2025", "-o", str(target)])
    assert result.exit_code == 0 and target.exists()
    counts = row_counts(app)
    again = load(runner, target)
    assert (
        again.exit_code == 0 and " 0 created, 0 changed" in again.output and "1 created" not in again.output
    )
    assert row_counts(app) == counts


def test_export_of_unknown_conference_fails(runner):
    result = runner.invoke(args=["seed", "export", "nope"])
    assert result.exit_code != 0 and "No conference 'nope'" in result.output


def test_clone_keeps_every_sessions_local_time_and_day_order(client, runner, admin, seeded):
    result = runner.invoke(
        args=["seed", "clone", "dia-japan-2025", "--as", "dia-japan-2026", "--start", "2026-10-18"]
    )
    assert result.exit_code == 0, result.output
    new = client.get("/api/v1/conferences/dia-japan-2026", headers=admin).get_json()
    assert (new["start_date"], new["end_date"], new["status"], new["edition"]) == (
        "2026-10-18",
        "2026-10-20",
        "draft",
        23,
    )
    assert {r["name"] for r in new["rooms"]} == {
        r["name"] for r in client.get("/api/v1/conferences/dia-japan-2025").get_json()["rooms"]
    }
    assert len(new["booths"]) == 3

    def by_code(slug, headers=None):
        items = client.get(f"/api/v1/conferences/{slug}/sessions?page_size=200", headers=headers).get_json()[
            "items"
        ]
        return {s["code"]: s for s in items}

    old, cloned = by_code("dia-japan-2025"), by_code("dia-japan-2026", admin)
    assert set(old) == set(cloned)
    for code, session in old.items():
        before, after = (
            datetime.fromisoformat(session["starts_at"]),
            datetime.fromisoformat(cloned[code]["starts_at"]),
        )
        assert (after.date() - before.date()).days == (datetime(2026, 10, 18) - datetime(2025, 10, 19)).days
        assert after.timetz() == before.timetz()
        assert cloned[code]["status"] == "draft"
        assert [(p["role"], p["person"]["id"]) for p in cloned[code]["participants"]] == [
            (p["role"], p["person"]["id"]) for p in session["participants"]
        ]
    # Day order is kept
    assert [c for c, _ in sorted(old.items(), key=lambda i: i[1]["starts_at"])] == [
        c for c, _ in sorted(cloned.items(), key=lambda i: i[1]["starts_at"])
    ]


def test_clone_refuses_an_existing_slug(runner, seeded):
    result = runner.invoke(
        args=["seed", "clone", "dia-japan-2025", "--as", "dia-japan-2025", "--start", "2026-10-18"]
    )
    assert result.exit_code != 0 and "exists already" in result.output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--as", "Not A Slug"],
            "  conference.slug: Use lower-case letters, digits and single hyphens only.",
        ),
        (["--as", "dia-x", "--name", "x" * 201], "  conference.name: Length must be between 1 and 200."),
    ],
    ids=["slug", "name"],
)
def test_clone_problems_name_their_paths_in_the_clone_and_store_nothing(runner, app, seeded, args, expected):
    counts = row_counts(app)
    result = runner.invoke(args=["seed", "clone", "dia-japan-2025", *args, "--start", "2026-10-18"])

    assert result.exit_code == 1
    assert "clone of dia-japan-2025: refused, nothing was stored (1 problem(s)):" in result.output
    # The clone is no file: a problem has its path in the seed document, and no line.
    assert expected in result.output.splitlines()
    assert row_counts(app) == counts


def test_template_is_a_valid_seed_file(runner):
    result = runner.invoke(args=["seed", "validate", str(ROOT / "seed" / "template.yaml")])
    assert result.exit_code == 0, result.output


def test_seed_json_schema_is_current(runner):
    result = runner.invoke(args=["seed", "schema"])
    assert result.exit_code == 0
    assert (ROOT / "seed" / "seed.schema.json").read_text(encoding="utf-8") == result.output


def test_seed_json_schema_describes_the_dia_seed():
    import json

    import jsonschema
    import yaml

    from eventapp.seeding.loader import SeedYamlLoader

    schema = json.loads((ROOT / "seed" / "seed.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    document = yaml.load(DIA_SEED.read_text(encoding="utf-8"), Loader=SeedYamlLoader)  # a SafeLoader
    jsonschema.Draft202012Validator(schema).validate(document)
    bad = {**document, "sessions": [{**document["sessions"][0], "colour": "red"}]}
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(bad))
    assert Path(ROOT / "seed" / "template.yaml").exists()


def test_progress_bar_on_a_terminal_only(runner, app, tmp_path):
    import os
    import pty
    import subprocess
    import sys

    quiet = runner.invoke(args=["seed", "load", str(DIA_SEED)])
    assert quiet.exit_code == 0 and "loading" not in quiet.output and "%" not in quiet.output

    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "PYTHONPATH": str(ROOT)}
    leader, follower = pty.openpty()
    process = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "seed", "load", str(DIA_SEED)],
        check=False,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=follower,
        timeout=60,
    )
    os.close(follower)
    terminal = b""
    try:
        while chunk := os.read(leader, 4096):
            terminal += chunk
    except OSError:
        pass
    os.close(leader)
    assert process.returncode == 0, process.stdout
    assert b"loading" in terminal and b"100%" in terminal


def test_export_to_a_file_is_readable_only_by_its_owner(runner, seeded, tmp_path):
    """The file holds contact emails; one that was there already is narrowed too."""
    target, existing = tmp_path / "new.yaml", tmp_path / "existing.yaml"
    existing.write_text("old", encoding="utf-8")
    existing.chmod(0o644)
    for path in (target, existing):
        result = runner.invoke(args=["seed", "export", "dia-japan-2025", "-o", str(path)])
        assert result.exit_code == 0, result.output
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert "readable only by you" in result.output
    assert existing.read_text(encoding="utf-8") == target.read_text(encoding="utf-8")


def clone(runner, *args: str):
    """`flask seed clone ARGS`."""
    return runner.invoke(args=["seed", "clone", *args])


def test_clone_moves_the_name_on_with_the_edition(client, runner, admin, seeded):
    result = clone(runner, "dia-japan-2025", "--as", "dia-japan-2026", "--start", "2026-10-18")
    assert result.exit_code == 0, result.output
    new = client.get("/api/v1/conferences/dia-japan-2026", headers=admin).get_json()
    assert (new["name"], new["name_translations"], new["edition"]) == (
        "23rd DIA Japan Annual Meeting",
        {"ja": "第23回 DIA日本年会"},
        23,
    )


def test_clone_takes_the_name_and_edition_given(client, runner, admin, seeded):
    result = clone(
        runner,
        "dia-japan-2025",
        "--as",
        "dia-2027",
        "--start",
        "2027-10-17",
        "--edition",
        "24",
        "--name",
        "DIA Japan 2027",
    )
    assert result.exit_code == 0, result.output
    new = client.get("/api/v1/conferences/dia-2027", headers=admin).get_json()
    assert (new["name"], new["name_translations"], new["edition"]) == ("DIA Japan 2027", {}, 24)

    # Without a name, the edition given names the meeting.
    result = clone(runner, "dia-japan-2025", "--as", "dia-2028", "--start", "2028-10-15", "--edition", "25")
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/conferences/dia-2028", headers=admin).get_json()["name"] == (
        "25th DIA Japan Annual Meeting"
    )


def test_clone_of_a_name_with_no_edition_or_year_asks_for_one(runner, app, tmp_path):
    assert load(runner, write(tmp_path, MINIMAL)).exit_code == 0
    counts = row_counts(app)
    result = clone(runner, "tiny-2025", "--as", "tiny-2026", "--start", "2026-10-18")
    assert result.exit_code != 0
    assert "The name 'Tiny Meeting' holds no edition or year to move on: give the new one with --name." in (
        result.output
    )
    assert row_counts(app) == counts
    named = clone(runner, "tiny-2025", "--as", "tiny-2026", "--start", "2026-10-18", "--name", "Tiny 2026")
    assert named.exit_code == 0, named.output
