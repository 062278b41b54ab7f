"""The stack ceiling: the same Flask, SQLAlchemy and psycopg under gunicorn, doing one INSERT per request.

Its engine has the stack's defaults, as a bare endpoint would: the thinnest this stack can be, whatever
the app configures for itself (its pool's ping, its JSON).
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask

from statements.db import normalise_url

engine = sa.create_engine(normalise_url(os.environ["PRESSGATE_DATABASE_URL"]))
rows = sa.table("bench_ceiling", sa.column("payload"))
app = Flask("ceiling")


@app.post("/insert")
def insert() -> tuple[dict, int]:
    """Insert one row in its own transaction."""
    with engine.begin() as connection:
        connection.execute(sa.insert(rows).values(payload="một dòng thử nghiệm"))
    return {"ok": True}, 201
