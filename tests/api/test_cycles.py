"""Cycles through the API: SPEC 3.1 dates, 3.2 status, 3.3 support level, latest, platforms."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.factories import DATABASES, Call, world

PRODUCTS = "/api/v1/products"
BASE = f"{PRODUCTS}/aperturedb"

HISTORY = [
    ("1.0.0", "2024-01-15"),
    ("1.4.2", "2025-01-10"),
    ("2.0.0", "2026-03-02"),
    ("2.5.1", "2026-09-01"),
    ("3.0.0-rc.1", "2027-01-15"),
    ("3.0.0", "2027-03-01"),
]


def product_calls(
    slug: str, history: list[tuple[str, str]], policy: dict[str, Any] | None = None
) -> list[Call]:
    body: dict[str, Any] = {"slug": slug, "name": slug.title()}
    if policy is not None:
        body["policy"] = policy
    return [("POST", PRODUCTS, body)] + [
        ("POST", f"{PRODUCTS}/{slug}/releases", {"version": v, "released_on": d})
        for v, d in history
    ]


def make_product(
    client: FlaskClient,
    admin: dict[str, str],
    history: list[tuple[str, str]],
    policy: dict[str, Any] | None = None,
) -> None:
    for method, path, body in product_calls("aperturedb", history, policy):
        answer = client.open(path, method=method, json=body, headers=admin)
        assert answer.status_code == 201, answer.json


@pytest.fixture(scope="module", params=DATABASES)
def products(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[FlaskClient]:
    """Read-only cases share these products, seeded once per database."""
    with world(request.param, tmp_path_factory, sqlite_template) as found:
        found.seed(
            [
                *product_calls("aperturedb", HISTORY),
                # eol_on on a 31st: EOSL is clamped to February's last day
                *product_calls(
                    "clamp", [("1.0", "2026-01-01"), ("2.0", "2026-05-01"), ("3.0", "2026-08-31")]
                ),
                *product_calls(
                    "nosec",
                    [("1.0", "2025-01-01"), ("2.0", "2026-01-01")],
                    policy={"security_cycles": 0, "eosl_months": 3},
                ),
                # a 2.0.x backport shipped after 2.1.0
                *product_calls(
                    "backport",
                    [("2.0.0", "2025-01-01"), ("2.1.0", "2025-06-01"), ("2.0.9", "2025-07-01")],
                ),
                *product_calls("early", [("1.0.0", "2024-01-01"), ("2.0.0rc1", "2025-01-01")]),
                (
                    "POST",
                    "/api/v1/platforms",
                    {
                        "slug": "ubuntu",
                        "name": "Ubuntu",
                        "versions": [
                            {"version": "22.04", "vendor_eol": "2027-06-01"},
                            {"version": "24.04"},
                        ],
                    },
                ),
                (
                    "PUT",
                    f"{BASE}/cycles/2/platforms",
                    [
                        {"platform": "ubuntu", "version": "24.04"},
                        {"platform": "ubuntu", "version": "22.4"},
                    ],
                ),
            ]
        )
        yield found.client


def brief(cycles: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(c["cycle"], c["status"], c["support_level"]) for c in cycles]


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        pytest.param(
            "2024-06-01",
            [("3", "planned", "none"), ("2", "planned", "none"), ("1", "current", "full")],
            id="before-2",
        ),
        pytest.param(
            "2026-03-01",
            [("3", "planned", "none"), ("2", "planned", "none"), ("1", "current", "full")],
            id="day-before-2-ships",
        ),
        pytest.param(
            "2026-03-02",
            [
                ("3", "planned", "none"),
                ("2", "current", "full"),
                ("1", "security_only", "security_fixes_only"),
            ],
            id="first-day-of-security-only",
        ),
        pytest.param(
            "2027-03-01",
            [
                ("3", "current", "full"),
                ("2", "security_only", "security_fixes_only"),
                ("1", "eol", "defect_evaluation_only"),
            ],
            id="first-day-of-eol",
        ),
        pytest.param(
            "2027-08-31",
            [
                ("3", "current", "full"),
                ("2", "security_only", "security_fixes_only"),
                ("1", "eol", "defect_evaluation_only"),
            ],
            id="last-day-of-eol",
        ),
        pytest.param(
            "2027-09-01",
            [
                ("3", "current", "full"),
                ("2", "security_only", "security_fixes_only"),
                ("1", "eosl", "none"),
            ],
            id="first-day-of-eosl",
        ),
    ],
)
def test_status_and_support_level_as_of(
    products: FlaskClient, as_of: str, expected: list[tuple[str, str, str]]
) -> None:
    cycles = products.get(f"{BASE}/cycles?as_of={as_of}").json
    assert brief(cycles) == expected
    product = products.get(f"{BASE}?as_of={as_of}").json
    assert brief(product["cycles"]) == expected
    for key, status, level in expected:
        one = products.get(f"{BASE}/cycles/{key}?as_of={as_of}")
        assert one.status_code == 200
        assert (one.json["status"], one.json["support_level"]) == (status, level)


def test_dates_latest_counts_and_platforms(products: FlaskClient) -> None:
    cycles = {c["cycle"]: c for c in products.get(f"{BASE}/cycles?as_of=2026-11-22").json}
    assert list(cycles) == ["3", "2", "1"]
    assert cycles["1"] == {
        "cycle": "1",
        "status": "security_only",
        "support_level": "security_fixes_only",
        "released_on": "2024-01-15",
        "security_only_from": "2026-03-02",
        "eol_on": "2027-03-01",
        "eosl_on": "2027-09-01",
        "latest": "1.4.2",
        "latest_released_on": "2025-01-10",
        "releases": 2,
        "platforms": [],
    }
    assert cycles["2"]["security_only_from"] == "2027-03-01"
    assert cycles["2"]["eol_on"] is None
    assert cycles["2"]["eosl_on"] is None
    assert cycles["2"]["latest"] == "2.5.1"
    # The matrix row, in the platform's order, with the recorded strings and vendor EOL.
    assert cycles["2"]["platforms"] == [
        {"platform": "ubuntu", "version": "22.04", "vendor_eol": "2027-06-01"},
        {"platform": "ubuntu", "version": "24.04", "vendor_eol": None},
    ]
    # The planned GA release counts for dates; the pre-release is a release of the cycle too.
    assert cycles["3"]["released_on"] == "2027-03-01"
    assert cycles["3"]["latest"] is None
    assert cycles["3"]["releases"] == 2
    assert products.get(f"{BASE}/cycles/2").json["platforms"] == cycles["2"]["platforms"]


@pytest.mark.parametrize(
    ("as_of", "latest", "latest_on"),
    [
        pytest.param("2026-03-01", None, None, id="before-any"),
        pytest.param("2026-03-02", "2.0.0", "2026-03-02", id="release-day"),
        pytest.param("2026-08-31", "2.0.0", "2026-03-02", id="day-before-next"),
        pytest.param("2026-09-01", "2.5.1", "2026-09-01", id="next-release-day"),
        pytest.param("2030-01-01", "2.5.1", "2026-09-01", id="long-after"),
    ],
)
def test_latest_is_the_highest_ga_release_on_or_before_as_of(
    products: FlaskClient, as_of: str, latest: str, latest_on: str
) -> None:
    cycle = products.get(f"{BASE}/cycles/2?as_of={as_of}").json
    assert (cycle["latest"], cycle["latest_released_on"]) == (latest, latest_on)


def test_latest_is_by_version_not_by_date(products: FlaskClient) -> None:
    cycle = products.get(f"{PRODUCTS}/backport/cycles/2?as_of=2025-08-01").json
    assert (cycle["latest"], cycle["latest_released_on"]) == ("2.1.0", "2025-06-01")


@pytest.mark.parametrize("key", ["2", "2.0", "2.0.0", "v2", " 2"])
def test_one_cycle_by_any_equal_key(products: FlaskClient, key: str) -> None:
    answer = products.get(f"{BASE}/cycles/{key}?as_of=2026-11-22")
    assert answer.status_code == 200
    assert answer.json["cycle"] == "2"


@pytest.mark.parametrize("key", ["9", "2.1", "abc", "2.0rc1", "0"])
def test_unknown_cycle_is_404(products: FlaskClient, key: str) -> None:
    answer = products.get(f"{BASE}/cycles/{key}")
    assert answer.status_code == 404
    assert answer.mimetype == "application/problem+json"
    assert answer.json["status"] == 404


def test_eosl_is_clamped_to_the_months_last_day(products: FlaskClient) -> None:
    one = products.get(f"{PRODUCTS}/clamp/cycles/1").json
    assert one["eol_on"] == "2026-08-31"
    assert one["eosl_on"] == "2027-02-28"


def test_no_security_cycles_makes_security_only_equal_eol(products: FlaskClient) -> None:
    one = products.get(f"{PRODUCTS}/nosec/cycles/1?as_of=2026-02-01").json
    assert one["security_only_from"] == one["eol_on"] == "2026-01-01"
    assert one["eosl_on"] == "2026-04-01"
    assert one["status"] == "eol"


def test_a_pre_release_only_cycle_is_prerelease_and_takes_no_part_in_dates(
    products: FlaskClient,
) -> None:
    cycles = products.get(f"{PRODUCTS}/early/cycles?as_of=2026-01-01").json
    assert [(c["cycle"], c["status"]) for c in cycles] == [("2", "prerelease"), ("1", "current")]
    assert cycles[0]["released_on"] is None
    assert cycles[0]["latest"] is None
    assert cycles[0]["support_level"] == "none"
    assert cycles[1]["security_only_from"] is None


def test_patching_the_policy_to_minor_recuts_the_cycles(
    client: FlaskClient, admin: dict[str, str]
) -> None:
    make_product(
        client,
        admin,
        [
            ("1.26.0", "2025-01-01"),
            ("1.27.0", "2025-05-01"),
            ("1.27.3", "2025-07-01"),
            ("1.28.0", "2025-09-01"),
            ("2.0.0", "2026-01-01"),
        ],
    )
    assert [c["cycle"] for c in client.get(f"{BASE}/cycles").json] == ["2", "1"]
    patched = client.patch(
        BASE,
        json={"policy": {"cycle": "minor", "full_support_cycles": 2, "security_cycles": 0}},
        headers=admin,
    )
    assert patched.status_code == 200
    assert [c["cycle"] for c in patched.json["cycles"]] == ["2.0", "1.28", "1.27", "1.26"]

    cycles = {c["cycle"]: c for c in client.get(f"{BASE}/cycles?as_of=2026-02-01").json}
    assert list(cycles) == ["2.0", "1.28", "1.27", "1.26"]
    assert cycles["1.27"]["security_only_from"] == "2026-01-01"
    assert cycles["1.27"]["eol_on"] == "2026-01-01"
    assert cycles["1.27"]["latest"] == "1.27.3"
    assert cycles["1.26"]["eol_on"] == "2025-09-01"
    assert cycles["1.26"]["eosl_on"] == "2026-03-01"
    assert [(k, c["status"]) for k, c in cycles.items()] == [
        ("2.0", "current"),
        ("1.28", "current"),
        ("1.27", "eol"),
        ("1.26", "eol"),
    ]
    # A minor cycle is found by its key; the release knows its new cycle.
    assert client.get(f"{BASE}/cycles/1.027").json["cycle"] == "1.27"
    assert client.get(f"{BASE}/cycles/1").status_code == 404
    assert client.get(f"{BASE}/releases/1.27.3").json["cycle"] == "1.27"

    # And back.
    client.patch(BASE, json={"policy": {"cycle": "major"}}, headers=admin)
    assert [c["cycle"] for c in client.get(f"{BASE}/cycles").json] == ["2", "1"]
