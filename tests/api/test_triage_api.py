"""SPEC 9 through POST /api/v1/triage, on both databases: severity, response due times,
the support plan file, and every bad input answered without a 500."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from app.triage.plan import SupportPlanFileError
from tests.conftest import PostgresSchema, dispose, make_app, require_postgres

URL = "/api/v1/triage"
URL_PRODUCTS = "/api/v1/products"
PRODUCT = "aperturedb"
# Cycle 0 is past its EOSL by autumn 2026, cycle 1 turns security-only on 2026-03-02
# (when 2.0.0 ships), cycle 2 is current, cycle 3 is planned.
RELEASES = [
    ("0.9.0", "2023-01-01"),
    ("1.4.2", "2025-01-10"),
    ("2.0.0", "2026-03-02"),
    ("3.0.0", "2027-03-01"),
]
VERDICT_FIELDS = {
    "product",
    "version",
    "release_known",
    "cycle",
    "status",
    "support_level",
    "covered",
    "as_of",
    "dates",
    "platform",
    "environment",
    "subscription",
    "allowed_severities",
    "severity",
    "upgrade_to",
    "reasons",
}
# SPEC 17 adds the reply to send.
TRIAGE_FIELDS = {"channel", "submitted_at", "response_target", "response_due_at", "reply"}


def headers_for(flask_app: Flask, role: str) -> dict[str, str]:
    from app.auth import Role, create_token

    with flask_app.app_context():
        secret, _ = create_token(Role(role), f"{role}-{uuid.uuid4().hex[:6]}")
    return {"Authorization": f"Bearer {secret}"}


def seed(client: FlaskClient, admin: dict[str, str]) -> None:
    answer = client.post(URL_PRODUCTS, json={"slug": PRODUCT, "name": "ApertureDB"}, headers=admin)
    assert answer.status_code == 201, answer.json
    for version, day in RELEASES:
        answer = client.post(
            f"{URL_PRODUCTS}/{PRODUCT}/releases",
            json={"version": version, "released_on": day},
            headers=admin,
        )
        assert answer.status_code == 201, answer.json


@dataclass
class Desk:
    """A seeded catalogue's client and its tokens; tickets go with the support token."""

    client: FlaskClient
    support: dict[str, str]
    admin: dict[str, str]

    def triage(self, body: Any, headers: dict[str, str] | None = None) -> TestResponse:
        return self.client.post(
            URL, json=body, headers=self.support if headers is None else headers
        )


DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def seeded_desk(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
    **config: Any,
) -> Iterator[Desk]:
    """A seeded app on a database of its own, shared by a module's tests: triage only reads."""
    folder = tmp_path_factory.mktemp("triage")
    schema: PostgresSchema | None = None
    if request.param == "sqlite":
        path = folder / "lifecycle.sqlite"
        shutil.copyfile(sqlite_template, path)
        url = f"sqlite:///{path}"
    else:
        require_postgres()
        schema = PostgresSchema()
        url = schema.url
    flask_app = make_app(url, folder, **config)
    try:
        admin = headers_for(flask_app, "admin")
        client = flask_app.test_client()
        seed(client, admin)
        yield Desk(client, headers_for(flask_app, "support"), admin)
    finally:
        dispose(flask_app)
        if schema is not None:
            schema.drop()


@pytest.fixture(scope="module", params=DATABASES)
def desk(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[Desk]:
    """The default support plan and calendar (no plan file)."""
    yield from seeded_desk(request, tmp_path_factory, sqlite_template)


def ticket(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subject": "Replication stalls",
        "submitted_at": "2026-11-17T10:30:00-08:00",
        "product": PRODUCT,
        "version": "2.0.0",
    }
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


def codes(answer: dict[str, Any]) -> list[str]:
    return [r["code"] for r in answer["reasons"]]


# -- the SPEC 9 examples, end to end ------------------------------------------------


@pytest.mark.parametrize(
    ("submitted_at", "due"),
    [
        pytest.param("2026-11-17T10:30:00-08:00", "2026-11-17T14:30:00-08:00", id="same-day"),
        pytest.param("2026-10-23T17:00:00-07:00", "2026-10-26T08:00:00-07:00", id="friday"),
        pytest.param("2026-11-25T15:00:00-08:00", "2026-11-27T06:00:00-08:00", id="thanksgiving"),
    ],
)
def test_spec_examples(desk: Desk, submitted_at: str, due: str) -> None:
    answer = desk.triage(ticket(submitted_at=submitted_at, severity="high"))
    assert answer.status_code == 200, answer.json
    assert answer.mimetype == "application/json"
    body = answer.json
    assert set(body) == VERDICT_FIELDS | TRIAGE_FIELDS
    assert body["severity"] == {"requested": "high", "granted": "high", "source": "field"}
    assert body["response_due_at"] == due
    assert body["response_target"] == "4 business hours"
    assert body["submitted_at"] == submitted_at
    assert (body["status"], body["covered"], body["cycle"]) == ("current", True, "2")
    assert body["allowed_severities"] == ["urgent", "high", "normal", "low"]
    assert body["channel"] == "portal"


# -- the requested severity and its source --------------------------------------------


@pytest.mark.parametrize(
    ("fields", "requested", "granted", "source"),
    [
        pytest.param({"severity": "normal"}, "normal", "normal", "field", id="field"),
        pytest.param({"severity": "S1"}, "urgent", "urgent", "field", id="field-alias"),
        pytest.param(
            {"severity": "LOW", "subject": "[Urgent] down"}, "low", "low", "field", id="field-wins"
        ),
        pytest.param(
            {"subject": "[Emergency] db down"}, "urgent", "urgent", "subject", id="emergency"
        ),
        pytest.param({"subject": "cluster [urgent]"}, "urgent", "urgent", "subject", id="urgent"),
        pytest.param(
            {"subject": "[HIGH] slow", "channel": "email"}, "high", "high", "subject", id="high"
        ),
        pytest.param({"channel": "email"}, "low", "low", "default", id="email-starts-low"),
        pytest.param({"channel": "portal"}, "normal", "normal", "default", id="portal"),
        pytest.param({"channel": "phone"}, "normal", "normal", "default", id="phone"),
        pytest.param({}, "normal", "normal", "default", id="channel-defaults-to-portal"),
        pytest.param({"subject": "Urgent: down"}, "normal", "normal", "default", id="no-brackets"),
        pytest.param(
            {"subject": "[Emergency] db down", "environment": "non_production"},
            "urgent",
            "normal",
            "subject",
            id="non-production-downgraded",
        ),
        pytest.param(
            {"severity": "high", "subscription": "basic"},
            "high",
            "normal",
            "field",
            id="basic-downgraded",
        ),
        pytest.param(
            {"severity": "low", "environment": "non_production"},
            "low",
            "low",
            "field",
            id="non-production-low-kept",
        ),
    ],
)
def test_severity_requested_granted_and_source(
    desk: Desk,
    fields: dict[str, Any],
    requested: str,
    granted: str,
    source: str,
) -> None:
    answer = desk.triage(ticket(**fields))
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert body["severity"] == {"requested": requested, "granted": granted, "source": source}
    assert ("severity_downgraded" in codes(body)) == (requested != granted)
    if "environment" in fields:
        assert "non_production" in codes(body)


def test_emergency_on_non_production_is_worked_as_normal_within_a_business_day(desk: Desk) -> None:
    answer = desk.triage(
        ticket(subject="[Emergency] prod-like test cluster", environment="non_production")
    ).json
    assert answer["severity"] == {"requested": "urgent", "granted": "normal", "source": "subject"}
    downgraded = [r for r in answer["reasons"] if r["code"] == "severity_downgraded"]
    assert len(downgraded) == 1
    assert "Urgent" in downgraded[0]["message"] and "Normal" in downgraded[0]["message"]
    assert answer["allowed_severities"] == ["normal", "low"]
    assert answer["response_target"] == "1 business day"
    assert answer["response_due_at"] == "2026-11-18T10:30:00-08:00"


# -- response targets -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("submitted_at", "severity", "due", "target"),
    [
        # urgent is one real hour, whatever the day or the hour
        pytest.param(
            "2026-11-21T23:30:00-08:00",
            "urgent",
            "2026-11-22T00:30:00-08:00",
            "1 hour, around the clock",
            id="urgent-saturday-night",
        ),
        pytest.param(
            "2026-11-26T12:00:00-08:00",
            "urgent",
            "2026-11-26T13:00:00-08:00",
            "1 hour, around the clock",
            id="urgent-on-thanksgiving",
        ),
        pytest.param(
            "2026-11-01T01:30:00-07:00",
            "urgent",
            "2026-11-01T01:30:00-08:00",
            "1 hour, around the clock",
            id="urgent-across-dst-end",
        ),
        pytest.param(
            "2026-11-17T18:30:00Z",
            "urgent",
            "2026-11-17T11:30:00-08:00",
            "1 hour, around the clock",
            id="urgent-utc-input-answered-in-calendar-zone",
        ),
        pytest.param(
            "2026-11-17T10:30:00-08:00",
            "normal",
            "2026-11-18T10:30:00-08:00",
            "1 business day",
            id="normal-13-business-hours",
        ),
        pytest.param(
            "2026-11-17T10:30:00-08:00",
            "low",
            "2026-11-19T10:30:00-08:00",
            "2 business days",
            id="low",
        ),
        pytest.param(
            "2026-11-17T14:00:00-08:00",
            "high",
            "2026-11-17T18:00:00-08:00",
            "4 business hours",
            id="high-lands-on-closing",
        ),
        pytest.param(
            "2026-11-21T09:00:00-08:00",
            "high",
            "2026-11-23T09:00:00-08:00",
            "4 business hours",
            id="high-saturday-starts-monday",
        ),
    ],
)
def test_response_targets_of_the_default_plan(
    desk: Desk,
    submitted_at: str,
    severity: str,
    due: str,
    target: str,
) -> None:
    answer = desk.triage(ticket(submitted_at=submitted_at, severity=severity)).json
    assert answer["severity"]["granted"] == severity
    assert (answer["response_due_at"], answer["response_target"]) == (due, target)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        pytest.param({"subscription": "none"}, "no_subscription", id="no-subscription"),
        pytest.param({"version": "0.9.0"}, "eosl", id="eosl"),
        pytest.param({"version": "3.0.0"}, "planned", id="planned"),
        pytest.param({"version": "7.0"}, "unknown_cycle", id="unknown-cycle"),
        pytest.param(
            {"platform": "ubuntu", "platform_version": "22.04"},
            "unknown_platform",
            id="unknown-platform",
        ),
    ],
)
def test_nothing_granted_means_no_due_time(desk: Desk, fields: dict[str, Any], reason: str) -> None:
    answer = desk.triage(ticket(severity="urgent", **fields))
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert body["allowed_severities"] == []
    assert body["severity"] == {"requested": "urgent", "granted": None, "source": "field"}
    assert (body["response_due_at"], body["response_target"]) == (None, None)
    assert body["covered"] is False
    assert reason in codes(body)
    assert "severity_unavailable" in codes(body)


def test_eol_allows_normal_and_low_only(desk: Desk) -> None:
    # cycle 0 reaches EOL on 2026-03-02 and EOSL on 2026-09-02
    body = desk.triage(
        ticket(version="0.9.0", submitted_at="2026-05-05T09:00:00-07:00", severity="high")
    ).json
    assert (body["status"], body["covered"]) == ("eol", False)
    assert body["severity"] == {"requested": "high", "granted": "normal", "source": "field"}
    assert body["response_due_at"] == "2026-05-06T09:00:00-07:00"


# -- as_of ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "submitted_at",
    [
        pytest.param("2026-03-01T23:30:00-08:00", id="local-offset"),
        pytest.param("2026-03-02T07:30:00Z", id="same-instant-in-utc"),
        pytest.param("2026-03-02T08:30:00+01:00", id="same-instant-in-berlin"),
    ],
)
def test_as_of_defaults_to_the_calendar_local_date(desk: Desk, submitted_at: str) -> None:
    # 2026-03-01 23:30 in Los Angeles is already 2026-03-02 in UTC, the day cycle 1
    # turns security-only: the calendar's date keeps it current.
    body = desk.triage(ticket(version="1.4.2", submitted_at=submitted_at)).json
    assert body["as_of"] == "2026-03-01"
    assert body["status"] == "current"
    assert body["submitted_at"] == "2026-03-01T23:30:00-08:00"
    # the UTC date would have judged it differently
    explicit = desk.triage(
        ticket(version="1.4.2", submitted_at=submitted_at, as_of="2026-03-02")
    ).json
    assert (explicit["as_of"], explicit["status"]) == ("2026-03-02", "security_only")
    assert explicit["submitted_at"] == body["submitted_at"]


# -- the support plan file ------------------------------------------------------------------

BERLIN = {
    "plan": {"high": "2bh", "normal": {"amount": 2, "unit": "business_days"}},
    "calendar": {
        "zone": "Europe/Berlin",
        "opens": "08:00",
        "closes": "17:00",
        # a short Friday and Saturday mornings; Monday to Thursday keep 08:00-17:00
        "weekdays": "mon-sat",
        "hours": {"friday": ["08:00", "15:00"], "sat": ["09:00", "12:00"]},
        "holiday_country": "DE",
    },
}


@pytest.fixture(scope="module", params=DATABASES)
def berlin(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[Desk]:
    """A plan file with a Berlin calendar (short Fridays, Saturday mornings), high = 2
    business hours and normal = 2 days."""
    plan_file = tmp_path_factory.mktemp("plan") / "support_plan.json"
    plan_file.write_text(json.dumps(BERLIN), encoding="utf-8")
    yield from seeded_desk(
        request, tmp_path_factory, sqlite_template, SUPPORT_PLAN_FILE=str(plan_file)
    )


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param(
            # 10:30 in Los Angeles is 19:30 in Berlin: closed, so the clock starts at 08:00
            {"severity": "high"},
            {
                "submitted_at": "2026-11-17T19:30:00+01:00",
                "response_target": "2 business hours",
                "response_due_at": "2026-11-18T10:00:00+01:00",
            },
            id="high-2-business-hours",
        ),
        pytest.param(
            # a business day is 9 hours here (Monday to Thursday; Friday and Saturday are
            # shorter); 2026-12-24 is no German federal holiday, but the 25th and 26th
            # are, so that Friday and Saturday are closed
            {"submitted_at": "2026-12-23T16:00:00+01:00"},
            {
                "response_target": "2 business days",
                "response_due_at": "2026-12-28T16:00:00+01:00",
            },
            id="normal-over-christmas",
        ),
        pytest.param(
            # the plan leaves urgent out: the SPEC default of one real hour stays
            {"severity": "urgent", "submitted_at": "2026-11-21T23:30:00+01:00"},
            {
                "response_target": "1 hour, around the clock",
                "response_due_at": "2026-11-22T00:30:00+01:00",
            },
            id="urgent-default-kept",
        ),
        pytest.param(
            # 16:30 in Los Angeles on 03-01 is 01:30 on 03-02 in Berlin: cycle 1 is
            # security-only there
            {"version": "1.4.2", "submitted_at": "2026-03-01T16:30:00-08:00"},
            {"as_of": "2026-03-02", "status": "security_only"},
            id="as-of-is-the-berlin-date",
        ),
        pytest.param(
            # Friday closes at 15:00: the due time lands on it and stays there
            {"severity": "high", "submitted_at": "2026-11-20T13:00:00+01:00"},
            {"response_due_at": "2026-11-20T15:00:00+01:00"},
            id="friday-lands-on-short-close",
        ),
        pytest.param(
            # one hour on Friday, the next from Saturday's 09:00 opening
            {"severity": "high", "submitted_at": "2026-11-20T14:00:00+01:00"},
            {"response_due_at": "2026-11-21T10:00:00+01:00"},
            id="friday-to-saturday",
        ),
        pytest.param(
            # 16:00 on a Friday is after closing, though Thursday would still be open
            {"severity": "high", "submitted_at": "2026-11-20T16:00:00+01:00"},
            {"response_due_at": "2026-11-21T11:00:00+01:00"},
            id="friday-after-short-close",
        ),
        pytest.param(
            # Saturday closes at 12:00: the clock starts at Monday's opening
            {"severity": "high", "submitted_at": "2026-11-21T12:30:00+01:00"},
            {"response_due_at": "2026-11-23T10:00:00+01:00"},
            id="saturday-after-close",
        ),
        pytest.param(
            # 2 business days = 18 h: Friday 7, Saturday 3, Monday 8
            {"submitted_at": "2026-11-20T08:00:00+01:00"},
            {"response_target": "2 business days", "response_due_at": "2026-11-23T16:00:00+01:00"},
            id="normal-over-short-days",
        ),
    ],
)
def test_a_plan_file_changes_the_answer(
    berlin: Desk, fields: dict[str, Any], expected: dict[str, Any]
) -> None:
    answer = berlin.triage(ticket(**fields))
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert {k: body[k] for k in expected} == expected


def test_the_default_answer_differs_from_the_berlin_one(desk: Desk) -> None:
    # the same ticket as the first Berlin case, with no plan file
    body = desk.triage(ticket(severity="high")).json
    assert body["response_due_at"] == "2026-11-17T14:30:00-08:00"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param(
            '{"plan": {"high": "four hours"}}',
            "plan: high: Invalid response target 'four hours'",
            id="plan",
        ),
        pytest.param(
            '{"calendar": {"hours": {"sat": ["09:00", "12:00"]}}}',
            "calendar: hours are given for saturday, not among the weekdays "
            "(mon, tue, wed, thu, fri): add it to weekdays",
            id="hours-for-a-closed-day",
        ),
    ],
)
def test_a_broken_plan_file_stops_the_app_naming_file_and_problem(
    database_url: str, tmp_path: Path, text: str, problem: str
) -> None:
    plan_file = tmp_path / "support_plan.json"
    plan_file.write_text(text, encoding="utf-8")
    with pytest.raises(SupportPlanFileError) as caught:
        make_app(database_url, tmp_path, SUPPORT_PLAN_FILE=str(plan_file))
    assert str(plan_file) in str(caught.value)
    assert problem in str(caught.value)


# -- who may call it ------------------------------------------------------------------------


def test_support_and_admin_may_triage(desk: Desk) -> None:
    for headers in (desk.support, desk.admin):
        answer = desk.triage(ticket(), headers=headers)
        assert answer.status_code == 200, answer.json


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-token"),
        pytest.param({"Authorization": "Bearer lct_not-a-real-token"}, id="garbage-token"),
        pytest.param({"Authorization": "Basic YWRtaW46YWRtaW4="}, id="basic-auth"),
        pytest.param({"Authorization": "Bearer "}, id="empty-bearer"),
    ],
)
def test_without_a_valid_token_401_before_the_body_is_read(
    desk: Desk, headers: dict[str, str]
) -> None:
    for body in (ticket(), {"nonsense": True}):
        answer = desk.triage(body, headers=headers)
        assert answer.status_code == 401
        assert answer.mimetype == "application/problem+json"
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_refused(client: FlaskClient, app: Flask) -> None:
    from app.auth import Role, create_token, revoke_token

    with app.app_context():
        secret, _ = create_token(Role.SUPPORT, "leaver")
        revoke_token("leaver")
    answer = client.post(URL, json=ticket(), headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 401


# -- bad input: problem+json with the fields named -----------------------------------------


@pytest.mark.parametrize(
    ("fields", "status", "field", "code"),
    [
        pytest.param(
            {"submitted_at": "2026-11-17T10:30:00"},
            422,
            "submitted_at",
            "validation_error",
            id="naive",
        ),
        pytest.param({"submitted_at": "2026-11-17"}, 422, "submitted_at", None, id="date-only"),
        pytest.param({"submitted_at": "tomorrow"}, 422, "submitted_at", None, id="not-a-time"),
        pytest.param({"submitted_at": 1763404200}, 422, "submitted_at", None, id="epoch-number"),
        pytest.param(
            {"submitted_at": "1066-10-14T09:00:00+00:00"}, 422, "submitted_at", None, id="too-old"
        ),
        pytest.param(
            {"submitted_at": "9999-12-31T23:59:59-12:00"}, 422, "submitted_at", None, id="too-late"
        ),
        pytest.param({"submitted_at": None}, 422, "submitted_at", None, id="missing-submitted"),
        pytest.param({"channel": "fax"}, 422, "channel", None, id="bad-channel"),
        pytest.param({"channel": None, "x": 1}, 422, "x", None, id="unknown-field"),
        pytest.param({"priority": "high"}, 422, "priority", None, id="unknown-priority"),
        pytest.param({"response_due_at": "2026-11-17"}, 422, "response_due_at", None, id="owned"),
        pytest.param({"subject": None}, 422, "subject", None, id="missing-subject"),
        pytest.param({"subject": "   "}, 422, "subject", None, id="blank-subject"),
        pytest.param({"subject": "a" * 1001}, 422, "subject", None, id="long-subject"),
        pytest.param({"subject": "down\x00"}, 422, "subject", None, id="control-in-subject"),
        pytest.param({"subject": "down\nnow"}, 422, "subject", None, id="newline-in-subject"),
        pytest.param({"subject": 42}, 422, "subject", None, id="subject-not-text"),
        pytest.param({"body": "x" * 10_001}, 422, "body", None, id="long-body"),
        pytest.param({"body": "a\x07b"}, 422, "body", None, id="bell-in-body"),
        pytest.param({"severity": "medium"}, 422, "severity", None, id="bad-severity"),
        pytest.param({"severity": ""}, 422, "severity", None, id="blank-severity"),
        pytest.param({"environment": "staging"}, 422, "environment", None, id="bad-environment"),
        pytest.param({"as_of": "2026-13-01"}, 422, "as_of", None, id="bad-as-of"),
        pytest.param({"platform": "ubuntu"}, 422, "platform_version", None, id="half-platform"),
        pytest.param({"product": None}, 422, "product", None, id="missing-product"),
        pytest.param({"version": "not a version"}, 422, "version", "invalid_version", id="ver"),
        pytest.param({"product": "nope"}, 404, None, "not_found", id="unknown-product"),
        pytest.param({"product": "Not A Slug"}, 404, None, "not_found", id="non-slug-product"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field(
    desk: Desk,
    fields: dict[str, Any],
    status: int,
    field: str | None,
    code: str | None,
) -> None:
    body = ticket()
    for name, value in fields.items():
        if value is None:
            body.pop(name, None)
        else:
            body[name] = value
    answer = desk.triage(body)
    assert answer.status_code == status, answer.json
    assert answer.mimetype == "application/problem+json"
    problem = answer.json
    assert problem["status"] == status
    if field is not None:
        assert field in problem["errors"], problem
        assert all(isinstance(m, str) for m in problem["errors"][field])
    if code is not None:
        assert problem["code"] == code


def test_a_naive_timestamp_is_told_to_carry_an_offset(desk: Desk) -> None:
    problem = desk.triage(ticket(submitted_at="2026-11-17T10:30:00")).json
    assert problem["errors"] == {"submitted_at": [problem["errors"]["submitted_at"][0]]}
    assert "UTC offset" in problem["errors"]["submitted_at"][0]


def test_every_bad_field_is_reported_at_once(desk: Desk) -> None:
    body = {
        "subject": "",
        "submitted_at": "2026-11-17T10:30:00",
        "channel": "fax",
        "product": PRODUCT,
        "version": "not a version",
        "severity": "medium",
        "ticket_id": 7,
    }
    problem = desk.triage(body).json
    assert set(problem["errors"]) == {
        "subject",
        "submitted_at",
        "channel",
        "version",
        "severity",
        "ticket_id",
    }


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        pytest.param("[]", "application/json", 422, id="a-list"),
        pytest.param('"ticket"', "application/json", 422, id="a-string"),
        pytest.param("null", "application/json", 422, id="null"),
        pytest.param("{", "application/json", 400, id="broken-json"),
        pytest.param("subject=x", "application/x-www-form-urlencoded", 415, id="a-form"),
        pytest.param("", None, 415, id="no-body"),
    ],
)
def test_a_body_that_is_not_a_ticket(
    desk: Desk,
    data: str,
    content_type: str | None,
    status: int,
) -> None:
    answer = desk.client.post(URL, data=data, content_type=content_type, headers=desk.support)
    assert answer.status_code == status, answer.json
    assert answer.mimetype == "application/problem+json"


# -- invariants -----------------------------------------------------------------------------

_TEXT = st.text(st.characters(codec="utf-8"), max_size=60) | st.text(max_size=60)
_TIMESTAMPISH = st.one_of(
    _TEXT,
    st.datetimes().map(lambda d: d.isoformat()),
    st.builds(
        lambda d, tz: d.replace(tzinfo=tz).isoformat(),
        st.datetimes(),
        st.timezones(),
    ),
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.,]{2,16}([+-][0-9:]{1,8}|Z)?\Z"),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@pytest.mark.parametrize("field", ["subject", "submitted_at"])
@given(text=st.one_of(_TEXT, _TIMESTAMPISH))
def test_no_text_in_a_ticket_field_makes_a_500(desk: Desk, field: str, text: str) -> None:
    answer = desk.triage(ticket(**{field: text}))
    assert answer.status_code in (200, 422), answer.json
    body = answer.json
    if answer.status_code == 200:
        assert body["product"] == PRODUCT and "response_due_at" in body
    else:
        assert answer.mimetype == "application/problem+json"
        assert set(body["errors"]) == {field}, body


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    moment=st.datetimes(
        min_value=datetime(1901, 1, 1), max_value=datetime(2998, 12, 31), timezones=st.timezones()
    ),
    severity=st.sampled_from(["urgent", "high", "normal", "low"]),
)
def test_a_response_is_due_after_submission_in_the_calendar_zone(
    desk: Desk, moment: datetime, severity: str
) -> None:
    body = ticket(submitted_at=moment.isoformat(), severity=severity, as_of="2026-11-17")
    answer = desk.triage(body)
    assert answer.status_code == 200, answer.json
    submitted = datetime.fromisoformat(answer.json["submitted_at"])
    due = datetime.fromisoformat(answer.json["response_due_at"])
    # the same instant (compared through a fixed offset: an instant in a repeated hour
    # never equals one of another zone in Python's rules)
    assert submitted == datetime.fromisoformat(moment.isoformat())
    assert submitted.utcoffset() == due.utcoffset() or due > submitted
    if severity == "urgent":
        assert due - submitted == timedelta(hours=1)
    else:
        assert due > submitted
        # no business target outlasts two business days plus a long weekend of holidays
        assert due - submitted < timedelta(days=9)
