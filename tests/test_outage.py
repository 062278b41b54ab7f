"""The database goes away and comes back: 503 with Retry-After while it is gone, never a 500, then service again."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

import statements.lifecycle.service as service
import statements.press.web as press
from statements.db import make_engine
from statements.migrate import current, not_current, upgrade
from tests import pg, serving
from workflow.ledger.verification import verify


@pytest.fixture(scope="module")
def own_server():
    """A PostgreSQL of this module's own, which its tests stop and start."""
    try:
        server = pg.Throwaway()
    except (FileNotFoundError, KeyError, subprocess.CalledProcessError):
        pytest.skip("no PostgreSQL binaries to start a server of our own")
    server.start()
    yield server
    server.remove()


@pytest.mark.postgres_only
def test_a_served_app_answers_503_while_the_database_is_down_and_recovers(own_server, tmp_path):
    from bench.run import seed

    url = pg.create_database(own_server.url)
    seeded = seed(url, statements=2)
    sid, tokens = seeded["ids"][0], seeded["tokens"]
    decision = {"action": "request_changes", "version": 1, "comment": "Bổ sung số liệu."}
    with serving.served(url, tmp_path / "instance") as base:
        assert serving.call(base, f"/api/v1/statements/{sid}", tokens["spokesperson"])[0] == 200
        own_server.stop()  # as a crash would
        try:
            for path, body in ((f"/api/v1/statements/{sid}", None), (f"/api/v1/statements/{sid}/actions", decision)):
                status, headers, text = serving.call(base, path, tokens["spokesperson"], body)
                assert status == 503 and headers["Retry-After"] == "5", (status, text)
                assert headers["Content-Type"] == "application/json"
                answer = json.loads(text)
                assert answer["code"] == 503 and "nothing was changed" in answer["message"], answer
            status, headers, page = serving.call(base, "/press", accept="text/html")
            assert status == 503 and headers["Retry-After"] == "5" and "text/html" in headers["Content-Type"]
            assert "Cơ sở dữ liệu" in page, page  # the person's language: Vietnamese by default
        finally:
            own_server.start()
        # The pool replaces the dead connections (pinged after a second idle): the next requests are served.
        assert serving.call(base, f"/api/v1/statements/{sid}", tokens["spokesperson"])[0] == 200
        status, _, text = serving.call(base, f"/api/v1/statements/{sid}/actions", tokens["spokesperson"], decision)
        assert status == 200, text
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT state FROM statements WHERE id = :id"), {"id": sid}).scalar() == (
            "changes_requested"
        )
    with Session(engine) as session:
        result = verify(session)
        assert result.ok and result.unsealed == 0, result
    engine.dispose()
    pg.drop_database(own_server.url, url)


@pytest.mark.postgres_only
def test_database_crashes_under_a_stream_of_decisions_lose_none(own_server, tmp_path):
    """PostgreSQL stopped as a crash would, three times, while a client decides: nothing it was told is lost."""
    from bench.run import seed
    from tests.test_crash import Client, check

    url = pg.create_database(own_server.url)
    seeded = seed(url, statements=24)
    rng = random.Random(20261125)
    with serving.served(url, tmp_path / "instance") as base:
        client = Client(base, seeded["ids"], seeded["tokens"])
        client.start()
        for _ in range(3):
            time.sleep(rng.uniform(0.5, 1.5))
            own_server.stop()
            time.sleep(rng.uniform(0.2, 1.0))
            own_server.start()
        time.sleep(2.0)
        client.running = False
        client.join(timeout=10)
        time.sleep(1.5)  # each worker's sweep seals within a second
    figures = check(url, client)
    assert figures["decisions_seen"] >= 20, figures  # the crashes landed in a real stream of decisions
    pg.drop_database(own_server.url, url)


def test_a_connection_lost_during_commit_is_reported_in_doubt(app, api, make_statement, monkeypatch):
    statement = make_statement()
    client = api("author")

    def lost(*args) -> None:
        # The database went away while COMMIT was on its way (a test's request releases its savepoint instead).
        lost = OSError("server closed the connection unexpectedly")
        raise sa.exc.OperationalError("COMMIT", {}, lost, connection_invalidated=True)

    monkeypatch.setattr(sa.engine.default.DefaultDialect, "do_commit", lost)
    monkeypatch.setattr(sa.engine.default.DefaultDialect, "do_release_savepoint", lost)
    r = client.post(f"/api/v1/statements/{statement.id}/actions", json={"action": "submit", "version": 1})
    assert r.status_code == 503 and r.headers["Retry-After"] == "5"
    assert "may or may not have been recorded" in r.json["message"], r.json


def test_a_connection_lost_before_saving_says_nothing_was_changed(app, api, make_statement, monkeypatch):
    statement = make_statement()
    client = api("author")

    def lost(*args, **kwargs) -> None:
        raise sa.exc.OperationalError("SELECT", {}, OSError("server closed the connection unexpectedly"))

    monkeypatch.setattr(service, "decide", lost)
    r = client.post(f"/api/v1/statements/{statement.id}/actions", json={"action": "submit", "version": 1})
    assert r.status_code == 503 and "nothing was changed" in r.json["message"], r.json


def test_a_page_says_so_in_the_persons_language(client, monkeypatch):
    def down(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT", {}, OSError("connection refused"))

    monkeypatch.setattr(press, "db", down)
    r = client.get("/press")
    assert r.status_code == 503 and "Cơ sở dữ liệu hiện chưa sẵn sàng" in r.get_data(as_text=True)
    client.get("/lang/en")
    r = client.get("/press")
    assert r.status_code == 503 and "The database is not available right now" in r.get_data(as_text=True)


def _verify_ledger(url: str, instance: Path) -> subprocess.CompletedProcess:
    """Run `pressgate ledger verify` on a database, as someone would at a shell."""
    env = os.environ | {"PRESSGATE_DATABASE_URL": url, "PRESSGATE_INSTANCE_PATH": str(instance)}
    return subprocess.run([serving.PRESSGATE, "ledger", "verify"], env=env, capture_output=True, text=True, timeout=60)


def test_the_cli_says_the_database_is_not_available_in_one_line(tmp_path):
    port = serving.free_port()  # nobody listens there
    done = _verify_ledger(f"postgresql://postgres@127.0.0.1:{port}/none", tmp_path)
    assert done.returncode == 1, done
    assert "The database is not available" in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert "may or may not have been recorded" not in done.stderr, done.stderr  # verify saves nothing


def test_the_cli_says_a_change_lost_with_the_connection_while_saving_is_in_doubt(tmp_path, monkeypatch):
    import sqlite3

    from click.testing import CliRunner

    from statements.cli.commands import main

    monkeypatch.setenv("PRESSGATE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PRESSGATE_DATABASE_URL", f"sqlite:///{tmp_path / 'pressgate.db'}")
    assert CliRunner().invoke(main, ["init-db"]).exit_code == 0

    def lost(self, dbapi_connection) -> None:
        raise sqlite3.OperationalError("disk I/O error")  # the database went away while COMMIT was on its way

    monkeypatch.setattr(sa.engine.default.DefaultDialect, "do_commit", lost)
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 1, result.output
    assert "The database is not available: disk I/O error" in result.output, result.output
    assert "the change it was saving when the connection was lost may or may not have been recorded" in result.output


def _backend_pid(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()


def _terminate(url: str, pid: int) -> None:
    admin = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        assert conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    admin.dispose()


@pytest.mark.postgres_only
def test_an_idle_pooled_connection_that_died_is_pinged_and_replaced(own_server, monkeypatch):
    import statements.db

    monkeypatch.setattr(statements.db, "IDLE_PING_SECONDS", 0.05)
    url = pg.create_database(own_server.url)
    engine = make_engine(url)
    pid = _backend_pid(engine)
    _terminate(url, pid)  # as a database restart would, while the connection sat in the pool
    time.sleep(0.1)
    assert _backend_pid(engine) != pid  # pinged, found dead, replaced: the caller never saw it
    engine.dispose()


@pytest.mark.postgres_only
def test_a_connection_back_within_the_second_is_not_pinged_and_its_failure_renews_the_pool(own_server):
    url = pg.create_database(own_server.url)
    engine = make_engine(url)
    with engine.connect() as first, engine.connect() as second:  # two pooled connections
        pids = [conn.execute(sa.text("SELECT pg_backend_pid()")).scalar() for conn in (first, second)]
    for pid in pids:
        _terminate(url, pid)
    # Used again at once: no ping (no round trip), so the one request on the dead connection fails...
    with pytest.raises(sa.exc.OperationalError) as failure, engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    assert failure.value.connection_invalidated
    # ...and the pool replaces the other dead connection too, instead of failing once more for it.
    with engine.connect() as first, engine.connect() as second:
        fresh = {conn.execute(sa.text("SELECT pg_backend_pid()")).scalar() for conn in (first, second)}
    assert not fresh & set(pids)
    engine.dispose()


def _database(tmp_path, backend: str):
    """A database URL of the backend, with nothing in it; and how to drop it."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'elsewhere.db'}", lambda: None
    if (admin := pg.server_url()) is None:
        pytest.skip("no PostgreSQL available")
    url = pg.create_database(admin)
    return url, lambda: pg.drop_database(admin, url)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_cli_tells_a_database_without_the_schema_from_one_that_is_unavailable(tmp_path, backend):
    url, drop = _database(tmp_path, backend)  # a wrong PRESSGATE_DATABASE_URL, or init-db never run
    try:
        done = _verify_ledger(url, tmp_path)
    finally:
        drop()
    assert done.returncode == 1, done
    assert "is not set up for this PressGate: it has no PressGate schema" in done.stderr, done.stderr
    assert "pressgate init-db" in done.stderr, done.stderr
    assert "not available" not in done.stderr and "Traceback" not in done.stderr, done.stderr


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_schema_behind_the_code_is_named_with_its_revision(tmp_path, backend):
    url, drop = _database(tmp_path, backend)
    engine = make_engine(url)
    try:
        upgrade(engine, "0003")  # an installation not migrated after the code was upgraded
        behind = not_current(engine)
        upgrade(engine)
        assert behind == f"its schema is at revision 0003, and this PressGate needs {current(engine)}"
        assert not_current(engine) is None
    finally:
        engine.dispose()
        drop()


def test_init_db_failing_is_not_told_to_run_init_db(tmp_path, monkeypatch):
    from click.testing import CliRunner

    import statements.migrate
    from statements.cli.commands import main

    def refused(engine: sa.Engine, revision: str = "head") -> None:
        raise sa.exc.ProgrammingError("CREATE TABLE units", {}, Exception("permission denied for schema public"))

    monkeypatch.setattr(statements.migrate, "upgrade", refused)
    monkeypatch.setenv("PRESSGATE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("PRESSGATE_DATABASE_URL", raising=False)
    result = CliRunner().invoke(main, ["init-db"])
    assert result.exit_code != 0
    assert isinstance(result.exception, sa.exc.ProgrammingError), result.output  # its own error, as it was
    assert "pressgate init-db" not in result.output, result.output


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_server_on_a_database_without_the_schema_answers_503_saying_so(tmp_path, backend, caplog, monkeypatch):
    from statements import create_app, errors
    from workflow.db import QuietLog
    from workflow.ledger import sealing

    monkeypatch.setattr(errors, "_quiet", QuietLog())  # what earlier tests logged does not quieten this one
    url, drop = _database(tmp_path, backend)  # gunicorn started by hand, init-db never run
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test"})
    try:
        client = app.test_client()
        for _ in range(3):  # however many requests fail alike, the log says so once
            answer = client.get("/api/v1/statements", headers={"Authorization": "Bearer whatever"})
            assert answer.status_code == 503, answer.data
            message = answer.get_json()["message"]
            assert "not set up for this PressGate (it has no PressGate schema)" in message, message
            assert "pressgate init-db" in message and "Retry-After" not in answer.headers, message
        page = client.get("/press")
        assert page.status_code == 503 and "text/html" in page.content_type
        assert "pressgate init-db" in page.text and "Cơ sở dữ liệu" in page.text, page.text  # in Vietnamese
    finally:
        sealing.stop(app.extensions["pressgate"]["engine"])
        app.extensions["pressgate"]["engine"].dispose()
        drop()
    said = [r.getMessage() for r in caplog.records if "not set up" in r.getMessage()]
    assert said == [said[0]] and "run `pressgate init-db`" in said[0], said  # four answers, one line
    assert not [r for r in caplog.records if r.exc_info], "no traceback for a database that is not set up"


def test_a_query_the_schema_does_not_explain_is_still_a_server_error(client, monkeypatch, caplog):
    import statements.lifecycle.api as api
    from tests.conftest import PASSWORD

    token = client.post("/api/v1/tokens", json={"username": "author", "password": PASSWORD}).json["token"]

    def broken(*args, **kwargs):
        raise sa.exc.ProgrammingError("SELECT nonsense", {}, Exception('column "nonsense" does not exist'))

    monkeypatch.setattr(api.queries, "list_statements", broken)  # a bug, on a database that is current
    answer = client.get("/api/v1/statements", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 500 and answer.get_json()["message"].startswith("Internal server error")
    assert [r for r in caplog.records if r.getMessage() == "Unhandled error" and r.exc_info]  # its traceback


@pytest.mark.postgres_only
def test_a_sealer_on_a_database_without_the_schema_says_so_quietly(tmp_path, caplog, monkeypatch):
    from workflow.db import QuietLog
    from workflow.ledger import sealing

    monkeypatch.setattr(sealing, "_quiet", QuietLog())
    url, drop = _database(tmp_path, "postgresql")
    engine = make_engine(url)
    try:
        with pytest.raises(sa.exc.ProgrammingError):  # as SQLAlchemy raises it, though read through psycopg
            sealing.seal_pending(engine)
        found = sealing.sealer(engine)
        found.wake()
        time.sleep(2.5)  # it retries each second
        sealing.stop(engine)
    finally:
        engine.dispose()
        drop()
    # Only this database's lines: a sealer another test left running on a database since dropped may log in
    # the same moment (seen on a fresh clone's run), and it names that other database.
    ours = url.rsplit("/", 1)[-1]
    names = [re.search(r'database "([^"]+)" does not exist', r.getMessage()) for r in caplog.records]
    said = [
        r
        for r, other in zip(caplog.records, names, strict=True)
        if r.name == "workflow.ledger.sealing" and (other is None or other.group(1) == ours)
    ]
    assert len(said) == 1 and "does not match this code" in said[0].getMessage(), [r.getMessage() for r in said]
    assert 'relation "ledger_entries" does not exist' in said[0].getMessage() and not said[0].exc_info


def test_the_cli_shows_no_draft_and_claims_no_decision_whose_record_was_lost(tmp_path, monkeypatch):
    """The read's entry and the decision commit before the command prints anything of them."""
    import sqlite3

    from click.testing import CliRunner

    from statements.cli.commands import main

    monkeypatch.setenv("PRESSGATE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PRESSGATE_DATABASE_URL", f"sqlite:///{tmp_path / 'pressgate.db'}")
    assert CliRunner().invoke(main, ["init-db"]).exit_code == 0
    assert CliRunner().invoke(main, ["demo"]).exit_code == 0
    as_drafter = ["--user", "drafter", "--password-stdin"]
    shown = CliRunner().invoke(main, ["statement", "show", "5", *as_drafter], input="drafter-demo-2026\n")
    assert shown.exit_code == 0 and '"state": "draft"' in shown.output, shown.output  # the demo's draft 5
    title = json.loads(shown.output)["title"]

    def lost(self, dbapi_connection) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(sa.engine.default.DefaultDialect, "do_commit", lost)
    shown = CliRunner().invoke(main, ["statement", "show", "5", *as_drafter], input="drafter-demo-2026\n")
    assert shown.exit_code == 1 and title not in shown.output, shown.output
    acted = ["statement", "act", "5", "submit", "--version", "1", *as_drafter]
    result = CliRunner().invoke(main, acted, input="drafter-demo-2026\n")
    assert result.exit_code == 1 and "is now" not in result.output, result.output
    assert "may or may not have been recorded" in result.output
