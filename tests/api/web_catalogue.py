"""A demo-like catalogue for the page, feed and endoflife.date tests, made through the API,
and a live server for the clients that need a real socket (browser, norwegianblue)."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

AS_OF = date(2026, 11, 23)

PLATFORMS: list[dict[str, Any]] = [
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
PRODUCTS: list[dict[str, Any]] = [
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


def load_catalogue(
    client: FlaskClient, headers: dict[str, str], products: list[dict[str, Any]] | None = None
) -> None:
    """Create the platforms and products through the API (as an operator would)."""
    for platform in PLATFORMS:
        answer = client.post("/api/v1/platforms", json=platform, headers=headers)
        assert answer.status_code == 201, answer.json
    for product in products if products is not None else PRODUCTS:
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


def admin_headers(app: Flask) -> dict[str, str]:
    from app.auth import Role, create_token

    with app.app_context():
        secret, _ = create_token(Role.ADMIN, "web-tests")
    return {"Authorization": f"Bearer {secret}"}


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


@contextmanager
def catalogue_app(kind: str, sqlite_template: Path, tmp: Path) -> Iterator[Flask]:
    """An app on a database of ``kind`` of its own, with the catalogue loaded once.

    Read-only tests share it (a module-scoped fixture), which keeps them fast.
    """
    from tests.conftest import PostgresSchema, dispose, make_app, require_postgres

    schema = None
    if kind == "sqlite":
        database = tmp / "lifecycle.sqlite"
        shutil.copyfile(sqlite_template, database)
        url = f"sqlite:///{database}"
    else:
        require_postgres()
        schema = PostgresSchema()
        url = schema.url
    app = make_app(url, tmp)
    try:
        load_catalogue(app.test_client(), admin_headers(app))
        yield app
    finally:
        dispose(app)
        if schema is not None:
            schema.drop()
