"""The read model's values: a product's snapshot at one revision, the store's entry that
holds it, and the store's sizes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.cache import BoundedCache
from app.catalogue.changes import Token
from app.catalogue.probe import Revisions
from lifecycle.cycles import ProductCycles
from lifecycle.policy import Policy
from platforms.matrix import PlatformRegistry, SupportMatrix


@dataclass(frozen=True, slots=True, eq=False)
class ProductSnapshot:
    """One product as the core sees it at one revision, with what is derived from it.

    Replaced, never changed, when the product or the platforms move: so whatever is
    cached on it (``answers``, ``pages``) can never be stale, and is dropped with it.
    """

    id: int
    slug: str
    name: str
    description: str | None
    policy: Policy
    cycles: ProductCycles
    matrix: SupportMatrix
    registry: PlatformRegistry
    revision: int
    platforms_revision: int
    # Encoded verdicts by query, and rendered pages by (as-of date, given).
    answers: BoundedCache[Any, str] = field(repr=False)
    pages: BoundedCache[Any, str] = field(repr=False)


class Entry:
    """A held snapshot, where the change feed stood just before it was checked
    (PostgreSQL), and when it was last confirmed current (``time.monotonic``)."""

    __slots__ = ("confirmed", "snapshot", "token")

    def __init__(self, snapshot: ProductSnapshot, token: Token | None, confirmed: float) -> None:
        self.snapshot = snapshot
        self.token = token
        self.confirmed = confirmed


@dataclass(frozen=True, slots=True)
class StoreSizes:
    products: int
    answers_per_product: int
    pages_per_product: int


def current_at(known: ProductSnapshot | None, revisions: Revisions) -> bool:
    return (
        known is not None
        and same_product(known, revisions)
        and known.platforms_revision == revisions.platforms_revision
    )


def same_product(known: ProductSnapshot | None, revisions: Revisions) -> bool:
    return (
        known is not None
        and known.id == revisions.product_id
        and known.revision == revisions.revision
    )
