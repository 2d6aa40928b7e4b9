"""POST /api/v1/eligibility, the batch (SPEC 6), on both databases: answers in order, each
one what the single GET answers (errors included), the 10,000 limit and the envelope."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

import app.eligibility.service as service
from app.eligibility import query as queries
from app.eligibility import splice
from lifecycle.cycles import Release, derive
from lifecycle.policy import Policy
from lifecycle.severity import Severity
from lifecycle.verdict import Environment, Query, Subscription, judge
from platforms.matrix import Platform, PlatformRegistry, PlatformVersion, SupportMatrix
from tests.conftest import set_today
from tests.factories import DATABASES, ELIGIBILITY, ELIGIBILITY_URL, seeded_app

AS_OF = ELIGIBILITY.as_of.isoformat()
PRODUCT = ELIGIBILITY.product
URL = ELIGIBILITY_URL


@pytest.fixture(scope="module", params=DATABASES)
def seeded(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    tmp = tmp_path_factory.mktemp("eligibility")
    with seeded_app(request.param, sqlite_template, tmp, ELIGIBILITY) as app:
        yield app


@pytest.fixture
def api(seeded: Flask) -> FlaskClient:
    return seeded.test_client()


def batch(api: FlaskClient, body: Any) -> TestResponse:
    return api.post(URL, data=json.dumps(body), content_type="application/json")


def results(api: FlaskClient, queries: list[Any]) -> list[dict[str, Any]]:
    answer = batch(api, {"queries": queries})
    assert answer.status_code == 200, answer.json
    assert answer.mimetype == "application/json"
    found: list[dict[str, Any]] = answer.json["results"]  # type: ignore[index]
    assert len(found) == len(queries)
    return found


def q(version: Any, **fields: Any) -> dict[str, Any]:
    return {"product": PRODUCT, "version": version, "as_of": AS_OF, **fields}


# Valid and invalid queries mixed; each answer must be what the GET answers for it.
MIXED = [
    q("2.5.1"),
    q("1.4.2", platform="ubuntu", platform_version="22.4", severity="S1"),
    q("1.4.2", product="nope"),
    q("1e5"),
    q("1.4.2", as_of="2027-04-01", environment="non_production", severity="emergency"),
    q("1.4.2", environment="staging", subscription="gold"),
    {"version": "2.5.1"},
    q("2.5.1", platform="ubuntu"),
    q("7.0", subscription="none"),
    q("1.4.2", as_of="3000-01-01"),
    q("2.5.1", subscription="basic", platform="rhel", platform_version="9", severity="2"),
    q(" 2.5.1 ", product=" aperturedb ", severity=" S2 "),
    q("2.5.1"),
]


def test_answers_are_in_order_and_equal_the_single_gets(api: FlaskClient) -> None:
    answers = results(api, MIXED)
    for query, answer in zip(MIXED, answers, strict=True):
        single = api.get(URL, query_string=query)
        if single.status_code == 200:
            assert answer == single.json, query
        else:
            assert answer == {"error": single.json}, query
    assert [a.get("version") for a in answers[:2]] == ["2.5.1", "1.4.2"]
    assert answers[2]["error"]["status"] == 404
    assert answers[3]["error"]["code"] == "invalid_version"
    assert set(answers[5]["error"]["errors"]) == {"environment", "subscription"}
    assert answers[-1] == answers[0]


# A batch shares work between its queries: validation of the fields but the version, the
# product's Judge (statuses, upgrade target and platform checks per date), the encoded rest
# of verdicts of recorded releases. Each of these keys on something; these queries vary
# every such thing, in an order that mixes them, so that a key too loose fails below.
VERSIONS = [
    "1.0.0",
    "1.4.2",
    "2.0.0",
    "2.5.1",
    "2.6.0",  # planned until 2026-12-15
    "3.0.0rc1",
    "3.0.0",
    "4.0.0a1",
    "v1.4.2",  # recorded releases spelled otherwise
    "1.4.2.0",
    " 2.0.0 ",
    "2.5.9",  # an unknown release of a known cycle
    "2.6.0rc1",
    "7.0",  # an unknown cycle
    "x.y",  # does not parse
]
DAYS = [None, AS_OF, "2025-02-01", "2026-12-20", "2027-04-01", "2027-10-01"]
PLATFORMS = [
    {},
    {"platform": "ubuntu", "platform_version": "22.04"},
    {"platform": "ubuntu", "platform_version": "22.4"},
    {"platform": "ubuntu", "platform_version": "20.04"},
    {"platform": "ubuntu", "platform_version": "24.04"},
    {"platform": "ubuntu", "platform_version": "18.04"},
    {"platform": "rhel", "platform_version": "9"},
    {"platform": "solaris", "platform_version": "11"},
]
OTHERS = [
    {},
    {"environment": "non_production", "severity": "urgent"},
    {"subscription": "basic", "severity": "S2"},
    {"subscription": "none", "severity": "low"},
    {"severity": "normal"},
    {"environment": "production", "subscription": "production"},
    {"padded": True},  # the product's slug with blanks around it
]
BROKEN = [
    {"product": "nope"},
    {"environment": "staging"},
    {"platform": "ubuntu"},
    {"as_of": "2026-02-30"},
]


# A second product, with minor cycles, so that each product keeps its own judge.
OTHER = "fluxgate"
OTHER_RELEASES = [
    ("1.0.0", "2024-01-10"),
    ("1.1.0", "2025-01-10"),
    ("1.1.4", "2025-08-01"),
    ("1.2.0", "2026-01-10"),
    ("1.2.3", "2026-06-01"),
    ("1.3.0rc1", "2026-12-01"),
]
OTHER_VERSIONS = [v for v, _ in OTHER_RELEASES] + ["1.1", "v1.2.3", "1.2.9", "2.0", "1.4.2"]


@pytest.fixture
def two_products(seeded: Flask, api: FlaskClient) -> Iterator[None]:
    from app.auth import Role, create_token

    with seeded.app_context():
        secret, _ = create_token(Role.ADMIN)
    admin = {"Authorization": f"Bearer {secret}"}
    product = {"slug": OTHER, "name": "Fluxgate", "policy": {"cycle": "minor"}}
    assert api.post("/api/v1/products", json=product, headers=admin).status_code == 201
    try:
        for version, day in OTHER_RELEASES:
            release = {"version": version, "released_on": day}
            added = api.post(f"/api/v1/products/{OTHER}/releases", json=release, headers=admin)
            assert added.status_code == 201, added.json
        row = [{"platform": "ubuntu", "version": "22.04"}]
        put = api.put(f"/api/v1/products/{OTHER}/cycles/1.2/platforms", json=row, headers=admin)
        assert put.status_code == 200, put.json
        yield
    finally:
        assert api.delete(f"/api/v1/products/{OTHER}", headers=admin).status_code == 204


def varied(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    found = []
    for _ in range(count):
        product, versions = rng.choice([(PRODUCT, VERSIONS), (OTHER, OTHER_VERSIONS)])
        item: dict[str, Any] = {"product": product, "version": rng.choice(versions)}
        day = rng.choice(DAYS)
        if day is not None:
            item["as_of"] = day
        item.update(rng.choice(PLATFORMS))
        item.update(rng.choice(OTHERS))
        if item.pop("padded", False):
            item["product"] = f" {product} "
        if rng.random() < 0.05:
            item.update(rng.choice(BROKEN))
        found.append(item)
    return found


@pytest.mark.usefixtures("two_products")
def test_a_varied_batch_answers_each_query_as_its_single_get(api: FlaskClient) -> None:
    queries = varied(900, seed=11)
    answers = results(api, queries)
    statuses: set[str] = set()
    for query, answer in zip(queries, answers, strict=True):
        single = api.get(URL, query_string=query)
        expected = single.json if single.status_code == 200 else {"error": single.json}
        assert answer == expected, query
        statuses.add(answer.get("status") or answer["error"]["code"])
    # The queries reach every kind of answer.
    assert statuses >= {
        "current",
        "security_only",
        "eol",
        "eosl",
        "planned",
        "prerelease",
        "unknown",
        "not_found",
        "invalid_version",
        "validation_error",
    }


@pytest.mark.usefixtures("two_products")
def test_the_same_queries_in_any_order_get_the_same_answers(api: FlaskClient) -> None:
    queries = varied(400, seed=12)
    answers = results(api, queries)
    order = list(range(len(queries)))
    random.Random(13).shuffle(order)
    shuffled = results(api, [queries[i] for i in order])
    assert shuffled == [answers[i] for i in order]
    # And one by one, in batches of one: nothing kept from a batch to the next matters.
    for i in order[:40]:
        assert results(api, [queries[i]]) == [answers[i]]


def test_versions_that_share_a_verdict_are_each_answered_as_their_own_get(
    api: FlaskClient,
) -> None:
    """1.0.0, 1.4.2 and its other spelling differ only in the version, so the batch
    splices one encoded verdict for them; 1.4.3 (unknown) and 2.5.1 are judged apart.
    Each answer is the one its own GET gives."""
    queries = [q("1.0.0"), q("1.4.2"), q("v1.4.2"), q("1.4.3"), q("2.5.1"), q("1.4.2")]
    answers = results(api, queries)
    for query, answer in zip(queries, answers, strict=True):
        single = api.get(URL, query_string=query)
        assert single.status_code == 200
        assert answer == single.json
    assert [a["version"] for a in answers] == [
        "1.0.0",
        "1.4.2",
        "v1.4.2",
        "1.4.3",
        "2.5.1",
        "1.4.2",
    ]
    assert answers[1]["reasons"] == answers[0]["reasons"] == answers[2]["reasons"]
    assert answers[3]["reasons"][1]["code"] == "unknown_release"


_RELEASES = st.lists(
    st.tuples(
        st.builds(
            lambda major, minor, pre: f"{major}.{minor}.0{pre}",
            st.integers(0, 4),
            st.integers(0, 2),
            st.sampled_from(["", "", "rc1"]),
        ),
        st.dates(min_value=date(2020, 1, 1), max_value=date(2028, 12, 31)),
    ),
    max_size=8,
)
_TEXT = st.sampled_from(["p", "Plain", "Caf\u00e9 \u2603", "Bad \udfff name", 'q"uo\\te\n'])


@settings(max_examples=300, deadline=None)
@given(
    releases=_RELEASES,
    version=st.sampled_from(["0.0.0", "1.0.0", "1.2.0", "2.1.0rc1", "3.0", "4.1.0", "9.0"]),
    product=_TEXT,
    name=st.none() | _TEXT,
    as_of=st.dates(min_value=date(2019, 1, 1), max_value=date(2030, 12, 31)),
    platform=st.sampled_from(
        [(None, None), ("ubuntu", "22.04"), ("ubuntu", "20.04"), ("rhel", "9"), ("solaris", "11")]
    ),
    environment=st.sampled_from(list(Environment)),
    subscription=st.sampled_from(list(Subscription)),
    severity=st.none() | st.sampled_from(list(Severity)),
)
def test_the_rest_of_a_verdict_joins_its_head_as_one_encoding(
    releases: list[tuple[str, date]],
    version: str,
    product: str,
    name: str | None,
    as_of: date,
    platform: tuple[str | None, str | None],
    environment: Environment,
    subscription: Subscription,
    severity: Severity | None,
) -> None:
    """A shared answer is the head (product, version) and the rest of another verdict,
    cut after its version: the same text as encoding the whole verdict, for verdicts of
    every shape (no cycle, no platform, vendor EOL or none, granted severities, upgrade
    targets) and for non-ASCII text and lone surrogates."""
    cycles = derive([Release.of(v, d) for v, d in releases], Policy(cycle="minor"))
    query = Query(product, version, as_of, *platform, environment, subscription, severity)
    verdict = judge(query, cycles, _REGISTRY, _MATRIX, name)
    whole = service.encode(verdict.to_dict())
    head = '{"product": ' + splice._string(query.product) + ', "version": '
    assert head + splice._string(version) + ", " + splice._tail(verdict) == whole
    assert whole.isascii()


_REGISTRY = PlatformRegistry.of(
    [
        Platform(
            "ubuntu",
            "Ubuntu \u00e9",
            (PlatformVersion("20.04", date(2025, 5, 31)), PlatformVersion("22.04")),
        ),
        Platform("rhel", "RHEL", (PlatformVersion("9", date(2032, 5, 31)),)),
    ]
)
_MATRIX = SupportMatrix(
    {
        "1.0": (("ubuntu", "22.04"), ("ubuntu", "20.04"), ("rhel", "9")),
        "1.2": (("ubuntu", "22.04"),),
        "4.1": (("rhel", "9"),),
    }
)


@pytest.mark.parametrize(
    ("item", "status", "code", "fields"),
    [
        pytest.param(q("1.4.2", product="nope"), 404, "not_found", set(), id="unknown-product"),
        pytest.param(q("x.y"), 422, "invalid_version", {"version"}, id="invalid-version"),
        pytest.param(q("1", colour="red"), 422, "validation_error", {"colour"}, id="unknown-field"),
        pytest.param(q("1", id=3), 422, "validation_error", {"id"}, id="server-owned-field"),
        pytest.param(q(1.4), 422, "validation_error", {"version"}, id="version-a-number"),
        pytest.param(
            q("1", severity=1), 422, "validation_error", {"severity"}, id="severity-a-number"
        ),
        pytest.param(
            q("1", platform=["ubuntu"], platform_version="1"),
            422,
            "validation_error",
            {"platform"},
            id="list-value",
        ),
        pytest.param(
            q("1", as_of={"y": 2026}), 422, "validation_error", {"as_of"}, id="object-value"
        ),
        pytest.param(q("1", product=None), 422, "validation_error", {"product"}, id="null-product"),
        pytest.param(
            q("1", platform_version="22.04"),
            422,
            "validation_error",
            {"platform"},
            id="version-without-platform",
        ),
        pytest.param(
            q("1", platform="\ud800", platform_version="1"), 200, None, set(), id="lone-surrogate"
        ),
    ],
)
def test_an_invalid_item_gets_its_problem_in_place(
    api: FlaskClient, item: dict[str, Any], status: int, code: str | None, fields: set[str]
) -> None:
    before, after = q("2.5.1"), q("1.4.2")
    first, middle, last = results(api, [before, item, after])
    assert (first["version"], last["version"]) == ("2.5.1", "1.4.2")
    if status == 200:
        assert "error" not in middle
        return
    problem = middle["error"]
    assert (problem["status"], problem["code"]) == (status, code)
    assert problem["type"] == f"/problems/{code}" and problem["title"] and problem["detail"]
    assert set(problem.get("errors", {})) == fields


def test_null_optional_fields_count_as_absent(api: FlaskClient) -> None:
    nulls = {f: None for f in ("platform", "platform_version", "environment", "subscription")}
    [answer] = results(api, [q("2.5.1", severity=None, **nulls)])
    assert answer == results(api, [q("2.5.1")])[0]


def test_as_of_defaults_to_today(api: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    set_today(api.application, date(2027, 4, 1), monkeypatch)
    [answer] = results(api, [{"product": PRODUCT, "version": "1.4.2"}])
    assert (answer["as_of"], answer["status"]) == ("2027-04-01", "eol")


def test_an_empty_batch_is_answered(api: FlaskClient) -> None:
    assert results(api, []) == []


def test_ten_thousand_queries_in_one_request(api: FlaskClient) -> None:
    # Distinct versions (unknown releases, judged by their cycle) also run the verdict
    # cache past its size; every 7th query names an unknown product.
    queries = [q(f"2.5.{i}") if i % 7 else q("1.0", product=f"nope-{i % 3}") for i in range(10_000)]
    queries[1234] = q("1.4.2", platform="ubuntu", platform_version="20.04")
    started = time.perf_counter()
    answers = results(api, queries)
    elapsed = time.perf_counter() - started
    assert len(answers) == 10_000
    assert answers[1]["version"] == "2.5.1" and answers[1]["release_known"] is True
    assert answers[2]["version"] == "2.5.2" and answers[2]["release_known"] is False
    assert answers[2]["status"] == "current"
    assert answers[9_999]["version"] == "2.5.9999"
    assert answers[7]["error"]["status"] == 404
    assert answers[1234]["reasons"][1]["code"] == "platform_vendor_eol"
    assert sum("error" in a for a in answers) == len(range(0, 10_000, 7))
    assert elapsed < 10, elapsed  # about 0.5 s on a laptop; a loose guard against a quadratic


def test_more_than_ten_thousand_queries_is_413(api: FlaskClient) -> None:
    answer = batch(api, {"queries": [q("2.5.1")] * 10_001})
    assert answer.status_code == 413
    assert answer.mimetype == "application/problem+json"
    assert answer.json["code"] == "payload_too_large"  # type: ignore[index]
    assert "10,000" in answer.json["detail"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        pytest.param({}, {"queries"}, id="missing-queries"),
        pytest.param({"queries": None}, {"queries"}, id="queries-null"),
        pytest.param({"queries": {"0": q("1")}}, {"queries"}, id="queries-not-a-list"),
        pytest.param({"queries": "2.5.1"}, {"queries"}, id="queries-a-string"),
        pytest.param({"queries": [q("1"), 1, "x", None]}, {"queries"}, id="item-not-an-object"),
        pytest.param({"queries": [[q("1")]]}, {"queries"}, id="item-a-list"),
        pytest.param({"queries": [], "as_of": AS_OF}, {"as_of"}, id="unknown-field"),
        pytest.param([q("1")], {"_body"}, id="body-a-list"),
        pytest.param("queries", {"_body"}, id="body-a-string"),
        pytest.param(None, {"_body"}, id="body-null"),
    ],
)
def test_envelope_errors_are_422(api: FlaskClient, body: Any, fields: set[str]) -> None:
    answer = batch(api, body)
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    problem = answer.json
    assert problem is not None
    assert (problem["status"], problem["code"]) == (422, "validation_error")
    assert set(problem["errors"]) == fields


def test_items_that_are_not_objects_are_named_by_index(api: FlaskClient) -> None:
    answer = batch(api, {"queries": [q("1"), 1, q("2"), "x"]})
    assert answer.json["errors"]["queries"] == {  # type: ignore[index]
        "1": ["Must be an object."],
        "3": ["Must be an object."],
    }


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        pytest.param(b'{"queries": [', "application/json", 400, id="malformed-json"),
        pytest.param(b"queries=1", "application/x-www-form-urlencoded", 415, id="not-json"),
        pytest.param(b"", None, 415, id="no-body"),
        pytest.param(b"[" * 100_000, "application/json", 400, id="nested-too-deep"),
    ],
)
def test_bodies_that_are_not_json(
    api: FlaskClient, data: bytes, content_type: str | None, status: int
) -> None:
    answer = api.post(URL, data=data, content_type=content_type)
    assert answer.status_code == status
    assert answer.mimetype == "application/problem+json"


def test_a_batch_reads_its_products_in_a_fixed_number_of_queries(
    api: FlaskClient, seeded: Flask
) -> None:
    """However many queries a batch has, its products cost the same few statements."""
    from sqlalchemy import event

    statements: list[str] = []

    def note(*args: Any) -> None:
        statements.append(str(args[2]))

    engine = seeded.extensions["db_engine"]
    seeded.extensions["catalogue"].clear()

    def count(batch: list[dict[str, Any]]) -> tuple[int, list[dict[str, Any]]]:
        statements.clear()
        event.listen(engine, "before_cursor_execute", note)
        try:
            answers = results(api, batch)
        finally:
            event.remove(engine, "before_cursor_execute", note)
        return len(statements), answers

    small, _ = count([q("2.5.1"), q("1", product="nope")])
    seeded.extensions["catalogue"].clear()
    large, answers = count([q("2.5.1"), q("1.4.2"), q("1", product="nope"), q("2.0.0")] * 50)
    assert large == small
    assert answers[2]["error"]["status"] == 404


def test_a_catalogue_change_is_seen_at_once(seeded: Flask, api: FlaskClient) -> None:
    """Verdicts are cached by product view; a new release makes a new view."""
    from app.auth import Role, create_token

    with seeded.app_context():
        secret, _ = create_token(Role.ADMIN, "batch-cache-test")
    admin = {"Authorization": f"Bearer {secret}"}
    release = f"/api/v1/products/{PRODUCT}/releases"
    assert results(api, [q("1.4.2")])[0]["upgrade_to"] == "2.5.1"
    added = api.post(release, json={"version": "2.5.2", "released_on": "2026-11-01"}, headers=admin)
    assert added.status_code == 201
    try:
        assert results(api, [q("1.4.2")])[0]["upgrade_to"] == "2.5.2"
        assert api.get(URL, query_string=q("1.4.2")).json["upgrade_to"] == "2.5.2"  # type: ignore[index]
    finally:
        assert api.delete(f"{release}/2.5.2", headers=admin).status_code == 204
    assert results(api, [q("1.4.2")])[0]["upgrade_to"] == "2.5.1"


@pytest.mark.parametrize(
    "fields",
    [
        {"product": "p", "version": "1"},
        {"product": " p ", "version": " v1.0 ", "severity": " s1 "},
        {"product": "p", "version": "1", "platform": "u" * 200, "platform_version": "v" * 200},
        {"product": "p", "version": "1", "platform": "\ud800", "platform_version": " 22.04 "},
        {"product": "p", "version": "x.y", "environment": "NON_PRODUCTION"},
        {"product": "p", "version": "1", "subscription": "None", "as_of": "2999-12-31"},
        {"product": "p", "version": "1", "platform": None, "severity": None, "as_of": None},
    ],
)
def test_parse_query_checks_at_least_what_the_query_checks(fields: dict[str, Any]) -> None:
    """validate builds its Query without the constructor's checks (it has made them,
    field by field): what it accepts, the constructor accepts as the same query."""
    from lifecycle.verdict import Query

    parsed = queries.validate(fields, date(2026, 11, 22))
    made = Query(
        parsed.product,
        parsed.version,
        parsed.as_of,
        parsed.platform,
        parsed.platform_version,
        parsed.environment,
        parsed.subscription,
        parsed.severity,
    )
    assert made == parsed
