"""The catalogue the eligibility tests judge against, made through the API.

It is built once per test module and database (the tests only read it), so the
API, batch and CLI tables stay fast on PostgreSQL too.

As of 2026-11-22: cycle 1 is security-only (EOL 2027-03-01, EOSL 2027-09-01), cycle 2
is current (2.6.0 is planned for 2026-12-15), cycle 3 is planned (3.0.0rc1 first) and
cycle 4 has a pre-release only.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import dispose, make_app

AS_OF = "2026-11-22"
PRODUCT = "aperturedb"
URL = "/api/v1/eligibility"

RELEASES = [
    ("1.0.0", "2025-01-10"),
    ("1.4.2", "2025-06-01"),
    ("2.0.0", "2026-03-02"),
    ("2.5.1", "2026-10-01"),
    ("2.6.0", "2026-12-15"),
    ("3.0.0rc1", "2027-01-15"),
    ("3.0.0", "2027-03-01"),
    ("4.0.0a1", "2027-06-01"),
]
PLATFORMS: list[dict[str, Any]] = [
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
MATRIX = {
    "1": [("ubuntu", "22.04"), ("ubuntu", "20.04")],
    "2": [("ubuntu", "22.04"), ("ubuntu", "24.04"), ("rhel", "9")],
}
DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def seed(app: Flask) -> None:
    from app.auth import Role, create_token

    with app.app_context():
        secret, _ = create_token(Role.ADMIN, "eligibility-tests")
    admin = {"Authorization": f"Bearer {secret}"}
    client = app.test_client()

    def ok(answer: Any) -> None:
        assert answer.status_code in (200, 201), answer.json

    ok(client.post("/api/v1/products", json={"slug": PRODUCT, "name": "ApertureDB"}, headers=admin))
    for version, day in RELEASES:
        ok(
            client.post(
                f"/api/v1/products/{PRODUCT}/releases",
                json={"version": version, "released_on": day},
                headers=admin,
            )
        )
    for platform in PLATFORMS:
        ok(client.post("/api/v1/platforms", json=platform, headers=admin))
    for cycle, row in MATRIX.items():
        ok(
            client.put(
                f"/api/v1/products/{PRODUCT}/cycles/{cycle}/platforms",
                json=[{"platform": p, "version": v} for p, v in row],
                headers=admin,
            )
        )


def catalogue_app(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """Body of a module-scoped fixture: a seeded app on each database (see DATABASES)."""
    tmp = tmp_path_factory.mktemp("eligibility")
    if request.param == "sqlite":
        shutil.copyfile(sqlite_template, tmp / "lifecycle.sqlite")
        url = f"sqlite:///{tmp / 'lifecycle.sqlite'}"
    else:
        schema = request.getfixturevalue("postgres_schema")
        schema.reset()
        url = schema.url
    app = make_app(url, tmp)
    seed(app)
    yield app
    dispose(app)
