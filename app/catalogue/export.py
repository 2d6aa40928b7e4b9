"""``export`` (SPEC 7): the whole catalogue as a catalogue file, in an order that depends
only on the data, so export, import and export again give the same bytes."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app import db
from app.catalogue.files import FORMAT, FORMAT_VERSION
from app.catalogue.models import Platform as PlatformRow
from app.catalogue.models import Product as ProductRow
from app.catalogue.models import Release as ReleaseRow
from app.catalogue.models import matrix_rows
from lifecycle.policy import cycle_sort_key
from lifecycle.versions import parse_version


def export_document() -> dict[str, Any]:
    """The whole catalogue in the file format, in an order that depends only on the data."""
    with db.reading() as session:
        if session.get_bind().dialect.name == "postgresql":
            # One snapshot for every query below.
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        return _document(session)


def _document(session: Session) -> dict[str, Any]:
    releases: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for product_id, version, day, notes in session.execute(
        select(ReleaseRow.product_id, ReleaseRow.version, ReleaseRow.released_on, ReleaseRow.notes)
    ):
        releases[product_id].append((version, day, notes))
    matrix: dict[int, dict[str, list[dict[str, str]]]] = defaultdict(dict)
    for product_id, cycle_key, slug, version in session.execute(matrix_rows()):
        matrix[product_id].setdefault(cycle_key, []).append({"platform": slug, "version": version})
    products = []
    for row in session.execute(select(ProductRow).order_by(ProductRow.slug)).scalars():
        ordered = sorted(releases[row.id], key=lambda r: (parse_version(r[0]), r[0]))
        products.append(
            {
                "slug": row.slug,
                "name": row.name,
                "description": row.description,
                "policy": row.policy.to_dict(),
                "releases": [
                    {"version": v, "released_on": d.isoformat(), "notes": n} for v, d, n in ordered
                ],
                "matrix": [
                    {"cycle": key, "platforms": matrix[row.id][key]}
                    for key in sorted(matrix[row.id], key=cycle_sort_key)
                ],
            }
        )
    platforms = [
        {
            "slug": p.slug,
            "name": p.name,
            "versions": [
                {
                    "version": v.version,
                    "vendor_eol": v.vendor_eol.isoformat() if v.vendor_eol else None,
                }
                for v in p.versions
            ],
        }
        for p in session.scalars(
            select(PlatformRow)
            .options(selectinload(PlatformRow.versions))
            .order_by(PlatformRow.slug)
        )
    ]
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "products": products,
        "platforms": platforms,
    }


def dump_document(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
