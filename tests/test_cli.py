"""The `pressgate` command: in-process for the rules, and as a real console script on a fresh database."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from statements.db import make_engine
from statements.migrate import current, downgrade, upgrade
from tests import pg
from tests.conftest import PASSWORD
from tests.serving import PRESSGATE
from workflow.ledger import LedgerEntry

HEAD = sorted(p.name.split("_")[0] for p in (Path(__file__).parent.parent / "migrations" / "versions").glob("0*.py"))[
    -1
]


def test_ledger_verify_exit_codes(runner, session, statement_in, backend):
    statement_in("released")
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 0 and "intact" in result.output
    if backend == "postgresql":
        session.execute(sa.text("DROP TRIGGER ledger_entries_seal_once ON ledger_entries"))
    else:
        session.execute(sa.text("DROP TRIGGER ledger_entries_no_update"))
    seq = session.scalar(sa.select(sa.func.max(LedgerEntry.seq)))
    session.execute(sa.text("UPDATE ledger_entries SET comment = 'giả mạo' WHERE seq = :s"), {"s": seq})
    session.commit()
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 1 and f"seq {seq}" in result.output


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_ledger_export(runner, statement_in, tmp_path, fmt):
    statement_in("released")
    out = tmp_path / f"ledger.{fmt}"
    result = runner.invoke(args=["ledger", "export", "--format", fmt, "--output", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text))) if fmt == "csv" else [json.loads(line) for line in text.splitlines()]
    release = [r for r in rows if r["action"] == "release"][-1]
    assert release["actor"] == "spokesperson" and release["actor_name"] == "Người dùng spokesperson"
    assert release["role"] == "spokesperson" and release["meaning"].startswith("Spokesperson released")
    assert release["at_utc"].endswith("Z") and release["at_local"].endswith("+07:00")
    assert [int(r["seq"]) for r in rows] == sorted(int(r["seq"]) for r in rows)


def test_create_admin(runner, session):
    result = runner.invoke(args=["create-admin", "quantri2", "--password-stdin"], input="một mật khẩu đủ dài\n")
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["create-admin", "quantri2", "--password-stdin"], input="một mật khẩu đủ dài\n")
    assert result.exit_code == 1 and "already exists" in result.output
    result = runner.invoke(args=["create-admin", "quantri3", "--password-stdin"], input="ngắn\n")
    assert result.exit_code == 1


def test_create_admin_on_a_new_installation(tmp_path):
    env = {
        **os.environ,
        "PRESSGATE_DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}",
        "PRESSGATE_INSTANCE_PATH": str(tmp_path / "instance"),
    }

    def run(*args, stdin=None):
        return subprocess.run([PRESSGATE, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120)

    assert run("init-db").returncode == 0
    refused = run("create-admin", "quantri", "--password-stdin", stdin="một mật khẩu đủ dài\n")
    assert refused.returncode == 1 and "--unit-name" in refused.stderr
    made = run(
        "create-admin",
        "quantri",
        "--password-stdin",
        "--unit",
        "BYT",
        "--unit-name",
        "Bộ Y tế",
        stdin="một mật khẩu đủ dài\n",
    )
    assert made.returncode == 0 and "Administrator quantri created in BYT" in made.stdout
    assert run("ledger", "verify").returncode == 0


def test_init_db_says_it_migrated_an_older_schema(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine, "0001")
    engine.dispose()
    env = {**os.environ, "PRESSGATE_DATABASE_URL": url, "PRESSGATE_INSTANCE_PATH": str(tmp_path / "instance")}
    done = subprocess.run([PRESSGATE, "init-db"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"Migrated the database from revision 0001 to {HEAD}." in done.stdout, done.stdout


def test_a_relative_instance_folder_is_the_working_directorys(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PRESSGATE_DATABASE_URL"} | {"PRESSGATE_INSTANCE_PATH": "here"}
    done = subprocess.run([PRESSGATE, "init-db"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "here" / "pressgate.db").exists()


def test_statement_act_keeps_the_same_rules(runner, statement_in):
    statement = statement_in("in_review")
    args = ["statement", "act", str(statement.id), "approve", "--version", "1", "--password-stdin"]
    result = runner.invoke(args=[*args, "--user", "author"], input=PASSWORD + "\n")
    assert result.exit_code == 3 and "403" in result.output
    result = runner.invoke(args=[*args, "--user", "spokesperson"], input="wrong\n")
    assert result.exit_code == 2
    result = runner.invoke(args=[*args, "--user", "spokesperson"], input=PASSWORD + "\n")
    assert result.exit_code == 0 and "approved" in result.output
    result = runner.invoke(
        args=["statement", "show", str(statement.id), "--user", "outsider", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 3 and "404" in result.output


def _fresh_url(backend, tmp_path):
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.db'}", None
    admin = pg.server_url()
    return pg.create_database(admin), admin


@pytest.fixture
def fresh_engine(backend, tmp_path):
    """An engine on an empty database of its own, disposed (and the database dropped) afterwards."""
    url, admin = _fresh_url(backend, tmp_path)
    engine = make_engine(url)
    yield engine
    engine.dispose()
    if admin:
        pg.drop_database(admin, url)


def test_console_script_on_a_fresh_database(backend, tmp_path):
    url, admin = _fresh_url(backend, tmp_path)
    env = {**os.environ, "PRESSGATE_DATABASE_URL": url, "PRESSGATE_INSTANCE_PATH": str(tmp_path / "instance")}
    try:

        def run(*args, **kw):
            return subprocess.run([PRESSGATE, *args], env=env, capture_output=True, text=True, timeout=120, **kw)

        created = run("init-db")
        assert created.returncode == 0 and created.stdout.startswith("Created the PressGate schema"), created.stdout
        seeded = run("demo", "--if-empty")
        assert seeded.returncode == 0 and "spokesperson" in seeded.stdout and "auditor" in seeded.stdout
        again = run("demo", "--if-empty")
        assert again.returncode == 0 and "not seeded" in again.stdout
        # The seed's notifications are in the app, and no mail of that made-up past waits to be sent.
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        with engine.connect() as connection:
            states = dict(
                connection.execute(sa.text("SELECT mail_state, count(*) FROM notifications GROUP BY 1")).all()
            )
        engine.dispose()
        assert states and set(states) == {"none"}, states
        again = run("init-db")  # idempotent, and says so
        assert again.returncode == 0 and "already at the newest schema" in again.stdout, again.stdout
        assert run("db", "current").stdout.strip() == HEAD
        verified = run("ledger", "verify")
        assert verified.returncode == 0 and "intact" in verified.stdout
        exported = run("ledger", "export", "--format", "jsonl")
        assert "Bản tin tình hình dịch bệnh tuần 46" not in exported.stdout  # titles are not in the ledger
        assert any(json.loads(line)["action"] == "release" for line in exported.stdout.splitlines())
    finally:
        if admin:
            pg.drop_database(admin, url)


def test_migrations_go_down_and_up(fresh_engine):
    engine = fresh_engine
    upgrade(engine)
    assert current(engine) == HEAD
    downgrade(engine, "base")
    assert current(engine) is None
    assert "ledger_entries" not in sa.inspect(engine).get_table_names()
    upgrade(engine)
    assert {"ledger_entries", "statements", "statement_versions", "units", "users"} <= set(
        sa.inspect(engine).get_table_names()
    )


@pytest.mark.parametrize(
    ("query", "at_head", "revision", "below"),
    [
        # 0005: the trigram index of statement search, absent before it.
        ("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_statements_search_trgm'", "gin_trgm_ops", "0004", None),
        # 0006: the seal-once trigger compares rows as text; before it, as JSONB.
        (
            "SELECT pg_get_functiondef('pressgate_ledger_seal_once'::regproc)",
            "unsealed::text = OLD::text",
            "0005",
            "to_jsonb(NEW)",
        ),
    ],
    ids=["search_trigram_index", "seal_once_trigger"],
)
def test_postgres_migrations_install_and_undo_objects(backend, fresh_engine, query, at_head, revision, below):
    if backend != "postgresql":
        pytest.skip("these objects are PostgreSQL's")
    upgrade(fresh_engine)
    with fresh_engine.connect() as conn:
        assert at_head in conn.execute(sa.text(query)).scalar()
    downgrade(fresh_engine, revision)
    with fresh_engine.connect() as conn:
        found = conn.execute(sa.text(query)).scalar()
    assert found is None if below is None else below in found, found


def test_notifications_from_the_ledger_start_after_every_decision_made_before(fresh_engine):
    """0014: decisions made before it told for themselves, so its cursor starts after all of them (sealed first)."""
    from auth.models import User
    from auth.service import actor_for
    from statements.lifecycle.service import create_statement, decide
    from statements.notifications.models import NotificationCursor
    from tests.conftest import seed_org
    from workflow.ledger import head

    upgrade(fresh_engine)
    with Session(fresh_engine) as session:
        seed_org(session)
        author = actor_for(session, session.scalar(sa.select(User).where(User.username == "author")))
        statement = create_statement(session, author, "SYT-HN", {"title": "Tin", "body": "Nội dung."})
        decide(session, statement.id, author, "submit", version=1)
        session.commit()
    downgrade(fresh_engine, "0013")
    upgrade(fresh_engine)
    with Session(fresh_engine) as session:
        last, _ = head(session)
        assert last > 0
        assert session.scalar(sa.select(NotificationCursor.seq)) == last


def test_migrating_keeps_a_ledger_with_entries_whole(fresh_engine):
    """0003 -> 0004 turns seq into the id and keeps every hash; 0004 -> 0003 gives them back."""
    from auth.service import create_unit
    from statements import demo
    from workflow.ledger import sealing, verification

    engine = fresh_engine
    sealing.configure(engine, mode="inline")
    try:
        upgrade(engine)
        with Session(engine) as session:
            demo.seed(session)
            session.commit()
        with engine.connect() as conn:
            before = conn.execute(sa.text("SELECT seq, hash FROM ledger_entries ORDER BY seq")).all()
        assert len(before) > 10
        downgrade(engine, "0003")
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT seq, hash FROM ledger_entries ORDER BY seq")).all() == before
            assert "id" not in {c["name"] for c in sa.inspect(conn).get_columns("ledger_entries")}
        upgrade(engine)
        with Session(engine) as session:
            assert verification.verify(session).ok
            ids = session.execute(sa.text("SELECT id, seq, hash FROM ledger_entries ORDER BY id")).all()
        assert [(seq, digest) for _, seq, digest in ids] == before and all(i == seq for i, seq, _ in ids)
        with Session(engine) as session:  # new entries continue after the migrated ones
            create_unit(session, None, "SYT-MIG", "Sở Y tế sau di chuyển", None)
            session.commit()
            assert session.scalar(sa.select(sa.func.max(LedgerEntry.seq))) == len(before) + 1
            assert verification.verify(session).ok
    finally:
        sealing.stop(engine)


def test_a_throwaway_postgres_can_be_started():
    url = pg.start_throwaway()
    if url is None:
        pytest.skip("no PostgreSQL binaries installed")
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SHOW server_encoding")).scalar() == "UTF8"
    engine.dispose()


def test_migrations_match_the_models(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    import statements.lifecycle.models  # noqa: F401  (register every table)
    from statements.migrate import include_object
    from workflow.db import Base

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_object})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], diff


def test_an_unknown_action_is_the_same_refusal_everywhere(runner, api, browser, statement_in):
    """Issue 27: it was 400 on the API and 422 on the web and the CLI."""
    from tests.test_web import csrf, login

    s = statement_in("in_review")
    r = api("spokesperson").post(f"/api/v1/statements/{s.id}/actions", json={"action": "fly", "version": 1})
    assert r.status_code == 400 and r.json["rule"] == "unknown_action"
    c = login(browser(), "spokesperson")
    page = c.post(
        f"/statements/{s.id}/act",
        data={"csrf_token": csrf(c.get(f"/statements/{s.id}")), "action": "fly", "version": "1"},
    )
    assert page.status_code == 400 and "Không có thao tác này." in page.get_data(as_text=True)
    args = ["statement", "act", str(s.id), "fly", "--version", "1", "--user", "spokesperson", "--password-stdin"]
    result = runner.invoke(args=args, input=PASSWORD + "\n")
    assert result.exit_code == 3 and "400 unknown_action" in result.output, result.output
