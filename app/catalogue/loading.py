"""Loading products for the read model: their rows, releases and matrix rows in a few
batched queries (``IN`` lists of at most ``CHUNK`` ids), derived into core values."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalogue.models import CatalogueState, MatrixEntry, Product, matrix_rows
from app.catalogue.models import Release as ReleaseRow
from lifecycle.cycles import ProductCycles, Release, derive
from lifecycle.versions import parse_version
from platforms.matrix import SupportMatrix

# Ids per IN (...) list: under every database's limit on bound parameters.
CHUNK = 500


def platforms_revision(session: Session) -> int:
    found = session.scalar(select(CatalogueState.platforms_revision).where(CatalogueState.id == 1))
    return int(found or 0)


def chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def derive_products(
    session: Session, ids: Sequence[int]
) -> dict[int, tuple[Product, ProductCycles]]:
    """The products' rows and derived cycles: the products first, then their releases, so a
    snapshot's revision never claims data newer than it holds."""
    if not ids:
        return {}
    products: dict[int, Product] = {}
    releases: dict[int, list[Release]] = {}
    for chunk in chunks(ids):
        for product in session.scalars(
            select(Product).where(Product.id.in_(chunk)).execution_options(populate_existing=True)
        ):
            products[product.id] = product
            releases[product.id] = []
    for chunk in chunks(list(products)):
        for product_id, version, day, notes in session.execute(
            select(
                ReleaseRow.product_id, ReleaseRow.version, ReleaseRow.released_on, ReleaseRow.notes
            ).where(ReleaseRow.product_id.in_(chunk))
        ):
            releases[product_id].append(Release(version, parse_version(version), day, notes))
    return {
        product_id: (product, derive(releases[product_id], product.policy))
        for product_id, product in products.items()
    }


def matrices(session: Session, ids: Sequence[int]) -> dict[int, SupportMatrix]:
    rows: dict[int, dict[str, list[tuple[str, str]]]] = {}
    for chunk in chunks(ids):
        for product_id, cycle_key, platform_slug, version in session.execute(
            matrix_rows().where(MatrixEntry.product_id.in_(chunk))
        ):
            rows.setdefault(product_id, {}).setdefault(cycle_key, []).append(
                (platform_slug, version)
            )
    return {
        product_id: SupportMatrix({key: tuple(entries) for key, entries in by_cycle.items()})
        for product_id, by_cycle in rows.items()
    }
