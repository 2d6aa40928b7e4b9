"""The catalogue's writes (SPEC 6): products, their releases and the support matrix.

Each function is one unit of work (:func:`app.db.unit_of_work`) and calls
:func:`app.catalogue.store.touch` for the product it changes, which moves the
product's revision in SQL: so every worker's read model sees the write, however
many run at once. Reads go through the read model (:mod:`app.catalogue.store`).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session, selectinload

from app.catalogue.models import MatrixEntry, Platform, Product
from app.catalogue.models import Release as ReleaseRow
from app.catalogue.store import ProductSnapshot, current, touch
from app.db import unit_of_work
from app.errors import Conflict, NotFound, Unprocessable
from app.inputs import CYCLE_KEY_WIDTH, VERSION_WIDTH, is_slug
from lifecycle.cycles import Release
from lifecycle.errors import LifecycleError
from lifecycle.policy import Policy
from lifecycle.versions import Version, canonical_version, parse_version
from platforms.matrix import version_match_key


def match_key(text: str) -> str:
    """A platform version's key as stored (``22.04`` and ``22.4`` share one)."""
    kind, value = version_match_key(text)
    return f"{kind}:{value}"


def new_revision() -> int:
    """A new product's first revision.

    Random rather than 1: SQLite may give a re-created product the id of a
    deleted one, and a worker that cached the old one must not take the new
    one for it.
    """
    return secrets.randbelow(1 << 30) + 1


def _no_product(slug: str) -> str:
    return f"No product is named {slug!r}."


def product_row(session: Session, slug: str) -> Product:
    product = session.scalar(select(Product).where(Product.slug == slug)) if is_slug(slug) else None
    if product is None:
        raise NotFound(_no_product(slug))
    return product


def delete_counted(session: Session, statement: Any, gone: str) -> None:
    """Run a DELETE; none deleted means a concurrent request deleted it first: 404.

    (The ORM's ``session.delete`` would answer 204 twice and warn that 0 rows matched.)
    The database's ON DELETE CASCADE removes the dependent rows.
    """
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        statement.execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:
        raise NotFound(gone)


def policy(data: Mapping[str, Any], base: Policy | None = None) -> Policy:
    """``base`` (else the defaults) with the fields of ``data``; 422 when they do not hold."""
    fields: dict[str, Any] = base.to_dict() if base else {}
    fields.update(data)
    try:
        return Policy(**fields)
    except LifecycleError as exc:
        raise Unprocessable(str(exc), errors={"policy": [str(exc)]}) from None


# --- products -----------------------------------------------------------------------------


def create_product(data: Mapping[str, Any]) -> str:
    slug = str(data["slug"])
    exists = f"A product named {slug!r} exists already."
    chosen = policy(data.get("policy") or {})
    with unit_of_work(conflict=exists) as session:
        if session.scalar(select(Product.id).where(Product.slug == slug)) is not None:
            raise Conflict(exists)
        row = Product(
            slug=slug,
            name=data["name"],
            description=data.get("description"),
            revision=new_revision(),
        )
        row.policy = chosen
        session.add(row)
    return slug


def update_product(slug: str, data: Mapping[str, Any]) -> None:
    with unit_of_work(f"{slug} changed meanwhile; try again.", _no_product(slug)) as session:
        product = product_row(session, slug)
        if not data:
            return  # an empty PATCH changes nothing, so no cache anywhere need re-derive
        if "name" in data:
            product.name = data["name"]
        if "description" in data:
            product.description = data["description"]
        if "policy" in data:
            product.policy = policy(data["policy"], product.policy)
        # In SQL, not from the value read: two racing PATCHes must both move it.
        touch(session, product.id)


def delete_product(slug: str) -> None:
    with unit_of_work() as session:
        product = product_row(session, slug)
        touch(session, product.id)  # locks the product's row before its releases' rows
        session.execute(delete(ReleaseRow).where(ReleaseRow.product_id == product.id))
        session.execute(delete(MatrixEntry).where(MatrixEntry.product_id == product.id))
        delete_counted(session, delete(Product).where(Product.id == product.id), _no_product(slug))
    current().forget(slug)


# --- releases -----------------------------------------------------------------------------


def parse(version: str) -> Version:
    """``version`` parsed, or 422 ``invalid_version`` naming the field."""
    try:
        return parse_version(version)
    except LifecycleError as exc:
        raise Unprocessable(str(exc), errors={"version": [str(exc)]}, code=exc.code) from None


def add_release(slug: str, data: Mapping[str, Any]) -> str:
    version: str = data["version"].strip()
    key = canonical_version(parse(version))
    if len(key) > VERSION_WIDTH:
        # Normal forms can be longer than what was written (1-1 is 1.post1).
        message = f"Invalid version: {version!r} is too long once normalized ({key!r})."
        raise Unprocessable(message, errors={"version": [message]}, code="invalid_version")
    duplicate = f"{slug} already has release {version!r} (the same version)."
    with unit_of_work(conflict=duplicate) as session:
        product = product_row(session, slug)
        existing = session.scalar(
            select(ReleaseRow.version).where(
                ReleaseRow.product_id == product.id, ReleaseRow.version_key == key
            )
        )
        if existing is not None:
            raise Conflict(f"{slug} already has release {existing!r} (the same version).")
        session.add(
            ReleaseRow(
                product_id=product.id,
                version=version,
                version_key=key,
                released_on=data["released_on"],
                notes=data.get("notes"),
            )
        )
        touch(session, product.id)
    return version


def _release_row(session: Session, product: Product, version: str) -> ReleaseRow:
    key = canonical_version(parse(version))
    row = session.scalar(
        select(ReleaseRow).where(ReleaseRow.product_id == product.id, ReleaseRow.version_key == key)
    )
    if row is None:
        raise NotFound(f"{product.slug} has no release {version!r}.")
    return row


def get_release(product: ProductSnapshot, version: str) -> Release:
    found = product.cycles.release(parse(version))
    if found is None:
        raise NotFound(f"{product.slug} has no release {version!r}.")
    return found


def update_release(slug: str, version: str, data: Mapping[str, Any]) -> None:
    gone = f"{slug} has no release {version!r}."
    with unit_of_work(f"{slug} changed meanwhile; try again.", gone) as session:
        product = product_row(session, slug)
        row = _release_row(session, product, version)
        if not data:
            return
        if "released_on" in data:
            row.released_on = data["released_on"]
        if "notes" in data:
            row.notes = data["notes"]
        touch(session, product.id)


def delete_release(slug: str, version: str) -> None:
    with unit_of_work() as session:
        product = product_row(session, slug)
        row = _release_row(session, product, version)
        # The product's row first, as every write of a product does: one lock order.
        touch(session, product.id)
        found = delete(ReleaseRow).where(ReleaseRow.id == row.id)
        delete_counted(session, found, f"{slug} has no release {version!r}.")


# --- cycles and the support matrix ----------------------------------------------------------


def set_matrix_row(slug: str, cycle: str, entries: Sequence[Mapping[str, str]]) -> str:
    """Replace the platforms a cycle supports; unknown platforms or versions are refused."""
    with unit_of_work(f"The platforms of {slug} {cycle} changed meanwhile; try again.") as session:
        product = product_row(session, slug)
        try:
            key = product.policy.normalize_cycle_key(cycle)
        except LifecycleError as exc:
            raise Unprocessable(str(exc), errors={"cycle": [str(exc)]}, code=exc.code) from None
        if len(key) > CYCLE_KEY_WIDTH:
            message = f"Invalid cycle {cycle!r}: too long."
            raise Unprocessable(message, errors={"cycle": [message]}, code="invalid_cycle")
        ids = _platform_version_ids(session, entries)
        # The revision first: it locks the product's row, so concurrent replaces of a row
        # queue up instead of both inserting after both deleted (a unique violation).
        touch(session, product.id)
        session.execute(
            delete(MatrixEntry).where(
                MatrixEntry.product_id == product.id, MatrixEntry.cycle_key == key
            )
        )
        session.add_all(
            MatrixEntry(product_id=product.id, cycle_key=key, platform_version_id=pv) for pv in ids
        )
    return key


def _platform_version_ids(session: Session, entries: Sequence[Mapping[str, str]]) -> list[int]:
    """The ids of the platform versions a matrix row names, in order; 422 naming the unknown."""
    ids: list[int] = []
    # Keyed like marshmallow's errors for a list body: {"0": {"platform": [...]}}.
    problems: dict[str, dict[str, list[str]]] = {}
    # One query for the platforms a row names, however long the row.
    named = {entry["platform"] for entry in entries}
    platforms = {
        p.slug: p
        for p in session.scalars(
            select(Platform)
            .options(selectinload(Platform.versions))
            .where(Platform.slug.in_(named))
        )
    }
    for i, entry in enumerate(entries):
        platform = platforms.get(entry["platform"])
        if platform is None:
            problems[str(i)] = {"platform": [f"Unknown platform {entry['platform']!r}."]}
            continue
        key = match_key(entry["version"])
        found = next((v for v in platform.versions if v.version_key == key), None)
        if found is None:
            problems[str(i)] = {
                "version": [f"Platform {platform.slug!r} has no version {entry['version']!r}."]
            }
            continue
        if found.id not in ids:
            ids.append(found.id)
    if problems:
        raise Unprocessable(
            "The matrix row names unknown platforms or platform versions: "
            + " ".join(m for item in problems.values() for msgs in item.values() for m in msgs),
            errors=problems,
        )
    return ids


def cycle_key_for(product: ProductSnapshot, cycle: str) -> str:
    try:
        key = product.policy.normalize_cycle_key(cycle)
    except LifecycleError:
        raise NotFound(f"{product.slug} has no cycle {cycle!r}.") from None
    if key not in product.cycles.by_key:
        raise NotFound(f"{product.slug} has no cycle {cycle!r}.")
    return key
