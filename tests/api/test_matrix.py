"""The support matrix through the API (SPEC 4): PUT a cycle's row, on both databases."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

BASE = "/api/v1/products/aperturedb"


@pytest.fixture
def catalogue(client: FlaskClient, admin: dict[str, str]) -> FlaskClient:
    """aperturedb 1.0 and 2.0; ubuntu 22.04 and 24.04; rhel 8 and 9; windows-server 2019."""
    assert (
        client.post(
            "/api/v1/products", json={"slug": "aperturedb", "name": "ApertureDB"}, headers=admin
        ).status_code
        == 201
    )
    for version, day in [("1.0.0", "2024-01-01"), ("2.0.0", "2025-01-01")]:
        client.post(
            f"{BASE}/releases", json={"version": version, "released_on": day}, headers=admin
        )
    for slug, versions in [
        ("ubuntu", ["22.04", "24.04"]),
        ("rhel", ["8", "9"]),
        ("windows-server", ["2019"]),
    ]:
        answer = client.post(
            "/api/v1/platforms",
            json={"slug": slug, "name": slug, "versions": [{"version": v} for v in versions]},
            headers=admin,
        )
        assert answer.status_code == 201
    return client


def put_row(
    client: FlaskClient, admin: dict[str, str], cycle: str, row: list[dict[str, str]]
) -> Any:
    return client.put(f"{BASE}/cycles/{cycle}/platforms", json=row, headers=admin)


def shown(client: FlaskClient, cycle: str) -> list[tuple[str, str]]:
    platforms = client.get(f"{BASE}/cycles/{cycle}").json["platforms"]
    return [(p["platform"], p["version"]) for p in platforms]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        pytest.param(
            [{"platform": "ubuntu", "version": "22.04"}],
            [("ubuntu", "22.04")],
            id="one",
        ),
        pytest.param(
            [{"platform": "ubuntu", "version": "22.4"}],
            [("ubuntu", "22.04")],
            id="22.4-matches-22.04-shown-as-recorded",
        ),
        pytest.param(
            [{"platform": "rhel", "version": "9.0"}, {"platform": "rhel", "version": "v9"}],
            [("rhel", "9")],
            id="equal-versions-once",
        ),
        pytest.param(
            [{"platform": "windows-server", "version": " 2019 "}],
            [("windows-server", "2019")],
            id="whitespace-trimmed",
        ),
        pytest.param(
            [
                {"platform": "ubuntu", "version": "24.04"},
                {"platform": "rhel", "version": "8"},
                {"platform": "ubuntu", "version": "22.04"},
            ],
            [("rhel", "8"), ("ubuntu", "22.04"), ("ubuntu", "24.04")],
            id="ordered-by-platform-then-version",
        ),
        pytest.param([], [], id="empty-row-clears"),
    ],
)
def test_put_row(
    catalogue: FlaskClient,
    admin: dict[str, str],
    row: list[dict[str, str]],
    expected: list[tuple[str, str]],
) -> None:
    answer = put_row(catalogue, admin, "2", row)
    assert answer.status_code == 200
    assert [(e["platform"], e["version"]) for e in answer.json] == expected
    assert shown(catalogue, "2") == expected
    assert shown(catalogue, "1") == []


def test_put_replaces_the_whole_row(catalogue: FlaskClient, admin: dict[str, str]) -> None:
    put_row(
        catalogue,
        admin,
        "1",
        [{"platform": "ubuntu", "version": "22.04"}, {"platform": "rhel", "version": "8"}],
    )
    put_row(catalogue, admin, "2", [{"platform": "ubuntu", "version": "24.04"}])
    assert shown(catalogue, "1") == [("rhel", "8"), ("ubuntu", "22.04")]

    answer = put_row(catalogue, admin, "1", [{"platform": "rhel", "version": "9"}])
    assert answer.status_code == 200
    assert shown(catalogue, "1") == [("rhel", "9")]
    # Other cycles keep theirs.
    assert shown(catalogue, "2") == [("ubuntu", "24.04")]


@pytest.mark.parametrize("key", ["2", "2.0", "v2", "2.0.0"])
def test_cycle_key_is_normalized(catalogue: FlaskClient, admin: dict[str, str], key: str) -> None:
    assert put_row(catalogue, admin, key, [{"platform": "rhel", "version": "9"}]).status_code == 200
    assert shown(catalogue, "2") == [("rhel", "9")]


def test_a_cycle_no_release_has_yet_takes_rows_in_advance(
    catalogue: FlaskClient, admin: dict[str, str]
) -> None:
    answer = put_row(catalogue, admin, "3", [{"platform": "ubuntu", "version": "24.04"}])
    assert answer.status_code == 200
    assert answer.json == [{"platform": "ubuntu", "version": "24.04"}]
    assert catalogue.get(f"{BASE}/cycles/3").status_code == 404  # no release yet

    catalogue.post(
        f"{BASE}/releases", json={"version": "3.0.0", "released_on": "2026-06-01"}, headers=admin
    )
    cycle = catalogue.get(f"{BASE}/cycles/3?as_of=2026-01-01").json
    assert cycle["status"] == "planned"
    assert [(p["platform"], p["version"]) for p in cycle["platforms"]] == [("ubuntu", "24.04")]


def test_minor_policy_rows_are_per_minor_cycle(client: FlaskClient, admin: dict[str, str]) -> None:
    client.post(
        "/api/v1/products",
        json={"slug": "aperturedb", "name": "A", "policy": {"cycle": "minor"}},
        headers=admin,
    )
    for version in ["1.27.0", "1.28.0"]:
        client.post(
            f"{BASE}/releases",
            json={"version": version, "released_on": "2025-01-01"},
            headers=admin,
        )
    client.post(
        "/api/v1/platforms",
        json={"slug": "rhel", "name": "RHEL", "versions": [{"version": "9"}]},
        headers=admin,
    )
    assert (
        put_row(client, admin, "1.027", [{"platform": "rhel", "version": "9"}]).status_code == 200
    )
    assert shown(client, "1.27") == [("rhel", "9")]
    assert shown(client, "1.28") == []


@pytest.mark.parametrize(
    ("row", "errors"),
    [
        pytest.param(
            [{"platform": "solaris", "version": "11"}],
            {"0": ["platform", "solaris"]},
            id="unknown-platform",
        ),
        pytest.param(
            [
                {"platform": "ubuntu", "version": "22.04"},
                {"platform": "ubuntu", "version": "18.04"},
            ],
            {"1": ["version", "18.04"]},
            id="unknown-platform-version",
        ),
        pytest.param(
            [
                {"platform": "aix", "version": "7"},
                {"platform": "rhel", "version": "9"},
                {"platform": "rhel", "version": "7"},
            ],
            {"0": ["platform", "aix"], "2": ["version", "7"]},
            id="each-unknown-named",
        ),
    ],
)
def test_unknown_platforms_or_versions_are_refused_and_named(
    catalogue: FlaskClient, admin: dict[str, str], row: list[dict[str, str]], errors: dict[str, Any]
) -> None:
    put_row(catalogue, admin, "2", [{"platform": "ubuntu", "version": "24.04"}])
    answer = put_row(catalogue, admin, "2", row)
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    body = answer.json
    assert set(body["errors"]) == set(errors)
    for index, (field, name) in errors.items():
        assert field in body["errors"][index]
        assert name in " ".join(body["errors"][index][field])
        assert name in body["detail"]
    # Nothing of the refused row was written.
    assert shown(catalogue, "2") == [("ubuntu", "24.04")]


def test_a_cycle_key_too_long_once_normalized_is_refused(
    client: FlaskClient, admin: dict[str, str]
) -> None:
    # Under a minor policy "1...1" (64 digits) is the cycle "1...1.0": too long to store.
    client.post(
        "/api/v1/products",
        json={"slug": "aperturedb", "name": "A", "policy": {"cycle": "minor"}},
        headers=admin,
    )
    answer = put_row(client, admin, "1" * 64, [])
    assert answer.status_code == 422
    assert answer.json["code"] == "invalid_cycle"
    assert "cycle" in answer.json["errors"]
