"""Rate limits and lockouts: fixed-window attempt counters keyed by keyed hashes.

One row per (purpose, client address / account) key. The key is an HMAC of the purpose and the
address or username, so the table holds no address or username in clear. Counters are raised
with one atomic INSERT ... ON CONFLICT DO UPDATE ... RETURNING, so parallel guesses count right.

Revision ID: 0005
Revises: 0003 (the lead re-chains this after 0004 when merging)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "throttle",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_throttle")),
    )
    op.create_index(op.f("ix_throttle_window_start"), "throttle", ["window_start"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_throttle_window_start"), table_name="throttle")
    op.drop_table("throttle")
