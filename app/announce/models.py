"""SQLAlchemy models of SPEC 10: subscribers, announcements and the delivery outbox.

Announcements name their product by slug, as text and without a foreign key:
what was announced stays on record when the product is deleted.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UtcDateTime
from app.inputs import CYCLE_KEY_WIDTH, NAME_WIDTH, SLUG_WIDTH

PENDING, SENT, FAILED = "pending", "sent", "failed"
DELIVERY_STATES = (PENDING, SENT, FAILED)


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
    product: Mapped[str] = mapped_column(String(SLUG_WIDTH), nullable=False)
    # As it was when announced, so the record reads the same after a rename or deletion.
    product_name: Mapped[str] = mapped_column(String(NAME_WIDTH), nullable=False)
    cycle: Mapped[str] = mapped_column(String(CYCLE_KEY_WIDTH), nullable=False)
    milestone: Mapped[str] = mapped_column(String(32), nullable=False)
    milestone_date: Mapped[date] = mapped_column(Date, nullable=False)
    lead_days: Mapped[int] = mapped_column(Integer, nullable=False)
    status_after: Mapped[str] = mapped_column(String(32), nullable=False)
    message: Mapped[str] = mapped_column(Text, nullable=False)
    subject: Mapped[str] = mapped_column(Text, nullable=False)
    # The day the job ran for (its as-of date).
    announced_on: Mapped[date] = mapped_column(Date, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), nullable=False, server_default=func.now(), index=True
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
        ForeignKey("announcements.id", ondelete="CASCADE"), nullable=False
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
