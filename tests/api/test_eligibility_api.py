"""GET /api/v1/eligibility (SPEC 5 and 6) on both databases: the wiring of every rule and
reason, the defaults, every bad query as problem+json, and no 500 for any input.

The rules themselves are tested exhaustively in tests/unit/test_verdict.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from app.eligibility.query import FIELDS
from app.eligibility.schemas import REASON_CODES
from tests.conftest import set_today
from tests.factories import DATABASES, ELIGIBILITY, ELIGIBILITY_URL, seeded_app

AS_OF = ELIGIBILITY.as_of.isoformat()
PRODUCT = ELIGIBILITY.product
URL = ELIGIBILITY_URL

ALL = ["urgent", "high", "normal", "low"]
NORMAL_LOW = ["normal", "low"]


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


def get(api: FlaskClient, **params: str | None) -> TestResponse:
    """GET a verdict; product and as_of default to the catalogue's, None leaves one out."""
    query = {"product": PRODUCT, "as_of": AS_OF, **params}
    return api.get(URL, query_string={k: v for k, v in query.items() if v is not None})


def verdict(api: FlaskClient, **params: str | None) -> dict[str, Any]:
    answer = get(api, **params)
    assert answer.status_code == 200, answer.json
    assert answer.mimetype == "application/json"
    body: dict[str, Any] = answer.json  # type: ignore[assignment]
    return body


DOCUMENTED_CODES = set(REASON_CODES.split(", "))


def codes(body: dict[str, Any]) -> list[str]:
    found = [r["code"] for r in body["reasons"]]
    assert set(found) <= DOCUMENTED_CODES  # the OpenAPI document lists every code
    return found


# --- SPEC 6: the shape ------------------------------------------------------------------


def test_spec_example_verdict(api: FlaskClient) -> None:
    body = verdict(api, version="1.4.2", platform="ubuntu", platform_version="22.04", severity="S1")
    messages = {r["code"]: r["message"] for r in body.pop("reasons")}
    assert body == {
        "product": "aperturedb",
        "version": "1.4.2",
        "release_known": True,
        "cycle": "1",
        "status": "security_only",
        "support_level": "security_fixes_only",
        "covered": True,
        "as_of": "2026-11-22",
        "dates": {
            "released_on": "2025-01-10",
            "security_only_from": "2026-03-02",
            "eol_on": "2027-03-01",
            "eosl_on": "2027-09-01",
        },
        "platform": {
            "platform": "ubuntu",
            "version": "22.04",
            "supported": True,
            "vendor_eol": "2027-06-01",
        },
        "environment": "production",
        "subscription": "production",
        "allowed_severities": ALL,
        "severity": {"requested": "urgent", "granted": "urgent"},
        "upgrade_to": "2.5.1",
        # SPEC 17: with a platform given, the upgrade that keeps to it.
        "upgrade_on_platform": "2.5.1",
    }
    assert messages == {
        "security_only": "ApertureDB major release 1 receives security fixes only; "
        "it reaches end of life on 2027-03-01."
    }


# --- rules 2 and 3: the status of the version, and its reason -----------------------------

STATUS_CASES = [
    # version, as_of, status, support level, covered, release_known, reason codes
    ("2.5.1", AS_OF, "current", "full", True, True, ["current"]),
    ("1.4.2", AS_OF, "security_only", "security_fixes_only", True, True, ["security_only"]),
    ("1.4.2", "2027-04-01", "eol", "defect_evaluation_only", False, True, ["eol"]),
    ("1.4.2", "2027-09-01", "eosl", "none", False, True, ["eosl"]),
    ("2.6.0", AS_OF, "planned", "none", False, True, ["planned"]),
    ("3.0.0", AS_OF, "planned", "none", False, True, ["planned"]),
    ("3.0.0rc1", AS_OF, "prerelease", "none", False, True, ["prerelease"]),
    ("4.0.0a1", AS_OF, "prerelease", "none", False, True, ["prerelease"]),
    ("7.0", AS_OF, "unknown", "none", False, False, ["unknown_cycle"]),
    (
        "1.2.0",
        AS_OF,
        "security_only",
        "security_fixes_only",
        True,
        False,
        ["security_only", "unknown_release"],
    ),
    ("v2.5.1+build.7", AS_OF, "current", "full", True, True, ["current"]),
    ("2.5.1.0", AS_OF, "current", "full", True, True, ["current"]),
]


@pytest.mark.parametrize(
    ("version", "as_of", "status", "level", "covered", "known", "reasons"),
    STATUS_CASES,
    ids=[f"{c[0]}@{c[1]}-{c[2]}" for c in STATUS_CASES],
)
def test_status_of_the_version(
    api: FlaskClient,
    version: str,
    as_of: str,
    status: str,
    level: str,
    covered: bool,
    known: bool,
    reasons: list[str],
) -> None:
    body = verdict(api, version=version, as_of=as_of)
    assert (body["status"], body["support_level"], body["covered"]) == (status, level, covered)
    assert body["release_known"] is known
    assert body["as_of"] == as_of
    assert codes(body) == [*reasons, "platform_unchecked"]
    assert all(r["message"] for r in body["reasons"])


# --- rules 4 to 8: platform, subscription, environment, severities, upgrade ----------------

RULE_CASES: list[tuple[str, dict[str, str], dict[str, Any]]] = [
    (
        "platform-listed",
        {"version": "1.4.2", "platform": "ubuntu", "platform_version": "22.04"},
        {"covered": True, "supported": True, "codes": ["security_only"], "allowed": ALL},
    ),
    (
        "platform-version-22.4-is-22.04",
        {"version": "1.4.2", "platform": "ubuntu", "platform_version": "22.4"},
        {"covered": True, "supported": True, "codes": ["security_only"], "shown": "22.04"},
    ),
    (
        "platform-unknown-slug",
        {"version": "1.4.2", "platform": "debian", "platform_version": "12"},
        {"covered": False, "supported": False, "codes": ["security_only", "unknown_platform"]},
    ),
    (
        "platform-unknown-version",
        {"version": "1.4.2", "platform": "ubuntu", "platform_version": "99.04"},
        {"covered": False, "supported": False, "codes": ["security_only", "unknown_platform"]},
    ),
    (
        "platform-not-in-matrix",
        {"version": "1.4.2", "platform": "rhel", "platform_version": "9"},
        {"covered": False, "codes": ["security_only", "platform_not_supported"], "allowed": []},
    ),
    (
        "platform-vendor-eol",
        {"version": "1.4.2", "platform": "ubuntu", "platform_version": "20.04"},
        {"covered": False, "codes": ["security_only", "platform_vendor_eol"], "allowed": []},
    ),
    (
        "no-subscription",
        {"version": "2.5.1", "subscription": "none", "severity": "high"},
        {
            "covered": False,
            "codes": ["current", "platform_unchecked", "no_subscription", "severity_unavailable"],
            "allowed": [],
            "granted": None,
        },
    ),
    (
        "non-production",
        {"version": "2.5.1", "environment": "non_production"},
        {"covered": True, "codes": ["current", "platform_unchecked", "non_production"]},
    ),
    (
        "basic-subscription",
        {"version": "2.5.1", "subscription": "basic", "severity": "low"},
        {
            "covered": True,
            "codes": ["current", "platform_unchecked", "basic_subscription"],
            "allowed": NORMAL_LOW,
            "granted": "low",
        },
    ),
    (
        "urgent-granted",
        {"version": "2.5.1", "severity": "urgent"},
        {"codes": ["current", "platform_unchecked"], "allowed": ALL, "granted": "urgent"},
    ),
    (
        "non-production-downgrades-urgent",
        {"version": "2.5.1", "environment": "non_production", "severity": "urgent"},
        {
            "codes": ["current", "platform_unchecked", "non_production", "severity_downgraded"],
            "allowed": NORMAL_LOW,
            "granted": "normal",
        },
    ),
    (
        "eosl-nothing-available",
        {"version": "1.4.2", "as_of": "2027-10-01", "severity": "normal"},
        {"covered": False, "codes": ["eosl", "platform_unchecked", "severity_unavailable"]},
    ),
    (
        "non-production-on-eol-cycle",
        {"version": "1.4.2", "as_of": "2027-04-01", "environment": "non_production"},
        {
            "covered": False,
            "codes": ["eol", "platform_unchecked", "non_production"],
            "allowed": NORMAL_LOW,
        },
    ),
    (
        "basic-subscription-on-unsupported-platform",
        {
            "version": "1.4.2",
            "subscription": "basic",
            "platform": "rhel",
            "platform_version": "9",
            "severity": "S2",
        },
        {
            "covered": False,
            "codes": ["security_only", "platform_not_supported", "severity_unavailable"],
            "allowed": [],
            "granted": None,
        },
    ),
    ("upgrade-from-older-cycle", {"version": "1.4.2"}, {"upgrade_to": "2.5.1"}),
    ("upgrade-within-cycle", {"version": "2.0.0"}, {"upgrade_to": "2.5.1"}),
    ("no-upgrade-from-latest", {"version": "2.5.1"}, {"upgrade_to": None}),
    ("no-upgrade-from-newer", {"version": "2.6.0"}, {"upgrade_to": None}),
]


@pytest.mark.parametrize(
    ("params", "expected"), [c[1:] for c in RULE_CASES], ids=[c[0] for c in RULE_CASES]
)
def test_rules(api: FlaskClient, params: dict[str, str], expected: dict[str, Any]) -> None:
    body = verdict(api, **params)
    if "covered" in expected:
        assert body["covered"] is expected["covered"]
    if "codes" in expected:
        assert codes(body) == expected["codes"]
    if "allowed" in expected:
        assert body["allowed_severities"] == expected["allowed"]
    if "granted" in expected:
        assert body["severity"]["granted"] == expected["granted"]
    if "upgrade_to" in expected:
        assert body["upgrade_to"] == expected["upgrade_to"]
    if "supported" in expected:
        assert body["platform"]["supported"] is expected["supported"]
    if "shown" in expected:
        assert body["platform"]["version"] == expected["shown"]


@pytest.mark.parametrize(
    ("alias", "severity"),
    [
        ("S1", "urgent"),
        ("s1", "urgent"),
        ("1", "urgent"),
        ("emergency", "urgent"),
        ("EMERGENCY", "urgent"),
        ("Urgent", "urgent"),
        ("S2", "high"),
        ("2", "high"),
        ("s3", "normal"),
        ("4", "low"),
        ("LOW", "low"),
    ],
)
def test_severity_aliases(api: FlaskClient, alias: str, severity: str) -> None:
    body = verdict(api, version="2.5.1", severity=alias)
    assert body["severity"] == {"requested": severity, "granted": severity}


def test_environment_and_subscription_ignore_case(api: FlaskClient) -> None:
    body = verdict(api, version="2.5.1", environment="Non_Production", subscription="BASIC")
    assert (body["environment"], body["subscription"]) == ("non_production", "basic")


# --- defaults ---------------------------------------------------------------------------


def test_defaults_production_production_and_today(
    api: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_today(api.application, date(2027, 4, 1), monkeypatch)
    body = verdict(api, version="1.4.2", as_of=None)
    assert body["as_of"] == "2027-04-01"
    assert body["status"] == "eol"  # judged on the patched today, not on a fixed date
    assert (body["environment"], body["subscription"]) == ("production", "production")
    assert body["severity"] == {"requested": None, "granted": None}
    assert body["platform"] is None


@pytest.mark.parametrize("as_of", ["1900-01-01", "2999-12-31"])
def test_the_ends_of_the_date_range_are_judged(api: FlaskClient, as_of: str) -> None:
    body = verdict(api, version="1.4.2", as_of=as_of)
    assert body["as_of"] == as_of
    assert body["status"] == ("planned" if as_of < "2025" else "eosl")


def test_as_of_defaults_to_the_utc_date(api: FlaskClient) -> None:
    before = datetime.now(UTC).date().isoformat()
    body = verdict(api, version="2.5.1", as_of=None)
    assert body["as_of"] in {before, datetime.now(UTC).date().isoformat()}


def test_blank_parameters_are_refused(api: FlaskClient) -> None:
    """An empty value is not an absent one: ``environment=`` names no environment."""
    blank = ["platform", "platform_version", "environment", "subscription", "severity", "as_of"]
    answer = api.get(f"{URL}?product={PRODUCT}&version=2.5.1&" + "&".join(f"{n}=" for n in blank))
    assert answer.status_code == 422
    errors = answer.json["errors"]  # type: ignore[index]
    assert set(errors) == set(blank)
    assert all(messages == ["Must not be blank."] for messages in errors.values())
    # SPEC 17 (it was ignored before): a parameter of no query is refused, naming it.
    unknown = api.get(f"{URL}?product={PRODUCT}&version=2.5.1&unrelated=1")
    assert unknown.status_code == 422 and set(unknown.json["errors"]) == {"unrelated"}


# --- bad queries: 4xx problem+json with errors per field -----------------------------------

BAD_QUERIES: list[tuple[str, dict[str, str | None], int, str, set[str]]] = [
    ("missing-version", {}, 422, "validation_error", {"version"}),
    ("empty-version", {"version": ""}, 422, "validation_error", {"version"}),
    ("blank-version", {"version": "  "}, 422, "validation_error", {"version"}),
    ("blank-product", {"product": " ", "version": "1"}, 422, "validation_error", {"product"}),
    ("empty-as-of", {"version": "1", "as_of": ""}, 422, "validation_error", {"as_of"}),
    ("empty-severity", {"version": "1", "severity": ""}, 422, "validation_error", {"severity"}),
    (
        "missing-product",
        {"product": None, "version": "1.4.2"},
        422,
        "validation_error",
        {"product"},
    ),
    ("unknown-product", {"product": "nope", "version": "1.4.2"}, 404, "not_found", set()),
    ("product-not-a-slug", {"product": "../etc", "version": "1"}, 404, "not_found", set()),
    ("invalid-version", {"version": "1e5"}, 422, "invalid_version", {"version"}),
    ("version-dotdot", {"version": "../"}, 422, "invalid_version", {"version"}),
    ("version-percent", {"version": "%00"}, 422, "invalid_version", {"version"}),
    ("version-too-long", {"version": "1." * 150}, 422, "invalid_version", {"version"}),
    (
        "unknown-environment",
        {"version": "1", "environment": "staging"},
        422,
        "validation_error",
        {"environment"},
    ),
    (
        "unknown-subscription",
        {"version": "1", "subscription": "gold"},
        422,
        "validation_error",
        {"subscription"},
    ),
    ("unknown-severity", {"version": "1", "severity": "S5"}, 422, "validation_error", {"severity"}),
    (
        "severity-word",
        {"version": "1", "severity": "medium"},
        422,
        "validation_error",
        {"severity"},
    ),
    (
        "date-no-month-13",
        {"version": "1", "as_of": "2026-13-01"},
        422,
        "validation_error",
        {"as_of"},
    ),
    ("date-feb-30", {"version": "1", "as_of": "2026-02-30"}, 422, "validation_error", {"as_of"}),
    ("date-not-iso", {"version": "1", "as_of": "22/11/2026"}, 422, "validation_error", {"as_of"}),
    ("date-basic-form", {"version": "1", "as_of": "20261122"}, 422, "validation_error", {"as_of"}),
    (
        "date-with-time",
        {"version": "1", "as_of": "2026-11-22T10:00"},
        422,
        "validation_error",
        {"as_of"},
    ),
    (
        "date-before-1900",
        {"version": "1", "as_of": "1899-12-31"},
        422,
        "validation_error",
        {"as_of"},
    ),
    (
        "date-after-2999",
        {"version": "1", "as_of": "3000-01-01"},
        422,
        "validation_error",
        {"as_of"},
    ),
    ("date-year-0", {"version": "1", "as_of": "0000-01-01"}, 422, "validation_error", {"as_of"}),
    (
        "platform-without-version",
        {"version": "1", "platform": "ubuntu"},
        422,
        "validation_error",
        {"platform_version"},
    ),
    (
        "version-without-platform",
        {"version": "1", "platform_version": "22.04"},
        422,
        "validation_error",
        {"platform"},
    ),
    (
        "platform-too-long",
        {"version": "1", "platform": "u" * 201, "platform_version": "1"},
        422,
        "validation_error",
        {"platform"},
    ),
    (
        "platform-control-char",
        {"version": "1", "platform": "ubu\x00ntu", "platform_version": "1"},
        422,
        "validation_error",
        {"platform"},
    ),
    (
        "every-field-at-once",
        {
            "product": None,
            "version": "x.y",
            "environment": "e",
            "subscription": "s",
            "severity": "9",
            "as_of": "x",
            "platform": "p",
        },
        422,
        "validation_error",
        {
            "product",
            "version",
            "environment",
            "subscription",
            "severity",
            "as_of",
            "platform_version",
        },
    ),
]


@pytest.mark.parametrize(
    ("params", "status", "code", "fields"),
    [c[1:] for c in BAD_QUERIES],
    ids=[c[0] for c in BAD_QUERIES],
)
def test_bad_queries_are_problems(
    api: FlaskClient, params: dict[str, str | None], status: int, code: str, fields: set[str]
) -> None:
    answer = get(api, **params)
    assert answer.status_code == status
    assert answer.mimetype == "application/problem+json"
    problem = answer.json
    assert problem is not None
    assert (problem["status"], problem["code"], problem["type"]) == (
        status,
        code,
        f"/problems/{code}",
    )
    assert problem["title"] and problem["detail"]
    assert set(problem.get("errors", {})) == fields
    for messages in problem.get("errors", {}).values():
        assert messages and all(isinstance(m, str) and m for m in messages)


def test_a_field_given_twice_is_refused(api: FlaskClient) -> None:
    answer = api.get(f"{URL}?product={PRODUCT}&version=1.4.2&version=2.5.1&severity=1&severity=2")
    assert answer.status_code == 422
    assert set(answer.json["errors"]) == {"version", "severity"}  # type: ignore[index]


def test_unknown_product_wins_over_an_invalid_version(api: FlaskClient) -> None:
    """SPEC 5 rule 1: an unknown product is a 404 before its version is judged."""
    assert get(api, product="nope", version="not-a-version").status_code == 404


def test_messages_do_not_echo_megabytes(api: FlaskClient) -> None:
    answer = get(api, product="a" * 100_000, version="1")
    assert answer.status_code in (404, 422)
    assert len(answer.data) < 2_000


# --- no input makes a 500 -----------------------------------------------------------------

NASTY = [
    "",
    " ",
    "../",
    "%00",
    "\x00",
    "1e5",
    "\u0661.\u0662",  # Arabic-Indic digits
    "\uff11.\uff10",  # full-width digits
    "\u202e1.0",
    "🙂",
    "1" * 5_000,
    "1." * 5_000,
    "9" * 300,
    "1!2.0",
    "-1",
    "None",
    "null",
    "[]",
    "{}",
    "'; DROP TABLE products; --",
    "\ud7ff",
    "v",
    "V1",
    "vv1",
    "2026-11-22\n",
]


@pytest.mark.parametrize("field", FIELDS)
def test_nasty_values_never_make_a_500(api: FlaskClient, field: str) -> None:
    for value in NASTY:
        params = {"version": "2.5.1", field: value}
        answer = get(api, **params)
        assert answer.status_code < 500, (field, value, answer.json)


@pytest.mark.parametrize(
    "raw",
    [
        "product=aperturedb&version=%00",
        "product=%00&version=1",
        "product=aperturedb&version=%ff%fe",
        "product=aperturedb&version=1&as_of=%ed%a0%80",  # an encoded lone surrogate
        "product=aperturedb&version=1&platform=%c0%af&platform_version=1",
        "product=aperturedb&version=1&&&&=&=x",
        "product=aperturedb&version=1&version",
        "product&version",
        "product[]=aperturedb&version[]=1",
    ],
)
def test_raw_query_strings_never_make_a_500(api: FlaskClient, raw: str) -> None:
    answer = api.get(f"{URL}?{raw}")
    assert answer.status_code in (200, 404, 422)
    body = answer.json
    assert body is not None
    if answer.status_code == 200:
        assert set(body) == verdict_keys(body)
    else:
        assert answer.mimetype == "application/problem+json"
        assert body["status"] == answer.status_code
        assert body["detail"] and body["code"]


VERDICT_KEYS = {
    "product", "version", "release_known", "cycle", "status", "support_level", "covered",
    "as_of", "dates", "platform", "environment", "subscription", "allowed_severities",
    "severity", "upgrade_to", "reasons",
}  # fmt: skip


def verdict_keys(body: dict[str, Any]) -> set[str]:
    """A verdict's keys; SPEC 17 adds upgrade_on_platform when a platform was given."""
    return VERDICT_KEYS | ({"upgrade_on_platform"} if body["platform"] is not None else set())


# A valid query; each case below replaces one field of it (the platform's pair with it).
VALID = {"product": PRODUCT, "version": "1.4.2", "platform": "ubuntu", "platform_version": "22.04"}


def assert_answered(answer: TestResponse, field: str) -> None:
    """A verdict, or a problem that names what is wrong: never a 5xx, never a bare error."""
    body = answer.json
    assert body is not None
    if answer.status_code == 200:
        assert set(body) == verdict_keys(body)
        assert answer.mimetype == "application/json"
        return
    assert answer.mimetype == "application/problem+json"
    assert body["status"] == answer.status_code
    if answer.status_code == 404:
        assert (field, body["code"]) == ("product", "not_found")
        return
    assert answer.status_code == 422, body
    assert field in body["errors"], body


@pytest.mark.parametrize("field", FIELDS)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=300))
def test_arbitrary_text_in_each_parameter_is_answered(
    api: FlaskClient, field: str, text: str
) -> None:
    answer = api.get(URL, query_string={**VALID, field: text})
    assert_answered(answer, field)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(max_size=200))
def test_arbitrary_bytes_as_the_version_are_answered(api: FlaskClient, raw: bytes) -> None:
    from urllib.parse import quote_from_bytes

    answer = api.get(f"{URL}?product={PRODUCT}&version={quote_from_bytes(raw)}")
    assert_answered(answer, "version")


# --- OpenAPI ------------------------------------------------------------------------------


def test_openapi_documents_the_endpoint(api: FlaskClient) -> None:
    doc = api.get("/api/openapi.json").json
    assert doc is not None
    path = doc["paths"]["/api/v1/eligibility"]
    names = {p["name"]: p for p in path["get"]["parameters"] if p["in"] == "query"}
    assert set(names) == {*FIELDS, "ticket"}  # SPEC 17: a ticket is echoed
    assert names["product"]["required"] and names["version"]["required"]
    assert names["environment"]["schema"]["enum"] == [
        "production",
        "non_production",
        "non-production",
    ]
    assert set(path["get"]["responses"]) >= {"200", "404", "422"}
    assert set(path["post"]["responses"]) >= {"200", "400", "413", "415", "422"}
    assert "requestBody" in path["post"]
    schemas = doc["components"]["schemas"]
    verdict_props = schemas["Verdict"]["properties"]
    assert set(verdict_props) == {
        "product", "version", "release_known", "cycle", "status", "support_level", "covered",
        "as_of", "dates", "platform", "environment", "subscription", "allowed_severities",
        "severity", "upgrade_to", "reasons",
        "upgrade_on_platform", "ticket",  # SPEC 17: with a platform, with a ticket
    }  # fmt: skip
    assert set(schemas["Verdict"]["required"]) == VERDICT_KEYS

    def refs(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for ref in refs(path):
        kind, name = ref.split("/")[-2:]
        assert name in doc["components"][kind], ref
    for ref in refs(schemas["BatchResults"]):
        assert ref.split("/")[-1] in schemas, ref
