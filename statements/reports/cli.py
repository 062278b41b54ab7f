"""`pressgate report`: a unit's report for a period as a file, from the command line, for a schedule."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

import click
from flask.cli import with_appcontext

from statements.cli.support import cli_actor, cli_session, fail, refusal_text
from statements.reports.documents import FORMATS
from workflow.errors import Refusal


@click.command("report")
@with_appcontext
@click.option("--unit", "unit_code", required=True, help="The unit's code, for example SYT-AH.")
@click.option("--period", required=True, help="2026, 2026-Q1, 2026-03 or 2026-01-01..2026-03-31.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True)
@click.option("--unit-only", is_flag=True, help="The unit alone, without the units below it.")
@click.option("--issue", is_flag=True, help="Issue it under the unit's next number, on the ledger (its issuers).")
@click.option("--signer", type=click.IntRange(min=0), default=0, show_default=True, help="The letterhead's signer.")
@click.option(
    "--remarks",
    type=click.File(encoding="utf-8"),
    default=None,
    help="A JSON file of the unit's own words: assessment, shortcomings, plans, proposals (with --issue).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Where to write it (default: its own name in this folder; '-' for standard output).",
)
@click.option(
    "--user", "username", required=True, help="A leader of the unit (or above), its spokesperson, an auditor."
)
@click.option("--password-stdin", is_flag=True)
def report_command(
    unit_code: str,
    period: str,
    fmt: str,
    unit_only: bool,
    issue: bool,
    signer: int,
    remarks: TextIO | None,
    output: str | None,
    username: str,
    password_stdin: bool,
) -> None:
    """Write a unit's report for a period: PDF or DOCX (an official report), XLSX or CSV (its figures)."""
    from statements.reports import documents, service

    with cli_session() as session:
        actor = cli_actor(session, username, password_stdin)
        try:
            if issue:
                written = _remarks(remarks)
                row = service.issue(
                    session, actor, unit_code, period, rolled_up=not unit_only, signer=signer, remarks=written
                )
                data, name = documents.issued_file(row, fmt)
            else:
                built = service.build(session, actor, unit_code, period, rolled_up=not unit_only)
                data, name = documents.render(built, fmt), documents.file_name(built, fmt)
        except Refusal as err:
            fail(refusal_text(err), 3)
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    target = Path(output or name)
    target.write_bytes(data)
    click.echo(f"{target} ({len(data):,} bytes)", err=True)


def _remarks(given: TextIO | None) -> dict[str, str]:
    """Read the unit's own words from a JSON file, checked as the API checks them."""
    from statements.reports.schemas import RemarksIn
    from statements.schemas import load_input

    if given is None:
        return {}
    try:
        parsed = json.load(given)
    except ValueError as err:
        fail(f"--remarks: not JSON ({err}).", 2)
        raise
    if not isinstance(parsed, dict):
        fail("--remarks: a JSON object of the parts (assessment, shortcomings, plans, proposals).", 2)
    return dict(load_input(RemarksIn(), parsed))
