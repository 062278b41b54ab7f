"""The web interface: the same service functions and guards as the API, in the person's language."""

from __future__ import annotations

from statements.web import audit  # noqa: F401  (registers its routes on bp)
from statements.web.views import bp

__all__ = ["bp"]
