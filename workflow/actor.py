"""Who is acting: a user's roles resolved over the unit tree, with no database access."""

from __future__ import annotations

from dataclasses import dataclass, field

from workflow.states import Role


@dataclass(frozen=True)
class Actor:
    """A user as the guards see them: their roles per unit and what those roles reach."""

    user_id: int
    username: str
    #: (unit_id, role) pairs held directly.
    memberships: frozenset[tuple[int, str]] = frozenset()
    #: Units where the actor is a competent authority: where they lead, and every unit below.
    leader_scope: frozenset[int] = frozenset()
    #: Units whose unreleased statements the actor may read (ignored for auditors).
    read_scope: frozenset[int] = frozenset()
    #: Units the actor speaks for without holding the role: as the nearest leader of a unit nobody is
    #: designated for (ND 09/2017), or appointed acting spokesperson for a period (see `appointments`).
    acting_for: frozenset[int] = frozenset()
    #: Where the actor acts from: "api", "web", "cli" or "service".
    via: str = field(default="service", compare=False)
    #: (unit_id, appointment id) of the acting appointments that hold now: decisions name the one they use.
    appointments: frozenset[tuple[int, int]] = frozenset()

    def appointment_in(self, unit_id: int) -> int | None:
        """Return the acting appointment under which the actor speaks for this unit, if any."""
        return next((appointment for unit, appointment in self.appointments if unit == unit_id), None)

    def has_role(self, role: str, unit_id: int) -> bool:
        """Say whether the actor holds this role in this very unit."""
        return (unit_id, role) in self.memberships

    def speaks_for(self, unit_id: int) -> bool:
        """Say whether the actor is this unit's spokesperson, designated or acting as its leader."""
        return self.has_role(Role.SPOKESPERSON, unit_id) or unit_id in self.acting_for

    def holds(self, role: str) -> bool:
        """Say whether the actor holds this role in any unit."""
        return any(r == role for _, r in self.memberships)

    @property
    def is_auditor(self) -> bool:
        """Auditors read everything, change nothing."""
        return self.holds(Role.AUDITOR)

    @property
    def is_admin(self) -> bool:
        """Admins manage the organisation and approve nothing."""
        return self.holds(Role.ADMIN)

    def is_competent_leader(self, unit_id: int) -> bool:
        """Say whether the actor leads this unit or one of its ancestors."""
        return unit_id in self.leader_scope

    def can_read_unit(self, unit_id: int) -> bool:
        """Say whether the actor may read this unit's unreleased statements."""
        return self.is_auditor or unit_id in self.read_scope

    def roles_in(self, unit_id: int) -> list[str]:
        """Return the roles held directly in a unit."""
        return sorted(r for u, r in self.memberships if u == unit_id)
