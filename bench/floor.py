"""The floors: a decision's and a read's own SQL statements under the same stack, with no application logic.

Between the stack ceiling (one INSERT per request) and PressGate stands the work a decision cannot skip:
it authenticates its caller, locks and reads the statement, then appends its entry to the ledger and
updates the statement (one statement on PostgreSQL), all in one transaction, and its entry is sealed
afterwards, the sealer then writing the notifications of every decision it sealed (as PressGate's does:
importing `statements` subscribes it); a read authenticates, reads and appends its access
entry. The floors send exactly those statements, taken from the application's own modules so that a
change to them shows here, through the same Flask, SQLAlchemy, psycopg and gunicorn as the ceiling,
and the same sealer. They skip everything else a request does: no validation, no guards, no session,
no answer beyond the new state. What PressGate measures below its floor is what its own Python costs;
what the floor measures below the ceiling is what the statements cost.

A decision here flips the statement between `in_review` and `changes_requested`, as `decide.lua` expects
of PressGate, and records that on the ledger as PressGate would, so both servers can take turns on the
same statements and the ledger still replays.
"""

from __future__ import annotations

import datetime as dt
import os

import sqlalchemy as sa
from flask import Flask, request

from auth.tokens import TOKEN_GRANT, grant_params
from statements.db import normalise_url
from statements.lifecycle.snapshots import LOCKED_STATEMENT, ONE_STATEMENT, UPDATE_STATEMENT
from workflow.ledger import INSERT_UNSEALED, INSERTED_CTE, EntryKind, as_json_params, sealing

#: The other half of decide.lua's cycle, and who takes each step.
FLIP = {"in_review": ("changes_requested", "spokesperson"), "changes_requested": ("in_review", "drafter")}


def create_app(url: str | None = None) -> Flask:
    """Serve the floors on `url` (gunicorn: `bench.floor:create_app()`, the URL from the environment)."""
    engine = sa.create_engine(normalise_url(url or os.environ["PRESSGATE_DATABASE_URL"]))
    sealing.configure(engine)
    app = Flask("floor")
    app.extensions["floor"] = engine

    @app.post("/api/v1/statements/<int:statement_id>/actions")
    def decide(statement_id: int) -> dict:
        """Authenticate, lock and read, append the entry and update the statement; commit; wake the sealer."""
        action = request.get_json()["action"]
        now = dt.datetime.now(dt.UTC)
        with engine.begin() as connection:
            caller = _caller(connection)
            row = connection.execute(LOCKED_STATEMENT["postgresql"], {"id": statement_id, "now": now}).all()[-1]
            state = FLIP[row.state][0]
            entry = as_json_params([_entry(row, caller, action, state, {"via": "api"}, now)])
            update = {"_id": statement_id, "state": state, "updated_at": now}
            connection.execute(UPDATE_STATEMENT.add_cte(INSERTED_CTE), update | entry)
        sealing.sealer(engine).wake()
        return {"id": statement_id, "state": state}

    @app.get("/api/v1/statements/<int:statement_id>")
    def read(statement_id: int) -> dict:
        """Authenticate, read, append the access entry; commit; wake the sealer."""
        now = dt.datetime.now(dt.UTC)
        with engine.begin() as connection:
            caller = _caller(connection)
            row = connection.execute(ONE_STATEMENT, {"id": statement_id}).all()[-1]
            entry = _entry(row, caller, "read", None, {"how": "api_statement", "via": "api"}, now)
            connection.execute(INSERT_UNSEALED, as_json_params([entry]))
        sealing.sealer(engine).wake()
        return {"id": statement_id, "state": row.state}

    return app


def _caller(connection: sa.Connection) -> sa.Row:
    secret = request.headers["Authorization"].partition(" ")[2]
    return connection.execute(TOKEN_GRANT, grant_params(secret, "api")).all()[0]


def _entry(row: sa.Row, caller: sa.Row, action: str, to_state: str | None, data: dict, now: dt.datetime) -> dict:
    # The statement's rows are its versions in order: the last one is the current version.
    return {
        "at": now,
        "kind": EntryKind.DECISION if to_state else EntryKind.ACCESS,
        "action": action,
        "statement_id": row.id,
        "version": row.current_version,
        "content_hash": row.content_hash,
        "from_state": row.state if to_state else None,
        "to_state": to_state,
        "actor_id": caller.user_id,
        "actor": caller.username,
        "role": FLIP[row.state][1] if to_state else None,
        "unit": row.unit_code,
        "comment": None,
        "data": data,
    }
