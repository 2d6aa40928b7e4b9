"""The endoflife.date API v0 (SPEC 11): last days of phases, released cycles only, 404s,
and no shadowing of the service's own /api routes, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import set_today
from tests.factories import WEB, add_product, seeded_app

AS_OF = WEB.as_of
PRODUCTS = WEB.products


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def catalogue_client(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FlaskClient]:
    with seeded_app(request.param, sqlite_template, tmp_path_factory.mktemp("v0"), WEB) as app:
        yield app.test_client()


@pytest.fixture
def web(catalogue_client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> FlaskClient:
    """The client, with "today" at the demo date."""
    set_today(catalogue_client.application, AS_OF, monkeypatch)
    return catalogue_client


def _day_before(text: str | None, unknown: bool) -> str | bool:
    if text is None:
        return unknown
    return (date.fromisoformat(text) - timedelta(days=1)).isoformat()


def test_all_lists_the_product_slugs(web: FlaskClient) -> None:
    answer = web.get("/api/all.json")
    assert answer.status_code == 200
    assert answer.json == sorted(p["slug"] for p in PRODUCTS)


def test_aperturedb_in_endoflife_shape(web: FlaskClient) -> None:
    answer = web.get("/api/aperturedb.json")
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    # Cycle 5 is planned (2027-06-01): not listed yet.
    assert answer.json == [
        {
            "cycle": "4",
            "releaseDate": "2026-06-01",
            "support": "2027-05-31",
            "eol": False,
            "latest": "4.1.0",
            "latestReleaseDate": "2026-10-05",
            "lts": False,
        },
        {
            "cycle": "3",
            "releaseDate": "2025-06-02",
            "support": "2026-05-31",
            "eol": "2027-05-31",
            "latest": "3.1.2",
            "latestReleaseDate": "2026-01-12",
            "lts": False,
        },
        {
            "cycle": "2",
            "releaseDate": "2024-04-15",
            "support": "2025-06-01",
            "eol": "2026-05-31",
            "latest": "2.3.1",
            "latestReleaseDate": "2025-02-03",
            "lts": False,
        },
        {
            "cycle": "1",
            "releaseDate": "2023-05-02",
            "support": "2024-04-14",
            "eol": "2025-06-01",
            "latest": "1.2.0",
            "latestReleaseDate": "2023-11-06",
            "lts": False,
        },
    ]


@pytest.mark.parametrize("slug", [p["slug"] for p in PRODUCTS])
def test_v0_matches_the_cycles_api_day_for_day(web: FlaskClient, slug: str) -> None:
    cycles = web.get(f"/api/v1/products/{slug}/cycles?as_of={AS_OF}").json
    released = [c for c in cycles if c["released_on"] and c["released_on"] <= AS_OF.isoformat()]
    v0 = web.get(f"/api/{slug}.json").json
    assert [c["cycle"] for c in v0] == [c["cycle"] for c in released]
    for old, new in zip(v0, released, strict=True):
        assert old == {
            "cycle": new["cycle"],
            "releaseDate": new["released_on"],
            "support": _day_before(new["security_only_from"], unknown=True),
            "eol": _day_before(new["eol_on"], unknown=False),
            "latest": new["latest"],
            "latestReleaseDate": new["latest_released_on"],
            "lts": False,
        }
        one = web.get(f"/api/{slug}/{old['cycle']}.json")
        assert one.status_code == 200
        assert one.json == old


def test_only_cycles_released_by_today_are_listed(
    catalogue_client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_today(catalogue_client.application, date(2027, 6, 1), monkeypatch)
    assert [c["cycle"] for c in catalogue_client.get("/api/aperturedb.json").json] == [
        "5",
        "4",
        "3",
        "2",
        "1",
    ]
    assert catalogue_client.get("/api/nebula.json").json[0]["releaseDate"] == "2027-02-01"
    set_today(catalogue_client.application, date(2027, 5, 31), monkeypatch)
    assert catalogue_client.get("/api/aperturedb.json").json[0]["cycle"] == "4"


@pytest.mark.parametrize(
    ("path", "answer"),
    [
        pytest.param("/api/keystone/1.30.json", {"cycle": "1.30", "support": True}, id="minor"),
        pytest.param("/api/keystone/1.28.json", {"support": "2026-08-02"}, id="minor-old"),
        pytest.param("/api/aperturedb/3.0.json", {"cycle": "3"}, id="normalised-key"),
    ],
)
def test_one_cycle(web: FlaskClient, path: str, answer: dict[str, Any]) -> None:
    got = web.get(path)
    assert got.status_code == 200
    assert got.json.items() >= answer.items()


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/api/nope.json", id="unknown-product"),
        pytest.param("/api/aperturedb/9.json", id="unknown-cycle"),
        pytest.param("/api/aperturedb/5.json", id="planned-cycle"),
        pytest.param("/api/nebula/1.json", id="planned-only-product"),
        pytest.param("/api/aperturedb/x.y.json", id="not-a-cycle"),
        pytest.param("/api/keystone/1.json", id="major-key-for-minor-policy"),
        pytest.param("/api/relay/1.json", id="no-releases"),
    ],
)
def test_errors_are_404_json(web: FlaskClient, path: str) -> None:
    answer = web.get(path)
    assert answer.status_code == 404
    assert answer.is_json
    assert answer.json["status"] == 404


def test_products_without_released_cycles_are_empty_lists(web: FlaskClient) -> None:
    assert web.get("/api/nebula.json").json == []
    assert web.get("/api/relay.json").json == []


def test_own_api_routes_win_over_product_slugs(client: FlaskClient, admin: dict[str, str]) -> None:
    for slug in ("openapi", "all"):
        add_product(
            client, admin, {"slug": slug, "name": slug, "releases": [("1.0", "2020-01-01", None)]}
        )
    spec = client.get("/api/openapi.json")
    assert spec.status_code == 200
    assert "openapi" in spec.json and "paths" in spec.json
    assert client.get("/api/all.json").json == ["all", "openapi"]
    # The cycle routes still reach them.
    assert client.get("/api/openapi/1.json").json["cycle"] == "1"
    assert client.get("/api/all/1.json").json["cycle"] == "1"
