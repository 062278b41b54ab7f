"""The stack ceiling: the same Flask, SQLAlchemy and psycopg under gunicorn, doing one INSERT per request."""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask

from statements.db import make_engine

engine = make_engine(os.environ["PRESSGATE_DATABASE_URL"])
rows = sa.table("bench_ceiling", sa.column("payload"))
app = Flask("ceiling")


@app.post("/insert")
def insert() -> tuple[dict, int]:
    """Insert one row in its own transaction."""
    with engine.begin() as connection:
        connection.execute(sa.insert(rows).values(payload="một dòng thử nghiệm"))
    return {"ok": True}, 201
