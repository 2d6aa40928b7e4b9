"""SPEC 12 in the verdict: a customer's extended support, a sender who is no technical
contact, and the customer and deployment a verdict is about. Without any of them a
verdict is exactly what it was (test_verdict holds that)."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import date, timedelta
from random import Random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifecycle.cycles import CycleDates, ProductCycles, Release, derive
from lifecycle.policy import Policy
from lifecycle.severity import ALL_SEVERITIES, Severity
from lifecycle.status import Status, SupportLevel
from lifecycle.verdict import (
    Environment,
    ExtendedCover,
    InvalidQuery,
    Judge,
    Query,
    Subscription,
    Verdict,
    extended_support_end,
    judge,
)
from tests.unit.test_verdict import AP, MATRIX, REGISTRY

D = date.fromisoformat
DAY = timedelta(days=1)
ALL = ALL_SEVERITIES
NORMAL_LOW = (Severity.NORMAL, Severity.LOW)
# Cycle 1 of AP: end of life 2027-03-01, end of service life 2027-09-01; cycle 2 current.
UNTIL = D("2028-01-01")


def with_extended_end(cycles: ProductCycles, key: str, day: date | None) -> ProductCycles:
    """``cycles`` with the vendor's end of extended support of cycle ``key`` set to ``day``."""
    changed = {
        c.key: (
            dataclasses.replace(c, dates=dataclasses.replace(c.dates, extended_end_on=day))
            if c.key == key
            else c
        )
        for c in cycles.newest_first
    }
    newest_first = tuple(changed[c.key] for c in cycles.newest_first)
    return ProductCycles(cycles.policy, newest_first, changed, cycles.releases)


# The vendor sells extended support of cycle 1 up to 2027-11-01, or up to 2029-01-01.
VENDOR_EARLY = with_extended_end(AP, "1", D("2027-11-01"))
VENDOR_LATE = with_extended_end(AP, "1", D("2029-01-01"))


def verdict(
    version: str,
    as_of: str,
    *,
    cover: dict[str, str] | None = None,
    cycles: ProductCycles = AP,
    name: str | None = None,
    **fields: Any,
) -> Verdict:
    extended = ExtendedCover.of({k: D(v) for k, v in cover.items()}) if cover is not None else None
    query = Query("aperturedb", version, D(as_of), extended_support=extended, **fields)
    return judge(query, cycles, REGISTRY, MATRIX, name)


def without_cover(v: Verdict, **fields: Any) -> Verdict:
    return verdict(v.version, v.as_of.isoformat(), **fields)


# --- extended support -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "as_of", "cover", "cycles", "status", "level", "covered", "allowed"),
    [
        pytest.param("1.4.2", "2027-02-28", {"1": "2028-01-01"}, AP, "security_only",
                     "security_fixes_only", True, ALL, id="before-eol-no-effect"),
        pytest.param("1.4.2", "2027-03-01", {"1": "2028-01-01"}, AP, "eol", "extended", True,
                     ALL, id="day-of-eol"),
        pytest.param("1.4.2", "2027-08-31", {"1": "2028-01-01"}, AP, "eol", "extended", True,
                     ALL, id="day-before-eosl"),
        pytest.param("1.4.2", "2027-09-01", {"1": "2028-01-01"}, AP, "eosl", "extended", True,
                     ALL, id="day-of-eosl"),
        pytest.param("1.4.2", "2027-12-31", {"1": "2028-01-01"}, AP, "eosl", "extended", True,
                     ALL, id="day-before-until"),
        pytest.param("1.4.2", "2028-01-01", {"1": "2028-01-01"}, AP, "eosl", "none", False, (),
                     id="day-of-until"),
        pytest.param("1.4.2", "2027-06-01", {"1": "2027-06-01"}, AP, "eol",
                     "defect_evaluation_only", False, NORMAL_LOW, id="until-in-eol"),
        pytest.param("1.4.2", "2027-05-31", {"1": "2027-06-01"}, AP, "eol", "extended", True,
                     ALL, id="day-before-until-in-eol"),
        pytest.param("1.4.2", "2027-10-31", {"1": "2028-01-01"}, VENDOR_EARLY, "eosl",
                     "extended", True, ALL, id="day-before-vendor-end"),
        pytest.param("1.4.2", "2027-11-01", {"1": "2028-01-01"}, VENDOR_EARLY, "eosl", "none",
                     False, (), id="day-of-vendor-end"),
        pytest.param("1.4.2", "2027-12-31", {"1": "2028-01-01"}, VENDOR_LATE, "eosl",
                     "extended", True, ALL, id="vendor-end-later-until-first"),
        pytest.param("1.4.2", "2028-01-01", {"1": "2028-01-01"}, VENDOR_LATE, "eosl", "none",
                     False, (), id="vendor-end-later-day-of-until"),
        pytest.param("1.4.2", "2027-05-01", {"2": "2030-01-01"}, AP, "eol",
                     "defect_evaluation_only", False, NORMAL_LOW, id="cover-of-another-cycle"),
        pytest.param("2.5.1", "2026-11-22", {"2": "2030-01-01"}, AP, "current", "full", True,
                     ALL, id="current-cycle-unchanged"),
        pytest.param("1.9.9", "2027-05-01", {"1": "2028-01-01"}, AP, "eol", "extended", True,
                     ALL, id="unknown-release-of-the-cycle"),
        pytest.param("1.5.0rc1", "2027-05-01", {"1": "2028-01-01"}, AP, "prerelease", "none",
                     False, (), id="prerelease-is-never-extended"),
        pytest.param("9.0.0", "2027-05-01", {"9": "2028-01-01"}, AP, "unknown", "none", False,
                     (), id="unknown-cycle"),
    ],
)  # fmt: skip
def test_extended_support(
    version: str,
    as_of: str,
    cover: dict[str, str],
    cycles: ProductCycles,
    status: str,
    level: str,
    covered: bool,
    allowed: tuple[Severity, ...],
) -> None:
    v = verdict(version, as_of, cover=cover, cycles=cycles)
    assert (v.status, v.support_level, v.covered, v.allowed_severities) == (
        Status(status),
        SupportLevel(level),
        covered,
        allowed,
    )
    if v.support_level is SupportLevel.EXTENDED:
        codes = list(v.reason_codes)
        # The status's own reason (and warning) first, then the customer's cover.
        assert codes[codes.index("extended_support") - 1] in ("eol", "eosl", "unknown_release")
    else:
        # Extended support that does not apply leaves the verdict as it was.
        assert "extended_support" not in v.reason_codes
        assert v == without_cover(v, cycles=cycles)


@pytest.mark.parametrize(
    ("fields", "covered", "allowed", "codes"),
    [
        pytest.param({}, True, ALL, ["eol", "extended_support", "platform_unchecked"],
                     id="production"),
        pytest.param({"environment": "non_production"}, True, NORMAL_LOW,
                     ["eol", "extended_support", "platform_unchecked", "non_production"],
                     id="non-production-caps-as-for-full"),
        pytest.param({"subscription": "basic"}, True, NORMAL_LOW,
                     ["eol", "extended_support", "platform_unchecked", "basic_subscription"],
                     id="basic-caps-as-for-full"),
        pytest.param({"subscription": "none"}, False, (),
                     ["eol", "extended_support", "platform_unchecked", "no_subscription"],
                     id="no-subscription-no-cover"),
        pytest.param({"platform": "rhel", "platform_version": "9"}, False, (),
                     ["eol", "extended_support", "platform_not_supported"],
                     id="unsupported-platform-no-cover"),
        pytest.param({"platform": "ubuntu", "platform_version": "22.04"}, True, ALL,
                     ["eol", "extended_support"], id="supported-platform"),
        pytest.param({"severity": "urgent"}, True, ALL,
                     ["eol", "extended_support", "platform_unchecked"], id="urgent-granted"),
    ],
)  # fmt: skip
def test_extended_support_with_the_other_rules(
    fields: dict[str, Any], covered: bool, allowed: tuple[Severity, ...], codes: list[str]
) -> None:
    v = verdict("1.4.2", "2027-05-01", cover={"1": "2028-01-01"}, **fields)
    assert v.support_level is SupportLevel.EXTENDED
    assert (v.covered, v.allowed_severities, list(v.reason_codes)) == (covered, allowed, codes)
    if "severity" in fields:
        assert v.severity_granted is Severity.URGENT


@pytest.mark.parametrize(
    ("cycles", "as_of", "name", "text"),
    [
        pytest.param(AP, "2027-05-01", None,
                     "Major release 1 is covered by extended support until 2028-01-01, "
                     "when that support ends.", id="customer-until"),
        pytest.param(AP, "2027-10-01", "ApertureDB",
                     "ApertureDB major release 1 is covered by extended support until "
                     "2028-01-01, when that support ends.", id="product-name"),
        pytest.param(VENDOR_EARLY, "2027-05-01", None,
                     "Major release 1 is covered by extended support until 2027-11-01, when "
                     "the vendor's extended support for it ends.", id="vendor-ends-first"),
        pytest.param(VENDOR_LATE, "2027-05-01", None,
                     "Major release 1 is covered by extended support until 2028-01-01, "
                     "when that support ends.", id="vendor-ends-later"),
    ],
)  # fmt: skip
def test_extended_support_message(
    cycles: ProductCycles, as_of: str, name: str | None, text: str
) -> None:
    v = verdict("1.4.2", as_of, cover={"1": "2028-01-01"}, cycles=cycles, name=name)
    assert [r.message for r in v.reasons if r.code == "extended_support"] == [text]


def test_extended_support_end() -> None:
    assert extended_support_end(CycleDates(), None) is None
    assert extended_support_end(CycleDates(extended_end_on=UNTIL), None) is None
    assert extended_support_end(CycleDates(), UNTIL) == UNTIL
    assert extended_support_end(CycleDates(extended_end_on=UNTIL), UNTIL + DAY) == UNTIL
    assert extended_support_end(CycleDates(extended_end_on=UNTIL + DAY), UNTIL) == UNTIL


def test_extended_cover_is_a_value() -> None:
    one = ExtendedCover.of({"1": UNTIL, "2": UNTIL + DAY})
    same = ExtendedCover.of([("2", UNTIL + DAY), ("1", UNTIL - DAY), ("1", UNTIL)])
    assert one == same and hash(one) == hash(same)
    assert same.until("1") == UNTIL  # the later of two entries for one cycle
    assert one.until("3") is None
    assert bool(one) and not ExtendedCover()
    # A query holding one is still a cache key.
    assert {Query("p", "1", UNTIL, extended_support=one): 1}[
        Query("p", "1", UNTIL, extended_support=same)
    ] == 1


@pytest.mark.parametrize(
    "entries",
    [
        pytest.param("1", id="text"),
        pytest.param((("1",),), id="not-a-pair"),
        pytest.param((("", UNTIL),), id="blank-cycle"),
        pytest.param(((1, UNTIL),), id="cycle-not-text"),
        pytest.param((("1", "2028-01-01"),), id="until-text"),
        pytest.param((("1", 20280101),), id="until-a-number"),
    ],
)
def test_bad_extended_cover(entries: Any) -> None:
    with pytest.raises(InvalidQuery) as caught:
        ExtendedCover(entries)
    assert caught.value.field == "extended_support"


# --- a sender who is no technical contact ---------------------------------------------------


def test_not_a_technical_contact() -> None:
    query = Query(
        "aperturedb",
        "2.5.1",
        D("2026-11-22"),
        "ubuntu",
        "22.04",
        severity=Severity.URGENT,
        technical_contact=False,
    )
    v = judge(query, AP, REGISTRY, MATRIX)
    assert (v.status, v.support_level, v.covered) == (Status.CURRENT, SupportLevel.FULL, False)
    assert (v.allowed_severities, v.severity_requested, v.severity_granted) == (
        (),
        Severity.URGENT,
        None,
    )
    assert v.subscription is Subscription.NONE
    assert list(v.reason_codes) == ["current", "not_technical_contact", "severity_unavailable"]
    assert [r.message for r in v.reasons if r.code == "not_technical_contact"] == [
        "The sender is not a technical contact of any customer; only a customer's named "
        "technical contacts may open tickets, so no support is provided."
    ]


def test_not_a_technical_contact_whatever_the_subscription_field_says() -> None:
    fields = ("aperturedb", "1.4.2", D("2027-05-01"), None, None, Environment.PRODUCTION)
    told = Query.validated(*fields, Subscription.PRODUCTION, None, None, False)
    none = Query.validated(*fields, Subscription.NONE, None, None, False)
    assert judge(told, AP, REGISTRY, MATRIX) == judge(none, AP, REGISTRY, MATRIX)
    assert "no_subscription" not in judge(none, AP, REGISTRY, MATRIX).reason_codes


def test_a_technical_contact_is_judged_as_before() -> None:
    query = Query("aperturedb", "2.5.1", D("2026-11-22"))
    assert dataclasses.replace(query, technical_contact=True) == query


# --- customer and deployment labels --------------------------------------------------------


def test_a_verdict_names_the_customer_and_deployment_after_the_version() -> None:
    plain = verdict("1.4.2", "2026-11-22").to_dict()
    labelled = verdict("1.4.2", "2026-11-22", customer="acme", deployment="prod-eu").to_dict()
    assert list(labelled)[:4] == ["product", "version", "customer", "deployment"]
    assert (labelled.pop("customer"), labelled.pop("deployment")) == ("acme", "prod-eu")
    assert labelled == plain and list(labelled) == list(plain)
    by_customer = verdict("1.4.2", "2026-11-22", customer="acme").to_dict()
    assert list(by_customer)[:3] == ["product", "version", "customer"]
    assert "deployment" not in by_customer
    assert "customer" not in plain


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"deployment": "prod"}, "customer", id="deployment-without-customer"),
        pytest.param({"customer": ""}, "customer", id="blank-customer"),
        pytest.param({"customer": 7}, "customer", id="customer-not-text"),
        pytest.param({"customer": "acme", "deployment": " "}, "deployment",
                     id="blank-deployment"),
        pytest.param({"customer": "a" * 201}, "customer", id="long-customer"),
        pytest.param({"technical_contact": "no"}, "technical_contact", id="contact-not-bool"),
        pytest.param({"technical_contact": False, "customer": "acme"}, "customer",
                     id="no-contact-but-a-customer"),
        pytest.param({"technical_contact": False,
                      "extended_support": ExtendedCover.of({"1": UNTIL})},
                     "extended_support", id="no-contact-but-extended-support"),
        pytest.param({"extended_support": {"1": UNTIL}}, "extended_support",
                     id="cover-not-an-extended-cover"),
    ],
)  # fmt: skip
def test_invalid_customer_fields(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidQuery) as caught:
        Query("p", "1.0", UNTIL, **fields)
    assert caught.value.field == field


def test_validated_takes_the_customer_fields() -> None:
    cover = ExtendedCover.of({"1": UNTIL})
    fields = ("p", "1.0", UNTIL, None, None, Environment.PRODUCTION, Subscription.BASIC, None)
    made = Query(*fields, cover, True, "acme", "prod")
    assert Query.validated(*fields, cover, True, "acme", "prod") == made
    assert Query.validated(*fields) == Query(*fields)


# --- one judge, many customers: the batch's sharing still holds -----------------------------

VERSIONS = ["1.0.0", "1.4.2", "v1.4.2", "1.9.9", "2.0.0", "2.5.1", "2.6.0", "3.0.0", "x.y"]
DAYS = [D(d) for d in ("2026-11-22", "2027-03-01", "2027-08-31", "2027-09-01", "2028-02-01")]
CUSTOMERS: list[dict[str, Any]] = [
    {},
    {"extended_support": ExtendedCover.of({"1": UNTIL}), "customer": "acme"},
    {"extended_support": ExtendedCover.of({"1": D("2027-09-01")}), "customer": "acme",
     "deployment": "prod"},
    {"extended_support": ExtendedCover.of({"2": UNTIL}), "customer": "initech",
     "subscription": Subscription.BASIC},
    {"technical_contact": False, "subscription": Subscription.NONE},
    {"customer": "globex", "subscription": Subscription.NONE,
     "extended_support": ExtendedCover.of({"1": UNTIL})},
]  # fmt: skip


def customer_queries() -> list[Query]:
    found = [
        Query("aperturedb", version, as_of, platform, platform_version, severity=severity, **fields)
        for version, as_of, (platform, platform_version), severity, fields in itertools.product(
            VERSIONS,
            DAYS,
            [(None, None), ("ubuntu", "22.04"), ("rhel", "9")],
            [None, Severity.URGENT],
            CUSTOMERS,
        )
    ]
    Random(5).shuffle(found)
    return found


def answer(call: Any, query: Query) -> Any:
    try:
        return call(query)
    except Exception as error:  # the error is the answer compared
        return (type(error), str(error))


@pytest.mark.parametrize("cycles", [AP, VENDOR_EARLY], ids=["ap", "vendor-end"])
def test_one_judge_answers_every_customer_query_as_judge_alone(cycles: ProductCycles) -> None:
    shared = Judge(cycles, REGISTRY, MATRIX, "ApertureDB")
    seen: dict[tuple[Any, ...], dict[str, object]] = {}
    shared_keys = 0
    for query in customer_queries():
        got = answer(shared, query)
        assert got == answer(lambda q: judge(q, cycles, REGISTRY, MATRIX, "ApertureDB"), query)
        key = shared.outcome_key(query.version, query.as_of)
        if key is None:
            continue
        # The context of a batch: every field but the version.
        context = (key, dataclasses.replace(query, version="0"))
        fields = got.to_dict()
        del fields["version"]
        if context in seen:
            shared_keys += 1
        assert seen.setdefault(context, fields) == fields
    assert shared_keys > 100


# --- invariants -----------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    releases=st.lists(
        st.tuples(
            st.sampled_from(["1.0", "1.1", "2.0", "2.1", "3.0", "4.0rc1"]),
            st.dates(min_value=D("2020-01-01"), max_value=D("2026-12-31")),
        ),
        max_size=8,
    ),
    eosl_months=st.integers(0, 12),
    version=st.sampled_from(["1.0", "1.1", "1.5", "2.0", "3.0", "4.0rc1", "5.0"]),
    as_of=st.dates(min_value=D("2020-01-01"), max_value=D("2029-12-31")),
    until=st.dates(min_value=D("2020-01-01"), max_value=D("2029-12-31")),
    vendor=st.none() | st.dates(min_value=D("2020-01-01"), max_value=D("2029-12-31")),
    subscription=st.sampled_from(Subscription),
    environment=st.sampled_from(Environment),
)
def test_extended_support_only_lifts_eol_and_eosl_before_its_end(
    releases: list[tuple[str, date]],
    eosl_months: int,
    version: str,
    as_of: date,
    until: date,
    vendor: date | None,
    subscription: Subscription,
    environment: Environment,
) -> None:
    cycles = derive([Release.of(v, d) for v, d in releases], Policy(eosl_months=eosl_months))
    key = cycles.policy.cycle_key(Release.of(version, as_of).parsed)
    if key in cycles.by_key:
        cycles = with_extended_end(cycles, key, vendor)
    plain = Query("p", version, as_of, environment=environment, subscription=subscription)
    covered = dataclasses.replace(plain, extended_support=ExtendedCover.of({key: until}))
    before = judge(plain, cycles, REGISTRY, MATRIX)
    after = judge(covered, cycles, REGISTRY, MATRIX)
    active = (
        before.status in (Status.EOL, Status.EOSL)
        and as_of < until
        and (vendor is None or as_of < vendor)
    )
    if not active:
        assert after == before
        return
    assert after.status is before.status
    assert after.support_level is SupportLevel.EXTENDED
    assert after.covered is (subscription is not Subscription.NONE)
    expected = judge(plain, with_status_current(cycles, key), REGISTRY, MATRIX)
    assert expected.support_level is SupportLevel.FULL
    # Rule 6 as if the support level were full.
    assert after.allowed_severities == expected.allowed_severities


def with_status_current(cycles: ProductCycles, key: str) -> ProductCycles:
    """``cycles`` in which released cycle ``key`` has no end of full support."""
    cycle = cycles.by_key[key]
    dates = dataclasses.replace(
        cycle.dates, security_only_from=None, eol_on=None, eosl_on=None, extended_end_on=None
    )
    changed = dict(cycles.by_key)
    changed[key] = dataclasses.replace(cycle, dates=dates)
    newest_first = tuple(changed[c.key] for c in cycles.newest_first)
    return ProductCycles(cycles.policy, newest_first, changed, cycles.releases)
