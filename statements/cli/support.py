"""What every `pressgate` command shares: its database sessions and how it fails."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import current_app
from sqlalchemy.orm import Session

from workflow.actor import Actor
from workflow.errors import Refusal

#: The sessions the running command opened: one that was committing when the database went away is in doubt.
opened: list[Session] = []


@contextmanager
def cli_session() -> Iterator[Session]:
    """Open the command's session and commit its work when the block ends; roll it all back if the block fails.

    The one transaction boundary of a command, as the request's is for the web: what it wrote is kept
    only when it runs to the end (a refusal ends the command through `fail`, and nothing is kept).
    """
    session = current_app.extensions["pressgate"]["sessionmaker"]()
    opened.append(session)  # remembered, to tell a change in doubt when the database goes away
    with session, session.begin():
        yield session


def fail(message: str, code: int = 1) -> None:
    """Print the message on standard error and end the command with `code`."""
    click.echo(message, err=True)
    sys.exit(code)


def refusal_text(refusal: Refusal) -> str:
    """Say a refusal as the API does: its status, rule and message, and each field's messages."""
    fields = "".join(f"\n  {name}: {' '.join(messages)}" for name, messages in (refusal.errors or {}).items())
    return f"Refused ({refusal.status} {refusal.rule}): {refusal.message}{fields}"


def read_password(password_stdin: bool, prompt: str = "Password") -> str:
    """Read a password from standard input's first line, or ask for it without echo."""
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt(prompt, hide_input=True)


def cli_actor(session: Session, username: str, password_stdin: bool) -> Actor:
    """Resolve the CLI user: the same password check as the API, so nobody acts as someone else."""
    from auth.service import actor_for
    from auth.tokens import authenticate

    user = authenticate(session, username, read_password(password_stdin, f"Password for {username}"))
    if user is None:
        fail("Wrong username or password.", 2)
    assert user is not None  # fail() ends the command
    return actor_for(session, user, via="cli")
