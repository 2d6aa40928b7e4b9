"""indexes: announcements by creation; no index that repeats a unique key's leading column

The unique keys of releases, platform versions, matrix entries, deliveries and
announcements all lead with the column these indexes held, and serve its look-ups
as well; announcements are listed newest first, by created_at.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

REDUNDANT = (
    ("ix_releases_product_id", "releases", "product_id"),
    ("ix_platform_versions_platform_id", "platform_versions", "platform_id"),
    ("ix_matrix_entries_product_id", "matrix_entries", "product_id"),
    ("ix_deliveries_announcement_id", "deliveries", "announcement_id"),
    ("ix_announcements_product", "announcements", "product"),
)


def upgrade() -> None:
    for name, table, _ in REDUNDANT:
        op.drop_index(name, table_name=table)
    op.create_index("ix_announcements_created_at", "announcements", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_announcements_created_at", table_name="announcements")
    for name, table, column in REDUNDANT:
        op.create_index(name, table, [column], unique=False)
