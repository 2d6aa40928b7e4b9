"""SQLAlchemy models: the catalogue's rows. The rules live in ``lifecycle/``."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    ForeignKey,
    Integer,
    Select,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UtcDateTime
from app.inputs import (
    CYCLE_KEY_WIDTH,
    NAME_WIDTH,
    PLATFORM_VERSION_KEY_WIDTH,
    PLATFORM_VERSION_WIDTH,
    SLUG_WIDTH,
    VERSION_WIDTH,
)
from lifecycle.policy import Policy


class CatalogueState(Base):
    """One row: counters that tell every worker when its caches are stale."""

    __tablename__ = "catalogue_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platforms_revision: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_WIDTH), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(NAME_WIDTH), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    policy_cycle: Mapped[str] = mapped_column(String(10), nullable=False, default="major")
    full_support_cycles: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    security_cycles: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    eosl_months: Mapped[int] = mapped_column(Integer, nullable=False, default=6)
    # Moved (in SQL) by every write that changes what is derived from this product.
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), nullable=False, server_default=func.now()
    )

    releases: Mapped[list[Release]] = relationship(
        back_populates="product", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def policy(self) -> Policy:
        """The product's support policy, from its columns (the one mapping of the two)."""
        return Policy(
            cycle=self.policy_cycle,  # type: ignore[arg-type]
            full_support_cycles=self.full_support_cycles,
            security_cycles=self.security_cycles,
            eosl_months=self.eosl_months,
        )

    @policy.setter
    def policy(self, policy: Policy) -> None:
        # Assigned one by one: the ORM writes only the columns whose value changes.
        self.policy_cycle = policy.cycle
        self.full_support_cycles = policy.full_support_cycles
        self.security_cycles = policy.security_cycles
        self.eosl_months = policy.eosl_months


class Release(Base):
    __tablename__ = "releases"
    # Its unique key leads with product_id, which also serves the look-ups by product.
    __table_args__ = (UniqueConstraint("product_id", "version_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), nullable=False
    )
    # As recorded, for display; version_key is its identity (2.1 = 2.1.0).
    version: Mapped[str] = mapped_column(String(VERSION_WIDTH), nullable=False)
    version_key: Mapped[str] = mapped_column(String(VERSION_WIDTH), nullable=False)
    released_on: Mapped[date] = mapped_column(Date, nullable=False)
    notes: Mapped[str | None] = mapped_column(Text)

    product: Mapped[Product] = relationship(back_populates="releases")


class Platform(Base):
    __tablename__ = "platforms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_WIDTH), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(NAME_WIDTH), nullable=False)

    versions: Mapped[list[PlatformVersion]] = relationship(
        back_populates="platform",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="PlatformVersion.id",
    )


class PlatformVersion(Base):
    __tablename__ = "platform_versions"
    __table_args__ = (UniqueConstraint("platform_id", "version_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(
        ForeignKey("platforms.id", ondelete="CASCADE"), nullable=False
    )
    version: Mapped[str] = mapped_column(String(PLATFORM_VERSION_WIDTH), nullable=False)
    version_key: Mapped[str] = mapped_column(String(PLATFORM_VERSION_KEY_WIDTH), nullable=False)
    vendor_eol: Mapped[date | None] = mapped_column(Date)

    platform: Mapped[Platform] = relationship(back_populates="versions")


class MatrixEntry(Base):
    """One row of the support matrix: a product's cycle supports a platform version."""

    __tablename__ = "matrix_entries"
    __table_args__ = (UniqueConstraint("product_id", "cycle_key", "platform_version_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), nullable=False
    )
    cycle_key: Mapped[str] = mapped_column(String(CYCLE_KEY_WIDTH), nullable=False)
    platform_version_id: Mapped[int] = mapped_column(
        ForeignKey("platform_versions.id", ondelete="CASCADE"), nullable=False, index=True
    )

    platform_version: Mapped[PlatformVersion] = relationship()


def matrix_rows() -> Select[int, str, str, str]:
    """Every matrix row as (product id, cycle key, platform slug, platform version), ordered
    by platform and then as the versions were recorded."""
    return (
        select(
            MatrixEntry.product_id, MatrixEntry.cycle_key, Platform.slug, PlatformVersion.version
        )
        .join(PlatformVersion, MatrixEntry.platform_version_id == PlatformVersion.id)
        .join(Platform, PlatformVersion.platform_id == Platform.id)
        .order_by(Platform.slug, PlatformVersion.id)
    )
