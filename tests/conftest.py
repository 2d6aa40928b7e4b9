"""Fixtures: the app from its factory, on SQLite and on PostgreSQL.

Tests that take ``app`` (or ``client``) run once per database. PostgreSQL is
at ``TEST_POSTGRES_URL`` (default: the local server, database ``test``); when
it cannot be reached those tests skip, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text

from app import create_app, migrate

PG_BASE = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"
RELEASE_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "release-data"
ROOT = Path(__file__).resolve().parents[1]


def postgres_available() -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        engine = create_engine(PG_BASE, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure to connect means "not available"
        return f"{exc.__class__.__name__}: {exc}"
    return None


def require_postgres() -> None:
    reason = postgres_available()
    if reason is not None:
        message = f"PostgreSQL at {PG_BASE} cannot be reached ({reason})"
        if IN_CI:
            pytest.fail(message + "; under CI=true this is a failure, not a skip.")
        pytest.skip(message)


def pg_schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_BASE else "?"
    return f"{PG_BASE}{sep}options=-csearch_path%3D{schema}"


class PostgresSchema:
    """A private schema in the test database, migrated once, emptied between tests."""

    def __init__(self) -> None:
        self.schema = f"lc_test_{uuid.uuid4().hex[:10]}"
        self.admin = create_engine(PG_BASE)
        with self.admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        self.url = pg_schema_url(self.schema)
        migrate.upgrade(self.url)
        self.engine = create_engine(self.url)

    def reset(self) -> None:
        with self.engine.begin() as conn:
            tables = conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = :s "
                    "AND tablename <> 'alembic_version'"
                ),
                {"s": self.schema},
            ).scalars()
            names = ", ".join(f'"{self.schema}"."{t}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            conn.execute(
                text(
                    f'INSERT INTO "{self.schema}".catalogue_state (id, platforms_revision) '
                    "VALUES (1, 0)"
                )
            )

    def drop(self) -> None:
        self.engine.dispose()
        with self.admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[PostgresSchema]:
    require_postgres()
    schema = PostgresSchema()
    try:
        yield schema
    finally:
        schema.drop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "lifecycle.sqlite"
        shutil.copyfile(sqlite_template, path)
        return f"sqlite:///{path}"
    schema: PostgresSchema = request.getfixturevalue("postgres_schema")
    schema.reset()
    return schema.url


def make_app(database_url: str, tmp_path: Path, **extra: Any) -> Flask:
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "WEBHOOK_ALLOW_PRIVATE": True,
            "SUPPORT_PLAN_FILE": str(tmp_path / "no-support-plan.json"),
            **extra,
        }
    )
    return app


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_app(database_url, tmp_path)
    yield app
    dispose(app)


def dispose(app: Flask) -> None:
    """Close every connection an app holds (so PostgreSQL schemas can be dropped)."""
    app.extensions["db_engine"].dispose()
    app.extensions["catalogue"].dispose()


def set_today(app: Flask, day: date, monkeypatch: pytest.MonkeyPatch) -> None:
    """Give ``app`` a clock that reads ``day`` for the rest of the test."""
    from app.clock import EXTENSION, FixedClock

    monkeypatch.setitem(app.extensions, EXTENSION, FixedClock.on(day))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def _token(app: Flask, role: str) -> dict[str, str]:
    from app.auth import Role, create_token

    with app.app_context():
        secret, _ = create_token(Role(role), f"{role}-{uuid.uuid4().hex[:6]}")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def admin(app: Flask) -> dict[str, str]:
    """Headers with an admin token."""
    return _token(app, "admin")


@pytest.fixture
def support(app: Flask) -> dict[str, str]:
    """Headers with a support token."""
    return _token(app, "support")
