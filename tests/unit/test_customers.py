"""SPEC 12: subscription terms and the subscription they give on a day, extended support
entries, deployments, and the queries a customer's records make."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifecycle.customers import (
    Deployment,
    Entitlements,
    ExtendedSupport,
    InvalidCustomerRecord,
    SubscriptionChange,
    Subscriptions,
    SubscriptionTerm,
    email_key,
    unknown_sender,
)
from lifecycle.errors import InvalidVersion, LifecycleError
from lifecycle.severity import Severity
from lifecycle.verdict import Environment, ExtendedCover, Query, Subscription, judge
from tests.unit.test_verdict import AP, MATRIX, REGISTRY

D = date.fromisoformat
DAY = timedelta(days=1)
PROD, BASIC, NONE = Subscription.PRODUCTION, Subscription.BASIC, Subscription.NONE


def term(kind: str, starts_on: str, ends_on: str) -> SubscriptionTerm:
    return SubscriptionTerm(Subscription(kind), D(starts_on), D(ends_on))


# --- subscription terms -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "starts_on", "ends_on", "field"),
    [
        pytest.param("production", D("2026-01-01"), D("2026-01-01"), "ends_on", id="empty"),
        pytest.param("production", D("2026-01-02"), D("2026-01-01"), "ends_on", id="backwards"),
        pytest.param("none", D("2026-01-01"), D("2027-01-01"), "kind", id="kind-none"),
        pytest.param("gold", D("2026-01-01"), D("2027-01-01"), "kind", id="kind-unknown"),
        pytest.param(3, D("2026-01-01"), D("2027-01-01"), "kind", id="kind-not-text"),
        pytest.param("basic", "2026-01-01", D("2027-01-01"), "starts_on", id="starts-text"),
        pytest.param("basic", D("2026-01-01"), datetime(2027, 1, 1), "ends_on",
                     id="ends-datetime"),
    ],
)  # fmt: skip
def test_bad_terms_are_refused(kind: Any, starts_on: Any, ends_on: Any, field: str) -> None:
    with pytest.raises(InvalidCustomerRecord) as caught:
        SubscriptionTerm(kind, starts_on, ends_on)
    assert caught.value.field == field
    assert isinstance(caught.value, LifecycleError)
    assert caught.value.code == "invalid_customer_record"


def test_a_term_names_ends_on_as_the_first_day_not_covered() -> None:
    with pytest.raises(InvalidCustomerRecord, match=r"ends_on \(2026-01-01\) must be after"):
        term("basic", "2026-01-01", "2026-01-01")
    one_day = term("basic", "2026-01-01", "2026-01-02")
    assert [one_day.covers(D(d)) for d in ("2025-12-31", "2026-01-01", "2026-01-02")] == [
        False,
        True,
        False,
    ]


def test_kind_may_be_given_as_text() -> None:
    assert SubscriptionTerm(" Production ", D("2026-01-01"), D("2027-01-01")).kind is PROD  # type: ignore[arg-type]


# Overlapping: basic all 2026, production from June to November.
OVERLAPPING = [
    term("basic", "2026-01-01", "2027-01-01"),
    term("production", "2026-06-01", "2026-12-01"),
]
# Adjacent renewals: one production year after another, then a basic year.
ADJACENT = [term("production", "2025-01-01", "2026-01-01"), term("production", "2026-01-01",
            "2027-01-01"), term("basic", "2027-01-01", "2028-01-01")]  # fmt: skip
# Lapsed: a month's gap between two production years.
LAPSED = [
    term("production", "2025-01-01", "2026-01-01"),
    term("production", "2026-02-01", "2027-02-01"),
]


@pytest.mark.parametrize(
    ("terms", "day", "expected"),
    [
        pytest.param([], "2026-06-01", NONE, id="no-terms"),
        pytest.param(OVERLAPPING, "2025-12-31", NONE, id="overlapping-day-before-start"),
        pytest.param(OVERLAPPING, "2026-01-01", BASIC, id="overlapping-day-of-start"),
        pytest.param(OVERLAPPING, "2026-05-31", BASIC, id="overlapping-day-before-production"),
        pytest.param(OVERLAPPING, "2026-06-01", PROD, id="production-beats-basic"),
        pytest.param(OVERLAPPING, "2026-11-30", PROD, id="overlapping-last-production-day"),
        pytest.param(OVERLAPPING, "2026-12-01", BASIC, id="basic-again"),
        pytest.param(OVERLAPPING, "2026-12-31", BASIC, id="overlapping-last-day"),
        pytest.param(OVERLAPPING, "2027-01-01", NONE, id="overlapping-ended"),
        pytest.param(ADJACENT, "2025-12-31", PROD, id="adjacent-day-before-renewal"),
        pytest.param(ADJACENT, "2026-01-01", PROD, id="adjacent-day-of-renewal"),
        pytest.param(ADJACENT, "2027-01-01", BASIC, id="adjacent-basic-follows"),
        pytest.param(ADJACENT, "2028-01-01", NONE, id="adjacent-ended"),
        pytest.param(LAPSED, "2025-12-31", PROD, id="lapsed-last-day"),
        pytest.param(LAPSED, "2026-01-01", NONE, id="lapsed-first-day-of-gap"),
        pytest.param(LAPSED, "2026-01-31", NONE, id="lapsed-last-day-of-gap"),
        pytest.param(LAPSED, "2026-02-01", PROD, id="lapsed-renewed"),
    ],
)
def test_subscription_on_a_day(
    terms: list[SubscriptionTerm], day: str, expected: Subscription
) -> None:
    subscriptions = Subscriptions.of(terms)
    assert subscriptions.on(D(day)) is expected
    assert Entitlements.of("acme", terms).subscription(D(day)) is expected


@pytest.mark.parametrize(
    ("terms", "day", "expected"),
    [
        pytest.param([], "2026-06-01", None, id="no-terms"),
        pytest.param(OVERLAPPING, "2025-06-01", "2026-01-01", id="before-the-first-term"),
        pytest.param(OVERLAPPING, "2026-01-01", "2026-01-01", id="on-a-change-is-that-day"),
        pytest.param(OVERLAPPING, "2026-01-02", "2026-06-01", id="day-after-a-change"),
        pytest.param(OVERLAPPING, "2026-06-02", "2026-12-01", id="production-ends"),
        pytest.param(OVERLAPPING, "2026-12-02", "2027-01-01", id="basic-ends"),
        pytest.param(OVERLAPPING, "2027-01-02", None, id="never-again"),
        pytest.param(ADJACENT, "2025-06-01", "2027-01-01", id="a-renewal-is-no-change"),
        pytest.param(LAPSED, "2025-06-01", "2026-01-01", id="lapse"),
        pytest.param(LAPSED, "2026-01-02", "2026-02-01", id="renewal-after-lapse"),
    ],
)
def test_next_change(terms: list[SubscriptionTerm], day: str, expected: str | None) -> None:
    found = Subscriptions.of(terms).next_change(D(day))
    assert found == (D(expected) if expected else None)


def test_changes_in_a_window_with_each_side() -> None:
    subscriptions = Subscriptions.of(OVERLAPPING)
    assert list(subscriptions.changes(D("2026-01-01"), D("2026-12-01"))) == [
        (D("2026-01-01"), NONE, BASIC),
        (D("2026-06-01"), BASIC, PROD),
        (D("2026-12-01"), PROD, BASIC),
    ]
    assert list(subscriptions.changes(D("2026-01-02"), D("2026-11-30"))) == [
        (D("2026-06-01"), BASIC, PROD)
    ]
    assert list(subscriptions.changes(D("2027-01-01"), D("2027-01-01"))) == [
        (D("2027-01-01"), BASIC, NONE)
    ]
    assert list(Subscriptions.of(ADJACENT).changes(D("2025-01-02"), D("2026-12-31"))) == []


@pytest.mark.parametrize(
    ("before", "after", "kind"),
    [
        (PROD, BASIC, SubscriptionChange.ENDS),
        (PROD, NONE, SubscriptionChange.ENDS),
        (BASIC, NONE, SubscriptionChange.ENDS),
        (NONE, BASIC, SubscriptionChange.STARTS),
        (NONE, PROD, SubscriptionChange.STARTS),
        (BASIC, PROD, SubscriptionChange.STARTS),
    ],
    ids=str,
)
def test_change_kind(before: Subscription, after: Subscription, kind: SubscriptionChange) -> None:
    assert Subscriptions.change_kind(before, after) is kind


def test_subscriptions_are_values() -> None:
    assert Subscriptions.of(LAPSED) == Subscriptions(tuple(LAPSED))
    assert hash(Subscriptions.of(LAPSED)) == hash(Subscriptions(tuple(LAPSED)))
    with pytest.raises(InvalidCustomerRecord):
        Subscriptions(("2026-01-01",))  # type: ignore[arg-type]


TERMS = st.lists(
    st.builds(
        lambda kind, start, length: SubscriptionTerm(kind, start, start + timedelta(days=length)),
        st.sampled_from([PROD, BASIC]),
        st.dates(min_value=D("2026-01-01"), max_value=D("2026-12-31")),
        st.integers(1, 120),
    ),
    max_size=5,
)


def brute_on(terms: list[SubscriptionTerm], day: date) -> Subscription:
    kinds = {t.kind for t in terms if t.covers(day)}
    return PROD if PROD in kinds else BASIC if BASIC in kinds else NONE


@settings(max_examples=200, deadline=None)
@given(terms=TERMS, start=st.dates(min_value=D("2025-12-01"), max_value=D("2027-05-01")))
def test_subscriptions_equal_a_day_by_day_reading_of_the_terms(
    terms: list[SubscriptionTerm], start: date
) -> None:
    subscriptions = Subscriptions.of(terms)
    days = [start + i * DAY for i in range(-1, 130)]
    for day in days[1:]:
        assert subscriptions.on(day) is brute_on(terms, day)
    changed = [
        (day, brute_on(terms, day - DAY), brute_on(terms, day))
        for day in days[1:]
        if brute_on(terms, day) is not brute_on(terms, day - DAY)
    ]
    assert list(subscriptions.changes(days[1], days[-1])) == changed
    first = changed[0][0] if changed else None
    found = subscriptions.next_change(start)
    assert found == first or (first is None and (found is None or found > days[-1]))


# --- extended support entries and deployments --------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"product": "Aperture DB"}, "product", id="product-not-a-slug"),
        pytest.param({"cycle": " "}, "cycle", id="blank-cycle"),
        pytest.param({"cycle": 1}, "cycle", id="cycle-not-text"),
        pytest.param({"until": "2028-01-01"}, "until", id="until-text"),
    ],
)
def test_bad_extended_support(fields: dict[str, Any], field: str) -> None:
    given: dict[str, Any] = {"product": "aperturedb", "cycle": "1", "until": D("2028-01-01")}
    given.update(fields)
    with pytest.raises(InvalidCustomerRecord) as caught:
        ExtendedSupport(**given)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"name": "Prod EU"}, "name", id="name-not-a-slug"),
        pytest.param({"name": "-prod"}, "name", id="name-leading-dash"),
        pytest.param({"name": "p" * 65}, "name", id="name-too-long"),
        pytest.param({"product": ""}, "product", id="blank-product"),
        pytest.param({"version": " "}, "version", id="blank-version"),
        pytest.param({"environment": "staging"}, "environment", id="bad-environment"),
        pytest.param({"environment": None}, "environment", id="environment-required"),
        pytest.param({"platform": "ubuntu"}, "platform_version", id="platform-alone"),
        pytest.param({"platform_version": "22.04"}, "platform", id="platform-version-alone"),
        pytest.param({"platform": " ", "platform_version": "22.04"}, "platform",
                     id="blank-platform"),
        pytest.param({"platform": "ubuntu", "platform_version": "x" * 201}, "platform_version",
                     id="long-platform-version"),
    ],
)  # fmt: skip
def test_bad_deployments_are_refused(fields: dict[str, Any], field: str) -> None:
    given: dict[str, Any] = {
        "name": "prod",
        "product": "aperturedb",
        "version": "1.4.2",
        "environment": "production",
    }
    given.update(fields)
    with pytest.raises(InvalidCustomerRecord) as caught:
        Deployment(**given)
    assert caught.value.field == field


def test_a_deployment_version_must_parse() -> None:
    with pytest.raises(InvalidVersion):
        Deployment("prod", "aperturedb", "not a version", Environment.PRODUCTION)


def test_a_deployment_keeps_its_version_as_written_and_reads_its_environment() -> None:
    deployment = Deployment("staging-1", "aperturedb", " v1.4.2 ", "Non_Production")  # type: ignore[arg-type]
    assert deployment.version == " v1.4.2 "
    assert deployment.environment is Environment.NON_PRODUCTION


# --- entitlements and the queries they make -----------------------------------------------

ACME = Entitlements.of(
    "acme",
    [term("basic", "2026-01-01", "2028-01-01"), term("production", "2026-01-01", "2027-01-01")],
    [
        ExtendedSupport("aperturedb", "1", D("2028-01-01")),
        ExtendedSupport("aperturedb", "1", D("2027-12-01")),
        ExtendedSupport("other", "7", D("2030-01-01")),
    ],
    package="business-critical",
)
PROD_EU = Deployment("prod-eu", "aperturedb", "1.4.2", Environment.PRODUCTION, "ubuntu", "22.04")


def test_cover_is_per_product_and_keeps_the_latest_until() -> None:
    assert ACME.cover("aperturedb") == ExtendedCover.of({"1": D("2028-01-01")})
    assert ACME.cover("other") == ExtendedCover.of({"7": D("2030-01-01")})
    assert ACME.cover("nothing") is None


@pytest.mark.parametrize(
    ("as_of", "subscription"),
    [("2026-12-31", PROD), ("2027-01-01", BASIC), ("2028-01-01", NONE)],
)
def test_ask_takes_the_subscription_of_the_query_date(as_of: str, subscription: str) -> None:
    asked = ACME.ask(Query("aperturedb", "1.4.2", D(as_of), subscription=Subscription.NONE))
    assert asked == Query(
        "aperturedb",
        "1.4.2",
        D(as_of),
        subscription=Subscription(subscription),
        extended_support=ACME.cover("aperturedb"),
        customer="acme",
    )
    labelled = ACME.ask(Query("aperturedb", "1.4.2", D(as_of)), deployment="prod-eu")
    assert labelled.deployment == "prod-eu"


def test_deployment_query_is_the_deployment_and_the_customer() -> None:
    query = ACME.deployment_query(PROD_EU, D("2027-05-01"), Severity.HIGH)
    assert query == Query(
        "aperturedb",
        "1.4.2",
        D("2027-05-01"),
        "ubuntu",
        "22.04",
        Environment.PRODUCTION,
        Subscription.BASIC,
        Severity.HIGH,
        extended_support=ACME.cover("aperturedb"),
        customer="acme",
        deployment="prod-eu",
    )
    v = judge(query, AP, REGISTRY, MATRIX)
    assert (v.status.value, v.support_level.value, v.covered) == ("eol", "extended", True)
    assert v.to_dict()["deployment"] == "prod-eu"
    # Basic caps the priority as it would for a current release.
    assert v.severity_granted is Severity.NORMAL


def test_unknown_sender() -> None:
    asked = ACME.deployment_query(PROD_EU, D("2027-05-01"))
    query = unknown_sender(asked)
    assert (query.technical_contact, query.subscription, query.customer, query.deployment) == (
        False,
        NONE,
        None,
        None,
    )
    assert query.extended_support is None
    v = judge(query, AP, REGISTRY, MATRIX)
    assert not v.covered and "not_technical_contact" in v.reason_codes


@pytest.mark.parametrize(
    ("customer", "package", "field"),
    [
        pytest.param("Acme", None, "customer", id="customer-not-a-slug"),
        pytest.param("acme", "Gold", "package", id="package-not-a-slug"),
    ],
)
def test_bad_entitlements(customer: str, package: str | None, field: str) -> None:
    with pytest.raises(InvalidCustomerRecord) as caught:
        Entitlements.of(customer, package=package)
    assert caught.value.field == field


def test_entitlements_need_their_parts() -> None:
    with pytest.raises(InvalidCustomerRecord) as caught:
        Entitlements("acme", (term("basic", "2026-01-01", "2027-01-01"),))  # type: ignore[arg-type]
    assert caught.value.field == "subscriptions"
    with pytest.raises(InvalidCustomerRecord) as caught:
        Entitlements("acme", Subscriptions(), ("aperturedb",))  # type: ignore[arg-type]
    assert caught.value.field == "extended_support"


@pytest.mark.parametrize(
    ("email", "same"),
    [
        ("ops@example.com", "OPS@Example.com"),
        (" ops@example.com ", "ops@example.com"),
        ("Straße@example.de", "strasse@example.de"),
    ],
)
def test_emails_compare_case_insensitively(email: str, same: str) -> None:
    assert email_key(email) == email_key(same)


def test_email_key_refuses_what_is_no_text() -> None:
    with pytest.raises(InvalidCustomerRecord) as caught:
        email_key(None)  # type: ignore[arg-type]
    assert caught.value.field == "email"
