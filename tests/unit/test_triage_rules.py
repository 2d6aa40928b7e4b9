"""SPEC 9: the requested severity and its source, support plans, and response due times."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifecycle.calendar import BusinessCalendar, NaiveDatetime
from lifecycle.errors import LifecycleError
from lifecycle.severity import ALL_SEVERITIES, Severity
from lifecycle.triage import (
    Channel,
    InvalidChannel,
    InvalidSupportPlan,
    ResponseTarget,
    SeveritySource,
    SupportPlan,
    TargetUnit,
    requested_severity,
    response_due,
)

CAL = BusinessCalendar()
PLAN = SupportPlan()
U, HI, N, LO = Severity.URGENT, Severity.HIGH, Severity.NORMAL, Severity.LOW
FIELD, SUBJECT, DEFAULT = SeveritySource.FIELD, SeveritySource.SUBJECT, SeveritySource.DEFAULT


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# -- the requested severity ------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "channel", "explicit", "expected"),
    [
        pytest.param("[Urgent] down", Channel.EMAIL, LO, (LO, FIELD), id="field-beats-subject"),
        pytest.param("down", Channel.EMAIL, HI, (HI, FIELD), id="field-on-email"),
        pytest.param("down", Channel.PORTAL, U, (U, FIELD), id="field-on-portal"),
        pytest.param("[Emergency] down", Channel.PORTAL, None, (U, SUBJECT), id="emergency"),
        pytest.param("[Urgent] down", Channel.EMAIL, None, (U, SUBJECT), id="urgent-email"),
        pytest.param("[URGENT] down", Channel.PHONE, None, (U, SUBJECT), id="upper-case"),
        pytest.param("down [urgent]", Channel.PORTAL, None, (U, SUBJECT), id="lower-at-end"),
        pytest.param("[High] slow", Channel.EMAIL, None, (HI, SUBJECT), id="high-email"),
        pytest.param("[hIgH] slow", Channel.PORTAL, None, (HI, SUBJECT), id="mixed-case"),
        pytest.param("[High] then [Urgent]", Channel.EMAIL, None, (U, SUBJECT), id="most-urgent"),
        pytest.param("[Urgent][High]", Channel.EMAIL, None, (U, SUBJECT), id="urgent-first"),
        pytest.param("Urgent: down", Channel.EMAIL, None, (LO, DEFAULT), id="no-brackets-email"),
        pytest.param("Urgent: down", Channel.PORTAL, None, (N, DEFAULT), id="no-brackets-portal"),
        pytest.param("[ Urgent ] down", Channel.PORTAL, None, (N, DEFAULT), id="spaces-inside"),
        pytest.param("[Urgently] down", Channel.PORTAL, None, (N, DEFAULT), id="longer-word"),
        pytest.param("(High) slow", Channel.PORTAL, None, (N, DEFAULT), id="parentheses"),
        pytest.param("[Low] fyi", Channel.PORTAL, None, (N, DEFAULT), id="low-is-no-keyword"),
        pytest.param("question", Channel.EMAIL, None, (LO, DEFAULT), id="email-default"),
        pytest.param("question", Channel.PORTAL, None, (N, DEFAULT), id="portal-default"),
        pytest.param("question", Channel.PHONE, None, (N, DEFAULT), id="phone-default"),
        pytest.param("", Channel.EMAIL, None, (LO, DEFAULT), id="empty-subject"),
        pytest.param("[High]", "email", None, (HI, SUBJECT), id="channel-as-text"),
    ],
)
def test_requested_severity(
    subject: str,
    channel: Channel,
    explicit: Severity | None,
    expected: tuple[Severity, SeveritySource],
) -> None:
    assert requested_severity(subject, channel, explicit) == expected


def test_unknown_channel_is_refused_even_with_a_field() -> None:
    with pytest.raises(InvalidChannel, match="fax") as raised:
        requested_severity("[High]", "fax", Severity.LOW)  # type: ignore[arg-type]
    assert isinstance(raised.value, LifecycleError)


def test_sources_and_channels_have_the_spec_names() -> None:
    assert [c.value for c in Channel] == ["email", "portal", "phone"]
    assert [s.value for s in SeveritySource] == ["field", "subject", "default"]


# -- response targets -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("1h", ResponseTarget(1, TargetUnit.ELAPSED_HOURS), id="elapsed"),
        pytest.param("4bh", ResponseTarget(4, TargetUnit.BUSINESS_HOURS), id="business-hours"),
        pytest.param("1bd", ResponseTarget(1, TargetUnit.BUSINESS_DAYS), id="business-day"),
        pytest.param(" 2 BD ", ResponseTarget(2, TargetUnit.BUSINESS_DAYS), id="spaces-upper"),
        pytest.param("0.5h", ResponseTarget(0.5, TargetUnit.ELAPSED_HOURS), id="fraction"),
        pytest.param(".25bh", ResponseTarget(0.25, TargetUnit.BUSINESS_HOURS), id="leading-dot"),
        pytest.param("366bd", ResponseTarget(366, TargetUnit.BUSINESS_DAYS), id="longest-days"),
        pytest.param(
            {"amount": 4, "unit": "business_hours"},
            ResponseTarget(4, TargetUnit.BUSINESS_HOURS),
            id="structured",
        ),
        pytest.param(
            {"unit": "elapsed_hours", "amount": 1.5},
            ResponseTarget(1.5, TargetUnit.ELAPSED_HOURS),
            id="structured-float",
        ),
    ],
)
def test_parse_target(text: object, expected: ResponseTarget) -> None:
    target = ResponseTarget.parse(text)
    assert target == expected
    assert ResponseTarget.parse(str(target)) == target


@pytest.mark.parametrize(
    "config",
    [
        pytest.param("0h", id="zero"),
        pytest.param("-1h", id="negative"),
        pytest.param("4", id="no-unit"),
        pytest.param("bh", id="no-number"),
        pytest.param("4x", id="unknown-unit"),
        pytest.param("30m", id="minutes"),
        pytest.param("1e3h", id="exponent"),
        pytest.param("nan h", id="nan"),
        pytest.param("367bd", id="too-many-days"),
        pytest.param("8785h", id="too-many-hours"),
        pytest.param("4bh extra", id="trailing-text"),
        pytest.param({"amount": 4}, id="structured-no-unit"),
        pytest.param({"amount": 4, "unit": "bh", "x": 1}, id="structured-extra-key"),
        pytest.param({"amount": "4", "unit": "business_hours"}, id="amount-text"),
        pytest.param({"amount": True, "unit": "business_hours"}, id="amount-bool"),
        pytest.param({"amount": float("inf"), "unit": "elapsed_hours"}, id="amount-inf"),
        pytest.param({"amount": 4, "unit": "weeks"}, id="unit-unknown"),
        pytest.param(4, id="bare-number"),
        pytest.param(None, id="null"),
    ],
)
def test_bad_targets_are_refused(config: object) -> None:
    with pytest.raises(InvalidSupportPlan) as raised:
        ResponseTarget.parse(config)
    assert raised.value.code == "invalid_support_plan"
    assert isinstance(raised.value, LifecycleError)


# -- support plans -------------------------------------------------------------------


def test_default_plan_is_the_spec_table() -> None:
    assert PLAN.target(U) == ResponseTarget(1, TargetUnit.ELAPSED_HOURS)
    assert PLAN.target(HI) == ResponseTarget(4, TargetUnit.BUSINESS_HOURS)
    assert PLAN.target(N) == ResponseTarget(1, TargetUnit.BUSINESS_DAYS)
    assert PLAN.target(LO) == ResponseTarget(2, TargetUnit.BUSINESS_DAYS)
    assert PLAN.to_dict() == {"urgent": "1h", "high": "4bh", "normal": "1bd", "low": "2bd"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        PLAN.urgent = ResponseTarget(2, TargetUnit.ELAPSED_HOURS)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        pytest.param(
            {}, {"urgent": "1h", "high": "4bh", "normal": "1bd", "low": "2bd"}, id="empty"
        ),
        pytest.param(
            {"urgent": "1h", "high": "4bh", "normal": "1bd", "low": "2bd"},
            {"urgent": "1h", "high": "4bh", "normal": "1bd", "low": "2bd"},
            id="spec-in-full",
        ),
        pytest.param(
            {"high": "8bh"},
            {"urgent": "1h", "high": "8bh", "normal": "1bd", "low": "2bd"},
            id="partial",
        ),
        pytest.param(
            {"S1": "2h", "s4": "5bd", "3": {"amount": 6, "unit": "business_hours"}},
            {"urgent": "2h", "high": "4bh", "normal": "6bh", "low": "5bd"},
            id="aliases-and-structured",
        ),
        pytest.param(
            {"emergency": "0.5h"},
            {"urgent": "0.5h", "high": "4bh", "normal": "1bd", "low": "2bd"},
            id="emergency-alias",
        ),
    ],
)
def test_plan_from_mapping(config: dict[str, object], expected: dict[str, str]) -> None:
    plan = SupportPlan.from_mapping(config)
    assert plan.to_dict() == expected
    assert SupportPlan.from_mapping(plan.to_dict()) == plan


@pytest.mark.parametrize(
    ("config", "message"),
    [
        pytest.param({"medium": "1h"}, "Unknown severity in support plan", id="bad-severity"),
        pytest.param({"urgent": "1h", "S1": "2h"}, "urgent target is given twice", id="twice"),
        pytest.param({"high": "4 hours"}, "high: Invalid response target", id="bad-target"),
        pytest.param({"low": "0bd"}, "low: A target in business_days", id="zero-target"),
        pytest.param({"normal": 1}, "normal: Invalid response target", id="bare-number"),
        pytest.param(["urgent", "1h"], "mapping", id="not-a-mapping"),
    ],
)
def test_bad_plan_config_is_refused(config: object, message: str) -> None:
    with pytest.raises(InvalidSupportPlan, match=message):
        SupportPlan.from_mapping(config)  # type: ignore[arg-type]


def test_plan_fields_must_be_targets() -> None:
    with pytest.raises(InvalidSupportPlan, match="high target"):
        SupportPlan(high="4bh")  # type: ignore[arg-type]


# -- response due times ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("submitted", "granted", "expected"),
    [
        pytest.param("2026-11-17T10:30:00-08:00", HI, "2026-11-17T14:30:00-08:00", id="spec-high"),
        pytest.param(
            "2026-10-23T17:00:00-07:00", HI, "2026-10-26T08:00:00-07:00", id="spec-friday"
        ),
        pytest.param(
            "2026-11-25T15:00:00-08:00", HI, "2026-11-27T06:00:00-08:00", id="spec-thanksgiving"
        ),
        pytest.param("2026-11-21T12:00:00-08:00", U, "2026-11-21T13:00:00-08:00", id="urgent-sat"),
        pytest.param("2026-03-08T01:30:00-08:00", U, "2026-03-08T03:30:00-07:00", id="urgent-dst"),
        pytest.param("2026-11-17T10:30:00-08:00", N, "2026-11-18T10:30:00-08:00", id="normal"),
        pytest.param("2026-07-02T10:30:00-07:00", N, "2026-07-06T10:30:00-07:00", id="normal-july"),
        pytest.param("2026-11-20T19:00:00-08:00", LO, "2026-11-24T18:00:00-08:00", id="low-close"),
        pytest.param("2026-11-17T18:30:00+00:00", HI, "2026-11-17T14:30:00-08:00", id="utc-in"),
    ],
)
def test_response_due(submitted: str, granted: Severity, expected: str) -> None:
    due = response_due(PLAN, CAL, at(submitted), granted)
    assert due is not None
    assert due.isoformat() == expected


def test_nothing_granted_is_due_never_but_naive_is_refused() -> None:
    assert response_due(PLAN, CAL, at("2026-11-17T10:30:00-08:00"), None) is None
    with pytest.raises(NaiveDatetime):
        response_due(PLAN, CAL, datetime(2026, 11, 17, 10, 30), None)
    with pytest.raises(NaiveDatetime):
        response_due(PLAN, CAL, datetime(2026, 11, 17, 10, 30), Severity.HIGH)


def test_plan_and_calendar_come_from_configuration() -> None:
    plan = SupportPlan.from_mapping({"high": "2bh", "normal": "0.5bd"})
    berlin = BusinessCalendar.from_mapping(
        {"zone": "Europe/Berlin", "opens": "09:00", "closes": "17:00", "holiday_country": "DE"}
    )
    assert berlin.day_length == timedelta(hours=8)
    # Friday 2026-10-02 16:00; Saturday, Sunday, then German Unity Day is a Saturday in 2026,
    # so Monday 10-05 is open: 1 hour on Friday, 1 on Monday.
    high = response_due(plan, berlin, at("2026-10-02T16:00:00+02:00"), Severity.HIGH)
    assert high is not None
    assert high.isoformat() == "2026-10-05T10:00:00+02:00"
    # Christmas Day (a Friday) is closed; half a business day is four hours.
    normal = response_due(plan, berlin, at("2026-12-24T15:00:00+01:00"), Severity.NORMAL)
    assert normal is not None
    assert normal.isoformat() == "2026-12-28T11:00:00+01:00"
    assert normal.tzinfo == ZoneInfo("Europe/Berlin")
    assert berlin.opens == time(9)


# -- properties ----------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=200, deadline=None)
@given(instants, st.sampled_from(ALL_SEVERITIES))
def test_due_is_never_before_submission(submitted: datetime, granted: Severity) -> None:
    due = response_due(PLAN, CAL, submitted, granted)
    assert due is not None
    assert due >= submitted


@settings(max_examples=200, deadline=None)
@given(instants, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=4)))
def test_later_submissions_and_lower_severities_are_never_due_earlier(
    submitted: datetime, gap: timedelta
) -> None:
    dues = [response_due(PLAN, CAL, submitted, s) for s in ALL_SEVERITIES]
    later = [response_due(PLAN, CAL, submitted + gap, s) for s in ALL_SEVERITIES]
    # with the SPEC plan, a more urgent ticket is never due after a less urgent one
    assert dues == sorted(dues)  # type: ignore[type-var]
    assert all(b >= a for a, b in zip(dues, later, strict=True))  # type: ignore[operator]
