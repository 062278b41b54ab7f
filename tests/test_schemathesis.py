"""Schemathesis against /api/v1/openapi.json, as every role and as nobody: no server errors, no answer
that breaks the published schema, with all of schemathesis's checks."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from auth.tokens import issue_token

ROLES = [None, "author", "spokesperson", "leader", "auditor", "admin", "outsider"]
#: Examples per operation and role; the slow run (`pytest -m slow`) tries many more.
EXAMPLES = int(os.environ.get("PRESSGATE_FUZZ_EXAMPLES", "8"))


def _published_schema() -> dict:
    """Return the OpenAPI document exactly as the application serves it."""
    from statements import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "SECRET_KEY": "schema"})
    return app.test_client().get("/api/v1/openapi.json").json


#: What a schema-valid request may still be answered (schemathesis.toml says why), as for `st run` in this folder.
CONFIG = SchemathesisConfig.from_path(Path(__file__).resolve().parent.parent / "schemathesis.toml")
schema = schemathesis.openapi.from_dict(_published_schema(), config=CONFIG)


@pytest.fixture
def auth_headers(session, org, make_statement):
    make_statement()  # something to find, so paths with ids reach real objects sometimes

    def headers(role: str | None) -> dict:
        if role is None:
            return {}
        token, _ = issue_token(session, org.users[role], dt.timedelta(hours=1))
        session.commit()
        return {"Authorization": f"Bearer {token}"}

    return headers


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_keeps_its_schema(case, app, auth_headers):
    # The follow-up requests some checks make go to the app too (it is the per-backend app, rebound per test).
    case.operation.schema.app = app
    for role in ROLES:
        case.call_and_validate(app=app, headers=auth_headers(role))
