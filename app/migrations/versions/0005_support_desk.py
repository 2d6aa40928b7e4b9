"""support desk: platform version aliases, the triage history (SPEC 17)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "platform_version_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("platform_version_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=100), nullable=False),
        sa.Column("alias_key", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(["platform_id"], ["platforms.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["platform_version_id"], ["platform_versions.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform_id", "alias_key"),
    )
    op.create_index(
        "ix_platform_version_aliases_platform_version_id",
        "platform_version_aliases",
        ["platform_version_id"],
    )
    op.create_table(
        "triage_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_triage_records_ticket_at", "triage_records", ["ticket", "at"])
    op.create_index("ix_triage_records_at", "triage_records", ["at"])


def downgrade() -> None:
    op.drop_index("ix_triage_records_at", table_name="triage_records")
    op.drop_index("ix_triage_records_ticket_at", table_name="triage_records")
    op.drop_table("triage_records")
    op.drop_index(
        "ix_platform_version_aliases_platform_version_id", table_name="platform_version_aliases"
    )
    op.drop_table("platform_version_aliases")
