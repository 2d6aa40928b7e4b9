"""The catalogue cache is per process and keyed by revision: two apps on one database stand
for two worker processes. A write through one is seen by the next read through the other,
and a read re-derives nothing when nothing changed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.catalogue.store import CatalogueStore
from tests.conftest import dispose, make_app

PRODUCT = "/api/v1/products/aperturedb"


class CaughtUpClient(FlaskClient):
    """A worker's client that has taken in, before each request, every change notification
    committed before it (PostgreSQL), as the worker will have a few milliseconds later.

    How long that takes under load is measured by bench/notify_latency.py; these tests are
    about what the worker does with a notification, not how fast one arrives.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        feed = self.application.extensions["catalogue"].feed()
        if feed is not None:
            feed.sync()
        return super().open(*args, **kwargs)


@pytest.fixture
def other(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """A second worker on the same database."""
    app = make_app(database_url, tmp_path)
    app.test_client_class = CaughtUpClient
    yield app
    dispose(app)


@pytest.fixture
def writer(client: FlaskClient, admin: dict[str, str]) -> FlaskClient:
    """The first worker, with aperturedb 1 and 2, and ubuntu 22.04 and 24.04 in cycle 2."""
    calls: list[tuple[str, str, Any]] = [
        ("POST", "/api/v1/products", {"slug": "aperturedb", "name": "ApertureDB"}),
        ("POST", "/api/v1/products", {"slug": "other", "name": "Other"}),
        ("POST", f"{PRODUCT}/releases", {"version": "1.0.0", "released_on": "2024-01-10"}),
        ("POST", f"{PRODUCT}/releases", {"version": "2.0.0", "released_on": "2025-01-10"}),
        (
            "POST",
            "/api/v1/platforms",
            {
                "slug": "ubuntu",
                "name": "Ubuntu",
                "versions": [{"version": "22.04"}, {"version": "24.04"}],
            },
        ),
        ("PUT", f"{PRODUCT}/cycles/2/platforms", [{"platform": "ubuntu", "version": "22.04"}]),
    ]
    for method, path, body in calls:
        answer = client.open(path, method=method, json=body, headers=admin)
        assert answer.status_code in (200, 201), answer.json
    return client


def store_of(app: Flask) -> CatalogueStore:
    store: CatalogueStore = app.extensions["catalogue"]
    return store


def cycles(client: FlaskClient, as_of: str = "2026-01-01") -> list[dict[str, Any]]:
    answer = client.get(f"{PRODUCT}/cycles?as_of={as_of}")
    assert answer.status_code == 200
    result: list[dict[str, Any]] = answer.json
    return result


def test_a_release_added_through_one_worker_is_read_through_the_other(
    writer: FlaskClient, admin: dict[str, str], other: Flask
) -> None:
    reader = other.test_client()
    assert [c["cycle"] for c in cycles(reader)] == ["2", "1"]  # cached in `other` now
    answer = writer.post(
        f"{PRODUCT}/releases", json={"version": "3.0.0", "released_on": "2025-12-01"}, headers=admin
    )
    assert answer.status_code == 201
    seen = cycles(reader)
    assert [(c["cycle"], c["status"]) for c in seen] == [
        ("3", "current"),
        ("2", "security_only"),
        ("1", "eol"),
    ]
    releases = reader.get(f"{PRODUCT}/releases").json
    assert [r["version"] for r in releases] == ["3.0.0", "2.0.0", "1.0.0"]


def test_a_policy_patched_through_one_worker_is_read_through_the_other(
    writer: FlaskClient, admin: dict[str, str], other: Flask
) -> None:
    reader = other.test_client()
    assert cycles(reader)[1]["status"] == "security_only"
    patched = writer.patch(PRODUCT, json={"policy": {"full_support_cycles": 2}}, headers=admin)
    assert patched.status_code == 200
    assert cycles(reader)[1]["status"] == "current"
    assert reader.get(PRODUCT).json["policy"]["full_support_cycles"] == 2
    listed = {p["slug"]: p for p in reader.get("/api/v1/products").json}
    assert listed["aperturedb"]["policy"]["full_support_cycles"] == 2


def test_a_vendor_eol_changed_through_one_worker_is_read_through_the_other(
    writer: FlaskClient, admin: dict[str, str], other: Flask
) -> None:
    reader = other.test_client()
    assert cycles(reader)[0]["platforms"][0]["vendor_eol"] is None
    changed = writer.put(
        "/api/v1/platforms/ubuntu/versions/22.04", json={"vendor_eol": "2027-06-01"}, headers=admin
    )
    assert changed.status_code == 200
    assert cycles(reader)[0]["platforms"] == [
        {"platform": "ubuntu", "version": "22.04", "vendor_eol": "2027-06-01"}
    ]


def test_a_matrix_row_replaced_through_one_worker_is_read_through_the_other(
    writer: FlaskClient, admin: dict[str, str], other: Flask
) -> None:
    reader = other.test_client()
    assert [p["version"] for p in cycles(reader)[0]["platforms"]] == ["22.04"]
    replaced = writer.put(
        f"{PRODUCT}/cycles/2/platforms",
        json=[{"platform": "ubuntu", "version": "24.04"}],
        headers=admin,
    )
    assert replaced.status_code == 200
    assert [p["version"] for p in cycles(reader)[0]["platforms"]] == ["24.04"]


def test_a_platform_deleted_through_one_worker_leaves_the_others_matrix(
    writer: FlaskClient, admin: dict[str, str], other: Flask
) -> None:
    reader = other.test_client()
    assert cycles(reader)[0]["platforms"]
    assert writer.delete("/api/v1/platforms/ubuntu", headers=admin).status_code == 204
    assert cycles(reader)[0]["platforms"] == []


def test_a_product_deleted_and_recreated_through_one_worker(
    writer: FlaskClient, admin: dict[str, str], other: Flask
) -> None:
    reader = other.test_client()
    assert len(cycles(reader)) == 2
    assert writer.delete(PRODUCT, headers=admin).status_code == 204
    assert reader.get(PRODUCT).status_code == 404
    # Same slug, new product: the other worker's cached view of the old one is not served.
    writer.post("/api/v1/products", json={"slug": "aperturedb", "name": "New"}, headers=admin)
    assert reader.get(PRODUCT).json["name"] == "New"
    assert cycles(reader) == []
    assert reader.get(f"{PRODUCT}/releases").json == []


def test_a_read_does_not_rederive_when_nothing_changed(
    writer: FlaskClient, admin: dict[str, str], other: Flask
) -> None:
    reader = other.test_client()
    store = store_of(other)
    cycles(reader)
    first = store.cached("aperturedb")
    for path in [f"{PRODUCT}/cycles", PRODUCT, f"{PRODUCT}/releases", f"{PRODUCT}/cycles/2"]:
        assert reader.get(path).status_code == 200
        assert store.cached("aperturedb") is first, path
    # The list reads through the same cache.
    reader.get("/api/v1/products")
    assert store.cached("aperturedb") is first
    other_view = store.cached("other")

    # A write to one product re-derives that product only.
    writer.post(
        f"{PRODUCT}/releases", json={"version": "2.1.0", "released_on": "2025-06-01"}, headers=admin
    )
    cycles(reader)
    second = store.cached("aperturedb")
    assert second is not first
    assert second.revision > first.revision
    reader.get("/api/v1/products/other")
    assert store.cached("other") is other_view
    cycles(reader)
    assert store.cached("aperturedb") is second

    # A platform write moves every product's platforms revision.
    writer.patch("/api/v1/platforms/ubuntu", json={"name": "Ubuntu LTS"}, headers=admin)
    reader.get("/api/v1/products/other")
    assert store.cached("other") is not other_view


def test_reads_do_not_rederive_in_the_writing_worker_either(
    app: Flask, writer: FlaskClient, admin: dict[str, str]
) -> None:
    store = store_of(app)
    cycles(writer)
    first = store.cached("aperturedb")
    cycles(writer, "2030-01-01")  # another as-of date needs no new derivation
    assert store.cached("aperturedb") is first
    writer.patch(f"{PRODUCT}/releases/2.0.0", json={"notes": "LTS"}, headers=admin)
    assert writer.get(f"{PRODUCT}/releases/2.0.0").json["notes"] == "LTS"
    assert store.cached("aperturedb") is not first


def test_a_product_recreated_under_its_old_slug_is_not_served_from_a_stale_cache(
    database_url: str, tmp_path: Path
) -> None:
    """SQLite may reuse a deleted product's id; a worker's cache must still notice."""
    from app.auth import Role, create_token

    first, second = make_app(database_url, tmp_path), make_app(database_url, tmp_path)
    try:
        with first.app_context():
            secret, _ = create_token(Role.ADMIN, "recreate")
        headers = {"Authorization": f"Bearer {secret}"}
        a, b = first.test_client(), second.test_client()
        assert (
            a.post(
                "/api/v1/products", json={"slug": "zz", "name": "Old"}, headers=headers
            ).status_code
            == 201
        )
        assert b.get("/api/v1/products/zz").json["name"] == "Old"
        assert a.delete("/api/v1/products/zz", headers=headers).status_code == 204
        assert (
            a.post(
                "/api/v1/products", json={"slug": "zz", "name": "New"}, headers=headers
            ).status_code
            == 201
        )
        assert b.get("/api/v1/products/zz").json["name"] == "New"
    finally:
        dispose(first)
        dispose(second)


@pytest.fixture
def third(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """A third worker, for a write that races the first one's."""
    app = make_app(database_url, tmp_path)
    yield app
    dispose(app)


@pytest.mark.parametrize("field", ["name", "policy"])
def test_two_racing_patches_of_one_product_leave_no_worker_serving_the_first(
    app: Flask,
    writer: FlaskClient,
    admin: dict[str, str],
    other: Flask,
    third: Flask,
    field: str,
) -> None:
    """Two PATCHes read the same revision; each write must still move it.

    The first PATCH has read the product when the second one, from another worker,
    runs start to finish and a third worker caches its result; the first then
    writes. Had it written the revision it read plus one (the second one's), the
    third worker would keep serving the second PATCH's product for good.
    """
    import threading

    from sqlalchemy import event

    from app.catalogue.models import Product as ProductRow

    reader = other.test_client()
    bodies = {
        "name": ({"name": "First"}, {"name": "Second"}),
        "policy": ({"policy": {"full_support_cycles": 2}}, {"policy": {"eosl_months": 9}}),
    }
    first_body, second_body = bodies[field]
    racing = threading.get_ident()
    done: list[int] = []

    def second_patch_meanwhile(*_: Any) -> None:
        if threading.get_ident() != racing or done:
            return
        done.append(1)
        worker = threading.Thread(
            target=lambda: done.append(
                third.test_client().patch(PRODUCT, json=second_body, headers=admin).status_code
            )
        )
        worker.start()
        worker.join()
        # Another worker caches the product as the second PATCH left it.
        reader.get(PRODUCT)

    # Once the first PATCH has read the product's row, and before it writes anything.
    event.listen(ProductRow, "load", second_patch_meanwhile)
    try:
        answer = writer.patch(PRODUCT, json=first_body, headers=admin)
    finally:
        event.remove(ProductRow, "load", second_patch_meanwhile)
    assert answer.status_code == 200
    assert done == [1, 200]
    seen = reader.get(PRODUCT).json
    if field == "name":
        assert seen["name"] == "First"
    else:
        # Each PATCH writes the fields it changed: both edits stand.
        assert seen["policy"]["full_support_cycles"] == 2
        assert seen["policy"]["eosl_months"] == 9


def test_an_import_racing_a_patch_leaves_no_worker_serving_the_patch(
    app: Flask, writer: FlaskClient, admin: dict[str, str], other: Flask, third: Flask
) -> None:
    """As above, with a catalogue import as the write that read the product first."""
    import threading

    from sqlalchemy import event

    from app.catalogue.export import export_document
    from app.catalogue.files import load_catalogue
    from app.catalogue.models import Product as ProductRow
    from app.catalogue.transfer import import_catalogue

    reader = other.test_client()
    with app.app_context():
        document = export_document()
    for product in document["products"]:
        if product["slug"] == "aperturedb":
            product["name"] = "Imported"
    racing = threading.get_ident()
    done: list[int] = []

    def patch_meanwhile(*_: Any) -> None:
        if threading.get_ident() != racing or done:
            return
        done.append(1)
        worker = threading.Thread(
            target=lambda: done.append(
                third.test_client()
                .patch(PRODUCT, json={"description": "Patched"}, headers=admin)
                .status_code
            )
        )
        worker.start()
        worker.join()
        reader.get(PRODUCT)

    event.listen(ProductRow, "load", patch_meanwhile)
    try:
        with app.app_context():
            summary = import_catalogue(load_catalogue(document))
    finally:
        event.remove(ProductRow, "load", patch_meanwhile)
    assert summary.products_updated == 1
    assert done == [1, 200]
    seen = reader.get(PRODUCT).json
    # Each write changed one field; both stand, and no worker serves the first alone.
    assert (seen["name"], seen["description"]) == ("Imported", "Patched")
