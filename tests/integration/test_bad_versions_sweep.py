"""Every real version string of the release-data set that does not parse, sent to the API.

The ~5,300 strings that ``parse_version`` refuses must be answered 422 ``invalid_version``
(never a 5xx) when recorded as releases and when asked about, and leave the database as
it was; a sample of the strings that parse is recorded and judged normally.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import RELEASE_DATA, dispose, make_app
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from app import migrate
from app.auth import Role, create_token
from app.schemas import is_slug
from lifecycle.errors import LifecycleError
from lifecycle.versions import parse_version

pytestmark = pytest.mark.slow

RELEASE_URL = "/api/v1/products/{slug}/releases"
ELIGIBILITY_URL = "/api/v1/eligibility"
GOOD_SAMPLE = 400


@dataclass
class Corpus:
    """The release-data versions, split by whether the core parses them."""

    bad: list[tuple[str, str, str]] = field(default_factory=list)  # slug, version, date
    good: list[tuple[str, str, str]] = field(default_factory=list)


def load_corpus(folder: Path) -> Corpus:
    corpus = Corpus()
    for path in sorted(folder.glob("*.json")):
        slug = path.stem
        if not is_slug(slug):
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        for version, info in (data.get("versions") or {}).items():
            day = (info or {}).get("date") or "2020-01-01"
            try:
                parse_version(version)
            except LifecycleError:
                corpus.bad.append((slug, version, day))
            else:
                corpus.good.append((slug, version, day))
    return corpus


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    if not RELEASE_DATA.is_dir() or not any(RELEASE_DATA.glob("*.json")):
        pytest.skip(f"release data is absent ({RELEASE_DATA})")
    found = load_corpus(RELEASE_DATA)
    # The data set has thousands of unparseable strings; a handful would mean it changed.
    assert len(found.bad) > 1000, len(found.bad)
    return found


@pytest.fixture(scope="module")
def sweep_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    folder = tmp_path_factory.mktemp("sweep")
    url = f"sqlite:///{folder / 'sweep.sqlite'}"
    migrate.upgrade(url)
    app = make_app(url, folder)
    yield app
    dispose(app)


@pytest.fixture(scope="module")
def admin_headers(sweep_app: Flask) -> dict[str, str]:
    with sweep_app.app_context():
        secret, _ = create_token(Role.ADMIN, "sweep-admin")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture(scope="module")
def products(sweep_app: Flask, corpus: Corpus, admin_headers: dict[str, str]) -> FlaskClient:
    """One product per data file that has a version to try."""
    client = sweep_app.test_client()
    slugs = sorted({s for s, _, _ in corpus.bad} | {s for s, _, _ in _good_sample(corpus)})
    for slug in slugs:
        response = client.post(
            "/api/v1/products", json={"slug": slug, "name": slug}, headers=admin_headers
        )
        assert response.status_code == 201, response.get_json()
    return client


def _good_sample(corpus: Corpus) -> list[tuple[str, str, str]]:
    return random.Random(20261122).sample(corpus.good, min(GOOD_SAMPLE, len(corpus.good)))


def _snapshot(app: Flask) -> tuple[Any, ...]:
    with app.extensions["db_engine"].connect() as conn:
        releases = conn.execute(text("SELECT count(*), coalesce(max(id), 0) FROM releases")).one()
        revisions = conn.execute(
            text("SELECT coalesce(sum(revision), 0), count(*) FROM products")
        ).one()
    return (*releases, *revisions)


def _summary(failures: list[str]) -> str:
    return f"{len(failures)} wrong answers, first ones:\n" + "\n".join(failures[:15])


def test_unparseable_versions_are_refused_as_releases(
    sweep_app: Flask, corpus: Corpus, products: FlaskClient, admin_headers: dict[str, str]
) -> None:
    before = _snapshot(sweep_app)
    failures: list[str] = []
    for slug, version, day in corpus.bad:
        response = products.post(
            RELEASE_URL.format(slug=slug),
            json={"version": version, "released_on": day},
            headers=admin_headers,
        )
        body = response.get_json(silent=True) or {}
        if (
            response.status_code != 422
            or response.mimetype != "application/problem+json"
            or body.get("code") != "invalid_version"
            or "version" not in (body.get("errors") or {})
        ):
            failures.append(f"POST {slug} {version!r}: {response.status_code} {body}")
    assert not failures, _summary(failures)
    assert _snapshot(sweep_app) == before, "a refused release changed the database"
    print(f"\nbad-version sweep: {len(corpus.bad)} unparseable versions POSTed, all 422")


def test_unparseable_versions_are_refused_by_eligibility(
    sweep_app: Flask, corpus: Corpus, products: FlaskClient
) -> None:
    if not any(r.rule == ELIGIBILITY_URL for r in sweep_app.url_map.iter_rules()):
        pytest.skip(f"{ELIGIBILITY_URL} is not registered yet")
    before = _snapshot(sweep_app)
    failures: list[str] = []
    for slug, version, _ in corpus.bad:
        response = products.get(ELIGIBILITY_URL, query_string={"product": slug, "version": version})
        body = response.get_json(silent=True) or {}
        if (
            response.status_code != 422
            or response.mimetype != "application/problem+json"
            or body.get("code") != "invalid_version"
        ):
            failures.append(f"GET {slug} {version!r}: {response.status_code} {body}")
    assert not failures, _summary(failures)
    assert _snapshot(sweep_app) == before
    print(f"\nbad-version sweep: {len(corpus.bad)} unparseable versions judged, all 422")


def test_unparseable_versions_in_a_batch_get_their_own_error(
    sweep_app: Flask, corpus: Corpus, products: FlaskClient
) -> None:
    if not any(
        r.rule == ELIGIBILITY_URL and "POST" in (r.methods or ())
        for r in sweep_app.url_map.iter_rules()
    ):
        pytest.skip(f"POST {ELIGIBILITY_URL} is not registered yet")
    queries = [{"product": s, "version": v} for s, v, _ in corpus.bad]
    response = products.post(ELIGIBILITY_URL, json={"queries": queries})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    results = response.get_json()["results"]
    assert len(results) == len(queries)
    wrong = [
        f"{q} -> {r}"
        for q, r in zip(queries, results, strict=True)
        if r.get("error", {}).get("code") != "invalid_version" or r["error"].get("status") != 422
    ]
    assert not wrong, _summary(wrong)


def test_parseable_versions_are_recorded_and_judged(
    sweep_app: Flask, corpus: Corpus, products: FlaskClient, admin_headers: dict[str, str]
) -> None:
    sample = _good_sample(corpus)
    failures: list[str] = []
    recorded: list[tuple[str, str]] = []
    for slug, version, day in sample:
        response = products.post(
            RELEASE_URL.format(slug=slug),
            json={"version": version, "released_on": day},
            headers=admin_headers,
        )
        # 409: the file has two strings that parse equal (1.0 and 1.0.0); the first stays.
        if response.status_code == 201:
            recorded.append((slug, version))
        elif response.status_code != 409:
            failures.append(f"POST {slug} {version!r}: {response.status_code} {response.json}")
    assert not failures, _summary(failures)
    assert len(recorded) > GOOD_SAMPLE // 2
    for slug, version in recorded:
        response = products.get(RELEASE_URL.format(slug=slug) + "/" + _path(version))
        if response.status_code != 200:
            failures.append(f"GET release {slug} {version!r}: {response.status_code}")
    if any(r.rule == ELIGIBILITY_URL for r in sweep_app.url_map.iter_rules()):
        for slug, version in recorded:
            response = products.get(
                ELIGIBILITY_URL, query_string={"product": slug, "version": version}
            )
            body = response.get_json(silent=True) or {}
            if response.status_code != 200 or body.get("release_known") is not True:
                failures.append(f"GET eligibility {slug} {version!r}: {response.status_code}")
    assert not failures, _summary(failures)


def _path(version: str) -> str:
    from urllib.parse import quote

    return quote(version, safe="")
