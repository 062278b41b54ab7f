"""Field messages in the person's language: the services' fixed ones, and those carrying a value (a length, names)."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import lazy_gettext as _l

from auth.service import MIN_PASSWORD
from statements.web.labels import (
    ASSESSMENT_LABELS,
    CHANNEL_LABELS,
    GROUND_LABELS,
    KIND_LABELS,
    LANGUAGE_LABELS,
    MAIL_MODE_LABELS,
    MEASURE_LABELS,
    OUTCOME_LABELS,
    PRESS_STATUS_LABELS,
    ROLE_LABELS,
    STATE_LABELS,
    URGENCY_LABELS,
)

#: The services' fixed field messages, for forms in the person's language (others are shown as written).
FIELD_MESSAGES = {
    "A title is required.": _l("A title is required."),
    "Say what the letter is about.": _l("Say what the letter is about."),
    "Say what the letter is about, in at most 300 characters.": _l(
        "Say what the letter is about, in at most 300 characters."
    ),
    "Name at least one recipient.": _l("Name at least one recipient."),
    "One of the letterhead's signers.": _l("One of the letterhead's signers."),
    "A year (2026), a quarter (2026-Q1), a month (2026-03) or days (2026-01-01..2026-03-31).": _l(
        "A year (2026), a quarter (2026-Q1), a month (2026-03) or days (2026-01-01..2026-03-31)."
    ),
    "The last day comes on or after the first, at most 366 days in all.": _l(
        "The last day comes on or after the first, at most 366 days in all."
    ),
    "A period between the years 2000 and 2100.": _l("A period between the years 2000 and 2100."),
    "Capital letters and digits in parts joined by hyphens, as SYT-NV.": _l(
        "Capital letters and digits in parts joined by hyphens, as SYT-NV."
    ),
    "Give the unit's full name.": _l("Give the unit's full name."),
    "Give the place the letters are issued at.": _l("Give the place the letters are issued at."),
    "Say why.": _l("Say why."),
    "A whole number from 1 to 99999.": _l("A whole number from 1 to 99999."),
    "Say what for.": _l("Say what for."),
    "Contains a NUL character or half a character.": _l("Contains a NUL character or half a character."),
    "Choose the unit.": _l("Choose the unit."),
    "One of the unit's people.": _l("One of the unit's people."),
    "It answers a question from the press: it stays an interview statement.": _l(
        "It answers a question from the press: it stays an interview statement."
    ),
    "It answers an item seen outside: it stays a correction.": _l(
        "It answers an item seen outside: it stays a correction."
    ),
    "The body may not be empty.": _l("The body may not be empty."),
    "Unknown unit.": _l("Unknown unit."),
    "Not a valid boolean.": _l("Not a valid boolean."),
    "A period needs the event it is about.": _l(
        "A period needs the event it is about (released, escalated, …): open the list from the overview."
    ),
    "The period ends before it begins.": _l("The period ends before it begins."),
    "An object with subject, period, area, measures and analysis.": _l(
        "Figures with what they count, their period, area, measures and analysis."
    ),
    "What the figures count is required (a disease, an event).": _l(
        "Say what the figures count (a disease, an event)."
    ),
    "The area the figures cover is required.": _l("The area the figures cover is required."),
    "Name the press outlet.": _l("Name the press outlet."),
    "Confirm the refusal.": _l("Tick the box to confirm the refusal: it cannot be undone."),
    "Name the journalist.": _l("Name the journalist."),
    "Give the journalist's contact.": _l("Give the journalist's contact."),
    "Write the question as it was asked.": _l("Write the question as it was asked."),
    "Name where it was seen.": _l("Name where it was seen."),
    "Give its address (the link), or where it can be found.": _l(
        "Give its address (the link), or where it can be found."
    ),
    "Say in a sentence what it claims.": _l("Say in a sentence what it claims."),
    "A period with its first and last day (start, end).": _l("The period needs its first and last day."),
    "Days as YYYY-MM-DD.": _l("Choose the days from the calendar."),
    "A period of at most a year.": _l("A period of at most a year."),
    "At least one measure.": _l("Give at least one figure."),
    "Each measure at most once.": _l("Each measure at most once."),
    "The system the figure comes from is required.": _l("Name the system the figure comes from."),
    "Missing data for required field.": _l("This field is required."),
    "Field may not be null.": _l("This field is required."),
    "Not a valid integer.": _l("Not a valid number."),
    "Not a valid date.": _l("Not a date: write it as dd/mm/yyyy."),
    "Escalations are always sent by email.": _l("Escalations are always sent by email."),
    "Not a valid email address.": _l("Not a valid email address."),
    "A label is required.": _l("A label is required."),
    "Give at least one keyword, topic or detector.": _l("Give at least one keyword, topic or detector."),
    "Paste at least a sentence of the text that was found.": _l(
        "Paste at least a sentence of the text that was found."
    ),
    "Say where the text was seen.": _l("Say where the text was seen."),
    "The text cannot have been seen in the future.": _l("The text cannot have been seen in the future."),
    "Write the finding.": _l("Write the finding."),
    "Name who disclosed it, or choose an unattributed outcome.": _l(
        "Name who disclosed it, or choose an unattributed outcome."
    ),
    "Only an attributed leak names people.": _l("Only an attributed leak names people."),
    "Unknown user.": _l("Unknown user."),
    "Not now.": _l("Now or within the past year."),
    "An urgent question cannot be given longer than an ordinary one.": _l(
        "An urgent question cannot be given longer than an ordinary one."
    ),
    "Unknown.": _l("No such statement in this unit."),
    "Not an interview answer.": _l("Choose an interview statement of this unit, not rejected or withdrawn."),
    "Not one of the unit's press desk.": _l("Choose one of the unit's drafters, spokesperson or leaders."),
    "Not one of the law's grounds.": _l("Choose one of the law's grounds."),
    "Not a judgement.": _l("Choose what the item is."),
    "Not a correction statement.": _l("Choose a correction statement of this unit, not rejected or withdrawn."),
    "Unknown step.": _l("Unknown step."),
    "A reason is required.": _l("A reason is required."),
    "The start cannot be in the past.": _l("The start cannot be in the past."),
    "The end must come after the start.": _l("The end must come after the start."),
    "This account is deactivated.": _l("This account is deactivated."),
    "A time to come, at most 30 days ahead.": _l("A time to come, at most 30 days ahead."),
    "Only for a scheduled release.": _l("Only for a scheduled release."),
    "Not a valid datetime.": _l("Not a valid date and time."),
    "Not a valid aware datetime.": _l("Give the time with its time zone."),
    "2-64 lowercase letters, digits, '.', '_' or '-'.": _l(
        "Username: 2-64 lowercase letters, digits, '.', '_' or '-'."
    ),
    f"At least {MIN_PASSWORD} characters.": _l("Password: at least %(n)d characters.", n=MIN_PASSWORD),
    "Use capital letters, digits, '-' or '_' (e.g. SYT-HN).": _l(
        "Use capital letters, digits, '-' or '_' (e.g. SYT-HN)."
    ),
}

#: Field messages that carry a value (a length, names): matched by their English form, said again in the
#: person's language with the same value.
PATTERNED_FIELD_MESSAGES: list[tuple[re.Pattern, Callable[..., object]]] = [
    (re.compile(r"Longer than maximum length (?P<n>\d+)\."), lambda n: _l("At most %(n)s characters.", n=n)),
    (re.compile(r"Shorter than minimum length (?P<n>\d+)\."), lambda n: _l("At least %(n)s characters.", n=n)),
    (
        re.compile(r"Length must be between (?P<low>\d+) and (?P<high>\d+)\."),
        # From 1: empty or too long alike ("1 to 4000 characters" did not say that something must be written).
        lambda low, high: (
            _l("Write something, at most %(high)s characters.", high=high)
            if low == "1"
            else _l("Between %(low)s and %(high)s characters.", low=low, high=high)
        ),
    ),
    (re.compile(r"No such user: (?P<names>.+)\."), lambda names: _l("No such user: %(names)s.", names=names)),
    (
        re.compile(r"Between 0 and (?P<n>\d+) hours\."),
        lambda n: _l("More than 0 and at most %(n)s hours, in every cell.", n=n),
    ),
    (re.compile(r"At most (?P<n>\d+) days\."), lambda n: _l("At most %(n)s days.", n=n)),
    (re.compile(r"Between 1 and (?P<n>\d+) days\."), lambda n: _l("From 1 to %(n)s days.", n=n)),
    (
        re.compile(r"(?:The previous period's figure is a|A) whole number from (?P<low>\d+) to (?P<high>\d+)\."),
        lambda low, high: _l("A whole number from %(low)s to %(high)s.", low=low, high=high),
    ),
    (
        re.compile(r"Between (?P<low>\d+) and (?P<high>\d+) (?P<unit>words|percent)\."),
        lambda low, high, unit: (
            _l("From %(low)s to %(high)s words.", low=low, high=high)
            if unit == "words"
            else _l("From %(low)s to %(high)s percent.", low=low, high=high)
        ),
    ),
    (re.compile(r"A text of at most (?P<n>\d+) characters\."), lambda n: _l("At most %(n)s characters.", n=n)),
    (re.compile(r"Unknown field: (?P<names>.+)\."), lambda names: _l("Unknown field: %(names)s.", names=names)),
    (
        re.compile(r"Each measure is one of: (?P<choices>.+)\."),
        lambda choices: _l("Choose one of: %(choices)s.", choices=choice_names(choices)),
    ),
    (
        re.compile(r"Say why, in at most (?P<n>\d+) characters\."),
        lambda n: _l("Say why, in at most %(n)s characters.", n=n),
    ),
    (
        re.compile(r"Must be greater than or equal to (?P<low>\d+) and less than or equal to (?P<high>\d+)\."),
        lambda low, high: _l("A whole number from %(low)s to %(high)s.", low=low, high=high),
    ),
    (
        re.compile(r"Must be one of: (?P<choices>.+)\."),
        lambda choices: _l("Choose one of: %(choices)s.", choices=choice_names(choices)),
    ),
]


def choice_names(choices: str) -> str:
    """Name a refusal's choices as the form's own lists name them ("leader, admin" -> their titles)."""
    codes = choices.split(", ")
    for names in (
        ROLE_LABELS,
        OUTCOME_LABELS,
        KIND_LABELS,
        URGENCY_LABELS,
        STATE_LABELS,
        CHANNEL_LABELS,
        MAIL_MODE_LABELS,
        LANGUAGE_LABELS,
        GROUND_LABELS,
        MEASURE_LABELS,
        PRESS_STATUS_LABELS,
        ASSESSMENT_LABELS,
    ):
        if all(code in names for code in codes):  # one list names all of them: these are its codes
            return ", ".join(str(names[code]) for code in codes)
    return choices


def field_message(message: str) -> str:
    """Return a field message in the person's language: a fixed one, one that carries a value, else as written."""
    if message in FIELD_MESSAGES:
        return str(FIELD_MESSAGES[message])
    for pattern, say in PATTERNED_FIELD_MESSAGES:
        if found := pattern.fullmatch(message):
            return str(say(**found.groupdict()))
    return message
