"""Warm workers (SPEC 19): the read model loaded before requests come, and handed over a
fork intact.

A server that preloads the app (``deploy/gunicorn.conf.py``) calls :func:`warm` in its
master before forking workers, and :func:`after_fork` in each new worker: the snapshots
stay (they are true at their revisions, and each read still checks them), the parent's
database connections are forgotten without being closed, being the parent's.
"""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from app.catalogue.store import EXTENSION, CatalogueStore
from app.errors import ApiError

log = logging.getLogger(__name__)


def warm(app: Flask, *, first_requests: bool = True) -> int:
    """Load up to ``CATALOGUE_CACHE_SIZE`` products (and, with ``first_requests``, answer a
    request of each common kind), then close this process's database connections;
    returns how many products are held. A database that does not answer leaves the cache
    as it was (workers then load what they are asked for)."""
    store: CatalogueStore = app.extensions[EXTENSION]
    try:
        with app.app_context():
            held = store.warm()
            first = next(iter(store.each_product()), None) if first_requests else None
        if first_requests:
            _first_requests(app, None if first is None else first.slug)
    except (SQLAlchemyError, ApiError) as exc:
        log.warning("warming the catalogue failed (%s); workers will load it", exc)
        held = 0
    store.release_connections()
    app.extensions["db_engine"].dispose()
    return held


def _first_requests(app: Flask, slug: str | None) -> None:
    """A request of each common kind, so that what each does once per process (compiling
    the page templates, importing what is imported on first use) is done before forking."""
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)
    client = app.test_client()
    paths = ["/healthz", "/api/v1/products"]
    if slug is not None:
        paths += [f"/products/{slug}", f"/api/v1/eligibility?product={slug}&version=1", "/"]
    for path in paths:
        answer = client.get(path)
        if answer.status_code >= 500:
            log.warning("warming: %s answered %s", path, answer.status_code)


def after_fork(app: Flask) -> None:
    """In a forked worker: drop the inherited connections (without closing them)."""
    app.extensions["db_engine"].dispose(close=False)
    store: CatalogueStore = app.extensions[EXTENSION]
    store.after_fork()
