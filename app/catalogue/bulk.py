"""Release rows written straight through the database driver: a speed trick.

SQLAlchemy's per-row work (dicts, bind processors) costs more than the database's own
for bulk inserts, so release-data files are written with the DBAPI cursor of the
session's own connection, in its transaction: multi-row INSERTs on SQLite, one COPY
on PostgreSQL. :func:`plain_insert` is the ORM's way of writing the same rows, which
the tests hold these equal to.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from app.catalogue.models import Product as ProductRow
from app.catalogue.models import Release as ReleaseRow
from app.catalogue.service import new_revision

ReleaseRowValues = tuple[int, str, str, date]


# The rows the models would make: the product columns' defaults come from the
# model, created_at from the database.
_PRODUCT_DEFAULTS: dict[str, Any] = {
    column.name: cast(ScalarElementColumnDefault, column.default).arg
    for column in cast(Table, ProductRow.__table__).c
    if column.default is not None and column.default.is_scalar
}
_PRODUCT_COLUMNS = ("slug", "name", *_PRODUCT_DEFAULTS)
_RELEASE_COLUMNS = "product_id, version, version_key, released_on"
# Rows per multi-row INSERT on SQLite: 4 bound values each, under the 999 of old builds.
_ROWS_PER_INSERT = 200


def cursor(session: Session) -> Any:
    """The DBAPI cursor of the session's own connection, in its transaction."""
    return session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]


def product_id(cursor: Any, slug: str, postgres: bool) -> tuple[int, bool]:
    """The product's id, and whether it was made now (named by its slug) for lack of one."""
    mark = "%s" if postgres else "?"
    cursor.execute(f"SELECT id FROM products WHERE slug = {mark}", (slug,))
    row = cursor.fetchone()
    if row is not None:
        return int(row[0]), False
    values = (slug, slug, *{**_PRODUCT_DEFAULTS, "revision": new_revision()}.values())
    sql = (
        f"INSERT INTO products ({', '.join(_PRODUCT_COLUMNS)}) "
        f"VALUES ({', '.join([mark] * len(values))})"
    )
    if postgres:
        cursor.execute(sql + " RETURNING id", values)
        return int(cursor.fetchone()[0]), True
    cursor.execute(sql, values)
    return int(cursor.lastrowid), True


def release_keys(cursor: Any, product_id: int, postgres: bool) -> list[str]:
    """The keys of the releases the product has."""
    mark = "%s" if postgres else "?"
    cursor.execute(f"SELECT version_key FROM releases WHERE product_id = {mark}", (product_id,))
    return [key for (key,) in cursor.fetchall()]


def insert_releases(cursor: Any, rows: Sequence[ReleaseRowValues], postgres: bool) -> None:
    if postgres:
        _copy_releases(cursor, rows)
    else:
        _insert_releases(cursor, rows)


def _insert_releases(cursor: Any, rows: Sequence[ReleaseRowValues]) -> None:
    """SQLite: INSERTs of many rows each, the dates as the Date type stores them."""
    for start in range(0, len(rows), _ROWS_PER_INSERT):
        chunk = rows[start : start + _ROWS_PER_INSERT]
        values: list[Any] = []
        for product_id, version, key, day in chunk:
            values += (product_id, version, key, day.isoformat())
        cursor.execute(
            f"INSERT INTO releases ({_RELEASE_COLUMNS}) VALUES "
            + ", ".join(["(?, ?, ?, ?)"] * len(chunk)),
            values,
        )


def _copy_releases(cursor: Any, rows: Sequence[ReleaseRowValues]) -> None:
    """PostgreSQL: one COPY."""
    if not rows:
        return
    with cursor.copy(f"COPY releases ({_RELEASE_COLUMNS}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def plain_insert(session: Session, rows: Sequence[ReleaseRowValues]) -> None:
    """The same rows through the ORM: the plain path the driver's writes are held equal to."""
    if rows:
        session.execute(
            insert(ReleaseRow),
            [
                {"product_id": p, "version": v, "version_key": k, "released_on": d}
                for p, v, k, d in rows
            ],
        )
