"""The worker's jobs, on huey: the queue, its storage from the configuration, and the tasks.

huey because it keeps the embedded default one command: its SQLite storage is a file beside the
database, with no server; in production the same tasks run on Redis (PRESSGATE_QUEUE_URL=redis://…).
It brings the periodic scheduler, and consumers on several machines never take one task twice.
procrastinate was the other candidate; it needs PostgreSQL, which the embedded default does not have.

The outbox stays in PressGate's own tables (a notification's mail is written from the decision's
ledger entry, itself written in the deciding transaction): a task only says "there is mail to send
now", and the periodic sweep sends whatever a lost wake-up or a failed try left, so the queue never
holds anything that could be lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from sqlalchemy.orm import Session

from statements.lifecycle import scheduled, timeliness
from statements.notifications import fanout, mail
from statements.notifications.service import MAIL_WAITING

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Jobs:
    """An app's queue and the tasks it can enqueue."""

    queue: Huey
    deliver_mail: Any


def make_queue(url: str | None, instance_path: Path, name: str = "pressgate") -> Huey:
    """Return the queue the URL names: redis://…, memory:// (tests), else a SQLite file in the instance folder.

    `name` keeps installations that share one Redis apart. Nobody waits for a job's result (the outbox
    is the record), so none is stored.
    """
    if url and url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, results=False)
    if url == "memory://":
        return MemoryHuey(name, results=False)
    path = Path(url.removeprefix("sqlite:///")) if url else instance_path / "queue.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(path), results=False)


def init_app(app: Flask) -> Jobs:
    """Give the app its queue and its tasks; the worker (`pressgate worker`) consumes them."""
    queue = make_queue(
        app.config.get("QUEUE_URL"), Path(app.instance_path), app.config.get("QUEUE_NAME") or "pressgate"
    )

    @queue.task(name="deliver_mail")
    def deliver_mail() -> int:
        """Send the mail that is due now."""
        return send_mail(app)

    @queue.periodic_task(crontab(minute="*"), name="sweep_mail")
    def sweep_mail() -> int:
        """Tell what a sealer's pass left untold; send what a lost wake-up or a failed try left due (each minute)."""
        fanout.catch_up(app.extensions["pressgate"]["engine"])
        return send_mail(app)

    @queue.periodic_task(crontab(minute="*/5"), name="send_digests")
    def send_digests() -> int:
        """Send each person's daily digest once its hour has come (every five minutes: a failed one is retried)."""
        return send_mail(app, digests=True)

    @queue.periodic_task(crontab(minute="*"), name="sweep_deadlines")
    def sweep_deadlines() -> int:
        """Remind, say what is overdue, escalate (every minute): statements.lifecycle.timeliness."""
        with app.app_context(), Session(app.extensions["pressgate"]["engine"]) as session:
            handled = timeliness.sweep(session)
            session.commit()
        return handled

    @queue.periodic_task(crontab(minute="*"), name="release_scheduled")
    def release_scheduled() -> int:
        """Release what was scheduled for now (every minute): statements.lifecycle.scheduled."""
        with app.app_context(), Session(app.extensions["pressgate"]["engine"]) as session:
            released = scheduled.release_due(session)
            session.commit()
        return released

    jobs = Jobs(queue, deliver_mail)
    app.extensions["pressgate"]["jobs"] = jobs
    # A sealer's pass writes notifications outside any request: it wakes the worker through this.
    fanout.wake_with(app.extensions["pressgate"]["engine"], deliver_mail)
    return jobs


def send_mail(app: Flask, *, digests: bool = False) -> int:
    """Send the due mail (or the digests) of `app`'s database and record it; return how many were accepted."""
    settings = mail.SmtpSettings.from_config(app.config)
    if settings is None:  # no mail server: the notifications are in the app, their mail waits
        return 0
    engine = app.extensions["pressgate"]["engine"]
    with app.app_context():
        return send_backlog(lambda: Session(engine), settings, digests=digests)


def send_backlog(
    sessions: Callable[[], AbstractContextManager[Session]], settings: mail.SmtpSettings, *, digests: bool = False
) -> int:
    """Send what is due (or the digests) batch after batch, until less than a full batch went; return how many.

    A backlog (the worker was down while decisions went on) goes out at once, not a batch per wake-up
    or per minute. Each batch commits when its sender says (its claim, then each mail as accepted).
    """
    send, batch = (mail.send_digests, mail.DIGEST_PEOPLE) if digests else (mail.send_due, mail.BATCH)
    total = 0
    while True:
        with sessions() as session:
            sent = commit_each(session, send(session, settings))
        total += sent
        if sent < batch:
            return total


def commit_each(session: Session, steps: Iterator[int]) -> int:
    """Run a sender's steps, committing at each; return what its last said (how many mails were accepted)."""
    accepted = 0
    for said in steps:
        session.commit()
        accepted = said
    return accepted


@sa.event.listens_for(Session, "after_commit")
def _wake_the_worker(session: Session) -> None:
    if not session.info.pop(MAIL_WAITING, False) or not has_app_context():
        return
    jobs: Jobs | None = current_app.extensions.get("pressgate", {}).get("jobs")
    if jobs is None:
        return
    try:
        jobs.deliver_mail()
    except Exception as err:
        log.warning("could not wake the worker (%s); the mail goes with the next sweep", err)


@sa.event.listens_for(Session, "after_rollback")
def _nothing_to_send(session: Session) -> None:
    session.info.pop(MAIL_WAITING, None)
