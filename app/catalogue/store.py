"""The catalogue's read model: one store per app, holding revisioned product snapshots.

Every area reads products through it, and every write of the catalogue calls
:meth:`CatalogueStore.touch`, which moves the product's (or the platforms')
revision in SQL, in the writer's transaction. A snapshot is the product derived
once per revision (its cycles, matrix and the platform registry), and it carries
the answers derived from it (encoded verdicts, rendered pages), so they expire
with it. Every cache here is bounded, its size in the config.

Freshness: on SQLite a read checks the product's revisions with one indexed query
(:mod:`app.catalogue.probe`). On PostgreSQL the database announces each committed
change itself (:mod:`app.catalogue.changes`), and a snapshot checked since is
served without any query until a notification names it.

While the database cannot be reached (SPEC 19), a read that a held snapshot can
answer is answered from it, and the request is marked stale with the seconds since
that snapshot was last confirmed (the ``Lifecycle-Stale`` header); a read it cannot
answer is :class:`Unavailable`. After a failure the database is left alone for a
moment (:class:`~app.catalogue.outage.Outage`), so a hung one costs one request its
timeout, not every one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from app import db
from app.cache import BoundedCache
from app.catalogue import loading
from app.catalogue.changes import ChangeFeed
from app.catalogue.models import CatalogueState, Platform, PlatformVersion, Product
from app.catalogue.outage import (
    NOT_CACHED,
    STALE_HEADER,
    WRITTEN_UNREAD,
    Outage,
    mark_stale,
    note_stale,
    note_wrote,
    wrote,
)
from app.catalogue.probe import PLATFORMS_REVISION, RevisionProbe, Revisions
from app.catalogue.snapshots import Entry, ProductSnapshot, StoreSizes, current_at, same_product
from app.db import Timeouts
from app.errors import NotFound, Unavailable, database_unreachable
from app.inputs import is_slug
from platforms.matrix import Platform as CorePlatform
from platforms.matrix import PlatformRegistry, SupportMatrix
from platforms.matrix import PlatformVersion as CorePlatformVersion

EXTENSION = "catalogue"
_CHANGED = "lifecycle_catalogue_changed"
__all__ = ["STALE_HEADER", "CatalogueStore", "ProductSnapshot", "StoreSizes"]


class CatalogueStore:
    """The read model of one app (see the module's text)."""

    def __init__(
        self,
        url: str,
        sessions: Any,
        sizes: StoreSizes,
        *,
        notify: bool = True,
        timeouts: Timeouts | None = None,
    ) -> None:
        self._sessions = sessions
        self._sizes = sizes
        self._notify = notify
        self.probe = RevisionProbe(url, timeouts)
        self._entries: BoundedCache[str, Entry] = BoundedCache(sizes.products)
        self._registry: tuple[int, PlatformRegistry] | None = None
        # Every product's slug as last read whole, and when: the index can be answered
        # from what is held only if every one of them is held.
        self._directory: tuple[tuple[str, ...], float] | None = None
        timeouts = self.probe.timeouts
        self.outage = Outage(
            probe_for=(timeouts.connect or 5.0) + (timeouts.statement or 10.0) + 1.0
        )
        self._feed: ChangeFeed | None = None
        self._feed_lock = threading.Lock()
        # Snapshots built (a product derived, or given a new matrix), for metrics and tests.
        self.loads = 0

    # --- reads ------------------------------------------------------------------------

    def feed(self) -> ChangeFeed | None:
        """This process's change feed (made on first use, so after a fork); None on SQLite."""
        if self._feed is None and self._notify and self.probe.postgresql:
            with self._feed_lock:
                if self._feed is None:
                    self._feed = ChangeFeed(self.probe.engine, deadline=self.probe.deadline)
        return self._feed

    def product(self, slug: str) -> ProductSnapshot:
        """The product's current snapshot; :class:`NotFound` when there is none.

        While the database cannot be reached, the snapshot held (marked stale), or
        :class:`Unavailable` when none is held.
        """
        if not is_slug(slug):
            raise NotFound(f"No product is named {slug!r}.")
        if not self.outage.attempt():
            return self._stale(self._entries.get(slug))
        try:
            snapshot = self._product(slug)
        except Exception as exc:
            if not database_unreachable(exc):
                raise
            self.outage.failed()
            return self._stale(self._entries.get(slug))
        self.outage.recovered()
        return snapshot

    def _stale(self, entry: Entry | None) -> ProductSnapshot:
        if entry is None:
            raise Unavailable(NOT_CACHED)
        if wrote():
            # What this request wrote is not in what is held: no stale answer to a write.
            raise Unavailable(WRITTEN_UNREAD)
        note_stale(time.monotonic() - entry.confirmed)
        return entry.snapshot

    def _product(self, slug: str) -> ProductSnapshot:
        feed = self.feed()
        token = feed.token() if feed is not None else None
        entry = self._entries.get(slug)
        if (
            feed is not None
            and token is not None
            and entry is not None
            and entry.token is not None
            and feed.trusts(slug, entry.token, token)
        ):
            entry.confirmed = time.monotonic()
            return entry.snapshot
        found = self.probe.revisions(slug)
        if found is None:
            self._entries.pop(slug)
            raise NotFound(f"No product is named {slug!r}.")
        known = entry.snapshot if entry is not None else None
        snapshot = known if current_at(known, found) else None
        if snapshot is None:
            snapshot = self._refresh([(found, known)]).get(found.product_id)
            if snapshot is None:  # deleted since its revisions were read
                raise NotFound(f"No product is named {slug!r}.")
        self._entries.put(slug, Entry(snapshot, token, time.monotonic()))
        return snapshot

    def products(self, slugs: Iterable[str]) -> dict[str, ProductSnapshot]:
        """Several products at once: one revision query for all, one load for the stale.

        While the database cannot be reached, the snapshots held (marked stale), or
        :class:`Unavailable` unless every one wanted is held.
        """
        wanted = sorted({s for s in slugs if is_slug(s)})
        if not wanted:
            return {}
        if not self.outage.attempt():
            return self._all_stale(wanted)
        try:
            found = self._products(wanted)
        except Exception as exc:
            if not database_unreachable(exc):
                raise
            self.outage.failed()
            return self._all_stale(wanted)
        self.outage.recovered()
        return found

    def _all_stale(self, slugs: Sequence[str]) -> dict[str, ProductSnapshot]:
        entries = {slug: self._entries.get(slug) for slug in slugs}
        if any(entry is None for entry in entries.values()):
            raise Unavailable(NOT_CACHED)
        return {slug: self._stale(entry) for slug, entry in entries.items()}

    def _products(self, wanted: Sequence[str]) -> dict[str, ProductSnapshot]:
        feed = self.feed()
        token = feed.token() if feed is not None else None
        found: dict[str, ProductSnapshot] = {}
        stale: list[tuple[str, Revisions, ProductSnapshot | None]] = []
        with self._sessions() as session, session.begin():
            for chunk in loading.chunks(wanted):
                rows = session.execute(
                    select(Product.slug, Product.id, Product.revision, PLATFORMS_REVISION).where(
                        Product.slug.in_(chunk)
                    )
                )
                for slug, product_id, revision, platforms_revision in rows:
                    revisions = Revisions(product_id, revision, platforms_revision)
                    entry = self._entries.get(slug)
                    known = entry.snapshot if entry is not None else None
                    if known is not None and current_at(known, revisions):
                        found[slug] = known
                    else:
                        stale.append((slug, revisions, known))
        if stale:
            fresh = self._refresh([(revisions, known) for _, revisions, known in stale])
            for slug, revisions, _ in stale:
                if revisions.product_id in fresh:  # else deleted meanwhile
                    found[slug] = fresh[revisions.product_id]
        now = time.monotonic()
        for slug, snapshot in found.items():
            self._entries.put(slug, Entry(snapshot, token, now))
        return found

    def all_products(self) -> list[ProductSnapshot]:
        """Every product, ordered by slug (while the database cannot be reached: as last
        listed, if every one is held; else :class:`Unavailable`). For a catalogue larger
        than the cache, :meth:`each_product` holds less at once."""
        return list(self.each_product())

    def each_product(self) -> Iterator[ProductSnapshot]:
        """Every product, ordered by slug, a batch at a time: what a whole-catalogue read
        holds at once is bounded by the cache, however large the catalogue is."""
        slugs = self._slugs()
        batch = max(1, min(loading.CHUNK, self._sizes.products or loading.CHUNK))
        for start in range(0, len(slugs), batch):
            found = self.products(slugs[start : start + batch])
            yield from (found[s] for s in slugs[start : start + batch] if s in found)

    def _slugs(self) -> list[str]:
        """The slugs of every product (as last listed, while the database is away)."""
        if self.outage.attempt():
            try:
                with self._sessions() as session, session.begin():
                    slugs = session.scalars(select(Product.slug).order_by(Product.slug)).all()
            except Exception as exc:
                if not database_unreachable(exc):
                    raise
                self.outage.failed()
            else:
                self._directory = (tuple(slugs), time.monotonic())
                return list(slugs)
        if self._directory is None:
            raise Unavailable(NOT_CACHED)
        listed, confirmed = self._directory
        if any(self._entries.get(slug) is None for slug in listed):
            raise Unavailable(NOT_CACHED)
        note_stale(time.monotonic() - confirmed)
        return list(listed)

    def slugs(self) -> list[str]:
        """Every product's slug, for suggestions (SPEC 17); a query, on the rare paths
        that need it (an unknown product), never on a hot one."""
        with self._sessions() as session, session.begin():
            return list(session.scalars(select(Product.slug).order_by(Product.slug)))

    def registry(self) -> PlatformRegistry:
        """Every platform and its versions, as of the platforms' revision now."""
        with self._sessions() as session, session.begin():
            return self._registry_at(session, loading.platforms_revision(session))

    def warm(self) -> int:
        """Load up to the cache's size of products ahead of requests (a worker about to
        serve, or a server about to fork its workers); returns how many are held."""
        with self._sessions() as session, session.begin():
            slugs = session.scalars(
                select(Product.slug).order_by(Product.slug).limit(self._sizes.products)
            ).all()
        for start in range(0, len(slugs), loading.CHUNK):
            self.products(slugs[start : start + loading.CHUNK])
        return len(self._entries)

    def cached(self, slug: str) -> ProductSnapshot | None:
        """The snapshot held for ``slug``, unchecked (tests and diagnostics)."""
        entry = self._entries.get(slug)
        return entry.snapshot if entry is not None else None

    # --- loading ----------------------------------------------------------------------

    def _refresh(
        self, wanted: Sequence[tuple[Revisions, ProductSnapshot | None]]
    ) -> dict[int, ProductSnapshot]:
        """New snapshots for ``wanted``, in one transaction and a few batched queries.

        A product whose own revision has not moved keeps its derived cycles and only
        takes the new platforms (matrix rows and registry: a platform's change can
        delete matrix rows without moving any product's revision).
        """
        with self._sessions() as session, session.begin():
            platforms_revision = loading.platforms_revision(session)
            registry = self._registry_at(session, platforms_revision)
            rederive = [r.product_id for r, known in wanted if not same_product(known, r)]
            cycles = loading.derive_products(session, rederive)
            matrices = loading.matrices(session, [r.product_id for r, _ in wanted])
        result: dict[int, ProductSnapshot] = {}
        for revisions, known in wanted:
            product_id = revisions.product_id
            matrix = matrices.get(product_id) or SupportMatrix({})
            core = cycles.get(product_id)
            if core is None:
                if known is None or not same_product(known, revisions):
                    continue  # deleted meanwhile: the next read answers 404
                snapshot = replace(
                    known,
                    matrix=matrix,
                    registry=registry,
                    platforms_revision=platforms_revision,
                    answers=self._answers(),
                    pages=self._pages(),
                )
            else:
                row, derived = core
                snapshot = ProductSnapshot(
                    id=row.id,
                    slug=row.slug,
                    name=row.name,
                    description=row.description,
                    policy=derived.policy,
                    cycles=derived,
                    matrix=matrix,
                    registry=registry,
                    revision=row.revision,
                    platforms_revision=platforms_revision,
                    answers=self._answers(),
                    pages=self._pages(),
                )
            self.loads += 1
            result[product_id] = snapshot
        return result

    def _answers(self) -> BoundedCache[Any, str]:
        return BoundedCache(self._sizes.answers_per_product)

    def _pages(self) -> BoundedCache[Any, str]:
        return BoundedCache(self._sizes.pages_per_product)

    def _registry_at(self, session: Session, revision: int) -> PlatformRegistry:
        cached = self._registry
        if cached is not None and cached[0] == revision:
            return cached[1]
        platforms = session.scalars(
            select(Platform)
            .options(selectinload(Platform.versions).selectinload(PlatformVersion.aliases))
            .order_by(Platform.slug)
        ).all()
        registry = PlatformRegistry.of(
            CorePlatform(
                p.slug,
                p.name,
                tuple(
                    CorePlatformVersion(v.version, v.vendor_eol, tuple(v.alias_names))
                    for v in p.versions
                ),
            )
            for p in platforms
        )
        self._registry = (revision, registry)
        return registry

    # --- writes -----------------------------------------------------------------------

    def touch(self, session: Session, product_id: int | None = None) -> None:
        """Tell every worker that a product (or, with None, the platforms) changed.

        Moves the revision in SQL, in the caller's transaction, so that concurrent
        writes each move it; on PostgreSQL the commit is announced by the database.
        """
        session.info[_CHANGED] = True
        # No autoflush: a pending INSERT would run here, and a concurrent duplicate be
        # an IntegrityError outside the unit of work's handling.
        with session.no_autoflush:
            if product_id is None:
                session.execute(
                    update(CatalogueState)
                    .where(CatalogueState.id == 1)
                    .values(platforms_revision=CatalogueState.platforms_revision + 1)
                )
            else:
                session.execute(
                    update(Product)
                    .where(Product.id == product_id)
                    .values(revision=Product.revision + 1)
                )

    def forget(self, slug: str) -> None:
        self._entries.pop(slug)

    def after_commit(self, session: Session) -> None:
        """This process stops trusting its snapshots the moment it commits a change.

        Other processes learn of it from the database's notification; this one must
        not wait for its own, or a client could read its own write stale.
        """
        # A commit is the database answering: read it again (a write must not be followed
        # by a stale read of what it wrote).
        self.outage.recovered()
        if session.info.pop(_CHANGED, False):
            note_wrote()
            if self._feed is not None:
                self._feed.changed_here()

    def after_rollback(self, session: Session) -> None:
        session.info.pop(_CHANGED, None)

    def clear(self) -> None:
        self._entries.clear()
        self._registry = None

    def release_connections(self) -> None:
        """Close this process's connections, keeping the snapshots (before forking)."""
        if self._feed is not None:
            self._feed.close()
            self._feed = None
        self._untrust()
        self.probe.dispose()

    def after_fork(self) -> None:
        """In a forked child: forget the parent's connections without closing them (they
        are the parent's), keeping the snapshots, which stay true at their revisions."""
        self._feed = None
        self._feed_lock = threading.Lock()
        self._untrust()
        self.probe.after_fork()

    def _untrust(self) -> None:
        # A new change feed has not heard what was announced before it listened: each
        # snapshot is checked once more (one revision query, no derivation) before it is
        # trusted on notifications again.
        for entry in self._entries.values():
            entry.token = None

    def dispose(self) -> None:
        if self._feed is not None:
            self._feed.close()
        self.probe.dispose()


# --- the app's store --------------------------------------------------------------------


def init_app(app: Flask) -> CatalogueStore:
    config = app.config
    sessions = db.sessions(app)
    store = CatalogueStore(
        config["DATABASE_URL"],
        sessions,
        StoreSizes(
            products=int(config["CATALOGUE_CACHE_SIZE"]),
            answers_per_product=int(config["VERDICT_CACHE_SIZE"]),
            pages_per_product=int(config["PAGE_CACHE_SIZE"]),
        ),
        notify=bool(config.get("CATALOGUE_NOTIFY", True)),
        timeouts=Timeouts.of(config),
    )
    from sqlalchemy import event

    event.listen(sessions, "after_commit", store.after_commit)
    event.listen(sessions, "after_rollback", store.after_rollback)
    app.extensions[EXTENSION] = store
    app.after_request(mark_stale)
    return store


def current() -> CatalogueStore:
    store: CatalogueStore = current_app.extensions[EXTENSION]
    return store


def product(slug: str) -> ProductSnapshot:
    return current().product(slug)


def products(slugs: Iterable[str]) -> dict[str, ProductSnapshot]:
    return current().products(slugs)


def all_products() -> list[ProductSnapshot]:
    return current().all_products()


def each_product() -> Iterator[ProductSnapshot]:
    return current().each_product()


def touch(session: Session, product_id: int | None = None) -> None:
    current().touch(session, product_id)
