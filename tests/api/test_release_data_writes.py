"""What ``import-release-data`` writes, on both databases: the rows the models would
make, many per statement; a file the database refuses or that fails midway leaves
nothing; on PostgreSQL the files commit asynchronously and the run ends durable.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import event, text

from app import db
from app.catalogue import bulk
from app.catalogue.models import Product
from app.catalogue.service import new_revision
from lifecycle.versions import canonical_version, parse_version

# More than one multi-row INSERT's worth, and not a multiple of it.
MANY = 2 * bulk._ROWS_PER_INSERT + 37
START = date(2001, 1, 1)


def many_versions() -> dict[str, dict[str, str]]:
    versions: dict[str, dict[str, str]] = {}
    for i in range(MANY):
        text_ = f"v{i // 10}.{i % 10}.0" if i % 7 else f"{i // 10}.{i % 10}.0-rc.{i % 3}"
        versions[text_] = {"date": (START + timedelta(days=i)).isoformat()}
    return versions


def write_file(folder: Path, name: str, versions: dict[str, Any]) -> str:
    path = folder / name
    path.write_text(json.dumps({"releases": {}, "versions": versions}), encoding="utf-8")
    return str(path)


def rows(app: Flask, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with app.extensions["db_engine"].connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def product_columns(app: Flask, slug: str) -> dict[str, Any]:
    with app.extensions["db_engine"].connect() as conn:
        found = conn.execute(text("SELECT * FROM products WHERE slug = :s"), {"s": slug})
        return dict(found.mappings().one())


def test_every_row_is_stored_as_the_models_store_it(
    runner: FlaskCliRunner, app: Flask, tmp_path: Path
) -> None:
    versions = many_versions()
    result = runner.invoke(
        args=["import-release-data", write_file(tmp_path, "many.json", versions)]
    )
    assert result.exit_code == 0, result.output
    assert f"many: {MANY} versions: {MANY} added" in result.stdout

    stored = rows(
        app,
        "SELECT r.version, r.version_key, r.released_on, r.notes FROM releases r "
        "JOIN products p ON p.id = r.product_id WHERE p.slug = 'many' ORDER BY r.id",
    )
    expected = [
        (v, canonical_version(parse_version(v)), date.fromisoformat(info["date"]), None)
        for v, info in versions.items()
    ]
    # SQLite hands back the stored text; it is the Date type's own form.
    assert [(v, k, str(d), n) for v, k, d, n in stored] == [
        (v, k, d.isoformat(), n) for v, k, d, n in expected
    ]

    # The product row is the one the ORM makes, but for its id, revision and time.
    with app.app_context(), db.unit_of_work() as session:
        session.add(Product(slug="by-orm", name="by-orm", revision=new_revision()))
    mine, theirs = product_columns(app, "many"), product_columns(app, "by-orm")
    assert mine["revision"] > 0
    assert mine["created_at"] is not None
    unlike = {"id", "slug", "name", "revision", "created_at"}
    assert {k: v for k, v in mine.items() if k not in unlike} == {
        k: v for k, v in theirs.items() if k not in unlike
    }
    assert (mine["slug"], mine["name"]) == ("many", "many")


Write = Callable[[Any, list[Any]], None]


def fail_after_writing(
    monkeypatch: pytest.MonkeyPatch, version: str, failure: Callable[[Write, Any, list[Any]], None]
) -> None:
    """Once the releases of a file holding ``version`` are written, ``failure(write, cursor,
    rows)`` runs in the same transaction."""
    for name in ("_insert_releases", "_copy_releases"):
        original = getattr(bulk, name)

        def write(cursor: Any, rows: list[Any], original: Write = original) -> None:
            original(cursor, rows)
            if any(row[1] == version for row in rows):
                failure(original, cursor, rows)

        monkeypatch.setattr(bulk, name, write)


def test_a_file_the_database_refuses_leaves_nothing_and_the_rest_goes_on(
    runner: FlaskCliRunner, app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same rows once more: the unique constraint refuses them, as it would a
    # concurrent writer's.
    fail_after_writing(monkeypatch, "7.0", lambda write, cursor, rows: write(cursor, rows))
    refused = write_file(tmp_path, "refused.json", {"7.0": {"date": "2020-01-01"}})
    good = write_file(tmp_path, "good.json", {"1.0": {"date": "2020-01-01"}})
    result = runner.invoke(args=["import-release-data", refused, good])
    assert result.exit_code == 1, result.output
    assert "refused.json: the database refused it" in result.stderr
    assert "(1 imported, 1 bad)" in result.stdout
    assert rows(app, "SELECT slug FROM products") == [("good",)]
    assert rows(app, "SELECT version FROM releases") == [("1.0",)]


def test_a_file_that_fails_midway_leaves_nothing(
    runner: FlaskCliRunner, app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(write: Write, cursor: Any, rows: list[Any]) -> None:
        raise RuntimeError("the disk is on fire")

    fail_after_writing(monkeypatch, "99.0", fail)
    first = write_file(tmp_path, "first.json", {"1.0": {"date": "2020-01-01"}})
    second = write_file(tmp_path, "second.json", many_versions() | {"99.0": {"date": "2020-01-01"}})
    result = runner.invoke(args=["import-release-data", first, second])
    assert isinstance(result.exception, RuntimeError)
    # The first file's transaction is committed; of the second nothing, not its product.
    assert rows(app, "SELECT slug FROM products") == [("first",)]
    assert rows(app, "SELECT version FROM releases") == [("1.0",)]


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgresql_commits_files_asynchronously_and_ends_durable(
    runner: FlaskCliRunner, app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = app.extensions["db_engine"]
    assert engine.dialect.name == "postgresql"
    seen: list[str] = []

    def show(write: Write, cursor: Any, rows: list[Any]) -> None:
        cursor.execute("SHOW synchronous_commit")
        seen.append(cursor.fetchone()[0])

    fail_after_writing(monkeypatch, "1.0", show)
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    try:
        paths = [
            write_file(tmp_path, f"p{i}.json", {"1.0": {"date": "2020-01-01"}}) for i in range(2)
        ]
        result = runner.invoke(args=["import-release-data", *paths])
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert result.exit_code == 0, result.output
    assert seen == ["off", "off"]
    # Last, a transaction with an id, committed synchronously: it flushes the WAL.
    assert "txid_current()" in statements[-1]
    with engine.connect() as conn:
        assert conn.execute(text("SHOW synchronous_commit")).scalar() == "on"


def test_the_drivers_rows_are_the_orms_rows(app: Flask) -> None:
    """The speed trick (multi-row INSERTs, COPY) stores what the ORM's plain insert does."""
    from app.catalogue.store import touch

    versions = many_versions()
    with app.app_context():
        with db.unit_of_work() as session:
            for slug in ("fast", "plain"):
                session.add(Product(slug=slug, name=slug, revision=new_revision()))
        ids = dict(rows(app, "SELECT slug, id FROM products"))

        def values(product_id: int) -> list[tuple[int, str, str, date]]:
            return [
                (product_id, v, canonical_version(parse_version(v)), date.fromisoformat(i["date"]))
                for v, i in versions.items()
            ]

        postgres = app.extensions["db_engine"].dialect.name == "postgresql"
        with db.unit_of_work() as session:
            cursor = bulk.cursor(session)
            try:
                bulk.insert_releases(cursor, values(ids["fast"]), postgres)
            finally:
                cursor.close()
            bulk.plain_insert(session, values(ids["plain"]))
            touch(session)
    query = (
        "SELECT r.version, r.version_key, r.released_on, r.notes FROM releases r "
        "WHERE r.product_id = :p ORDER BY r.id"
    )
    fast, plain = rows(app, query, p=ids["fast"]), rows(app, query, p=ids["plain"])
    assert len(fast) == MANY
    assert fast == plain
