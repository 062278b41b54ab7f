"""The application: statements, versions, service functions, the JSON API, the press room and the CLI."""

from __future__ import annotations

from typing import TYPE_CHECKING

# Notifications are written from the ledger's entries (see its fanout): loaded with the package, every
# process that decides has them subscribed, as the workflow package does for the sealer.
from statements.notifications import fanout as _fanout  # noqa: F401

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    """Create the Flask application (imported lazily so the models load without Flask)."""
    from statements.app import create_app as _create_app

    return _create_app(config)
