"""Re-index every version for matching: a copy's word choices (issue 29) are now matched in one form.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 02:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def _reindex() -> None:
    # The bands are an index derived from each version's text (no record of anything): they are rebuilt with
    # today's normalisation, as 0003 built them, so a leak of a copy made with word choices still finds its
    # version. Versions are read and written in batches, so a large database never holds them all at once.
    from statements.lifecycle.matching import text_keys

    bind = op.get_bind()
    bands = sa.table("version_bands", sa.column("version_id"), sa.column("band"), sa.column("bucket"))
    bind.execute(sa.delete(bands))
    last = 0
    while True:
        batch = bind.execute(
            sa.text("SELECT id, title, body FROM statement_versions WHERE id > :last ORDER BY id LIMIT 500"),
            {"last": last},
        ).all()
        if not batch:
            return
        rows = [
            {"version_id": version_id, "band": b, "bucket": k}
            for version_id, title, body in batch
            for b, k in sorted(text_keys(f"{title}\n{body}"))
        ]
        if rows:
            bind.execute(sa.insert(bands), rows)
        last = batch[-1][0]


def upgrade() -> None:
    _reindex()


def downgrade() -> None:
    # The bands then stay as today's normalisation made them: an older release matches a little less well
    # against copies with word choices, and finds everything else as before.
    pass
