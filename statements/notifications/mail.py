"""Send the email of committed notifications over SMTP: what the worker does with the outbox.

A notification whose email is pending is sent once it is due; a failure puts it back with a longer
wait each time, and after the last try it is marked failed, with the error, for admins to see. On
PostgreSQL the rows are taken with SKIP LOCKED, so several workers never send one mail twice.
The Message-ID is the notification's own, so a mail sent again after a crash (between the server
accepting it and the worker recording that) is recognisably the same mail.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import logging
import secrets
import smtplib
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from email.header import Header
from email.message import Message
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from auth.service import full_names
from statements.notifications.models import Mail, Notification
from statements.notifications.serialize import actor_name
from statements.notifications.texts import details, line_of, path_of
from workflow.db import utcnow
from workflow.deadlines import ZONE

log = logging.getLogger(__name__)

#: Lines up to SMTP's own limit (see `_message`).
_POLICY = email.policy.compat32.clone(max_line_length=998)
#: Waits before each retry of a mail the server refused or could not take; then it is given up.
RETRY_AFTER = (
    dt.timedelta(seconds=30),
    dt.timedelta(minutes=2),
    dt.timedelta(minutes=10),
    dt.timedelta(hours=1),
    dt.timedelta(hours=6),
)
#: Mails sent per pass over one SMTP connection.
BATCH = 50
#: The shortest a worker holds the mails it took (`lease_for`: longer with a longer SMTP timeout): others
#: leave them until then, and a worker killed mid-batch leaves them to be sent after it.
LEASE = dt.timedelta(seconds=60)
#: When the daily digest goes out, in Vietnam: before the working day begins at 7:30 (Decree 45/2013).
DIGEST_AT = dt.time(7, 0)
#: People whose digest is sent per pass.
DIGEST_PEOPLE = 20


@dataclass(frozen=True)
class SmtpSettings:
    """Where mail goes and as whom: from the PRESSGATE_SMTP_* / PRESSGATE_MAIL_FROM environment."""

    host: str
    port: int
    sender: str
    base_url: str
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 10.0

    @classmethod
    def from_config(cls, config: dict) -> SmtpSettings | None:
        """Return the settings, or None when no mail server is configured (notifications stay in the app)."""
        if not config.get("SMTP_HOST"):
            return None
        # The defaults are statements/config.py's, which every app's configuration starts from.
        return cls(
            host=config["SMTP_HOST"],
            port=config["SMTP_PORT"],
            sender=config["MAIL_FROM"],
            base_url=config["BASE_URL"].rstrip("/"),
            username=config["SMTP_USERNAME"],
            password=config["SMTP_PASSWORD"],
            starttls=config["SMTP_STARTTLS"],
        )


def compose(notification: Notification, settings: SmtpSettings, names: Mapping[str, str] | None = None) -> Message:
    """Write a notification's email in its reader's language: a line and a link, never the statement's text.

    `names`: full names by username, to name who caused it as people know them.
    """
    with force_locale(notification.mail_language):
        line = line_of(notification)
        body = [line + ".", *_told(notification, settings, names or {}), *_footer(settings)]
    # The same every time it is sent: a mail sent again after a crash is recognisably the same mail.
    return _message(line, body, notification.mail_to, f"notification-{notification.id}", settings)


def compose_digest(
    notifications: list[Notification], settings: SmtpSettings, names: Mapping[str, str] | None = None
) -> Message:
    """Write one person's daily digest: each notification's line, details and link, oldest first; no text."""
    last = notifications[-1]
    with force_locale(last.mail_language):  # the language they chose most recently
        line = _("Daily digest: %(n)d notifications", n=len(notifications))
        body = [line + ".", ""]
        for notification in notifications:
            told = _told(notification, settings, names or {})
            body += ["- " + line_of(notification) + ".", *("  " + said for said in told), ""]
        body += _footer(settings)[1:]
    first = notifications[0]
    return _message(line, body, last.mail_to, f"digest-{first.user_id}-{first.id}-{last.id}", settings)


def _told(notification: Notification, settings: SmtpSettings, names: Mapping[str, str]) -> list[str]:
    link = settings.base_url + path_of(notification)
    return [
        *details(notification),
        _("By %(actor)s.", actor=actor_name(notification.actor, names)),
        _("Open it in PressGate: %(link)s", link=link),
    ]


def _footer(settings: SmtpSettings) -> list[str]:
    return [
        "",
        _("This email does not carry the statement's text: it stays in PressGate, where readings are logged."),
        _("Choose which emails you receive: %(link)s", link=f"{settings.base_url}/notifications/settings"),
    ]


def _message(line: str, body: list[str], to: str | None, ident: str, settings: SmtpSettings) -> Message:
    # The legacy API (compat32) writes these headers as given; the modern one parses and refolds each,
    # and composing took a third of a mail's time in the worker (bench/README.md, 2026-12-04). The
    # subject is one encoded word up to SMTP's own line limit: folded at 78, a Vietnamese subject lost
    # the space between two encoded words ("chờ bạn" arrived as "chờbạn").
    message = MIMEText("\n".join(body), "plain", "utf-8", policy=_POLICY)
    message["Subject"] = Header(f"[PressGate] {line}", "utf-8")
    message["From"] = settings.sender
    message["Date"] = formatdate(usegmt=True)
    message["To"] = formataddr(("", to or ""))
    message["Message-ID"] = f"<{ident}@{urlsplit(settings.base_url).hostname or 'pressgate'}>"
    if ident.startswith("notification-"):
        message["X-PressGate-Notification"] = ident.removeprefix("notification-")
    return message


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    if settings.starttls:
        smtp.starttls()
    if settings.username:
        smtp.login(settings.username, settings.password or "")
    return smtp


def _failed(notification: Notification, error: str, now: dt.datetime) -> None:
    notification.mail_attempts += 1
    notification.mail_error = error[:2000]
    if notification.mail_attempts > len(RETRY_AFTER):
        notification.mail_state = Mail.FAILED
        notification.mail_due_at = None
        log.error(
            "gave up the mail of notification %s after %s tries: %s", notification.id, notification.mail_attempts, error
        )
    else:
        notification.mail_due_at = now + RETRY_AFTER[notification.mail_attempts - 1]


def send_due(session: Session, settings: SmtpSettings, *, now: dt.datetime | None = None) -> Iterator[int]:
    """Send a batch of the mails that are due, over one SMTP connection, yielding whenever the caller commits.

    The batch is claimed for LEASE (its rows taken with SKIP LOCKED, then due again only when the lease
    ends): the first yield is the claim's commit. Each mail is then recorded as sent the moment the
    server accepts it, and yielded for its own commit, so a worker killed mid-batch leaves at most the
    mail in flight to be sent again. Each yield says how many the server has accepted so far.
    """
    now = now or utcnow()
    due = session.scalars(
        sa.select(Notification)
        .where(Notification.mail_state == Mail.PENDING, Notification.mail_due_at <= now)
        .order_by(Notification.mail_due_at, Notification.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    names = full_names(session, [n.actor for n in due])
    yield from _deliver(session, settings, [([n], compose(n, settings, names)) for n in due], now)


def _deliver(
    session: Session,
    settings: SmtpSettings,
    mails: list[tuple[list[Notification], Message]],
    now: dt.datetime,
) -> Iterator[int]:
    """Claim the mails' notifications, send each and record it as accepted, yielding for each commit."""
    if not mails:
        return
    batch = [[n.id for n in notifications] for notifications, _ in mails]
    claimed = [notification_id for ids in batch for notification_id in ids]
    # The lease's end is also whose it is: its random microseconds tell this claim from another worker's
    # made in the same moment, and every later change is made only while the rows still carry it.
    lease = lease_for(settings)
    mine = now + lease + dt.timedelta(microseconds=secrets.randbelow(1_000_000))
    _set(session, claimed, None, mail_due_at=mine)
    yield 0  # claimed: other workers leave these until the lease ends
    started = time.monotonic()
    try:
        smtp = _connect(settings)
    except (OSError, smtplib.SMTPException) as err:  # the server is away: every mail waits its turn again
        _failed_all(session, claimed, mine, f"{type(err).__name__}: {err}", now)
        yield 0
        return
    sent = 0
    with smtp:
        for index, (ids, (_, message)) in enumerate(zip(batch, mails, strict=True)):
            if time.monotonic() - started > lease.total_seconds() / 2:
                # A slow server: give the rest back before the lease ends, so nobody else sends them too.
                _set(session, [i for rest in batch[index:] for i in rest], mine, mail_due_at=now)
                yield sent
                return
            try:
                smtp.send_message(message)
            except (OSError, smtplib.SMTPException) as err:
                _failed_all(session, ids, mine, f"{type(err).__name__}: {err}", now)
                yield sent
                continue
            session.connection().execute(_SENT, {"ids": ids, "lease": mine, "sent_at": utcnow()})
            sent += 1
            yield sent


def lease_for(settings: SmtpSettings) -> dt.timedelta:
    """Return how long a worker holds a batch: new mails stop at half of it, and one in flight ends before it.

    A mail's SMTP dialogue is five exchanges at most, each bounded by the connection's timeout.
    """
    return max(LEASE, dt.timedelta(seconds=12 * settings.timeout))


_T = Notification.__table__
#: A mail accepted, recorded while the rows are still this claim's: once per mail, so the statement is built
#: once (building it in Python for every mail was 30% of the worker's CPU under load, by sampling, 2026-12-06).
_SENT = (
    sa.update(_T)
    .where(_T.c.id.in_(sa.bindparam("ids", expanding=True)), _T.c.mail_due_at == sa.bindparam("lease"))
    .values(mail_state=Mail.SENT, mail_sent_at=sa.bindparam("sent_at"), mail_due_at=None)
)


def _set(session: Session, ids: list[int], lease: dt.datetime | None, **values: object) -> None:
    # Core, not the ORM's bulk UPDATE: the ORM's took 1.2 ms a mail, more than the statement itself.
    table = Notification.__table__
    where = table.c.id.in_(ids) if lease is None else sa.and_(table.c.id.in_(ids), table.c.mail_due_at == lease)
    session.connection().execute(sa.update(table).where(where).values(**values))


def _failed_all(session: Session, ids: list[int], lease: dt.datetime, error: str, now: dt.datetime) -> None:
    mine = sa.and_(Notification.id.in_(ids), Notification.mail_due_at == lease)
    for notification in session.scalars(sa.select(Notification).where(mine)):
        _failed(notification, error, now)
    session.flush()


def digest_cutoff(now: dt.datetime) -> dt.datetime:
    """Return the last time the digest went out at or before `now` (DIGEST_AT in Vietnam), in UTC."""
    local = now.astimezone(ZONE)
    cutoff = dt.datetime.combine(local.date(), DIGEST_AT, tzinfo=ZONE)
    if cutoff > local:
        cutoff -= dt.timedelta(days=1)
    return cutoff.astimezone(dt.UTC)


def send_digests(session: Session, settings: SmtpSettings, *, now: dt.datetime | None = None) -> Iterator[int]:
    """Send each person their digest of what they were told before today's DIGEST_AT, yielding as `send_due` does.

    A digest that fails is tried again as a single mail is (RETRY_AFTER), then given up. Claimed and
    recorded as single mails are (`send_due`), so two workers never send one person's digest twice.
    """
    now = now or utcnow()
    waiting = sa.and_(
        Notification.mail_state == Mail.DIGEST,
        Notification.created_at < digest_cutoff(now),
        sa.or_(Notification.mail_due_at.is_(None), Notification.mail_due_at <= now),
    )
    people = session.scalars(
        sa.select(Notification.user_id).where(waiting).group_by(Notification.user_id).limit(DIGEST_PEOPLE)
    ).all()
    if not people:
        return
    rows = session.scalars(
        sa.select(Notification)
        .where(waiting, Notification.user_id.in_(people))
        .order_by(Notification.user_id, Notification.id)
        .with_for_update(skip_locked=True)
    ).all()
    by_person: dict[int, list[Notification]] = {}
    for notification in rows:
        by_person.setdefault(notification.user_id, []).append(notification)
    names = full_names(session, [n.actor for n in rows])
    mails = [(notifications, compose_digest(notifications, settings, names)) for notifications in by_person.values()]
    yield from _deliver(session, settings, mails, now)
