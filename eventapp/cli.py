"""Thin click commands: `flask db ...` for the schema, `flask seed ...` for meetings, `flask tokens ...`,
`flask worker` for the job queue."""

from __future__ import annotations

import atexit
import gc
import os
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy.orm import Session

from eventapp.auth.operations import create_token, list_tokens, revoke_token
from eventapp.conferences.operations import get_by_slug
from eventapp.db import get_engine, get_session, refresh_statistics
from eventapp.enums import ConferenceStatus, TokenRole
from eventapp.errors import DomainError, SchedulingConflict
from eventapp.notifications.delivery import deliver_due
from eventapp.notifications.delivery import status as delivery_status
from eventapp.notifications.queue import queue_of, run_periodic_jobs
from eventapp.seeding.export import cloned, export_conference, to_yaml
from eventapp.seeding.frab import frab_to_seed
from eventapp.seeding.jsonschema import seed_json_schema_text
from eventapp.seeding.loader import conference_slug, load_document, load_file
from eventapp.seeding.problems import Problem, SeedError

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

db_cli = AppGroup("db", help="Build and migrate the database schema (alembic).")
seed_cli = AppGroup("seed", help="Validate and load seed files.")
tokens_cli = AppGroup("tokens", help="Issue, list and revoke API tokens.")


# alembic is imported by the commands that use it: importing it took a tenth of a second of every command
# (seed load included) and of every server start.


def alembic_config(connection=None):
    """Alembic's configuration for this app; with a connection, alembic runs on it."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Date-prefixed file names keep the one linear chain readable in a directory listing.
    config.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    config.attributes["connection"] = connection
    return config


def _run_alembic(action: str, *args, **kwargs) -> None:
    """Run alembic's command named action."""
    from alembic import command

    with get_engine().begin() as connection:
        getattr(command, action)(alembic_config(connection), *args, **kwargs)


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Migrate the schema up to REVISION (default: head)."""
    _run_alembic("upgrade", revision)
    click.echo(f"database at {revision}: {current_app.config['DATABASE_URL'].split('@')[-1]}")


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
def downgrade(revision: str) -> None:
    """Migrate the schema down to REVISION (default: one step; 'base' for empty)."""
    _run_alembic("downgrade", revision)


@db_cli.command("current")
def current() -> None:
    """Show the revision the database is at, and whether that is the newest."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with get_engine().connect() as connection:
        revisions = MigrationContext.configure(connection).get_current_heads()
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    if not revisions:
        click.echo("empty: no migration applied")
    for revision in revisions:
        click.echo(f"{revision} (head)" if revision in heads else f"{revision} (behind head)")


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
@click.option(
    "--autogenerate", is_flag=True, help="Compare the models with the database and write the difference."
)
def revision(message: str, autogenerate: bool) -> None:
    """Write a new migration script."""
    _run_alembic("revision", message=message, autogenerate=autogenerate)


@contextmanager
def _progress_bar(total: int):
    """A progress bar on a terminal; nothing when the output goes to a script or a file."""
    if not sys.stderr.isatty():
        yield lambda: None
        return
    with click.progressbar(length=total, label="loading", file=sys.stderr) as bar:
        yield lambda: bar.update(1)


def _no_final_collection() -> None:
    """Skip Python's last cycle collection when this command exits. A load keeps every object it made alive to
    the end (the session holds them), and the collection at exit walks them all only to free memory the
    process hands back anyway: 0.3 s of a 5,000-session load that writes nothing. gc.freeze() puts them out of
    its reach; the database work is done (committed or rolled back) before atexit runs."""
    atexit.register(gc.freeze)


@contextmanager
def _transaction(db: Session, *, dry_run: bool = False) -> Iterator[Session]:
    """The command's one transaction: committed at the end, rolled back on any error, or on a dry run."""
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    if dry_run:
        db.rollback()
    else:
        db.commit()


def _exit_refused(error: SeedError, hint: str | None = None) -> None:
    """Name every problem of a refused document on stderr, then the hint (no problem), and exit with status 1."""
    click.echo(f"{error.source}: refused, nothing was stored ({len(error.problems)} problem(s)):", err=True)
    for problem in error.problems:
        click.echo(f"  {problem}", err=True)
    if hint is not None:
        click.echo(f"hint: {hint}", err=True)
    raise SystemExit(1)


@seed_cli.command("load")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check and report, then roll back.")
@click.option(
    "--if-absent",
    is_flag=True,
    help="Load only if the database does not hold the file's conference yet; never overwrite it.",
)
def load_command(path: str, dry_run: bool, if_absent: bool) -> None:
    """Create or update the meeting in a seed file; loading the same file again changes nothing."""
    _no_final_collection()
    if if_absent:
        slug = conference_slug(path)
        # A file without a readable slug is loaded, so that its problems are reported as usual.
        if slug is not None and get_by_slug(get_session(), slug) is not None:
            click.echo(
                f"{slug} is in the database already: {path} not loaded, so that edits made since stay "
                "(seed load without --if-absent, or make seed, applies the file again)"
            )
            return
    try:
        with _transaction(get_session(), dry_run=dry_run) as db:
            report = load_file(db, path, progress=_progress_bar)
    except SeedError as error:
        _exit_refused(error)
    if not dry_run and (report.created or report.changed):
        refresh_statistics(get_engine())
    click.echo(f"{'checked' if dry_run else 'loaded'} {report.slug} from {path}")
    for line in report.summary():
        click.echo(f"  {line}")


@seed_cli.command("validate")
@click.argument("path", type=click.Path(dir_okay=False))
def validate_command(path: str) -> None:
    """Check a seed file against the schemas and the database's rules; write nothing."""
    _no_final_collection()
    try:
        with _transaction(get_session(), dry_run=True) as db:
            load_file(db, path)
    except SeedError as error:
        _exit_refused(error)
    click.echo(f"{path}: valid")


@seed_cli.command("export")
@click.argument("slug")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write here, not to stdout."
)
def export(slug: str, output: str | None) -> None:
    """Write conference SLUG as a seed file (contact emails included: keep the file private)."""
    try:
        text = to_yaml(export_conference(get_session(), slug))
    except DomainError as error:
        raise click.UsageError(error.message) from error
    if output is None:
        click.echo(text, nl=False)
    else:
        _write_private(Path(output), text)
        click.echo(f"wrote {slug} to {output} (readable only by you: it holds contact emails)", err=True)


def _write_private(path: Path, text: str) -> None:
    """Write text to path, readable and writable by its owner only (0600), also when the file existed."""
    # Created 0600, never wider for a moment; an existing file's mode is narrowed before it is written.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        os.fchmod(out.fileno(), 0o600)
        out.write(text)


@seed_cli.command("clone")
@click.argument("slug")
@click.option("--as", "new_slug", required=True, help="Slug of the new conference.")
@click.option("--start", type=click.DateTime(formats=["%Y-%m-%d"]), required=True, help="Its first day.")
@click.option("--edition", type=int, help="Its edition number (default: one more).")
@click.option("--name", help="Its name (default: the old one with its edition and year moved on).")
def clone(slug: str, new_slug: str, start, edition: int | None, name: str | None) -> None:
    """Make next year's meeting from SLUG: rooms, tracks, booths and sessions (as drafts, with their people),
    every session on the same day of the meeting at the same local time."""
    _no_final_collection()
    with _transaction(get_session()) as db:
        try:
            document = cloned(export_conference(db, slug), new_slug, start.date(), edition, name)
        except DomainError as error:
            raise click.UsageError(error.message) from error
        if get_by_slug(db, new_slug) is not None:
            raise click.UsageError(f"conference {new_slug!r} exists already")
        try:
            report = load_document(db, document, f"clone of {slug}", progress=_progress_bar)
        except SeedError as error:
            _exit_refused(error)
    click.echo(f"cloned {slug} as {new_slug}, starting {start.date()}")
    for line in report.summary():
        click.echo(f"  {line}")


def _read_source(source: str) -> bytes:
    """The bytes of a file, or of an http(s) URL."""
    if source.startswith(("http://", "https://")):
        try:
            with urllib.request.urlopen(source, timeout=30) as response:  # http(s) only, checked above
                return response.read()
        except (OSError, ValueError) as exc:
            raise SeedError(source, [Problem((), f"cannot fetch it: {exc}")]) from exc
    try:
        return Path(source).read_bytes()
    except OSError as exc:
        raise SeedError(source, [Problem((), f"cannot read the file: {exc}")]) from exc


@seed_cli.command("import-frab")
@click.argument("source")
@click.option("--timezone", help="IANA zone of the times, when the file names none.")
@click.option("--slug", help="Slug of the conference (default: from the file's acronym).")
@click.option("--dry-run", is_flag=True, help="Check and report, then roll back.")
@click.option(
    "--allow-conflicts",
    is_flag=True,
    help="Mirror the schedule even where it double-books a room or a speaker (as published schedules do).",
)
@click.option(
    "--publish",
    is_flag=True,
    help="Publish the conference (a new one is a draft otherwise, seen only with a token).",
)
def import_frab(
    source: str, timezone: str | None, slug: str | None, dry_run: bool, allow_conflicts: bool, publish: bool
) -> None:
    """Create or update a conference from a frab or pretalx schedule.json or schedule.xml (a file or URL).

    A new conference is a draft unless --publish; a stored one keeps its status. Importing the same schedule
    again updates the conference instead of duplicating it (sessions are matched by their frab guid)."""
    _no_final_collection()
    try:
        document, in_the_file = frab_to_seed(_read_source(source), source, timezone=timezone, slug=slug)
    except SeedError as error:
        _exit_refused(error)
    try:
        with _transaction(get_session(), dry_run=dry_run) as db:
            stored = get_by_slug(db, document["conference"]["slug"])
            if publish:
                document["conference"]["status"] = ConferenceStatus.PUBLISHED
            elif stored is not None:
                document["conference"]["status"] = stored.status  # frab has no status: keep ours
            report = load_document(
                db, document, source, progress=_progress_bar, check_conflicts=not allow_conflicts
            )
    except SeedError as error:
        # Only room and speaker double bookings are what --allow-conflicts lets through.
        hint = None
        if not allow_conflicts and any(p.is_a(SchedulingConflict) for p in error.problems):
            hint = "to mirror a schedule that double-books, add --allow-conflicts"
        # The problems at their places in the schedule file, not in the document it was translated into.
        _exit_refused(SeedError(error.source, [in_the_file(p) for p in error.problems]), hint)
    click.echo(f"{'checked' if dry_run else 'imported'} {report.slug} from {source}")
    for line in report.summary():
        click.echo(f"  {line}")


@seed_cli.command("schema")
def schema_command() -> None:
    """Print the seed format as a JSON Schema (seed/seed.schema.json is this output)."""
    click.echo(seed_json_schema_text(), nl=False)


@tokens_cli.command("create")
@click.option("--role", type=click.Choice([r.value for r in TokenRole]), required=True)
@click.option("--conference", "slug", help="The conference of an organizer or check-in token (its slug).")
@click.option("--name", help="A note to tell the token apart, e.g. who holds it.")
def create_token_command(role: str, slug: str | None, name: str | None) -> None:
    """Issue a token and print it once; only its hash is stored."""
    db = get_session()
    conference = None
    if slug is not None:
        conference = get_by_slug(db, slug)
        if conference is None:
            raise click.BadParameter(f"no conference {slug!r}", param_hint="--conference")
    try:
        with _transaction(db):
            token = create_token(db, role, conference, name)
    except DomainError as error:
        raise click.UsageError(error.message) from error
    click.echo(token)


@tokens_cli.command("list")
def list_tokens_command() -> None:
    """List tokens: id, prefix, role, conference, name, state. Never the tokens themselves."""
    for token in list_tokens(get_session()):
        state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}Z" if token.revoked_at else "active"
        scope = token.conference.slug if token.conference else "-"
        click.echo(f"{token.id}\t{token.prefix}...\t{token.role}\t{scope}\t{token.name or '-'}\t{state}")


@tokens_cli.command("revoke")
@click.argument("token_id", type=int)
def revoke_token_command(token_id: int) -> None:
    """Revoke the token with TOKEN_ID (see tokens list)."""
    try:
        with _transaction(get_session()) as db:
            revoke_token(db, token_id)
    except DomainError as error:
        raise click.UsageError(error.message) from error
    click.echo(f"revoked token {token_id}")


@click.group("worker", cls=AppGroup, invoke_without_command=True)
@click.option("--once", is_flag=True, help="Run the periodic jobs, deliver what is due, then exit.")
@click.option("--workers", default=2, show_default=True, help="Threads delivering at the same time.")
@click.pass_context
@with_appcontext
def worker_cli(ctx: click.Context, once: bool, workers: int) -> None:
    """Deliver notifications (email, webhooks) and run periodic jobs: the job queue's consumer."""
    if ctx.invoked_subcommand is not None:
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if once:
        run_periodic_jobs(app)
        click.echo(f"tried {deliver_due(app)} deliveries")
        return
    # Huey's consumer: its own worker threads, the periodic sweep, and a clean stop on SIGTERM and SIGINT.
    queue_of(app).create_consumer(workers=workers, worker_type="thread", periodic=True).run()


@worker_cli.command("status")
def worker_status() -> None:
    """Queue depth, failures and the oldest undelivered message."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    figures = delivery_status(app)
    figures["queued"] = queue_of(app).pending_count()
    for key, value in figures.items():
        click.echo(f"{key}\t{'-' if value is None else value}")


registrations_cli = AppGroup("registrations", help="Attendee registrations.")


@registrations_cli.command("expire-offers")
def expire_offers_command() -> None:
    """Cancel the offers past their expiry, each moving its waitlist on (run it every minute)."""
    from eventapp.registrations.idempotency import begin_registration_write, forget_old_keys
    from eventapp.registrations.operations import expire_offers

    begin_registration_write()
    with _transaction(get_session()) as db:
        expired = expire_offers(db)
        forgotten = forget_old_keys(db)
    click.echo(f"expired {expired} offers; forgot {forgotten} idempotency keys")


def register_commands(app: Flask) -> None:
    """Attach the command groups to the app's CLI."""
    app.cli.add_command(registrations_cli)
    app.cli.add_command(db_cli)
    app.cli.add_command(seed_cli)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(worker_cli)
