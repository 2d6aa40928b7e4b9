"""Platforms and their versions through the API (SPEC 4), on both databases."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

PLATFORMS = "/api/v1/platforms"
UBUNTU = {
    "slug": "ubuntu",
    "name": "Ubuntu",
    "versions": [{"version": "22.04", "vendor_eol": "2027-06-01"}, {"version": "24.04"}],
}


def count(app: Flask, table: str) -> int:
    with app.extensions["db_engine"].connect() as conn:
        return int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


@pytest.fixture
def ubuntu(client: FlaskClient, admin: dict[str, str]) -> dict[str, Any]:
    answer = client.post(PLATFORMS, json=UBUNTU, headers=admin)
    assert answer.status_code == 201, answer.json
    return dict(answer.json)


def test_create_answers_201_with_location(
    client: FlaskClient, admin: dict[str, str], ubuntu: dict[str, Any]
) -> None:
    assert ubuntu == {
        "slug": "ubuntu",
        "name": "Ubuntu",
        "versions": [
            {"version": "22.04", "vendor_eol": "2027-06-01"},
            {"version": "24.04", "vendor_eol": None},
        ],
    }
    assert client.get(f"{PLATFORMS}/ubuntu").json == ubuntu
    again = client.post(PLATFORMS, json={"slug": "rhel", "name": "RHEL"}, headers=admin)
    assert again.headers["Location"].endswith("/api/v1/platforms/rhel")
    assert again.json["versions"] == []


def test_list_is_ordered_by_slug_and_public(client: FlaskClient, admin: dict[str, str]) -> None:
    for slug in ["windows-server", "rhel", "ubuntu"]:
        assert client.post(PLATFORMS, json={"slug": slug, "name": slug}, headers=admin).status_code
    listed = client.get(PLATFORMS)
    assert listed.status_code == 200
    assert [p["slug"] for p in listed.json] == ["rhel", "ubuntu", "windows-server"]


def test_patch_renames_and_keeps_versions(
    client: FlaskClient, admin: dict[str, str], ubuntu: dict[str, Any]
) -> None:
    answer = client.patch(f"{PLATFORMS}/ubuntu", json={"name": "Ubuntu LTS"}, headers=admin)
    assert answer.status_code == 200
    assert answer.json["name"] == "Ubuntu LTS"
    stored = client.get(f"{PLATFORMS}/ubuntu").json
    assert stored["name"] == "Ubuntu LTS"
    assert stored["versions"] == ubuntu["versions"]


@pytest.mark.parametrize(
    ("path_version", "vendor_eol", "status", "shown", "versions"),
    [
        pytest.param(
            "26.04",
            "2031-04-01",
            201,
            "26.04",
            [("22.04", "2027-06-01"), ("24.04", None), ("26.04", "2031-04-01")],
            id="new-version-added",
        ),
        pytest.param(
            "20.04",
            None,
            201,
            "20.04",
            [("22.04", "2027-06-01"), ("24.04", None), ("20.04", None)],
            id="new-version-without-eol",
        ),
        pytest.param(
            "24.04",
            "2029-06-01",
            200,
            "24.04",
            [("22.04", "2027-06-01"), ("24.04", "2029-06-01")],
            id="vendor-eol-set",
        ),
        pytest.param(
            "22.04",
            None,
            200,
            "22.04",
            [("22.04", None), ("24.04", None)],
            id="vendor-eol-cleared",
        ),
        pytest.param(
            "22.4",
            "2028-01-01",
            200,
            "22.04",
            [("22.04", "2028-01-01"), ("24.04", None)],
            id="equal-version-changes-the-recorded-one",
        ),
        pytest.param(
            "22.04.0",
            "2028-01-01",
            200,
            "22.04",
            [("22.04", "2028-01-01"), ("24.04", None)],
            id="trailing-zero-is-equal",
        ),
    ],
)
def test_put_version_adds_201_or_changes_200(
    client: FlaskClient,
    admin: dict[str, str],
    ubuntu: dict[str, Any],
    path_version: str,
    vendor_eol: str | None,
    status: int,
    shown: str,
    versions: list[tuple[str, str | None]],
) -> None:
    answer = client.put(
        f"{PLATFORMS}/ubuntu/versions/{path_version}",
        json={"vendor_eol": vendor_eol},
        headers=admin,
    )
    assert answer.status_code == status
    assert answer.json == {"version": shown, "vendor_eol": vendor_eol}
    stored = client.get(f"{PLATFORMS}/ubuntu").json["versions"]
    assert [(v["version"], v["vendor_eol"]) for v in stored] == versions


def test_text_versions_match_case_insensitively(client: FlaskClient, admin: dict[str, str]) -> None:
    client.post(
        PLATFORMS,
        json={
            "slug": "windows-server",
            "name": "Windows Server",
            "versions": [{"version": "2019"}],
        },
        headers=admin,
    )
    first = client.put(
        f"{PLATFORMS}/windows-server/versions/Datacenter Core",
        json={"vendor_eol": None},
        headers=admin,
    )
    assert first.status_code == 201
    second = client.put(
        f"{PLATFORMS}/windows-server/versions/datacenter core",
        json={"vendor_eol": "2029-01-09"},
        headers=admin,
    )
    assert second.status_code == 200
    assert second.json == {"version": "Datacenter Core", "vendor_eol": "2029-01-09"}
    versions = client.get(f"{PLATFORMS}/windows-server").json["versions"]
    assert [v["version"] for v in versions] == ["2019", "Datacenter Core"]


def test_vendor_eol_change_shows_in_the_cycles(
    client: FlaskClient, admin: dict[str, str], ubuntu: dict[str, Any]
) -> None:
    client.post("/api/v1/products", json={"slug": "p", "name": "P"}, headers=admin)
    client.post(
        "/api/v1/products/p/releases",
        json={"version": "1.0", "released_on": "2025-01-01"},
        headers=admin,
    )
    client.put(
        "/api/v1/products/p/cycles/1/platforms",
        json=[{"platform": "ubuntu", "version": "24.04"}],
        headers=admin,
    )
    assert client.get("/api/v1/products/p/cycles/1").json["platforms"][0]["vendor_eol"] is None
    client.put(
        f"{PLATFORMS}/ubuntu/versions/24.4", json={"vendor_eol": "2029-06-01"}, headers=admin
    )
    row = client.get("/api/v1/products/p/cycles/1").json["platforms"]
    assert row == [{"platform": "ubuntu", "version": "24.04", "vendor_eol": "2029-06-01"}]


def test_delete_removes_versions_and_their_matrix_rows(
    app: Flask, client: FlaskClient, admin: dict[str, str], ubuntu: dict[str, Any]
) -> None:
    client.post(
        PLATFORMS,
        json={"slug": "rhel", "name": "RHEL", "versions": [{"version": "9"}]},
        headers=admin,
    )
    client.post("/api/v1/products", json={"slug": "p", "name": "P"}, headers=admin)
    client.post(
        "/api/v1/products/p/releases",
        json={"version": "1.0", "released_on": "2025-01-01"},
        headers=admin,
    )
    row = [
        {"platform": "ubuntu", "version": "22.04"},
        {"platform": "rhel", "version": "9"},
        {"platform": "ubuntu", "version": "24.04"},
    ]
    client.put("/api/v1/products/p/cycles/1/platforms", json=row, headers=admin)
    client.put("/api/v1/products/p/cycles/2/platforms", json=row[:1], headers=admin)
    assert count(app, "matrix_entries") == 4
    assert len(client.get("/api/v1/products/p/cycles/1").json["platforms"]) == 3  # cached

    answer = client.delete(f"{PLATFORMS}/ubuntu", headers=admin)
    assert answer.status_code == 204
    assert client.get(f"{PLATFORMS}/ubuntu").status_code == 404
    assert [p["slug"] for p in client.get(PLATFORMS).json] == ["rhel"]
    assert count(app, "matrix_entries") == 1
    assert count(app, "platform_versions") == 1
    platforms = client.get("/api/v1/products/p/cycles/1").json["platforms"]
    assert platforms == [{"platform": "rhel", "version": "9", "vendor_eol": None}]
    assert client.delete(f"{PLATFORMS}/ubuntu", headers=admin).status_code == 404
    # Re-created, it is not in any matrix row.
    client.post(PLATFORMS, json=UBUNTU, headers=admin)
    platforms = client.get("/api/v1/products/p/cycles/1").json["platforms"]
    assert [p["platform"] for p in platforms] == ["rhel"]
