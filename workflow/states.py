"""Statement states, kinds and urgencies, and the named groups the rest of the code uses."""

from __future__ import annotations

import enum


class State(enum.StrEnum):
    """Where a statement is in its life; stored by value."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    ESCALATED = "escalated"
    APPROVED = "approved"
    RELEASED = "released"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    RETRACTED = "retracted"


class Kind(enum.StrEnum):
    """What sort of press statement this is (Decree 09/2017 Art. 5-6, Press Law Art. 42)."""

    REGULAR = "regular"
    AD_HOC = "ad_hoc"
    CORRECTION = "correction"
    INTERVIEW = "interview"


class Urgency(enum.StrEnum):
    """How fast a decision is needed."""

    NORMAL = "normal"
    URGENT = "urgent"


class Role(enum.StrEnum):
    """A person's role in one unit."""

    DRAFTER = "drafter"
    SPOKESPERSON = "spokesperson"
    LEADER = "leader"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Channel(enum.StrEnum):
    """How released information reaches the press (Decree 09/2017 Art. 4)."""

    PRESS_CONFERENCE = "press_conference"
    WEBSITE = "website"
    PRESS_RELEASE = "press_release"
    WRITTEN_ANSWER = "written_answer"
    INTERVIEW = "interview"
    SOCIAL_MEDIA = "social_media"


#: States in which drafters may still write new versions.
EDITABLE_STATES = frozenset({State.DRAFT, State.CHANGES_REQUESTED})
#: States that the public may see.
PUBLIC_STATES = frozenset({State.RELEASED, State.RETRACTED})
#: States from which nothing more happens.
FINAL_STATES = frozenset({State.REJECTED, State.WITHDRAWN, State.RETRACTED})
#: States in which sensitivity still decides the route.
OPEN_STATES = frozenset({State.DRAFT, State.IN_REVIEW, State.CHANGES_REQUESTED, State.ESCALATED})


def values(enum_cls: type[enum.Enum]) -> list[str]:
    """Return an enum's stored values, in declaration order."""
    return [member.value for member in enum_cls]


def check_in(column: str, enum_cls: type[enum.Enum]) -> str:
    """Return the SQL of a CHECK constraint tying a column to an enum's values."""
    quoted = ", ".join(f"'{value}'" for value in values(enum_cls))
    return f"{column} IN ({quoted})"
