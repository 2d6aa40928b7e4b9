"""The one query a cached read needs, on a per-thread DBAPI connection: a speed trick.

A request that finds its product cached pays for a single indexed SELECT and nothing
else of the ORM, which keeps reads close to a bare endpoint. :func:`plain_revisions`
is the same query through the ORM, the plain path the tests hold it equal to.
"""

from __future__ import annotations

import threading
from typing import Any, NamedTuple

from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from app.catalogue.models import CatalogueState, Product
from app.db import GUARD_GRACE_SECONDS, Timeouts, guarded, make_engine
from app.errors import Unavailable

UNAVAILABLE = "The database does not answer; try again shortly."
PLATFORMS_REVISION = (
    select(CatalogueState.platforms_revision).where(CatalogueState.id == 1).scalar_subquery()
)


class Revisions(NamedTuple):
    """A product's id and revision, and the platforms' revision, as the database has them."""

    product_id: int
    revision: int
    platforms_revision: int


def plain_revisions(session: Session, slug: str) -> Revisions | None:
    """The product's revisions by the ORM (the plain path of :class:`RevisionProbe`)."""
    row = session.execute(
        select(Product.id, Product.revision, PLATFORMS_REVISION).where(Product.slug == slug)
    ).first()
    return None if row is None else Revisions(int(row[0]), int(row[1]), int(row[2]))


class RevisionProbe:
    """:func:`plain_revisions` on a DBAPI connection each thread keeps for its lifetime."""

    _SQL = (
        "SELECT p.id, p.revision, s.platforms_revision FROM products p, catalogue_state s "
        "WHERE s.id = 1 AND p.slug = {mark}"
    )

    def __init__(self, url: str, timeouts: Timeouts | None = None) -> None:
        # Each thread owns its connection for as long as the thread lives (it is closed
        # when the thread's locals are collected), so no pool may close or lend it
        # elsewhere: hence no pooling at all.
        options: dict[str, Any] = {"poolclass": NullPool, "pool_reset_on_return": None}
        self.postgresql = not url.startswith("sqlite")
        if self.postgresql:
            options["isolation_level"] = "AUTOCOMMIT"
        self.timeouts = timeouts or Timeouts()
        self.engine: Engine = make_engine(url, timeouts=self.timeouts, **options)
        statement = self.timeouts.statement
        # Raw cursors pass no engine events: each query is guarded here.
        self.deadline = None if statement is None else statement + GUARD_GRACE_SECONDS
        self.sql = self._SQL.format(mark="%s" if self.postgresql else "?")
        self._local = threading.local()

    def revisions(self, slug: str) -> Revisions | None:
        dbapi_error = self.engine.dialect.dbapi.Error  # type: ignore[union-attr]
        fresh = getattr(self._local, "raw", None) is None
        try:
            return self._query(slug)
        except dbapi_error as exc:
            if fresh:
                raise Unavailable(UNAVAILABLE) from exc
        # A connection kept from before a database restart fails once: retry on a new one.
        try:
            return self._query(slug)
        except dbapi_error as exc:
            raise Unavailable(UNAVAILABLE) from exc

    def _query(self, slug: str) -> Revisions | None:
        raw = getattr(self._local, "raw", None)
        if raw is None:
            try:
                # Kept by this thread: returning it to a pool on every read
                # would cost more than the query itself.
                raw = self._local.raw = self.engine.raw_connection()
            except DBAPIError as exc:
                raise exc.orig from exc  # type: ignore[misc]
        try:
            with guarded(raw.dbapi_connection, self.deadline):
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
        return None if row is None else Revisions(int(row[0]), int(row[1]), int(row[2]))

    def after_fork(self) -> None:
        """In a forked child: the parent's connections are the parent's to close."""
        self._local = threading.local()
        self.engine.dispose(close=False)

    def dispose(self) -> None:
        raw = getattr(self._local, "raw", None)
        if raw is not None:
            self._local.raw = None
            raw.close()
        self.engine.dispose()
