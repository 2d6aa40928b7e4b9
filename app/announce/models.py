"""SQLAlchemy models of SPEC 10: subscribers, announcements and the delivery outbox.

Announcements name their product by slug, as text and without a foreign key:
what was announced stays on record when the product is deleted.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from app.db import Base

PENDING, SENT, FAILED = "pending", "sent", "failed"
DELIVERY_STATES = (PENDING, SENT, FAILED)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back with its offset.

    SQLite keeps no offset, so values are normalised to UTC on the way in and
    given it back on the way out; comparisons in SQL then agree on both databases.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Timestamps must carry an offset.")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        result: datetime = value
        if result.tzinfo is None:
            return result.replace(tzinfo=UTC)
        return result.astimezone(UTC)


class Subscription(Base):
    """A subscriber to announcements: a webhook (with its signing secret) or an email address."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    url: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(320))
    # Signing needs the secret itself, so it is stored; the API shows it only once.
    secret: Mapped[str | None] = mapped_column(String(200))
    # None means every product.
    products: Mapped[list[str] | None] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), nullable=False, server_default=func.now()
    )


class Announcement(Base):
    """One announcement of one milestone with one lead: made once, whatever runs at once."""

    __tablename__ = "announcements"
    __table_args__ = (
        UniqueConstraint(
            "product",
            "cycle",
            "milestone",
            "milestone_date",
            "lead_days",
            name="uq_announcements_key",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    # As it was when announced, so the record reads the same after a rename or deletion.
    product_name: Mapped[str] = mapped_column(String(200), nullable=False)
    cycle: Mapped[str] = mapped_column(String(64), nullable=False)
    milestone: Mapped[str] = mapped_column(String(32), nullable=False)
    milestone_date: Mapped[date] = mapped_column(Date, nullable=False)
    lead_days: Mapped[int] = mapped_column(Integer, nullable=False)
    status_after: Mapped[str] = mapped_column(String(32), nullable=False)
    message: Mapped[str] = mapped_column(Text, nullable=False)
    subject: Mapped[str] = mapped_column(Text, nullable=False)
    # The day the job ran for (its as-of date).
    announced_on: Mapped[date] = mapped_column(Date, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), nullable=False, server_default=func.now()
    )


class Delivery(Base):
    """The outbox: one row per (announcement, subscriber), claimed by one sender at a time."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("announcement_id", "subscription_id", name="uq_deliveries_pair"),
        Index("ix_deliveries_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # Kept (as null) when the subscription is deleted, so the history stays readable.
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="SET NULL"), index=True
    )
    # The webhook-id: the receiver's idempotency key, the same on every retry.
    message_id: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    state: Mapped[str] = mapped_column(String(10), nullable=False, default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), nullable=False, server_default=func.now()
    )
