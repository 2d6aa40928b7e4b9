"""A product page is rendered once per change of its product, never served stale."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_a_cached_page_shows_a_new_release_at_once(
    client: FlaskClient, admin: dict[str, str]
) -> None:
    client.post("/api/v1/products", json={"slug": "pc", "name": "Page Cache"}, headers=admin)
    release = {"version": "1.0.0", "released_on": "2025-01-01"}
    client.post("/api/v1/products/pc/releases", json=release, headers=admin)
    first = client.get("/products/pc?as_of=2026-01-01")
    assert first.status_code == 200
    assert client.get("/products/pc?as_of=2026-01-01").data == first.data
    assert b"7.7.7" not in first.data
    newer = {"version": "7.7.7", "released_on": "2025-06-01"}
    assert client.post("/api/v1/products/pc/releases", json=newer, headers=admin).status_code == 201
    assert b"7.7.7" in client.get("/products/pc?as_of=2026-01-01").data


def test_pages_for_other_dates_and_checks_are_not_mixed_up(
    client: FlaskClient, admin: dict[str, str]
) -> None:
    client.post("/api/v1/products", json={"slug": "pd", "name": "Dates"}, headers=admin)
    for version, day in [("1.0", "2024-01-01"), ("2.0", "2025-01-01"), ("3.0", "2026-01-01")]:
        body = {"version": version, "released_on": day}
        client.post("/api/v1/products/pd/releases", json=body, headers=admin)
    early = client.get("/products/pd?as_of=2024-06-01").data
    late = client.get("/products/pd?as_of=2027-06-01").data
    assert early != late
    checked = client.get("/products/pd?as_of=2027-06-01&version=1.0").data
    assert checked != late
    assert client.get("/products/pd?as_of=2027-06-01").data == late
