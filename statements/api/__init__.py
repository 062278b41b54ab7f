"""The JSON API, v1 (flask-smorest): one blueprint per resource."""

from __future__ import annotations

from flask import Flask

from statements.extensions import Api, csrf


def register_blueprints(app: Flask, api: Api) -> None:
    """Register every API blueprint; the API authenticates by bearer token, so CSRF does not apply."""
    from statements.api import disclosures, ledger, org, public, statements, tokens

    for module in (tokens, org, statements, ledger, disclosures, public):
        csrf.exempt(module.bp)
        api.register_blueprint(module.bp)
