"""Products through the API (SPEC 6): create, list, read, change and delete, on both databases."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

PRODUCTS = "/api/v1/products"
DEFAULT_POLICY = {
    "cycle": "major",
    "full_support_cycles": 1,
    "security_cycles": 1,
    "eosl_months": 6,
}


def release(client: FlaskClient, admin: dict[str, str], slug: str, version: str, day: str) -> None:
    answer = client.post(
        f"{PRODUCTS}/{slug}/releases", json={"version": version, "released_on": day}, headers=admin
    )
    assert answer.status_code == 201, answer.json


def count(app: Flask, table: str) -> int:
    with app.extensions["db_engine"].connect() as conn:
        return int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


@pytest.mark.parametrize(
    ("body", "policy"),
    [
        pytest.param({}, DEFAULT_POLICY, id="default-policy"),
        pytest.param(
            {"policy": {"cycle": "minor", "full_support_cycles": 3}},
            {"cycle": "minor", "full_support_cycles": 3, "security_cycles": 1, "eosl_months": 6},
            id="partial-policy-takes-defaults",
        ),
        pytest.param(
            {
                "policy": {
                    "cycle": "major",
                    "full_support_cycles": 2,
                    "security_cycles": 0,
                    "eosl_months": 12,
                }
            },
            {"cycle": "major", "full_support_cycles": 2, "security_cycles": 0, "eosl_months": 12},
            id="full-policy",
        ),
    ],
)
def test_create_answers_201_with_location_and_the_product(
    client: FlaskClient, admin: dict[str, str], body: dict[str, Any], policy: dict[str, Any]
) -> None:
    answer = client.post(
        PRODUCTS,
        json={"slug": "aperturedb", "name": "ApertureDB", "description": "A DB.", **body},
        headers=admin,
    )
    assert answer.status_code == 201
    assert answer.mimetype == "application/json"
    assert answer.headers["Location"].endswith("/api/v1/products/aperturedb")
    assert answer.json["slug"] == "aperturedb"
    assert answer.json["name"] == "ApertureDB"
    assert answer.json["description"] == "A DB."
    assert answer.json["policy"] == policy
    assert answer.json["cycles"] == []
    assert answer.json["releases"] == 0
    follow = client.get(answer.headers["Location"])
    assert follow.status_code == 200
    assert follow.json["policy"] == policy


def test_list_is_ordered_by_slug_with_each_newest_cycle_status(
    client: FlaskClient, admin: dict[str, str]
) -> None:
    for slug in ["zeta", "alpha", "mid"]:
        assert (
            client.post(
                PRODUCTS, json={"slug": slug, "name": slug.title()}, headers=admin
            ).status_code
            < 300
        )
    release(client, admin, "alpha", "1.0.0", "2024-01-01")
    release(client, admin, "alpha", "2.0.0", "2027-01-01")
    release(client, admin, "mid", "1.0.0", "2020-01-01")

    listed = client.get(f"{PRODUCTS}?as_of=2026-06-01").json
    assert [p["slug"] for p in listed] == ["alpha", "mid", "zeta"]
    by_slug = {p["slug"]: p for p in listed}
    # alpha's newest GA cycle (2) is planned on that day; zeta has no release at all.
    assert by_slug["alpha"]["status"] == "planned"
    assert by_slug["alpha"]["releases"] == 2
    assert by_slug["mid"]["status"] == "current"
    assert by_slug["zeta"]["status"] is None
    assert "cycles" not in by_slug["alpha"]
    # as_of moves the status.
    later = {p["slug"]: p for p in client.get(f"{PRODUCTS}?as_of=2027-01-01").json}
    assert later["alpha"]["status"] == "current"


def test_list_needs_no_token_and_is_empty_at_first(client: FlaskClient) -> None:
    answer = client.get(PRODUCTS)
    assert answer.status_code == 200
    assert answer.json == []


def test_detail_has_policy_and_cycles_as_of_the_date(
    client: FlaskClient, admin: dict[str, str]
) -> None:
    client.post(PRODUCTS, json={"slug": "aperturedb", "name": "ApertureDB"}, headers=admin)
    release(client, admin, "aperturedb", "1.4.2", "2025-01-10")
    release(client, admin, "aperturedb", "2.0.0", "2026-03-02")
    body = client.get(f"{PRODUCTS}/aperturedb?as_of=2026-11-22").json
    assert body["as_of"] == "2026-11-22"
    assert body["policy"] == DEFAULT_POLICY
    assert [(c["cycle"], c["status"]) for c in body["cycles"]] == [
        ("2", "current"),
        ("1", "security_only"),
    ]
    assert body["cycles"][1]["security_only_from"] == "2026-03-02"
    before = client.get(f"{PRODUCTS}/aperturedb?as_of=2026-01-01").json
    assert [(c["cycle"], c["status"]) for c in before["cycles"]] == [
        ("2", "planned"),
        ("1", "current"),
    ]


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        pytest.param({"name": "Aperture DB"}, {"name": "Aperture DB"}, id="name"),
        pytest.param({"description": "New."}, {"description": "New."}, id="description"),
        pytest.param({"description": None}, {"description": None}, id="description-cleared"),
        pytest.param(
            {"policy": {"eosl_months": 12}},
            {"policy": {**DEFAULT_POLICY, "eosl_months": 12}},
            id="one-policy-field-keeps-the-others",
        ),
        pytest.param({}, {"name": "ApertureDB", "description": "Old."}, id="nothing"),
    ],
)
def test_patch_changes_only_what_it_names(
    client: FlaskClient,
    admin: dict[str, str],
    patch: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    client.post(
        PRODUCTS,
        json={"slug": "aperturedb", "name": "ApertureDB", "description": "Old."},
        headers=admin,
    )
    answer = client.patch(f"{PRODUCTS}/aperturedb", json=patch, headers=admin)
    assert answer.status_code == 200
    stored = client.get(f"{PRODUCTS}/aperturedb").json
    for key, value in expected.items():
        assert answer.json[key] == value
        assert stored[key] == value
    untouched = {"name", "description"} - set(patch)
    for key in untouched:
        assert stored[key] == {"name": "ApertureDB", "description": "Old."}[key]
    assert stored["slug"] == "aperturedb"


def test_patch_policy_moves_the_cycle_dates(client: FlaskClient, admin: dict[str, str]) -> None:
    client.post(PRODUCTS, json={"slug": "aperturedb", "name": "ApertureDB"}, headers=admin)
    for version, day in [("1.0.0", "2024-01-10"), ("2.0.0", "2025-01-10"), ("3.0.0", "2026-01-10")]:
        release(client, admin, "aperturedb", version, day)
    first = client.get(f"{PRODUCTS}/aperturedb/cycles/1?as_of=2025-06-01").json
    assert first["status"] == "security_only"
    assert first["eosl_on"] == "2026-07-10"

    patched = client.patch(
        f"{PRODUCTS}/aperturedb",
        json={"policy": {"full_support_cycles": 2, "eosl_months": 12}},
        headers=admin,
    )
    assert patched.status_code == 200
    first = client.get(f"{PRODUCTS}/aperturedb/cycles/1?as_of=2025-06-01").json
    assert first["status"] == "current"
    assert first["security_only_from"] == "2026-01-10"
    assert first["eol_on"] is None
    assert first["eosl_on"] is None


def test_delete_removes_the_product_and_its_releases(
    app: Flask, client: FlaskClient, admin: dict[str, str]
) -> None:
    client.post(PRODUCTS, json={"slug": "aperturedb", "name": "ApertureDB"}, headers=admin)
    client.post(PRODUCTS, json={"slug": "other", "name": "Other"}, headers=admin)
    release(client, admin, "aperturedb", "1.0.0", "2024-01-10")
    release(client, admin, "aperturedb", "2.0.0", "2025-01-10")
    release(client, admin, "other", "1.0.0", "2024-01-10")
    assert client.get(f"{PRODUCTS}/aperturedb").status_code == 200  # warm the cache

    answer = client.delete(f"{PRODUCTS}/aperturedb", headers=admin)
    assert answer.status_code == 204
    assert answer.data == b""
    for path in ["", "/releases", "/releases/1.0.0", "/cycles", "/cycles/1"]:
        gone = client.get(f"{PRODUCTS}/aperturedb{path}")
        assert gone.status_code == 404, path
        assert gone.mimetype == "application/problem+json"
    assert client.delete(f"{PRODUCTS}/aperturedb", headers=admin).status_code == 404
    assert [p["slug"] for p in client.get(PRODUCTS).json] == ["other"]
    assert count(app, "releases") == 1  # only other's

    # The slug is free again, and the new product starts with no releases.
    client.post(PRODUCTS, json={"slug": "aperturedb", "name": "Again"}, headers=admin)
    assert client.get(f"{PRODUCTS}/aperturedb/releases").json == []
    assert client.get(f"{PRODUCTS}/aperturedb").json["name"] == "Again"


def test_delete_removes_the_products_matrix_rows(
    app: Flask, client: FlaskClient, admin: dict[str, str]
) -> None:
    client.post(PRODUCTS, json={"slug": "aperturedb", "name": "ApertureDB"}, headers=admin)
    client.post(
        "/api/v1/platforms",
        json={"slug": "ubuntu", "name": "Ubuntu", "versions": [{"version": "22.04"}]},
        headers=admin,
    )
    row = [{"platform": "ubuntu", "version": "22.04"}]
    assert (
        client.put(f"{PRODUCTS}/aperturedb/cycles/1/platforms", json=row, headers=admin).status_code
        < 300
    )
    assert count(app, "matrix_entries") == 1
    assert client.delete(f"{PRODUCTS}/aperturedb", headers=admin).status_code == 204
    assert count(app, "matrix_entries") == 0
    # The platform is not the product's: it stays.
    assert client.get("/api/v1/platforms/ubuntu").status_code == 200


def test_limits_take_their_boundary_values(client: FlaskClient, admin: dict[str, str]) -> None:
    """The refusals in test_bad_input start one past these: 64, 200 and 10,000 are allowed."""
    slug = "a" + "-0" * 31 + "z"
    description = ("Line one,\ttabbed.\r\n" * 1000)[:10_000]
    answer = client.post(
        PRODUCTS,
        json={"slug": slug, "name": "N" * 200, "description": description},
        headers=admin,
    )
    assert answer.status_code == 201, answer.json
    stored = client.get(f"{PRODUCTS}/{slug}").json
    assert len(stored["slug"]) == 64
    assert stored["name"] == "N" * 200
    assert stored["description"] == description


@pytest.mark.parametrize(
    "request_options",
    [
        pytest.param({"json": {}}, id="empty-object"),
        pytest.param({}, id="no-body"),
        pytest.param({"data": b"", "content_type": "application/json"}, id="empty-json-body"),
    ],
)
def test_an_empty_patch_changes_nothing(
    app: Flask, client: FlaskClient, admin: dict[str, str], request_options: dict[str, Any]
) -> None:
    client.post(PRODUCTS, json={"slug": "aperturedb", "name": "ApertureDB"}, headers=admin)
    release(client, admin, "aperturedb", "1.0.0", "2024-01-10")
    client.get(f"{PRODUCTS}/aperturedb")
    cached = app.extensions["catalogue"].cached("aperturedb")
    for path in ["", "/releases/1.0.0"]:
        answer = client.patch(f"{PRODUCTS}/aperturedb{path}", headers=admin, **request_options)
        assert answer.status_code == 200
    with app.extensions["db_engine"].connect() as conn:
        revision = conn.execute(text("SELECT revision FROM products")).scalar_one()
    assert revision == cached.revision
    client.get(f"{PRODUCTS}/aperturedb")
    assert app.extensions["catalogue"].cached("aperturedb") is cached
