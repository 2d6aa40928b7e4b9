"""Releases through the API: SPEC 2 (versions) and 3.2 (release statuses), on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.factories import DATABASES, Call, World, world

PRODUCTS = "/api/v1/products"
BASE = f"{PRODUCTS}/aperturedb"

# (version as recorded, released_on): a pre-release and a planned GA release included.
HISTORY = [
    ("1.0.0", "2024-01-15"),
    ("1.4.2", "2025-01-10"),
    ("2.0.0", "2026-03-02"),
    ("2.5.1", "2026-09-01"),
    ("3.0.0-rc.1", "2027-01-15"),
    ("3.0.0", "2027-03-01"),
]
SHUFFLED = [HISTORY[i] for i in (3, 0, 5, 1, 4, 2)]

# (recorded, asked): two strings of one release; the first is recorded, found by the second.
EQUAL = [
    pytest.param("2.1", "2.1.0", id="short-recorded-long-asked"),
    pytest.param("2.1.0", "2.1", id="long-recorded-short-asked"),
    pytest.param("2.1.0", "2.1.0.0", id="extra-zero"),
    pytest.param("2.1.0", "v2.1", id="v-prefix-asked"),
    pytest.param("V2.1.0", "2.1", id="capital-v-recorded"),
    pytest.param("2.1.0", "2.1.0+build.7", id="build-metadata-asked"),
    pytest.param("2.1.0+build.7", "2.1", id="build-metadata-recorded"),
    pytest.param("2.0.0-rc.1", "2.0.0rc1", id="semver-pre-release"),
    pytest.param("1.0.0-beta.11", "1.0.0b11", id="semver-beta"),
]

# (version, prerelease, status on 2026-01-01), all recorded on 2025-01-01 in product "kinds".
KINDS = [
    pytest.param("4.0.0a1", True, "prerelease", id="alpha"),
    pytest.param("4.0.0b2", True, "prerelease", id="beta"),
    pytest.param("4.0.0rc1", True, "prerelease", id="rc"),
    pytest.param("4.0.0.dev3", True, "prerelease", id="dev"),
    pytest.param("4.0.0-rc.2", True, "prerelease", id="semver-rc"),
    pytest.param("4.0.0.post1", False, "current", id="post-is-ga"),
    pytest.param("4.0.0+build.9", False, "current", id="build-metadata-is-ga"),
]


def releases_of(slug: str, history: list[tuple[str, str]]) -> list[Call]:
    return [("POST", PRODUCTS, {"slug": slug, "name": slug.title()})] + [
        ("POST", f"{PRODUCTS}/{slug}/releases", {"version": v, "released_on": d, "notes": "n"})
        for v, d in history
    ]


@pytest.fixture(scope="module", params=DATABASES)
def catalogue(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[World]:
    """Read-only cases share these products, seeded once per database."""
    with world(request.param, tmp_path_factory, sqlite_template) as found:
        calls = releases_of("aperturedb", SHUFFLED)
        for i, case in enumerate(EQUAL):
            calls += releases_of(f"equal-{i}", [(case.values[0], "2025-01-10")])
        calls += releases_of(
            "kinds", [("1.0.0", "2020-01-01")] + [(k.values[0], "2025-01-01") for k in KINDS]
        )
        found.seed(calls)
        yield found


@pytest.fixture
def product(client: FlaskClient, admin: dict[str, str]) -> FlaskClient:
    """aperturedb with HISTORY recorded (in a shuffled order), for the cases that write."""
    for method, path, body in releases_of("aperturedb", SHUFFLED):
        answer = client.open(path, method=method, json=body, headers=admin)
        assert answer.status_code == 201, answer.json
    return client


@pytest.mark.parametrize(
    ("as_of", "statuses"),
    [
        pytest.param(
            "2026-11-22",
            {
                "3.0.0": "planned",
                "3.0.0-rc.1": "prerelease",
                "2.5.1": "current",
                "2.0.0": "current",
                "1.4.2": "security_only",
                "1.0.0": "security_only",
            },
            id="spec-example-day",
        ),
        pytest.param(
            "2026-06-01",
            {
                "3.0.0": "planned",
                "3.0.0-rc.1": "prerelease",
                # a GA release after the as-of date is planned, whatever its cycle's status
                "2.5.1": "planned",
                "2.0.0": "current",
                "1.4.2": "security_only",
                "1.0.0": "security_only",
            },
            id="release-planned-inside-current-cycle",
        ),
        pytest.param(
            "2027-06-01",
            {
                "3.0.0": "current",
                "3.0.0-rc.1": "prerelease",
                "2.5.1": "security_only",
                "2.0.0": "security_only",
                "1.4.2": "eol",
                "1.0.0": "eol",
            },
            id="after-3.0.0",
        ),
        pytest.param(
            "2027-09-01",
            {
                "3.0.0": "current",
                "3.0.0-rc.1": "prerelease",
                "2.5.1": "security_only",
                "2.0.0": "security_only",
                "1.4.2": "eosl",
                "1.0.0": "eosl",
            },
            id="eosl-six-months-after-eol",
        ),
    ],
)
def test_releases_newest_first_with_status_as_of(
    catalogue: World, as_of: str, statuses: dict[str, str]
) -> None:
    answer = catalogue.client.get(f"{BASE}/releases?as_of={as_of}")
    assert answer.status_code == 200
    body = answer.json
    assert [r["version"] for r in body] == [
        "3.0.0",
        "3.0.0-rc.1",
        "2.5.1",
        "2.0.0",
        "1.4.2",
        "1.0.0",
    ]
    assert {r["version"]: r["status"] for r in body} == statuses
    assert {r["version"]: r["cycle"] for r in body}["1.4.2"] == "1"
    assert {r["version"]: r["prerelease"] for r in body} == {
        v: v == "3.0.0-rc.1" for v, _ in HISTORY
    }
    assert {r["version"]: r["released_on"] for r in body} == dict(HISTORY)


@pytest.mark.parametrize(
    ("index", "recorded", "asked"),
    [pytest.param(i, *case.values, id=case.id) for i, case in enumerate(EQUAL)],
)
def test_equal_versions_are_one_release_shown_as_recorded(
    catalogue: World, index: int, recorded: str, asked: str
) -> None:
    base = f"{PRODUCTS}/equal-{index}"
    found = catalogue.client.get(f"{base}/releases/{asked}?as_of=2026-01-01")
    assert found.status_code == 200
    assert found.json["version"] == recorded
    assert found.json["notes"] == "n"
    assert catalogue.client.get(f"{base}/releases").json[0]["version"] == recorded

    # The equal string is the same release: recording it again is a conflict.
    duplicate = catalogue.client.post(
        f"{base}/releases",
        json={"version": asked, "released_on": "2025-02-01"},
        headers=catalogue.admin,
    )
    assert duplicate.status_code == 409
    assert duplicate.mimetype == "application/problem+json"
    assert recorded in duplicate.json["detail"]
    assert len(catalogue.client.get(f"{base}/releases").json) == 1


@pytest.mark.parametrize(("version", "prerelease", "status"), KINDS)
def test_pre_releases_are_prerelease_and_ga_takes_its_cycles_status(
    catalogue: World, version: str, prerelease: bool, status: str
) -> None:
    got = catalogue.client.get(f"{PRODUCTS}/kinds/releases/{version}?as_of=2026-01-01").json
    assert got["prerelease"] is prerelease
    assert got["status"] == status
    assert got["cycle"] == "4"


def test_patch_changes_date_and_notes_and_keeps_the_recorded_string(
    product: FlaskClient, admin: dict[str, str]
) -> None:
    answer = product.patch(
        f"{BASE}/releases/2.5.1.0", json={"released_on": "2026-12-01"}, headers=admin
    )
    assert answer.status_code == 200
    assert answer.json["version"] == "2.5.1"
    assert answer.json["released_on"] == "2026-12-01"
    got = product.get(f"{BASE}/releases/2.5.1?as_of=2026-11-22").json
    assert got["released_on"] == "2026-12-01"
    assert got["status"] == "planned"
    assert got["notes"] == "n"  # untouched
    # latest of cycle 2 on 2026-11-22 is now 2.0.0
    cycle = product.get(f"{BASE}/cycles/2?as_of=2026-11-22").json
    assert cycle["latest"] == "2.0.0"

    noted = product.patch(f"{BASE}/releases/v2.5.1", json={"notes": "Fixes."}, headers=admin)
    assert noted.status_code == 200
    assert product.get(f"{BASE}/releases/2.5.1").json["notes"] == "Fixes."
    assert product.get(f"{BASE}/releases/2.5.1").json["released_on"] == "2026-12-01"
    cleared = product.patch(f"{BASE}/releases/2.5.1", json={"notes": None}, headers=admin)
    assert cleared.json["notes"] is None


def test_patch_moving_the_first_ga_release_moves_the_cycle_dates(
    product: FlaskClient, admin: dict[str, str]
) -> None:
    assert (
        product.patch(
            f"{BASE}/releases/2.0.0", json={"released_on": "2026-04-01"}, headers=admin
        ).status_code
        == 200
    )
    one = product.get(f"{BASE}/cycles/1").json
    assert one["security_only_from"] == "2026-04-01"


def test_delete_removes_one_release(product: FlaskClient, admin: dict[str, str]) -> None:
    answer = product.delete(f"{BASE}/releases/3.0", headers=admin)
    assert answer.status_code == 204
    assert product.get(f"{BASE}/releases/3.0.0").status_code == 404
    versions = [r["version"] for r in product.get(f"{BASE}/releases").json]
    assert versions == ["3.0.0-rc.1", "2.5.1", "2.0.0", "1.4.2", "1.0.0"]
    # With 3.0.0 gone, cycle 2 has no successor: no end date any more.
    cycle = product.get(f"{BASE}/cycles/2?as_of=2027-06-01").json
    assert cycle["status"] == "current"
    assert cycle["security_only_from"] is None
    assert product.delete(f"{BASE}/releases/3.0.0", headers=admin).status_code == 404


def test_recorded_string_is_trimmed_of_whitespace(
    client: FlaskClient, admin: dict[str, str]
) -> None:
    client.post("/api/v1/products", json={"slug": "aperturedb", "name": "A"}, headers=admin)
    answer = client.post(
        f"{BASE}/releases",
        json={"version": "  v1.2.3 ", "released_on": "2025-01-01"},
        headers=admin,
    )
    assert answer.status_code == 201
    assert answer.json["version"] == "v1.2.3"
    assert answer.json["notes"] is None
    assert client.get(f"{BASE}/releases/1.2.3").json["version"] == "v1.2.3"
    assert answer.headers["Location"].endswith("/api/v1/products/aperturedb/releases/v1.2.3")
    assert client.get(answer.headers["Location"]).json == answer.json
