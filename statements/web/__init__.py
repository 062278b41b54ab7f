"""The web interface: the same service functions and guards as the API, in the person's language."""

from __future__ import annotations

from statements.web import actions, admin, audit, disclosures, rules  # noqa: F401  (they register their routes on bp)
from statements.web.views import bp

__all__ = ["bp"]
