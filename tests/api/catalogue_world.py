"""A catalogue seeded once per test module and database, for the many read-only cases.

Each world has a database of its own (a SQLite copy of the migrated template, or a fresh
PostgreSQL schema), so the per-test ``database_url`` fixture, which empties the shared
PostgreSQL schema, never touches it.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, text

from app.auth import Role, create_token
from tests.conftest import PostgresSchema, dispose, make_app, require_postgres

DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]

# (method, path, body): requests an admin makes to seed a world; each must answer 2xx.
Call = tuple[str, str, Any]


@dataclass
class World:
    app: Flask
    client: FlaskClient
    admin: dict[str, str]
    apps: list[Flask] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)

    def token(self, role: Role) -> tuple[str, dict[str, str]]:
        """A new token's name and its headers."""
        name = f"{role.value}-{uuid.uuid4().hex[:8]}"
        with self.app.app_context():
            secret, _ = create_token(role, name)
        return name, {"Authorization": f"Bearer {secret}"}

    def rows(self) -> dict[str, list[str]]:
        """Every row of every table (but Alembic's), to prove a request wrote nothing."""
        found: dict[str, list[str]] = {}
        with self.app.extensions["db_engine"].connect() as conn:
            if not self.tables:
                self.tables = sorted(set(inspect(conn).get_table_names()) - {"alembic_version"})
            for name in self.tables:
                rows = conn.execute(text(f'SELECT * FROM "{name}"')).all()
                found[name] = sorted(repr(tuple(row)) for row in rows)
        return found

    def seed(self, calls: Sequence[Call]) -> None:
        for method, path, body in calls:
            answer = self.client.open(path, method=method, json=body, headers=self.admin)
            assert answer.status_code in (200, 201), (method, path, answer.json)

    def another_app(self, **config: Any) -> Flask:
        """One more app (a second worker, or other settings) on the same database."""
        app = make_app(self.app.config["DATABASE_URL"], Path(self.app.instance_path), **config)
        self.apps.append(app)
        return app


@contextmanager
def world(
    kind: str, tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path, **config: Any
) -> Iterator[World]:
    """A world on a database of its own kind ``kind`` ("sqlite" or "postgresql")."""
    tmp = tmp_path_factory.mktemp("world")
    schema: PostgresSchema | None = None
    if kind == "sqlite":
        path = tmp / "lifecycle.sqlite"
        shutil.copyfile(sqlite_template, path)
        url = f"sqlite:///{path}"
    else:
        require_postgres()
        schema = PostgresSchema()
        url = schema.url
    app = make_app(url, tmp, **config)
    found = World(app, app.test_client(), {})
    try:
        _, found.admin = found.token(Role.ADMIN)
        yield found
    finally:
        for each in [*found.apps, app]:
            dispose(each)
        if schema is not None:
            schema.drop()
