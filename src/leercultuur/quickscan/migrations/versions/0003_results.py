"""Results of a scan: benchmark editions, closing a scan, the employer self-scan.

* ``benchmark_edition``: every loaded edition of the monitor's benchmark export (kept);
* ``scan.kind``: 'employees' (the scan) or 'employer' (self-scan of a firm of 1-9 employees);
* ``scan.closed_at``: set when HR closes a scan before its closing date;
* ``scan.benchmark_edition_id``: the edition a closed scan's report uses.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "benchmark_edition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.Column("data", sa.String(length=10), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("years", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.CheckConstraint("data IN ('synthetic', 'real')", name=op.f("ck_benchmark_edition_data")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benchmark_edition")),
        sa.UniqueConstraint("sha256", name=op.f("uq_benchmark_edition_sha256")),
    )
    with op.batch_alter_table("scan", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=10), server_default="employees", nullable=False)
        )
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("benchmark_edition_id", sa.Integer(), nullable=True))
        batch_op.create_check_constraint("kind", "kind IN ('employees', 'employer')")
        batch_op.create_foreign_key(
            batch_op.f("fk_scan_benchmark_edition_id_benchmark_edition"),
            "benchmark_edition",
            ["benchmark_edition_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("scan", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_scan_benchmark_edition_id_benchmark_edition"), type_="foreignkey"
        )
        batch_op.drop_constraint("kind", type_="check")
        batch_op.drop_column("benchmark_edition_id")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("kind")
    op.drop_table("benchmark_edition")
