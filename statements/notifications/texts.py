"""What each kind of notification says, in the reader's language (the app's list and the email alike)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from statements.i18n import local_time
from statements.notifications.models import Kind, Notification

#: The one line a notification is: the statement's number and unit, never its unreleased text.
SUBJECTS = {
    Kind.AWAITS_REVIEW: _l("Statement #%(id)d of %(unit)s awaits your review"),
    Kind.ESCALATED: _l("Statement #%(id)d of %(unit)s awaits your sign-off"),
    Kind.AWAITS_RELEASE: _l("Statement #%(id)d of %(unit)s is approved and awaits release"),
    Kind.CHANGES_REQUESTED: _l("Changes were requested to statement #%(id)d of %(unit)s"),
    Kind.RELEASED: _l("Statement #%(id)d of %(unit)s was released"),
    Kind.REJECTED: _l("Statement #%(id)d of %(unit)s was rejected"),
    Kind.RETRACTED: _l("Statement #%(id)d of %(unit)s was retracted"),
    Kind.REMINDER: _l("Reminder: statement #%(id)d of %(unit)s awaits you"),
    Kind.OVERDUE: _l("Statement #%(id)d of %(unit)s is past its due time"),
    Kind.OVERDUE_ESCALATED: _l("Statement #%(id)d of %(unit)s is overdue and escalated to you"),
    Kind.EMERGENCY_RELEASE: _l("Statement #%(id)d of %(unit)s was released in an emergency and awaits a review"),
    Kind.EMERGENCY_FINDING: _l("A finding was recorded on your emergency release of statement #%(id)d of %(unit)s"),
    Kind.DISCLOSURE_OPENED: _l("Disclosure case #%(id)d was opened about information of %(unit)s"),
    Kind.EMERGENCY_REVIEW_OVERDUE: _l(
        "The emergency release of statement #%(id)d of %(unit)s is past its review's due time"
    ),
    Kind.PRESS_QUESTION: _l("Question from the press #%(id)d reached %(unit)s: give it to someone to answer"),
    Kind.PRESS_ASSIGNED: _l("Question from the press #%(id)d to %(unit)s was given to you to answer"),
    Kind.WATCH_RECORDED: _l("Item #%(id)d seen outside about %(unit)s awaits your judgement"),
    Kind.WATCH_CORRECTION: _l("Item #%(id)d seen outside about %(unit)s is false or misleading: write its correction"),
    Kind.WATCH_REPORTED: _l("Item #%(id)d seen outside about %(unit)s was reported up to your unit"),
    Kind.ACTING_APPOINTED: _l("You are appointed acting spokesperson of %(unit)s"),
}
#: The kinds by name, for the settings page.
KIND_NAMES = {
    Kind.AWAITS_REVIEW: _l("A statement awaits my review"),
    Kind.ESCALATED: _l("A statement awaits my sign-off (escalated)"),
    Kind.AWAITS_RELEASE: _l("An approved statement awaits release"),
    Kind.CHANGES_REQUESTED: _l("Changes were requested to my statement"),
    Kind.RELEASED: _l("My statement was released"),
    Kind.REJECTED: _l("My statement was rejected"),
    Kind.RETRACTED: _l("My statement was retracted"),
    Kind.REMINDER: _l("A reminder of what awaits me"),
    Kind.OVERDUE: _l("What awaits me is past its due time"),
    Kind.OVERDUE_ESCALATED: _l("A step below me is overdue and escalated to me"),
    Kind.EMERGENCY_RELEASE: _l("A statement of my unit was released in an emergency"),
    Kind.EMERGENCY_FINDING: _l("A finding on an emergency release I made"),
    Kind.DISCLOSURE_OPENED: _l("A disclosure case about my unit's information was opened"),
    Kind.EMERGENCY_REVIEW_OVERDUE: _l("An emergency release I may review is past its review's due time"),
    Kind.PRESS_QUESTION: _l("A question from the press reached my unit and nobody has it yet"),
    Kind.PRESS_ASSIGNED: _l("A question from the press was given to me to answer"),
    Kind.WATCH_RECORDED: _l("Something seen outside about my unit awaits judgement"),
    Kind.WATCH_CORRECTION: _l("Something seen outside was judged false or misleading and needs a correction"),
    Kind.WATCH_REPORTED: _l("Something seen outside was reported up to my unit"),
    Kind.ACTING_APPOINTED: _l("I am appointed acting spokesperson of a unit"),
}
#: The registers' kinds, by the key of their detail that holds their number, and the page it leads to.
REGISTER_PAGES = {
    Kind.PRESS_QUESTION: ("request", "/press-requests/%d"),
    Kind.PRESS_ASSIGNED: ("request", "/press-requests/%d"),
    Kind.WATCH_RECORDED: ("rumour", "/rumours/%d"),
    Kind.WATCH_CORRECTION: ("rumour", "/rumours/%d"),
    Kind.WATCH_REPORTED: ("rumour", "/rumours/%d"),
}


def subject(kind: str, number: int | None, unit: str, urgent: bool) -> str:
    """Return a notification's line in the current language (`number`: its statement's, or its case's)."""
    line = str(SUBJECTS[kind] % {"id": number or 0, "unit": unit})
    return str(_l("Urgent: %(line)s", line=line)) if urgent else line


def line_of(notification: Notification) -> str:
    """Return a notification's line in the current language."""
    return subject(notification.kind, number_of(notification), notification.unit, notification.urgent)


def number_of(notification: Notification) -> int | None:
    """Return the number a notification names: its disclosure case's, question's, item's, or its statement's."""
    if notification.kind == Kind.DISCLOSURE_OPENED:
        return int((notification.detail or {}).get("case") or 0)
    if notification.kind in REGISTER_PAGES:
        return int((notification.detail or {}).get(REGISTER_PAGES[notification.kind][0]) or 0)
    if notification.kind == Kind.ACTING_APPOINTED:
        return int((notification.detail or {}).get("appointment") or 0)
    return notification.statement_id


def path_of(notification: Notification) -> str:
    """Return the page a notification leads to: its case's, question's, item's, or its statement's."""
    if notification.kind == Kind.DISCLOSURE_OPENED:
        return f"/disclosures/{number_of(notification)}"
    if notification.kind in REGISTER_PAGES:
        return REGISTER_PAGES[notification.kind][1] % (number_of(notification) or 0)
    if notification.kind == Kind.ACTING_APPOINTED:  # where the unit's waiting work is
        return "/inbox"
    return f"/statements/{notification.statement_id}"


def details(notification: Notification) -> list[str]:
    """Return what a deadline's notification adds to its line, in the current language: when, and who is late."""
    detail = notification.detail or {}
    lines = []
    if notification.kind == Kind.ACTING_APPOINTED:
        when = {"start": local_time(detail.get("starts_at")), "end": local_time(detail.get("ends_at"))}
        return [_("From %(start)s until %(end)s; what awaits the unit's spokesperson is under Awaiting me.", **when)]
    if detail.get("due_at") and notification.kind in (Kind.PRESS_QUESTION, Kind.PRESS_ASSIGNED):
        lines.append(_("Its answer is due %(when)s.", when=local_time(detail["due_at"])))
    elif detail.get("due_at") and notification.kind == Kind.REMINDER:  # sent before the due time
        lines.append(_("It is due %(when)s.", when=local_time(detail["due_at"])))
    elif detail.get("due_at"):
        lines.append(_("It was due %(when)s.", when=local_time(detail["due_at"])))
    if detail.get("late") and notification.kind == Kind.OVERDUE_ESCALATED:
        lines.append(_("It waits for: %(names)s.", names=", ".join(detail["late"])))
    return lines
