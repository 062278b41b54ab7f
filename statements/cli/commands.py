"""The shell's commands (schema, demo, administrator, statements as a user, the worker) and the `pressgate` group."""

from __future__ import annotations

import json
import sys

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, ScriptInfo, with_appcontext

from statements.cli.support import cli_actor, cli_session, fail, opened, read_password, refusal_text
from statements.db import was_committing
from workflow.db import UNAVAILABLE, unavailable_detail
from workflow.errors import Refusal


def _engine():
    return current_app.extensions["pressgate"]["engine"]


def _database_is_empty(session) -> bool:
    import sqlalchemy as sa

    from auth.models import Unit

    return session.scalar(sa.select(sa.func.count()).select_from(Unit)) == 0


# --- schema --------------------------------------------------------------------------------


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create the schema, or migrate it to the newest revision, saying which it did."""
    from statements.migrate import current, upgrade

    engine = _engine()
    before = current(engine)
    upgrade(engine)
    after = current(engine)
    if before is None:
        click.echo(f"Created the PressGate schema (revision {after}) in {engine.url.render_as_string()}.")
    elif before != after:
        click.echo(f"Migrated the database from revision {before} to {after}.")
    else:
        click.echo(f"The database is already at the newest schema (revision {after}); nothing to do.")


@click.group("db", cls=AppGroup)
def db_group() -> None:
    """Manage schema migrations (Alembic)."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the schema up to REVISION (default: head)."""
    from statements.migrate import upgrade

    upgrade(_engine(), revision)
    click.echo(f"Upgraded to {revision}.")


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the schema down to REVISION."""
    from statements.migrate import downgrade

    downgrade(_engine(), revision)
    click.echo(f"Downgraded to {revision}.")


@db_group.command("protect")
@click.option("--app-role", required=True, help="The PostgreSQL role the application connects as.")
def db_protect(app_role: str) -> None:
    """PostgreSQL: let APP_ROLE read and add evidence but never change or remove it (run as the schema's owner)."""
    from statements.pg_roles import RoleError, protect

    try:
        with _engine().begin() as connection:
            for statement in protect(connection, app_role):
                click.echo(statement + ";")
    except RoleError as err:
        fail(str(err), 2)
    click.echo(f"{app_role} may now add to the ledger and never change it.")


@db_group.command("current")
def db_current() -> None:
    """Print the schema's revision."""
    from statements.migrate import current

    click.echo(current(_engine()) or "(empty database)")


# --- people --------------------------------------------------------------------------------


@click.command("demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Seed only when the database has no units yet.")
def demo(if_empty: bool) -> None:
    """Seed a demo organisation with sample statements and print its logins."""
    from statements.demo import DEMO_USERS, quiet_history, seed

    with cli_session() as session:
        if not _database_is_empty(session):
            if if_empty:
                click.echo("The database already has data; demo not seeded. Demo logins, if it was seeded:")
                _print_logins(DEMO_USERS)
                return
            fail("The database is not empty; the demo seeds only an empty database.")
        seed(session)
    quiet_history(_engine())
    click.echo("Demo organisation seeded. Logins:")
    _print_logins(DEMO_USERS)


def _print_logins(users: list[dict]) -> None:
    for user in users:
        roles = ", ".join(f"{r['role']}@{r['unit']}" for r in user["roles"])
        click.echo(f"  {user['username']:<14} {user['password']:<22} {roles}")


@click.command("create-admin")
@with_appcontext
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--full-name", default=None)
@click.option("--unit", "unit_code", default=None, help="Unit the admin role is held in (default: the root unit).")
@click.option("--unit-name", default=None, help="With --unit on an empty database: create that root unit first.")
def create_admin(
    username: str, password_stdin: bool, full_name: str | None, unit_code: str | None, unit_name: str | None
) -> None:
    """Create an administrator; on a new installation, with its root unit (e.g. --unit BYT --unit-name "Bộ Y tế")."""
    import sqlalchemy as sa

    from auth.models import Unit
    from auth.service import create_unit, create_user

    password = read_password(password_stdin)
    if not password_stdin and password != click.prompt("Repeat password", hide_input=True):
        fail("The passwords differ.")
    with cli_session() as session:
        try:
            if unit_code and unit_name and session.scalar(sa.select(Unit.id).where(Unit.code == unit_code)) is None:
                create_unit(session, None, unit_code, unit_name)
                click.echo(f"Unit {unit_code} ({unit_name}) created.")
            if unit_code is None:
                root = session.scalar(sa.select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id))
                if root is None:
                    fail('No unit yet: name the root unit with --unit CODE --unit-name "NAME".')
                unit_code = root.code
            create_user(
                session, None, username, full_name or username, password, roles=[{"unit": unit_code, "role": "admin"}]
            )
        except Refusal as err:
            fail(f"{err.message} {json.dumps(err.errors, ensure_ascii=False) if err.errors else ''}".strip())
    click.echo(f"Administrator {username} created in {unit_code}.")


# --- statements ----------------------------------------------------------------------------


@click.group("statement", cls=AppGroup)
def statement_group() -> None:
    """Read statements and take lifecycle actions as a user (password required)."""


@statement_group.command("act")
@click.argument("statement_id", type=int)
@click.argument("action")
@click.option("--user", "username", required=True)
@click.option("--version", type=int, required=True, help="The version you read.")
@click.option("--comment", default=None)
@click.option("--channel", "channels", multiple=True, help="For release: a channel (repeatable).")
@click.option("--release-at", default=None, help="For schedule_release: the time, ISO 8601 with its offset.")
@click.option("--password-stdin", is_flag=True)
def statement_act(
    statement_id: int,
    action: str,
    username: str,
    version: int,
    comment: str | None,
    channels: tuple[str, ...],
    release_at: str | None,
    password_stdin: bool,
) -> None:
    """Take ACTION on STATEMENT_ID through the same service and guards as the API."""
    from statements.lifecycle.service import decide_input

    with cli_session() as session:
        actor = cli_actor(session, username, password_stdin)
        try:
            given = {
                "action": action,
                "version": version,
                "comment": comment,
                "channels": list(channels) or None,
                "release_at": release_at,
            }
            statement = decide_input(session, statement_id, actor, given)
        except Refusal as err:
            fail(refusal_text(err), 3)
    # Said once the block has committed: a decision lost with the connection is never reported as taken.
    click.echo(f"Statement {statement.id} is now {statement.state} (version {statement.current_version}).")


@statement_group.command("check")
@click.argument("unit_code")
@click.option("--title", default="", help="The draft's title (its body is read from standard input).")
@click.option("--topic", "topics", multiple=True, help="A topic (repeatable).")
def statement_check(unit_code: str, title: str, topics: tuple[str, ...]) -> None:
    """Say which of UNIT_CODE's sensitivity rules a draft matches, as the editor's live check does.

    Exit 0 when none matches, 4 when the draft is sensitive (it would need the competent authority).
    """
    from statements.lifecycle.service import preview_sensitivity

    body = sys.stdin.read()
    with cli_session() as session:
        try:
            reasons = preview_sensitivity(session, None, unit_code, title, body, list(topics))
        except Refusal as err:
            fail(refusal_text(err), 3)
    click.echo(json.dumps({"sensitive": bool(reasons), "reasons": reasons}, ensure_ascii=False, indent=2))
    sys.exit(4 if reasons else 0)


@statement_group.command("show")
@click.argument("statement_id", type=int)
@click.option("--user", "username", required=True)
@click.option("--password-stdin", is_flag=True)
def statement_show(statement_id: int, username: str, password_stdin: bool) -> None:
    """Print a statement as JSON, as the API shows it to this user."""
    from statements.lifecycle.reads import show
    from statements.lifecycle.serialize import statement_dict

    with cli_session() as session:
        actor = cli_actor(session, username, password_stdin)
        try:
            statement = show(session, statement_id, actor, "cli_show")
        except Refusal as err:
            fail(refusal_text(err), 3)
        shown = json.dumps(statement_dict(statement, actor), ensure_ascii=False, indent=2)
    # Printed once the block has committed the record of this read: no unreleased text leaves unrecorded.
    click.echo(shown)


# --- background work ---------------------------------------------------------------------------


@click.command("worker")
@with_appcontext
@click.option(
    "--sweep-seconds",
    type=click.FloatRange(min=0.1),
    default=5.0,
    show_default=True,
    help="Seal at least this often, without a notification (entries a dead process left).",
)
@click.option("--threads", type=click.IntRange(min=1), default=2, show_default=True, help="Jobs run at once.")
def worker(sweep_seconds: float, threads: int) -> None:
    """Run the background work until stopped (SIGTERM or Ctrl-C): the jobs, and sealing on PostgreSQL.

    The jobs (email of notifications, and every minute a sweep for what is due) come from the queue
    (PRESSGATE_QUEUE_URL). On PostgreSQL run it beside the servers with PRESSGATE_LEDGER_SEALING=worker,
    so that they leave sealing to it.
    """
    import threading

    from flask import current_app

    from statements.worker import run

    app = current_app._get_current_object()  # type: ignore[attr-defined]  # werkzeug's proxy
    engine = _engine()
    stop = threading.Event()
    sealed: list[int] = []
    sealer = None
    where = engine.url.render_as_string(hide_password=True)
    if engine.dialect.name == "postgresql":
        sealer = threading.Thread(
            target=lambda: sealed.append(run(engine, stop, sweep_seconds=sweep_seconds)), name="sealer", daemon=True
        )
        click.echo(f"Worker sealing the ledger of {where} (at least every {sweep_seconds:g} s); stop with Ctrl-C.")
        sealer.start()
    else:
        click.echo("SQLite chains each ledger entry as it is written: nothing to seal.")
    queue = app.extensions["pressgate"]["jobs"].queue
    mail_to = app.config.get("SMTP_HOST") or "nowhere (PRESSGATE_SMTP_HOST is not set: mail waits in the outbox)"
    click.echo(f"Worker running jobs from {type(queue.storage).__name__} with {threads} threads; mail to {mail_to}.")
    # Polling at most a second apart: the queue's SQLite storage has no way to wake a consumer.
    consumer = queue.create_consumer(workers=threads, worker_type="thread", periodic=True, max_delay=1.0)
    try:
        consumer.run()  # until SIGINT or SIGTERM, which huey's consumer handles
    finally:
        stop.set()
        if sealer is not None:
            sealer.join(timeout=30)
    click.echo(f"Worker stopped; it sealed {sum(sealed)} entries.")


#: The shell's commands; each feature adds its own (statements/app.py attaches them all).
COMMANDS = (init_db, db_group, demo, create_admin, statement_group, worker)


def _create_app() -> Flask:
    from statements import create_app

    return create_app()


class _Commands(FlaskGroup):
    """Flask's command group, telling a database that cannot serve in one line instead of a traceback."""

    def invoke(self, ctx: click.Context):
        """Run the command; an unavailable or unmigrated database ends it with a clear message and status 1."""
        opened.clear()  # one command per process, but tests run many
        try:
            return super().invoke(ctx)
        except (*UNAVAILABLE, sa.exc.ProgrammingError) as err:
            from statements.migrate import schema_missing  # Alembic: not imported by every server worker

            # A database that answers without this code's schema is not set up, not unavailable.
            engine = ctx.ensure_object(ScriptInfo).load_app().extensions["pressgate"]["engine"]
            migrating = ctx.invoked_subcommand in ("init-db", "db")  # their own failure: not "run init-db"
            if not migrating and (why := schema_missing(engine, err)) is not None:
                where = engine.url.render_as_string(hide_password=True)
                raise click.ClickException(
                    f"The database {where} is not set up for this PressGate: {why}."
                    " Run `pressgate init-db` to create or migrate it."
                ) from err
            if not isinstance(err, UNAVAILABLE):
                raise
            in_doubt = (
                "; the change it was saving when the connection was lost may or may not have been recorded"
                if any(was_committing(session) for session in opened)
                else ""
            )
            raise click.ClickException(
                f"The database is not available: {unavailable_detail(err)}. Run the command again when it is back"
                f"{in_doubt}."
            ) from err


@click.group(cls=_Commands, create_app=_create_app, add_version_option=False)
def main() -> None:
    """PressGate: press statements approved, released and recorded."""
