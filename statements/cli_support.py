"""What every `pressgate` command shares: its database sessions and how it fails."""

from __future__ import annotations

import sys

import click
from flask import current_app
from sqlalchemy.orm import Session

#: The sessions the running command opened: one that was committing when the database went away is in doubt.
opened: list[Session] = []


def cli_session() -> Session:
    """Open a database session for the running command (remembered, to tell a change in doubt)."""
    session = current_app.extensions["pressgate"]["sessionmaker"]()
    opened.append(session)
    return session


def fail(message: str, code: int = 1) -> None:
    """Print the message on standard error and end the command with `code`."""
    click.echo(message, err=True)
    sys.exit(code)
