"""A commendation: who did well, for what, and on which statements (letter 6006: commend good work)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, utcnow


class Commendation(Base):
    """A leader's commendation of one person of a unit, for what they did, naming the statements (append-only)."""

    __tablename__ = "commendations"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    description: Mapped[str] = mapped_column(sa.Text)
    #: The statements the work was on (ids of the unit's statements), possibly none.
    statements: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
