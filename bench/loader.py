"""Rows for the benchmark: release-data into a database, and the bare ``executemany`` yardstick.

``load_release_data`` is only the stand-in for ``flask --app app import-release-data``
while that command does not exist; the real command is always preferred.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from app.db import make_engine
from lifecycle.errors import LifecycleError
from lifecycle.versions import canonical_version, parse_version

PRODUCT_COLUMNS = (
    "id, slug, name, description, policy_cycle, full_support_cycles, security_cycles, "
    "eosl_months, revision"
)
RELEASE_COLUMNS = "product_id, version, version_key, released_on, notes"


def _connect(url: str) -> Any:
    """A plain DBAPI connection, with the pragmas the app's engine sets on SQLite."""
    engine = make_engine(url)
    return engine, engine.raw_connection()


def _mark(url: str) -> str:
    return "?" if url.startswith("sqlite") else "%s"


def release_rows(path: Path) -> list[tuple[str, str, date]]:
    """(version, version_key, released_on) of one file, by SPEC 7's rules."""
    versions = json.loads(path.read_text()).get("versions") or {}
    kept: dict[str, tuple[str, date]] = {}
    for text, entry in versions.items():
        when = entry.get("date") if isinstance(entry, dict) else None
        if not when:
            continue
        try:
            key = canonical_version(parse_version(text))
            day = date.fromisoformat(when)
        except (LifecycleError, ValueError):
            continue
        if key not in kept or day < kept[key][1]:
            kept[key] = (text, day)
    return [(text, key, day) for key, (text, day) in kept.items()]


def load_release_data(url: str, files: Iterable[Path]) -> int:
    """Stand-in importer: one product per file (slug = file name), its parseable releases."""
    engine, conn = _connect(url)
    m = _mark(url)
    count = 0
    try:
        cursor = conn.cursor()
        for path in sorted(files):
            slug = path.stem
            cursor.execute(
                f"INSERT INTO products (slug, name, policy_cycle, full_support_cycles, "
                f"security_cycles, eosl_months, revision) VALUES ({m}, {m}, 'major', 1, 1, 6, 1)",
                (slug, slug),
            )
            cursor.execute(f"SELECT id FROM products WHERE slug = {m}", (slug,))
            product_id = cursor.fetchone()[0]
            rows = [(product_id, v, k, d) for v, k, d in release_rows(path)]
            cursor.executemany(
                f"INSERT INTO releases (product_id, version, version_key, released_on) "
                f"VALUES ({m}, {m}, {m}, {m})",
                rows,
            )
            count += len(rows)
        conn.commit()
    finally:
        conn.close()
        engine.dispose()
    return count


def read_rows(url: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every product row and release row of a database, to insert elsewhere."""
    engine, conn = _connect(url)
    try:
        cursor = conn.cursor()
        cursor.execute(f"SELECT {PRODUCT_COLUMNS} FROM products ORDER BY id")
        products = [tuple(r) for r in cursor.fetchall()]
        cursor.execute(f"SELECT {RELEASE_COLUMNS} FROM releases ORDER BY id")
        releases = [tuple(r) for r in cursor.fetchall()]
        conn.rollback()
    finally:
        conn.close()
        engine.dispose()
    return products, releases


def bare_insert(
    url: str, products: list[tuple[Any, ...]], releases: list[tuple[Any, ...]]
) -> float:
    """Seconds for a plain DBAPI ``executemany`` of these rows, products first, one commit."""
    engine, conn = _connect(url)
    m = _mark(url)
    try:
        cursor = conn.cursor()
        started = time.perf_counter()
        cursor.executemany(
            f"INSERT INTO products ({PRODUCT_COLUMNS}) VALUES ({', '.join([m] * 9)})", products
        )
        cursor.executemany(
            f"INSERT INTO releases ({RELEASE_COLUMNS}) VALUES ({', '.join([m] * 5)})", releases
        )
        conn.commit()
        elapsed = time.perf_counter() - started
    finally:
        conn.close()
        engine.dispose()
    return elapsed


def slugs(url: str) -> list[str]:
    engine, conn = _connect(url)
    try:
        cursor = conn.cursor()
        cursor.execute("SELECT slug FROM products ORDER BY slug")
        result = [r[0] for r in cursor.fetchall()]
        conn.rollback()
    finally:
        conn.close()
        engine.dispose()
    return result


def versions_by_product(url: str) -> dict[str, list[str]]:
    """Recorded version strings per product slug, in a stable order."""
    engine, conn = _connect(url)
    try:
        cursor = conn.cursor()
        cursor.execute(
            "SELECT p.slug, r.version FROM releases r JOIN products p ON p.id = r.product_id "
            "ORDER BY p.slug, r.id"
        )
        result: dict[str, list[str]] = {}
        for slug, version in cursor.fetchall():
            result.setdefault(slug, []).append(version)
        conn.rollback()
    finally:
        conn.close()
        engine.dispose()
    return result


def sample(items: list[str], n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return rng.sample(items, n) if len(items) > n else rng.sample(items, len(items))
