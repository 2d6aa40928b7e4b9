"""The endoflife.date API, version 0 (SPEC 11), so that its existing clients work here.

There ``support`` and ``eol`` are the *last* day of a phase, one day before this
service's first-day dates; an unknown end is ``true`` for support (still
supported) and ``false`` for eol (not end of life). Only cycles released on or
before today are listed.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, jsonify

from app import clock
from app.catalogue import store
from app.catalogue.service import cycle_key_for
from app.errors import NotFound
from lifecycle.cycles import Cycle

bp = Blueprint("eol_v0", __name__, url_prefix="/api")

SLUG = "<string(maxlength=64):slug>"


@bp.after_request
def _public(response: Response) -> Response:
    # Public, read-only data: browser clients of endoflife.date may call it from anywhere.
    response.headers.setdefault("Access-Control-Allow-Origin", "*")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


@bp.get("/all.json")
def all_products() -> Response:
    """Every product's slug."""
    return jsonify([snapshot.slug for snapshot in store.each_product()])


@bp.get(f"/{SLUG}.json")
def product(slug: str) -> Response:
    """The product's released cycles, newest first."""
    snapshot = store.product(slug)
    as_of = clock.today()
    return jsonify([cycle_v0(c, as_of) for c in snapshot.cycles.newest_first if _listed(c, as_of)])


@bp.get(f"/{SLUG}/<string(maxlength=64):cycle>.json")
def cycle(slug: str, cycle: str) -> Response:
    """One released cycle."""
    snapshot = store.product(slug)
    key = cycle_key_for(snapshot, cycle)
    found = snapshot.cycles.by_key[key]
    as_of = clock.today()
    if not _listed(found, as_of):
        raise NotFound(f"{snapshot.slug} has no released cycle {cycle!r}.")
    return jsonify(cycle_v0(found, as_of))


def _listed(cycle: Cycle, as_of: date) -> bool:
    released = cycle.dates.released_on
    return released is not None and released <= as_of


def cycle_v0(cycle: Cycle, as_of: date) -> dict[str, Any]:
    """One cycle in endoflife.date's shape; dates are last days of a phase."""
    dates = cycle.dates
    latest = cycle.latest(as_of)
    assert dates.released_on is not None
    return {
        "cycle": cycle.key,
        "releaseDate": dates.released_on.isoformat(),
        "support": _last_day(dates.security_only_from, unknown=True),
        "eol": _last_day(dates.eol_on, unknown=False),
        "latest": latest.version if latest is not None else None,
        "latestReleaseDate": latest.released_on.isoformat() if latest is not None else None,
        "lts": False,
    }


def _last_day(first_day_after: date | None, *, unknown: bool) -> str | bool:
    if first_day_after is None:
        return unknown
    return (first_day_after - timedelta(days=1)).isoformat()
