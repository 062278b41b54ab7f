"""`pressgate acting`: list, appoint and end a unit's acting spokespersons, as a leader (password required)."""

from __future__ import annotations

import datetime as dt
import json

import click
from flask.cli import AppGroup

from statements.cli.support import cli_actor, cli_session, fail, refusal_text
from workflow.errors import Refusal


def _aware(value: str | None, option: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        fail(f"{option}: not an ISO 8601 time (for example 2026-12-24T17:00+07:00).", 2)
        raise
    if parsed.tzinfo is None:
        fail(f"{option}: give the time with its offset (for example +07:00), so it is not read in the wrong zone.", 2)
    return parsed


@click.group("acting", cls=AppGroup)
def acting_group() -> None:
    """Acting spokespersons: who stands in for a unit's spokesperson, for a period (ND 09/2017 Art. 2)."""


@acting_group.command("list")
@click.argument("unit_code")
@click.option("--user", "username", required=True)
@click.option("--password-stdin", is_flag=True)
def acting_list(unit_code: str, username: str, password_stdin: bool) -> None:
    """Print UNIT_CODE's acting appointments as JSON, as the API lists them."""
    from statements.org import acting

    with cli_session() as session:
        actor = cli_actor(session, username, password_stdin)
        try:
            items = [acting.appointment_dict(a) for a in acting.list_appointments(session, actor, unit_code)]
        except Refusal as err:
            fail(refusal_text(err), 3)
    click.echo(json.dumps(items, ensure_ascii=False, indent=2))


@acting_group.command("appoint")
@click.argument("unit_code")
@click.argument("appointee")
@click.option("--until", "ends_at", required=True, help="When it ends, ISO 8601 with offset.")
@click.option("--from", "starts_at", default=None, help="When it starts (default: now), ISO 8601 with offset.")
@click.option("--reason", required=True)
@click.option("--user", "username", required=True, help="The leader (or admin) appointing.")
@click.option("--password-stdin", is_flag=True)
def acting_appoint(
    unit_code: str,
    appointee: str,
    ends_at: str,
    starts_at: str | None,
    reason: str,
    username: str,
    password_stdin: bool,
) -> None:
    """Make APPOINTEE acting spokesperson of UNIT_CODE until --until, through the same service and guards as the API."""
    from statements.org import acting

    until, since = _aware(ends_at, "--until"), _aware(starts_at, "--from")
    assert until is not None
    with cli_session() as session:
        actor = cli_actor(session, username, password_stdin)
        try:
            done = acting.appointment_dict(acting.appoint(session, actor, unit_code, appointee, reason, until, since))
        except Refusal as err:
            fail(refusal_text(err), 3)
    click.echo(f"{done['username']} is acting spokesperson of {done['unit']} from {done['starts_at']}"
               f" until {done['ends_at']} (appointment {done['id']}).")  # fmt: skip


@acting_group.command("end")
@click.argument("appointment_id", type=int)
@click.option("--reason", required=True)
@click.option("--user", "username", required=True, help="The leader (or admin) ending it.")
@click.option("--password-stdin", is_flag=True)
def acting_end(appointment_id: int, reason: str, username: str, password_stdin: bool) -> None:
    """End acting appointment APPOINTMENT_ID now (or cancel it before it begins)."""
    from statements.org import acting

    with cli_session() as session:
        actor = cli_actor(session, username, password_stdin)
        try:
            done = acting.appointment_dict(acting.end(session, actor, appointment_id, reason))
        except Refusal as err:
            fail(refusal_text(err), 3)
    click.echo(f"Appointment {done['id']} of {done['username']} in {done['unit']} is {done['status']}.")
