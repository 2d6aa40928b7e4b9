"""Bearer tokens on the catalogue API (SPEC 6): 401 without a valid token, 403 with too weak a
role, nothing written either way; reads are public."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from app.auth import Role, create_token, revoke_token
from tests.factories import DATABASES, Call, World, world

PRODUCTS = "/api/v1/products"
PRODUCT = f"{PRODUCTS}/aperturedb"
PLATFORMS = "/api/v1/platforms"

# Every call that needs a token, as the OpenAPI document names it, with a path and a body
# an admin would be allowed to send (in this order, each succeeds on the seeded catalogue).
CALLS: list[tuple[str, str, str, Any]] = [
    ("POST", "/products", PRODUCTS, {"slug": "newprod", "name": "New"}),
    ("PATCH", "/products/{slug}", PRODUCT, {"name": "Renamed"}),
    (
        "POST",
        "/products/{slug}/releases",
        f"{PRODUCT}/releases",
        {"version": "4.0.0", "released_on": "2027-06-01"},
    ),
    ("PATCH", "/products/{slug}/releases/{version}", f"{PRODUCT}/releases/2.1", {"notes": "n"}),
    (
        "PUT",
        "/products/{slug}/cycles/{cycle}/platforms",
        f"{PRODUCT}/cycles/2/platforms",
        [{"platform": "ubuntu", "version": "24.04"}],
    ),
    ("POST", "/platforms", PLATFORMS, {"slug": "debian", "name": "Debian"}),
    ("PATCH", "/platforms/{slug}", f"{PLATFORMS}/ubuntu", {"name": "Renamed"}),
    (
        "PUT",
        "/platforms/{slug}/versions/{version}",
        f"{PLATFORMS}/ubuntu/versions/26.04",
        {"vendor_eol": None},
    ),
    ("DELETE", "/products/{slug}/releases/{version}", f"{PRODUCT}/releases/2.1", None),
    ("DELETE", "/platforms/{slug}", f"{PLATFORMS}/ubuntu", None),
    ("DELETE", "/products/{slug}", PRODUCT, None),
]
PROTECTED = [
    pytest.param(method, path, body, id=f"{method.lower()}-{template}")
    for method, template, path, body in CALLS
]

PUBLIC = [
    PRODUCTS,
    PRODUCT,
    f"{PRODUCT}/releases",
    f"{PRODUCT}/releases/2.1",
    f"{PRODUCT}/cycles",
    f"{PRODUCT}/cycles/2",
    PLATFORMS,
    f"{PLATFORMS}/ubuntu",
]


SEED: list[Call] = [
    ("POST", PRODUCTS, {"slug": "aperturedb", "name": "ApertureDB"}),
    ("POST", f"{PRODUCT}/releases", {"version": "1.4.2", "released_on": "2025-01-10"}),
    ("POST", f"{PRODUCT}/releases", {"version": "2.1", "released_on": "2026-03-02"}),
    (
        "POST",
        PLATFORMS,
        {
            "slug": "ubuntu",
            "name": "Ubuntu",
            "versions": [{"version": "22.04"}, {"version": "24.04"}],
        },
    ),
    ("PUT", f"{PRODUCT}/cycles/2/platforms", [{"platform": "ubuntu", "version": "22.04"}]),
]


@dataclass
class Guarded:
    """The seeded world, headers for each kind of caller, and the rows after seeding."""

    world: World
    headers: dict[str, dict[str, str]]
    baseline: dict[str, list[str]]


@pytest.fixture(scope="module", params=DATABASES)
def guarded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[Guarded]:
    with world(request.param, tmp_path_factory, sqlite_template) as found:
        found.seed(SEED)
        _, support = found.token(Role.SUPPORT)
        revoked_name, revoked = found.token(Role.ADMIN)
        with found.app.app_context():
            revoke_token(revoked_name)
        secret = found.admin["Authorization"].removeprefix("Bearer ")
        headers = {
            "missing": {},
            "garbage": {"Authorization": "Bearer lct_not-a-real-token"},
            "empty-bearer": {"Authorization": "Bearer "},
            "basic-scheme": {"Authorization": f"Basic {secret}"},
            "token-without-scheme": {"Authorization": secret},
            "revoked-admin": revoked,
            "support": support,
            "admin": found.admin,
        }
        yield Guarded(found, headers, found.rows())


REFUSALS = [
    ("missing", 401),
    ("garbage", 401),
    ("empty-bearer", 401),
    ("basic-scheme", 401),
    ("token-without-scheme", 401),
    ("revoked-admin", 401),
    ("support", 403),
]


@pytest.mark.parametrize(("method", "path", "body"), PROTECTED)
@pytest.mark.parametrize(("who", "status"), REFUSALS, ids=[w for w, _ in REFUSALS])
def test_protected_calls_refuse_without_a_valid_admin_token(
    guarded: Guarded, method: str, path: str, body: Any, who: str, status: int
) -> None:
    answer = guarded.world.client.open(path, method=method, json=body, headers=guarded.headers[who])
    assert answer.status_code == status
    assert answer.mimetype == "application/problem+json"
    problem = answer.json
    assert problem["status"] == status
    assert {"type", "title", "detail"} <= set(problem)
    if status == 401:
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    else:
        assert "support" in problem["detail"]
    assert guarded.world.rows() == guarded.baseline


@pytest.mark.parametrize(
    ("who", "status"), [("missing", 401), ("support", 403)], ids=["missing", "support"]
)
@pytest.mark.parametrize(
    ("content_type", "data"),
    [("application/json", b"{not json"), ("application/json", b'{"id": 1}')],
    ids=["malformed", "invalid"],
)
def test_the_token_is_checked_before_the_body(
    guarded: Guarded, who: str, status: int, content_type: str, data: bytes
) -> None:
    answer = guarded.world.client.post(
        PRODUCTS, data=data, content_type=content_type, headers=guarded.headers[who]
    )
    assert answer.status_code == status
    assert guarded.world.rows() == guarded.baseline


@pytest.mark.parametrize("path", PUBLIC)
@pytest.mark.parametrize("who", ["missing", "support", "admin"])
def test_reads_are_public(guarded: Guarded, path: str, who: str) -> None:
    answer = guarded.world.client.get(path, headers=guarded.headers[who])
    assert answer.status_code == 200
    assert answer.mimetype == "application/json"


def test_protected_list_covers_every_secured_catalogue_operation(guarded: Guarded) -> None:
    """PROTECTED above is the whole list: the OpenAPI document marks no other call."""
    spec = guarded.world.client.get("/api/openapi.json").json
    secured = {
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        if path.startswith((PRODUCTS, PLATFORMS))
        for method, operation in operations.items()
        if isinstance(operation, dict) and operation.get("security")
    }
    assert {(method, f"/api/v1{template}") for method, template, _, _ in CALLS} == secured


def test_admin_may_do_each_protected_call(
    app: Flask, client: FlaskClient, admin: dict[str, str], support: dict[str, str]
) -> None:
    for method, path, body in SEED:
        assert client.open(path, method=method, json=body, headers=admin).status_code < 300
    for method, _, path, body in CALLS:
        refused = client.open(path, method=method, json=body, headers=support)
        assert refused.status_code == 403, (method, path)
        answer = client.open(path, method=method, json=body, headers=admin)
        assert answer.status_code in (200, 201, 204), (method, path, answer.json)


def test_a_token_stops_working_when_revoked(app: Flask, client: FlaskClient) -> None:
    name = "ops-laptop"
    with app.app_context():
        secret, _ = create_token(Role.ADMIN, name)
    # Only the hash is stored.
    with app.extensions["db_engine"].connect() as conn:
        stored = conn.execute(
            text("SELECT token_hash FROM api_tokens WHERE name = :n"), {"n": name}
        )
        assert secret not in str(stored.scalar_one())
    headers = {"Authorization": f"bearer {secret}"}  # the scheme is case-insensitive
    first = client.post(PRODUCTS, json={"slug": "one", "name": "One"}, headers=headers)
    assert first.status_code == 201
    with app.app_context():
        revoke_token(name)
    second = client.post(PRODUCTS, json={"slug": "two", "name": "Two"}, headers=headers)
    assert second.status_code == 401
    assert second.headers["WWW-Authenticate"].startswith("Bearer")
    assert [p["slug"] for p in client.get(PRODUCTS).json] == ["one"]
