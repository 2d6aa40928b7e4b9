"""A first walk through the catalogue API, on both databases."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_product_release_and_cycles_round_trip(client: FlaskClient, admin: dict[str, str]) -> None:
    created = client.post(
        "/api/v1/products", json={"slug": "aperturedb", "name": "ApertureDB"}, headers=admin
    )
    assert created.status_code == 201
    assert created.headers["Location"].endswith("/api/v1/products/aperturedb")
    for version, day in [("1.4.2", "2025-01-10"), ("2.0.0", "2026-03-02"), ("3.0.0", "2027-03-01")]:
        answer = client.post(
            "/api/v1/products/aperturedb/releases",
            json={"version": version, "released_on": day},
            headers=admin,
        )
        assert answer.status_code == 201, answer.json
    cycles = client.get("/api/v1/products/aperturedb/cycles?as_of=2026-11-22").json
    assert [(c["cycle"], c["status"]) for c in cycles] == [
        ("3", "planned"),
        ("2", "current"),
        ("1", "security_only"),
    ]
    assert cycles[2]["eol_on"] == "2027-03-01"
    assert cycles[2]["eosl_on"] == "2027-09-01"
