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
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from statements.notifications.models import Mail, Notification
from statements.notifications.serialize import actor_name
from statements.notifications.texts import details, subject
from workflow.db import utcnow

log = logging.getLogger(__name__)

#: Waits before each retry of a mail the server refused or could not take; then it is given up.
RETRY_AFTER = (
    dt.timedelta(seconds=30),
    dt.timedelta(minutes=2),
    dt.timedelta(minutes=10),
    dt.timedelta(hours=1),
    dt.timedelta(hours=6),
)
#: Lines up to SMTP's own limit: the default folding at 78 splits a Vietnamese subject into encoded
#: words and loses the space between them ("chờ bạn" arrived as "chờbạn").
_POLICY = email.policy.SMTP.clone(max_line_length=998)
#: Mails sent per pass over one SMTP connection.
BATCH = 50


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


def compose(notification: Notification, settings: SmtpSettings) -> EmailMessage:
    """Write a notification's email in its reader's language: a line and a link, never the statement's text."""
    with force_locale(notification.mail_language):
        line = subject(notification.kind, notification.statement_id, notification.unit, notification.urgent)
        link = f"{settings.base_url}/statements/{notification.statement_id}"
        body = "\n".join(
            [
                line + ".",
                *details(notification),
                _("By %(actor)s.", actor=actor_name(notification.actor)),
                "",
                _("Open it in PressGate: %(link)s", link=link),
                "",
                _("This email does not carry the statement's text: it stays in PressGate, where readings are logged."),
                _("Choose which emails you receive: %(link)s", link=f"{settings.base_url}/notifications/settings"),
            ]
        )
    message = EmailMessage(policy=_POLICY)
    message["Subject"] = f"[PressGate] {line}"
    message["From"] = settings.sender
    message["Date"] = formatdate(usegmt=True)
    message["To"] = formataddr(("", notification.mail_to or ""))
    # The same every time it is sent: a mail sent again after a crash is recognisably the same mail.
    message["Message-ID"] = f"<notification-{notification.id}@{urlsplit(settings.base_url).hostname or 'pressgate'}>"
    message["X-PressGate-Notification"] = str(notification.id)
    message.set_content(body)
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


def send_due(session: Session, settings: SmtpSettings, *, now: dt.datetime | None = None) -> int:
    """Send the mails that are due, over one SMTP connection; return how many the server accepted.

    The caller commits (the worker at once): until then the rows stay locked against other workers.
    """
    now = now or utcnow()
    due = session.scalars(
        sa.select(Notification)
        .where(Notification.mail_state == Mail.PENDING, Notification.mail_due_at <= now)
        .order_by(Notification.mail_due_at, Notification.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    if not due:
        return 0
    try:
        smtp = _connect(settings)
    except (OSError, smtplib.SMTPException) as err:  # the server is away: every mail waits its turn again
        for notification in due:
            _failed(notification, f"{type(err).__name__}: {err}", now)
        return 0
    sent = 0
    with smtp:
        for notification in due:
            try:
                smtp.send_message(compose(notification, settings))
            except (OSError, smtplib.SMTPException) as err:
                _failed(notification, f"{type(err).__name__}: {err}", now)
                continue
            notification.mail_state = Mail.SENT
            notification.mail_sent_at = utcnow()
            notification.mail_due_at = None
            sent += 1
    return sent
