"""change notifications: PostgreSQL tells listening workers which product changed

Every committed change of a product row (its revision moves with each release,
matrix or policy change) or of the platforms' revision is announced on the
channel ``lifecycle_catalogue`` as ``<schema>/<slug>`` or ``<schema>/*``, so
each worker can trust its cached products until told otherwise (app/changes.py).
SQLite has no such thing; workers there check the revision on each read.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

FUNCTION = """
CREATE FUNCTION lifecycle_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'products' THEN
        IF TG_OP = 'DELETE' THEN
            PERFORM pg_notify('lifecycle_catalogue', TG_TABLE_SCHEMA || '/' || OLD.slug);
        ELSE
            PERFORM pg_notify('lifecycle_catalogue', TG_TABLE_SCHEMA || '/' || NEW.slug);
            IF TG_OP = 'UPDATE' AND OLD.slug IS DISTINCT FROM NEW.slug THEN
                PERFORM pg_notify('lifecycle_catalogue', TG_TABLE_SCHEMA || '/' || OLD.slug);
            END IF;
        END IF;
    ELSE
        PERFORM pg_notify('lifecycle_catalogue', TG_TABLE_SCHEMA || '/*');
    END IF;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    op.execute(
        "CREATE TRIGGER products_notify_change AFTER INSERT OR UPDATE OR DELETE ON products "
        "FOR EACH ROW EXECUTE FUNCTION lifecycle_notify_change()"
    )
    op.execute(
        "CREATE TRIGGER catalogue_state_notify_change AFTER INSERT OR UPDATE OR DELETE "
        "ON catalogue_state FOR EACH ROW EXECUTE FUNCTION lifecycle_notify_change()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS catalogue_state_notify_change ON catalogue_state")
    op.execute("DROP TRIGGER IF EXISTS products_notify_change ON products")
    op.execute("DROP FUNCTION IF EXISTS lifecycle_notify_change()")
