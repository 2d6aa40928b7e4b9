"""The read model's speed tricks answer as its plain paths do, on the same inputs."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from app import db
from app.catalogue.probe import plain_revisions
from app.catalogue.store import CatalogueStore


def test_the_raw_revision_probe_answers_as_the_orm_query(
    app: Flask, client: FlaskClient, admin: dict[str, str]
) -> None:
    for slug in ("aperturedb", "other"):
        assert (
            client.post(
                "/api/v1/products", json={"slug": slug, "name": slug}, headers=admin
            ).status_code
            == 201
        )
    client.post(
        "/api/v1/products/aperturedb/releases",
        json={"version": "1.0.0", "released_on": "2024-01-10"},
        headers=admin,
    )
    client.post("/api/v1/platforms", json={"slug": "ubuntu", "name": "Ubuntu"}, headers=admin)
    store: CatalogueStore = app.extensions["catalogue"]
    with app.app_context():
        for slug in ("aperturedb", "other", "missing", "a" * 64):
            with db.reading() as session:
                plain = plain_revisions(session, slug)
            assert store.probe.revisions(slug) == plain, slug
        with db.reading() as session:
            assert plain_revisions(session, "missing") is None


def test_a_platform_change_reloads_no_product_but_gives_every_one_the_new_platforms(
    app: Flask, client: FlaskClient, admin: dict[str, str]
) -> None:
    """After a platform write a product keeps its derived cycles (no re-derivation) and
    takes the new matrix and registry."""
    client.post(
        "/api/v1/platforms",
        json={"slug": "ubuntu", "name": "Ubuntu", "versions": [{"version": "22.04"}]},
        headers=admin,
    )
    client.post("/api/v1/products", json={"slug": "p", "name": "P"}, headers=admin)
    client.post(
        "/api/v1/products/p/releases",
        json={"version": "1.0.0", "released_on": "2024-01-10"},
        headers=admin,
    )
    client.put(
        "/api/v1/products/p/cycles/1/platforms",
        json=[{"platform": "ubuntu", "version": "22.04"}],
        headers=admin,
    )
    store: CatalogueStore = app.extensions["catalogue"]
    client.get("/api/v1/products/p")
    before = store.cached("p")
    assert before is not None
    client.put(
        "/api/v1/platforms/ubuntu/versions/22.04", json={"vendor_eol": "2027-06-01"}, headers=admin
    )
    cycle = client.get("/api/v1/products/p/cycles/1").json
    assert cycle["platforms"] == [
        {"platform": "ubuntu", "version": "22.04", "vendor_eol": "2027-06-01"}
    ]
    after = store.cached("p")
    assert after is not None and after is not before
    assert after.cycles is before.cycles
    assert after.platforms_revision > before.platforms_revision
