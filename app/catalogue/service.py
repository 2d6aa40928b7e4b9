"""The catalogue service: loads a product's rows once into core values, caches what
is derived from them by revision, and does every write in one transaction.

A read costs one small query (the product's revision and the platforms'
revision); the derived cycles are rebuilt only when one of them has moved, so
the cache is safe across any number of worker processes.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import CursorResult, delete, event, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from app import db
from app.catalogue.changes import ChangeFeed, Token
from app.catalogue.models import CatalogueState, MatrixEntry
from app.catalogue.models import Platform as PlatformRow
from app.catalogue.models import PlatformVersion as PlatformVersionRow
from app.catalogue.models import Product as ProductRow
from app.catalogue.models import Release as ReleaseRow
from app.errors import Conflict, NotFound, Unavailable, Unprocessable
from app.schemas import is_slug
from lifecycle.cycles import ProductCycles, Release, derive
from lifecycle.errors import LifecycleError
from lifecycle.policy import Policy
from lifecycle.status import support_level
from lifecycle.versions import canonical_version, parse_version
from platforms.matrix import Platform, PlatformRegistry, PlatformVersion, SupportMatrix
from platforms.matrix import version_match_key as _match_key

# Column widths (app/models.py): a value is refused with 422 before the database would.
RELEASE_KEY_WIDTH = 200
PLATFORM_VERSION_KEY_WIDTH = 120
CYCLE_KEY_WIDTH = 64


def version_match_key(text: str) -> str:
    kind, value = _match_key(text)
    return f"{kind}:{value}"


@dataclass(frozen=True, slots=True)
class ProductView:
    """One product as the core sees it, derived once per revision."""

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


class CatalogueCache:
    """Per-process cache of derived products and of the platform registry."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.views: dict[str, ProductView] = {}
        # Each product as last checked, with where the change feed stood just before
        # (PostgreSQL, app/changes.py). One pair per slug, so that threads storing
        # concurrently can never pair one's view with the other's token.
        self.checked: dict[str, tuple[ProductView, Token]] = {}
        self.registry: tuple[int, PlatformRegistry] | None = None

    def clear(self) -> None:
        with self._lock:
            self.views.clear()
            self.checked.clear()
            self.registry = None


def _cache() -> CatalogueCache:

    cache: CatalogueCache = current_app.extensions["catalogue_cache"]
    return cache


# --- reads -----------------------------------------------------------------------------

_PLATFORMS_REVISION = (
    select(CatalogueState.platforms_revision).where(CatalogueState.id == 1).scalar_subquery()
)


class RevisionProbe:
    """The one query a cached read needs, on a per-thread DBAPI connection.

    A request that finds its product cached pays for a single indexed SELECT
    and nothing else of the ORM: this keeps reads close to a bare endpoint.
    On PostgreSQL even that is skipped while the change feed (app/changes.py)
    says nothing has changed since the product was last checked.
    """

    _SQL = (
        "SELECT p.id, p.revision, s.platforms_revision FROM products p, catalogue_state s "
        "WHERE s.id = 1 AND p.slug = {mark}"
    )

    def __init__(self, url: str) -> None:
        from sqlalchemy.pool import NullPool

        from app.db import make_engine

        # Each thread owns its connection for as long as the thread lives (it
        # is closed when the thread's locals are collected), so no pool may
        # close or lend it elsewhere: hence no pooling at all.
        options: dict[str, Any] = {"poolclass": NullPool, "pool_reset_on_return": None}
        if not url.startswith("sqlite"):
            options["isolation_level"] = "AUTOCOMMIT"
        self.engine = make_engine(url, **options)
        self.sql = self._SQL.format(mark="?" if url.startswith("sqlite") else "%s")
        self._local = threading.local()
        self._postgresql = not url.startswith("sqlite")
        self._feed: ChangeFeed | None = None
        self._feed_lock = threading.Lock()

    def feed(self, enabled: bool) -> ChangeFeed | None:
        """This process's change feed (made on first use, so after a fork); None on SQLite."""
        if self._feed is None and enabled and self._postgresql:
            with self._feed_lock:
                if self._feed is None:
                    self._feed = ChangeFeed(self.engine)
        return self._feed

    def revisions(self, slug: str) -> tuple[int, int, int] | None:
        dbapi_error = self.engine.dialect.dbapi.Error  # type: ignore[union-attr]
        fresh = getattr(self._local, "raw", None) is None
        try:
            return self._query(slug)
        except dbapi_error as exc:
            if fresh:
                raise Unavailable("The database does not answer; try again shortly.") from exc
        # A connection kept from before a database restart fails once: retry on a new one.
        try:
            return self._query(slug)
        except dbapi_error as exc:
            raise Unavailable("The database does not answer; try again shortly.") from exc

    def _query(self, slug: str) -> tuple[int, int, int] | None:
        raw = getattr(self._local, "raw", None)
        if raw is None:
            try:
                # Kept by this thread: returning it to a pool on every read
                # would cost more than the query itself.
                raw = self._local.raw = self.engine.raw_connection()
            except DBAPIError as exc:
                raise exc.orig from exc  # type: ignore[misc]
        try:
            cursor = raw.cursor()
            try:
                cursor.execute(self.sql, (slug,))
                row = cursor.fetchone()
            finally:
                cursor.close()
        except Exception:
            self._local.raw = None
            raw.invalidate()
            raise
        return None if row is None else (int(row[0]), int(row[1]), int(row[2]))

    def dispose(self) -> None:
        if self._feed is not None:
            self._feed.close()
        raw = getattr(self._local, "raw", None)
        if raw is not None:
            self._local.raw = None
            raw.close()
        self.engine.dispose()


def product_view(slug: str) -> ProductView:
    """The derived product, from the cache when its revision has not moved."""

    # What is not a slug names no product; PostgreSQL would refuse a NUL in the query.
    if not is_slug(slug):
        raise NotFound(f"No product is named {slug!r}.")
    probe: RevisionProbe = current_app.extensions["revision_probe"]
    cache = _cache()
    feed = probe.feed(current_app.config.get("CATALOGUE_NOTIFY", True))
    token = feed.token() if feed is not None else None
    if feed is not None and token is not None:
        checked = cache.checked.get(slug)
        if checked is not None and feed.trusts(slug, checked[1], token):
            return checked[0]
    row = probe.revisions(slug)
    if row is None:
        raise NotFound(f"No product is named {slug!r}.")
    product_id, revision, platforms_revision = row
    view = cache.views.get(slug)
    if not (
        view is not None
        and view.id == product_id
        and view.revision == revision
        and view.platforms_revision == platforms_revision
    ):
        view = _load_view(db.session(), product_id, platforms_revision)
        cache.views[slug] = view
    if token is not None:
        cache.checked[slug] = (view, token)
    return view


def product_views(slugs: Iterable[str]) -> dict[str, ProductView]:
    """Several products at once: one revision query for all of them (batch queries)."""
    wanted = {s for s in slugs if is_slug(s)}
    if not wanted:
        return {}
    session = db.session()
    rows = session.execute(
        select(ProductRow.slug, ProductRow.id, ProductRow.revision, _PLATFORMS_REVISION).where(
            ProductRow.slug.in_(wanted)
        )
    ).all()
    cache = _cache()
    found: dict[str, ProductView] = {}
    for slug, product_id, revision, platforms_revision in rows:
        view = cache.views.get(slug)
        if (
            view is None
            or view.id != product_id
            or view.revision != revision
            or view.platforms_revision != platforms_revision
        ):
            view = _load_view(session, product_id, platforms_revision)
            cache.views[slug] = view
        found[slug] = view
    return found


def all_product_views() -> list[ProductView]:
    """Every product, ordered by slug."""
    slugs = db.session().scalars(select(ProductRow.slug).order_by(ProductRow.slug)).all()
    views = product_views(slugs)
    return [views[s] for s in slugs if s in views]


# With their versions in one more query, not one per platform.
_ALL_PLATFORMS = (
    select(PlatformRow).options(selectinload(PlatformRow.versions)).order_by(PlatformRow.slug)
)


def platform_registry(session: Session | None = None) -> tuple[int, PlatformRegistry]:
    session = session or db.session()
    revision = session.scalar(
        select(CatalogueState.platforms_revision).where(CatalogueState.id == 1)
    )
    revision = revision or 0
    cache = _cache()
    cached = cache.registry
    if cached is not None and cached[0] == revision:
        return cached
    platforms = session.scalars(_ALL_PLATFORMS).all()
    registry = PlatformRegistry.of(
        Platform(
            p.slug,
            p.name,
            tuple(PlatformVersion(v.version, v.vendor_eol) for v in p.versions),
        )
        for p in platforms
    )
    cache.registry = (revision, registry)
    return cache.registry


def _load_view(session: Session, product_id: int, platforms_revision: int) -> ProductView:
    product = session.get(ProductRow, product_id, populate_existing=True)
    assert product is not None
    policy = policy_of(product)
    rows = session.execute(
        select(ReleaseRow.version, ReleaseRow.released_on, ReleaseRow.notes).where(
            ReleaseRow.product_id == product_id
        )
    ).all()
    releases = [Release(v, parse_version(v), d, n) for v, d, n in rows]
    matrix_rows: dict[str, list[tuple[str, str]]] = {}
    for cycle_key, platform_slug, version in session.execute(
        select(MatrixEntry.cycle_key, PlatformRow.slug, PlatformVersionRow.version)
        .join(PlatformVersionRow, MatrixEntry.platform_version_id == PlatformVersionRow.id)
        .join(PlatformRow, PlatformVersionRow.platform_id == PlatformRow.id)
        .where(MatrixEntry.product_id == product_id)
        .order_by(PlatformRow.slug, PlatformVersionRow.id)
    ):
        matrix_rows.setdefault(cycle_key, []).append((platform_slug, version))
    _, registry = platform_registry(session)
    return ProductView(
        id=product.id,
        slug=product.slug,
        name=product.name,
        description=product.description,
        policy=policy,
        cycles=derive(releases, policy),
        matrix=SupportMatrix({k: tuple(v) for k, v in matrix_rows.items()}),
        registry=registry,
        revision=product.revision,
        platforms_revision=platforms_revision,
    )


def policy_of(product: ProductRow) -> Policy:
    return Policy(
        cycle=product.policy_cycle,  # type: ignore[arg-type]
        full_support_cycles=product.full_support_cycles,
        security_cycles=product.security_cycles,
        eosl_months=product.eosl_months,
    )


# --- shapes for the API ------------------------------------------------------------------


def cycle_dict(view: ProductView, key: str, as_of: date) -> dict[str, Any]:
    cycle = view.cycles.by_key[key]
    status = cycle.status(as_of)
    latest = cycle.latest(as_of)
    dates = cycle.dates
    return {
        "cycle": cycle.key,
        "status": status.value,
        "support_level": support_level(status).value,
        "released_on": dates.released_on,
        "security_only_from": dates.security_only_from,
        "eol_on": dates.eol_on,
        "eosl_on": dates.eosl_on,
        "latest": latest.version if latest else None,
        "latest_released_on": latest.released_on if latest else None,
        "releases": len(cycle.ga_releases) + len(cycle.prereleases),
        "platforms": matrix_dicts(view, key),
    }


def matrix_dicts(view: ProductView, key: str) -> list[dict[str, Any]]:
    out = []
    for slug, version in view.matrix.row(key):
        found = view.registry.find(slug, version)
        out.append(
            {
                "platform": slug,
                "version": version,
                "vendor_eol": found[1].vendor_eol if found else None,
            }
        )
    return out


def product_dict(view: ProductView, as_of: date, *, with_cycles: bool) -> dict[str, Any]:
    newest = next((c for c in view.cycles.newest_first if not c.is_prerelease_only), None)
    body: dict[str, Any] = {
        "slug": view.slug,
        "name": view.name,
        "description": view.description,
        "policy": view.policy.to_dict(),
        "releases": len(view.cycles.releases),
        "status": newest.status(as_of).value if newest else None,
    }
    if with_cycles:
        body["as_of"] = as_of
        body["cycles"] = [cycle_dict(view, c.key, as_of) for c in view.cycles.newest_first]
    return body


def release_dict(view: ProductView, release: Release, as_of: date) -> dict[str, Any]:
    key = view.policy.cycle_key(release.parsed)
    cycle = view.cycles.by_key[key]
    return {
        "version": release.version,
        "released_on": release.released_on,
        "notes": release.notes,
        "cycle": key,
        "prerelease": release.is_prerelease,
        "status": release.status(cycle.status(as_of), as_of).value,
    }


# --- writes ----------------------------------------------------------------------------


def new_revision() -> int:
    """A new product's first revision.

    Random rather than 1: SQLite may give a re-created product the id of a
    deleted one, and a worker that cached the old one must not take the new
    one for it.
    """
    return secrets.randbelow(1 << 30) + 1


def _product_row(session: Session, slug: str) -> ProductRow:
    product = (
        session.scalar(select(ProductRow).where(ProductRow.slug == slug)) if is_slug(slug) else None
    )
    if product is None:
        raise NotFound(f"No product is named {slug!r}.")
    return product


_CHANGED = "lifecycle_catalogue_changed"


def bump_product(session: Session, product_id: int) -> None:
    """Tell every worker's cache that this product changed (in the caller's transaction)."""
    session.info[_CHANGED] = True
    # No autoflush: the pending INSERT would run here, outside _commit, and a concurrent
    # duplicate would be an IntegrityError (500) instead of a Conflict (409).
    with session.no_autoflush:
        session.execute(
            update(ProductRow)
            .where(ProductRow.id == product_id)
            .values(revision=ProductRow.revision + 1)
        )


def bump_platforms(session: Session) -> None:
    """Tell every worker's cache that a platform changed (in the caller's transaction)."""
    session.info[_CHANGED] = True
    with session.no_autoflush:
        session.execute(
            update(CatalogueState)
            .where(CatalogueState.id == 1)
            .values(platforms_revision=CatalogueState.platforms_revision + 1)
        )


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    """This process stops trusting its cached products the moment it commits a change.

    Other processes learn of it from the database's notification; this one must
    not wait for its own, or a client could read its own write stale.
    """
    if session.info.pop(_CHANGED, False) and has_app_context():
        probe: RevisionProbe | None = current_app.extensions.get("revision_probe")
        feed = probe.feed(False) if probe is not None else None
        if feed is not None:
            feed.changed_here()


# Rows whose change the cached products derive from.
_CATALOGUE_ROWS = (ProductRow, ReleaseRow, MatrixEntry, PlatformRow, PlatformVersionRow)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    """Changes made through the ORM count as well as bump_product's and bump_platforms'."""
    if _CHANGED not in session.info and any(
        isinstance(row, _CATALOGUE_ROWS)
        for rows in (session.new, session.dirty, session.deleted)
        for row in rows
    ):
        session.info[_CHANGED] = True


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_CHANGED, None)


def _commit(session: Session, conflict: str, gone: str = "") -> None:
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(conflict) from None
    except StaleDataError:
        # A concurrent request deleted the row between this one's read and its write.
        session.rollback()
        raise NotFound(gone or "It was deleted meanwhile; nothing was changed.") from None


def _delete_counted(session: Session, statement: Any, gone: str) -> None:
    """Run a DELETE; none deleted means a concurrent request deleted it first: 404.

    (The ORM's ``session.delete`` would answer 204 twice and warn that 0 rows matched.)
    The database's ON DELETE CASCADE removes the dependent rows.
    """
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        statement.execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:
        session.rollback()
        raise NotFound(gone)


def _policy(data: Mapping[str, Any], base: Policy | None = None) -> Policy:
    fields: dict[str, Any] = base.to_dict() if base else {}
    fields.update(data)
    try:
        return Policy(**fields)
    except LifecycleError as exc:
        raise Unprocessable(str(exc), errors={"policy": [str(exc)]}) from None


def create_product(data: Mapping[str, Any]) -> str:
    session = db.session()
    policy = _policy(data.get("policy") or {})
    if session.scalar(select(ProductRow.id).where(ProductRow.slug == data["slug"])) is not None:
        raise Conflict(f"A product named {data['slug']!r} exists already.")
    session.add(
        ProductRow(
            slug=data["slug"],
            name=data["name"],
            description=data.get("description"),
            policy_cycle=policy.cycle,
            full_support_cycles=policy.full_support_cycles,
            security_cycles=policy.security_cycles,
            eosl_months=policy.eosl_months,
            revision=new_revision(),
        )
    )
    _commit(session, f"A product named {data['slug']!r} exists already.")
    return str(data["slug"])


def update_product(slug: str, data: Mapping[str, Any]) -> None:
    session = db.session()
    product = _product_row(session, slug)
    if not data:
        return  # an empty PATCH changes nothing, so no cache anywhere need re-derive
    if "name" in data:
        product.name = data["name"]
    if "description" in data:
        product.description = data["description"]
    if "policy" in data:
        policy = _policy(data["policy"], policy_of(product))
        product.policy_cycle = policy.cycle
        product.full_support_cycles = policy.full_support_cycles
        product.security_cycles = policy.security_cycles
        product.eosl_months = policy.eosl_months
    # In SQL, not from the value read: two racing PATCHes must both move it.
    bump_product(session, product.id)
    _commit(session, f"{slug} changed meanwhile; try again.", f"No product is named {slug!r}.")


def delete_product(slug: str) -> None:
    session = db.session()
    product = _product_row(session, slug)
    bump_product(session, product.id)  # locks the product's row before its releases' rows
    session.execute(delete(ReleaseRow).where(ReleaseRow.product_id == product.id))
    session.execute(delete(MatrixEntry).where(MatrixEntry.product_id == product.id))
    gone = f"No product is named {slug!r}."
    _delete_counted(session, delete(ProductRow).where(ProductRow.id == product.id), gone)
    session.commit()
    _cache().views.pop(slug, None)


def _parse(version: str) -> Any:
    try:
        return parse_version(version)
    except LifecycleError as exc:
        raise Unprocessable(str(exc), errors={"version": [str(exc)]}, code=exc.code) from None


def add_release(slug: str, data: Mapping[str, Any]) -> str:
    session = db.session()
    product = _product_row(session, slug)
    version = data["version"].strip()
    key = canonical_version(_parse(version))
    if len(key) > RELEASE_KEY_WIDTH:
        # Normal forms can be longer than what was written (1-1 is 1.post1).
        message = f"Invalid version: {version!r} is too long once normalized ({key!r})."
        raise Unprocessable(message, errors={"version": [message]}, code="invalid_version")
    existing = session.scalar(
        select(ReleaseRow.version).where(
            ReleaseRow.product_id == product.id, ReleaseRow.version_key == key
        )
    )
    message = f"{slug} already has release {existing or version!r} (the same version)."
    if existing is not None:
        raise Conflict(message)
    session.add(
        ReleaseRow(
            product_id=product.id,
            version=version,
            version_key=key,
            released_on=data["released_on"],
            notes=data.get("notes"),
        )
    )
    bump_product(session, product.id)
    _commit(session, message)
    return version


def _release_row(session: Session, product: ProductRow, version: str) -> ReleaseRow:
    key = canonical_version(_parse(version))
    row = session.scalar(
        select(ReleaseRow).where(ReleaseRow.product_id == product.id, ReleaseRow.version_key == key)
    )
    if row is None:
        raise NotFound(f"{product.slug} has no release {version!r}.")
    return row


def get_release(view: ProductView, version: str) -> Release:
    found = view.cycles.release(_parse(version))
    if found is None:
        raise NotFound(f"{view.slug} has no release {version!r}.")
    return found


def update_release(slug: str, version: str, data: Mapping[str, Any]) -> None:
    session = db.session()
    product = _product_row(session, slug)
    row = _release_row(session, product, version)
    if not data:
        return
    if "released_on" in data:
        row.released_on = data["released_on"]
    if "notes" in data:
        row.notes = data["notes"]
    bump_product(session, product.id)
    _commit(session, f"{slug} changed meanwhile; try again.", f"{slug} has no release {version!r}.")


def delete_release(slug: str, version: str) -> None:
    session = db.session()
    product = _product_row(session, slug)
    row = _release_row(session, product, version)
    # The product's row first, as every write of a product does: one lock order, no deadlock.
    bump_product(session, product.id)
    found = delete(ReleaseRow).where(ReleaseRow.id == row.id)
    _delete_counted(session, found, f"{slug} has no release {version!r}.")
    session.commit()


def set_matrix_row(slug: str, cycle: str, entries: Sequence[Mapping[str, str]]) -> str:
    """Replace the platforms a cycle supports; unknown platforms or versions are refused."""
    session = db.session()
    product = _product_row(session, slug)
    try:
        key = policy_of(product).normalize_cycle_key(cycle)
    except LifecycleError as exc:
        raise Unprocessable(str(exc), errors={"cycle": [str(exc)]}, code=exc.code) from None
    if len(key) > CYCLE_KEY_WIDTH:
        message = f"Invalid cycle {cycle!r}: too long."
        raise Unprocessable(message, errors={"cycle": [message]}, code="invalid_cycle")
    ids: list[int] = []
    # Keyed like marshmallow's errors for a list body: {"0": {"platform": [...]}}.
    problems: dict[str, dict[str, list[str]]] = {}
    # One query for the platforms a row names, however long the row.
    named = {entry["platform"] for entry in entries}
    platforms = {
        p.slug: p for p in session.scalars(_ALL_PLATFORMS.where(PlatformRow.slug.in_(named)))
    }
    for i, entry in enumerate(entries):
        platform = platforms.get(entry["platform"])
        if platform is None:
            problems[str(i)] = {"platform": [f"Unknown platform {entry['platform']!r}."]}
            continue
        match = version_match_key(entry["version"])
        found = next((v for v in platform.versions if v.version_key == match), None)
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
    # The revision bump first: it locks the product's row, so concurrent replaces of a
    # row queue up instead of both inserting after both deleted (a unique violation).
    bump_product(session, product.id)
    session.execute(
        delete(MatrixEntry).where(
            MatrixEntry.product_id == product.id, MatrixEntry.cycle_key == key
        )
    )
    session.add_all(
        MatrixEntry(product_id=product.id, cycle_key=key, platform_version_id=pv) for pv in ids
    )
    _commit(session, f"The platforms of {slug} {key} changed meanwhile; try again.")
    return key


def cycle_key_for(view: ProductView, cycle: str) -> str:
    try:
        key = view.policy.normalize_cycle_key(cycle)
    except LifecycleError:
        raise NotFound(f"{view.slug} has no cycle {cycle!r}.") from None
    if key not in view.cycles.by_key:
        raise NotFound(f"{view.slug} has no cycle {cycle!r}.")
    return key


# --- platforms -----------------------------------------------------------------------------


def platform_dict(p: PlatformRow) -> dict[str, Any]:
    return {
        "slug": p.slug,
        "name": p.name,
        "versions": [{"version": v.version, "vendor_eol": v.vendor_eol} for v in p.versions],
    }


def list_platforms() -> list[dict[str, Any]]:
    rows = db.session().scalars(_ALL_PLATFORMS).all()
    return [platform_dict(p) for p in rows]


def _platform_row(session: Session, slug: str) -> PlatformRow:
    row = (
        session.scalar(select(PlatformRow).where(PlatformRow.slug == slug))
        if is_slug(slug)
        else None
    )
    if row is None:
        raise NotFound(f"No platform is named {slug!r}.")
    return row


def get_platform(slug: str) -> dict[str, Any]:
    return platform_dict(_platform_row(db.session(), slug))


def _platform_version_key(text: str) -> str:
    """The match key of a platform version as stored, or 422 when it does not fit."""
    key = version_match_key(text)
    # Case folding can lengthen text ("ß" is "ss").
    if len(key) > PLATFORM_VERSION_KEY_WIDTH:
        raise Unprocessable(
            f"Invalid platform version {text!r}: too long.", errors={"version": ["Too long."]}
        )
    return key


def create_platform(data: Mapping[str, Any]) -> str:
    session = db.session()
    versions = data.get("versions", [])
    too_long: dict[str, Any] = {}
    for i, v in enumerate(versions):
        try:
            _platform_version_key(v["version"])
        except Unprocessable as exc:
            too_long[str(i)] = exc.errors
    if too_long:
        raise Unprocessable("Some platform versions are too long.", errors={"versions": too_long})
    message = f"A platform named {data['slug']!r} exists already."
    if session.scalar(select(PlatformRow.id).where(PlatformRow.slug == data["slug"])) is not None:
        raise Conflict(message)
    platform = PlatformRow(slug=data["slug"], name=data["name"])
    platform.versions = [
        PlatformVersionRow(
            version=v["version"].strip(),
            version_key=version_match_key(v["version"]),
            vendor_eol=v.get("vendor_eol"),
        )
        for v in versions
    ]
    session.add(platform)
    bump_platforms(session)
    _commit(session, message)
    return str(data["slug"])


def update_platform(slug: str, data: Mapping[str, Any]) -> None:
    session = db.session()
    row = _platform_row(session, slug)
    if not data:
        return
    if "name" in data:
        row.name = data["name"]
    bump_platforms(session)
    _commit(session, f"{slug} changed meanwhile; try again.", f"No platform is named {slug!r}.")


def delete_platform(slug: str) -> None:
    session = db.session()
    row = _platform_row(session, slug)
    found = delete(PlatformRow).where(PlatformRow.id == row.id)
    _delete_counted(session, found, f"No platform is named {slug!r}.")
    bump_platforms(session)
    session.commit()


def put_platform_version(slug: str, version: str, vendor_eol: date | None) -> bool:
    """Add or change a platform version; True when it was added."""
    session = db.session()
    text = version.strip()
    # On the raw string: strip() would quietly drop a trailing U+0085 (a C1 control).
    controls = any(ord(c) < 32 or 127 <= ord(c) <= 159 for c in version)
    if not text or len(text) > 100 or controls:
        raise Unprocessable(
            f"Invalid platform version {version!r}.", errors={"version": ["Invalid version."]}
        )
    key = _platform_version_key(text)
    # Lock first (the platforms' revision row), then read: two PUTs of one new version
    # queue up, and the second changes what the first added (200) instead of a 409.
    bump_platforms(session)
    row = _platform_row(session, slug)
    found = next((v for v in row.versions if v.version_key == key), None)
    created = found is None
    if found is None:
        row.versions.append(
            PlatformVersionRow(version=text, version_key=key, vendor_eol=vendor_eol)
        )
    else:
        found.vendor_eol = vendor_eol
    _commit(session, f"Platform {slug!r} has version {version!r} already.")
    return created
