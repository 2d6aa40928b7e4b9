"""Seed data for the tests, in one place: the catalogues they judge against, made
through the API as an operator would, each on a database of its own, and the worlds,
apps and live servers that hold them.

Each seeded app has a database of its own (a SQLite copy of the migrated template, or a
fresh PostgreSQL schema), so the per-test ``database_url`` fixture, which empties the
shared PostgreSQL schema, never touches it. Read-only tests share one per module.
"""

from __future__ import annotations

import shutil
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, text
from werkzeug.serving import make_server

from app.auth import Role, create_token
from tests.conftest import PostgresSchema, dispose, make_app, require_postgres

DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]

# (method, path, body): requests an admin makes to seed a world; each must answer 2xx.
Call = tuple[str, str, Any]


# --- catalogues -------------------------------------------------------------------------


@dataclass(frozen=True)
class Catalogue:
    """Platforms and products to make through the API. A product is ``{slug, name,
    description?, policy?, releases: [(version, day, notes)], matrix: {cycle: [(p, v)]}}``."""

    as_of: date
    platforms: list[dict[str, Any]]
    products: list[dict[str, Any]]

    @property
    def product(self) -> str:
        """The first product's slug (the one most tests ask about)."""
        return str(self.products[0]["slug"])

    def load(self, client: FlaskClient, headers: dict[str, str]) -> None:
        for platform in self.platforms:
            answer = client.post("/api/v1/platforms", json=platform, headers=headers)
            assert answer.status_code == 201, answer.json
        for product in self.products:
            add_product(client, headers, product)


def add_product(client: FlaskClient, headers: dict[str, str], product: dict[str, Any]) -> None:
    body = {k: product[k] for k in ("slug", "name", "description", "policy") if k in product}
    answer = client.post("/api/v1/products", json=body, headers=headers)
    assert answer.status_code == 201, answer.json
    slug = product["slug"]
    for version, day, notes in product["releases"]:
        release: dict[str, Any] = {"version": version, "released_on": day}
        if notes:
            release["notes"] = notes
        answer = client.post(f"/api/v1/products/{slug}/releases", json=release, headers=headers)
        assert answer.status_code == 201, answer.json
    for cycle, rows in product.get("matrix", {}).items():
        entries = [{"platform": p, "version": v} for p, v in rows]
        answer = client.put(
            f"/api/v1/products/{slug}/cycles/{cycle}/platforms", json=entries, headers=headers
        )
        assert answer.status_code == 200, answer.json


# The eligibility tests' catalogue. As of 2026-11-22: cycle 1 is security-only (EOL
# 2027-03-01, EOSL 2027-09-01), cycle 2 is current (2.6.0 is planned for 2026-12-15),
# cycle 3 is planned (3.0.0rc1 first) and cycle 4 has a pre-release only.
_ELIGIBILITY_RELEASES = [
    ("1.0.0", "2025-01-10"),
    ("1.4.2", "2025-06-01"),
    ("2.0.0", "2026-03-02"),
    ("2.5.1", "2026-10-01"),
    ("2.6.0", "2026-12-15"),
    ("3.0.0rc1", "2027-01-15"),
    ("3.0.0", "2027-03-01"),
    ("4.0.0a1", "2027-06-01"),
]
_ELIGIBILITY_PLATFORMS: list[dict[str, Any]] = [
    {
        "slug": "ubuntu",
        "name": "Ubuntu",
        "versions": [
            {"version": "20.04", "vendor_eol": "2025-05-31"},
            {"version": "22.04", "vendor_eol": "2027-06-01"},
            {"version": "24.04"},
        ],
    },
    {"slug": "rhel", "name": "Red Hat Enterprise Linux", "versions": [{"version": "9"}]},
]
_ELIGIBILITY_MATRIX = {
    "1": [("ubuntu", "22.04"), ("ubuntu", "20.04")],
    "2": [("ubuntu", "22.04"), ("ubuntu", "24.04"), ("rhel", "9")],
}
ELIGIBILITY = Catalogue(
    as_of=date(2026, 11, 22),
    platforms=_ELIGIBILITY_PLATFORMS,
    products=[
        {
            "slug": "aperturedb",
            "name": "ApertureDB",
            "releases": [(v, d, None) for v, d in _ELIGIBILITY_RELEASES],
            "matrix": _ELIGIBILITY_MATRIX,
        }
    ],
)
ELIGIBILITY_URL = "/api/v1/eligibility"

# The support desk's catalogue (SPEC 17): the eligibility catalogue, its platform
# versions also known by their code names.
_DESK_PLATFORMS: list[dict[str, Any]] = [
    {
        "slug": "ubuntu",
        "name": "Ubuntu",
        "versions": [
            {"version": "20.04", "vendor_eol": "2025-05-31", "aliases": ["focal"]},
            {"version": "22.04", "vendor_eol": "2027-06-01", "aliases": ["jammy", "22.04 LTS"]},
            {"version": "24.04", "aliases": ["noble"]},
        ],
    },
    {"slug": "rhel", "name": "Red Hat Enterprise Linux", "versions": [{"version": "9"}]},
]
DESK = Catalogue(as_of=ELIGIBILITY.as_of, platforms=_DESK_PLATFORMS, products=ELIGIBILITY.products)

# A demo-like catalogue for the page, feed and endoflife.date tests.
_WEB_PLATFORMS: list[dict[str, Any]] = [
    {
        "slug": "ubuntu",
        "name": "Ubuntu",
        "versions": [
            {"version": "20.04", "vendor_eol": "2025-06-01"},
            {"version": "22.04", "vendor_eol": "2027-06-01"},
            {"version": "24.04", "vendor_eol": "2029-06-01"},
        ],
    },
    {
        "slug": "rhel",
        "name": "Red Hat Enterprise Linux",
        "versions": [
            {"version": "8", "vendor_eol": "2029-06-01"},
            {"version": "9", "vendor_eol": "2032-06-01"},
        ],
    },
    {
        "slug": "windows-server",
        "name": "Windows Server",
        "versions": [
            {"version": "2019", "vendor_eol": "2029-01-09"},
            {"version": "2022", "vendor_eol": "2031-10-14"},
        ],
    },
]

# slug, name, description, policy, releases (version, day, notes), matrix {cycle: [(p, v)]}
_WEB_PRODUCTS: list[dict[str, Any]] = [
    {
        "slug": "aperturedb",
        "name": "ApertureDB",
        "description": "Multimodal database server.",
        "releases": [
            ("1.0.0", "2023-05-02", None),
            ("1.2.0", "2023-11-06", None),
            ("2.0.0", "2024-04-15", None),
            ("2.3.1", "2025-02-03", None),
            ("3.0.0", "2025-06-02", None),
            ("3.1.0", "2025-09-01", None),
            ("3.1.2", "2026-01-12", "Fixes a crash on startup when the cache is cold."),
            ("4.0.0", "2026-06-01", None),
            ("4.1.0", "2026-10-05", "Faster bulk loads; new backup command."),
            ("5.0.0rc1", "2027-04-05", None),
            ("5.0.0", "2027-06-01", None),
        ],
        "matrix": {
            "2": [("ubuntu", "20.04"), ("ubuntu", "22.04"), ("rhel", "8")],
            "3": [("ubuntu", "20.04"), ("ubuntu", "22.04"), ("rhel", "8"), ("rhel", "9")],
            "4": [
                ("ubuntu", "22.04"),
                ("ubuntu", "24.04"),
                ("rhel", "9"),
                ("windows-server", "2022"),
            ],
            "5": [("ubuntu", "24.04"), ("rhel", "9"), ("windows-server", "2022")],
        },
    },
    {
        "slug": "keystone",
        "name": "Keystone Gateway",
        "description": "API gateway; the two newest minor lines get full support.",
        "policy": {"cycle": "minor", "full_support_cycles": 2, "security_cycles": 1},
        "releases": [
            ("1.26.0", "2025-04-07", None),
            ("1.27.0", "2025-08-04", None),
            ("1.28.0", "2025-12-01", None),
            ("1.28.2", "2026-02-02", None),
            ("1.29.0", "2026-04-06", None),
            ("1.30.0", "2026-08-03", None),
            ("1.30.1", "2026-10-12", None),
        ],
        "matrix": {"1.30": [("ubuntu", "24.04"), ("rhel", "9")]},
    },
    {
        "slug": "nebula",
        "name": "Nebula Agent",
        "description": "Monitoring agent, first release planned.",
        "releases": [("1.0.0rc1", "2026-10-01", None), ("1.0.0", "2027-02-01", None)],
        "matrix": {},
    },
    {
        "slug": "relay",
        "name": "Relay CLI",
        "description": "Command-line client; no release yet.",
        "releases": [],
        "matrix": {},
    },
]


WEB = Catalogue(as_of=date(2026, 11, 23), platforms=_WEB_PLATFORMS, products=_WEB_PRODUCTS)


# --- apps, worlds and servers -------------------------------------------------------------


def admin_headers(app: Flask, name: str | None = None) -> dict[str, str]:
    with app.app_context():
        secret, _ = create_token(Role.ADMIN, name or f"seed-{uuid.uuid4().hex[:8]}")
    return {"Authorization": f"Bearer {secret}"}


@contextmanager
def own_database(kind: str, sqlite_template: Path, tmp: Path) -> Iterator[str]:
    """A migrated, empty database of ``kind`` ("sqlite" or "postgresql") of its own."""
    if kind == "sqlite":
        database = tmp / "lifecycle.sqlite"
        shutil.copyfile(sqlite_template, database)
        yield f"sqlite:///{database}"
        return
    require_postgres()
    schema = PostgresSchema()
    try:
        yield schema.url
    finally:
        schema.drop()


@contextmanager
def seeded_app(
    kind: str, sqlite_template: Path, tmp: Path, catalogue: Catalogue, **config: Any
) -> Iterator[Flask]:
    """An app on a database of its own kind ``kind``, with ``catalogue`` loaded once."""
    with own_database(kind, sqlite_template, tmp) as url:
        app = make_app(url, tmp, **config)
        try:
            catalogue.load(app.test_client(), admin_headers(app))
            yield app
        finally:
            dispose(app)


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
    with own_database(kind, sqlite_template, tmp) as url:
        app = make_app(url, tmp, **config)
        found = World(app, app.test_client(), {})
        try:
            _, found.admin = found.token(Role.ADMIN)
            yield found
        finally:
            for each in [*found.apps, app]:
                dispose(each)


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Run ``app`` on a free port of 127.0.0.1 in a thread; yields its base URL."""
    # Threaded: a browser opens several connections at once, some of them idle.
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
