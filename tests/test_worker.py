"""`pressgate worker`: sealing outside the servers, woken by PostgreSQL's NOTIFY, and readers never left waiting."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.models import User
from statements.notifications.models import Notification
from tests.conftest import own_postgres, seeded_engine
from tests.serving import PRESSGATE
from tests.smtp import smtp_server
from tests.test_sealing import _draft
from workflow.ledger import LedgerEntry, sealing, verification

SENT = sa.select(sa.func.count()).select_from(Notification).where(Notification.mail_state == "sent")
UNSEALED = sa.select(sa.func.count()).select_from(LedgerEntry).where(LedgerEntry.seq.is_(None))


def _start_worker(url: str, tmp_path, *args: str, env: dict | None = None) -> subprocess.Popen:
    env = (
        os.environ
        | {
            "PRESSGATE_DATABASE_URL": url,
            "PRESSGATE_INSTANCE_PATH": str(tmp_path),
            "PYTHONUNBUFFERED": "1",
        }
        | (env or {})
    )
    return subprocess.Popen(
        [PRESSGATE, "worker", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _until(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def _count(engine: sa.Engine, query: sa.Select) -> int:
    with engine.connect() as connection:
        return connection.scalar(query)


def _unsealed(engine: sa.Engine) -> int:
    return _count(engine, UNSEALED)


def test_the_worker_seals_what_the_servers_commit_when_they_notify_it(backend, tmp_path):
    with own_postgres(backend, "SQLite chains each entry as it is written") as url:
        # Started on a database not yet migrated: it says so and keeps trying, as after `init-db` it must work.
        worker = _start_worker(url, tmp_path, "--sweep-seconds", "60")
        engine = None
        try:
            assert worker.stdout.readline().startswith("Worker sealing the ledger of")
            engine = seeded_engine(url, sealing_mode="worker")
            assert _until(lambda: _unsealed(engine) == 0, 10), "the worker did not seal the seed"
            for _ in range(3):
                _draft(engine)  # each commit wakes the writer's notifier; the 60 s sweep is not what seals
            assert _until(lambda: _unsealed(engine) == 0, 5), "the worker did not seal after the NOTIFY"
            with Session(engine) as session:
                assert verification.verify(session).ok
        finally:
            worker.terminate()
            out, err = worker.communicate(timeout=10)
            if engine is not None:
                sealing.stop(engine)
                engine.dispose()
        assert worker.returncode == 0, err
        sealed = int(out.split("it sealed ")[1].split()[0])
        assert sealed >= 3 * 2, out  # three drafts of two decisions each, and the seed's entries
        assert "does not match this code" in err, err  # the wait for the schema was said, once


def test_without_a_worker_readers_seal_what_they_list(backend):
    with own_postgres(backend, "SQLite chains each entry as it is written") as url:
        engine = seeded_engine(url, sealing_mode="worker")
        try:
            _draft(engine)
            with Session(engine) as session:
                assert session.scalar(UNSEALED) > 0, "in mode worker the writing process does not seal"
                assert sealing.seal_before_reading(session) == 0
                assert session.scalar(UNSEALED) == 0
        finally:
            sealing.stop(engine)
            engine.dispose()


@contextlib.contextmanager
def _database(backend: str, tmp_path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'pressgate.db'}"
    else:
        with own_postgres(backend, "") as url:
            yield url


@pytest.mark.parametrize("storage", ["sqlite", "redis"])
def test_the_worker_process_sends_the_mail_a_decision_commits(backend, tmp_path, storage):
    """The real worker, a real SMTP server: a committed decision wakes the worker, and its mail arrives.

    The queue on SQLite (the embedded default) and on the machine's Redis (production's).
    """
    from statements import create_app
    from statements.lifecycle.service import create_statement, decide
    from tests.test_sealing import _actors

    queue = f"sqlite:///{tmp_path / 'queue.db'}" if storage == "sqlite" else "redis://127.0.0.1:6379/0"
    name = f"pressgate-test-{uuid.uuid4().hex}"  # this test's own, on a Redis others share
    with _database(backend, tmp_path) as url, smtp_server() as inbox:
        engine = seeded_engine(url)
        with engine.begin() as connection:
            connection.execute(sa.update(User).where(User.username == "spokesperson").values(email="pn@syt.example.vn"))
        mail_env = {
            "PRESSGATE_QUEUE_URL": queue,
            "PRESSGATE_QUEUE_NAME": name,
            "PRESSGATE_SMTP_HOST": inbox.host,
            "PRESSGATE_SMTP_PORT": str(inbox.port),
            "PRESSGATE_BASE_URL": "https://pg.example.vn",
        }
        worker = _start_worker(url, tmp_path, env=mail_env)
        config = {"DATABASE_URL": url, "QUEUE_URL": queue, "QUEUE_NAME": name, "SECRET_KEY": "x"}
        app = create_app(config | {"SEAL_SWEEP_SECONDS": 0})
        try:
            with app.app_context(), Session(app.extensions["pressgate"]["engine"]) as session:
                actors = _actors(session)
                statement = create_statement(
                    session, actors["author"], "SYT-HN", {"title": "Tin mật", "body": "Chưa phát hành."}
                )
                sid = statement.id
                decide(session, sid, actors["author"], "submit", version=1)
                session.commit()  # wakes the worker through the queue
            assert _until(lambda: len(inbox.messages) == 1, 15), worker.stderr
            message = inbox.messages[0]
            assert message["To"] == "pn@syt.example.vn" and f"/statements/{sid}" in message.get_content()
            # A connection each time: one held open would keep reading the snapshot of its first look (SQLite).
            assert _until(lambda: _count(engine, SENT) == 1, 5)
        finally:
            worker.terminate()
            out, err = worker.communicate(timeout=20)
            for each in (engine, app.extensions["pressgate"]["engine"]):
                sealing.stop(each)
                each.dispose()
        assert worker.returncode == 0, err
        assert (
            f"Worker running jobs from {'SqliteStorage' if storage == 'sqlite' else 'RedisStorage'}" in out
            and f"mail to {inbox.host}" in out
        ), out
        assert len(inbox.messages) == 1, "each mail once"


def test_worker_is_a_sealing_mode_and_an_unknown_one_is_refused():
    engine = sa.create_engine("sqlite://")
    sealing.configure(engine, mode="worker")
    with pytest.raises(ValueError, match="one of background, inline, worker"):
        sealing.configure(engine, mode="later")
