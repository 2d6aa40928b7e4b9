"""SPEC 13: a deployment's changes of coverage in a window, its next change, and the list
across customers; the fast path (judging candidate days only) against a day-by-day
comparison of verdicts."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifecycle.coverage import (
    MAX_WITHIN_DAYS,
    ChangeKind,
    CoverageChange,
    CoverageJudge,
    DeploymentChange,
    InvalidWindow,
    coverage_changes,
    window_end,
)
from lifecycle.customers import (
    Deployment,
    Entitlements,
    ExtendedSupport,
    SubscriptionTerm,
)
from lifecycle.cycles import ProductCycles, Release, derive
from lifecycle.errors import LifecycleError
from lifecycle.policy import Policy
from lifecycle.severity import Severity
from lifecycle.status import Status, SupportLevel
from lifecycle.verdict import Environment, Judge, Subscription, Verdict
from platforms.matrix import Platform, PlatformRegistry, PlatformVersion, SupportMatrix
from tests.unit.test_verdict import AP, MATRIX, REGISTRY
from tests.unit.test_verdict_customers import with_extended_end

D = date.fromisoformat
DAY = timedelta(days=1)
TODAY = D("2026-11-22")
# AP: cycle 1 security only from 2026-03-02, end of life 2027-03-01, end of service life
# 2027-09-01; cycle 2 current until 2027-03-01, 2.6.0 planned for 2026-12-15; cycle 3
# out on 2027-03-01. Ubuntu 22.04's vendor support ends on 2027-06-01.
K = ChangeKind


def customer(*terms: tuple[str, str, str], extended: dict[str, str] | None = None) -> Entitlements:
    return Entitlements.of(
        "acme",
        [SubscriptionTerm(Subscription(k), D(s), D(e)) for k, s, e in terms],
        [ExtendedSupport("aperturedb", c, D(u)) for c, u in (extended or {}).items()],
    )


ALWAYS = ("production", "2020-01-01", "2035-01-01")


def deployment(
    version: str = "1.4.2",
    platform: tuple[str, str] | None = ("ubuntu", "22.04"),
    environment: str = "production",
) -> Deployment:
    return Deployment(
        "prod", "aperturedb", version, Environment(environment), *(platform or (None, None))
    )


def changes(
    entitlements: Entitlements,
    target: Deployment | None = None,
    start: str = "2026-11-22",
    end: str = "2028-12-31",
    cycles: ProductCycles = AP,
) -> list[tuple[str, str, str, str, bool]]:
    judge = CoverageJudge("aperturedb", Judge(cycles, REGISTRY, MATRIX))
    found = judge.changes(target or deployment(), entitlements, D(start), D(end))
    return [
        (c.date.isoformat(), c.change.value, c.status_before.value, c.status_after.value,
         c.covered_after)
        for c in found
    ]  # fmt: skip


MILESTONES = [
    ("2027-03-01", "eol_on", "security_only", "eol", False),
    # Its status stays eol, but the platform takes the last severities away.
    ("2027-06-01", "platform_vendor_eol", "eol", "eol", False),
    ("2027-09-01", "eosl_on", "eol", "eosl", False),
]


@pytest.mark.parametrize(
    ("entitlements", "target", "start", "end", "expected"),
    [
        pytest.param(customer(ALWAYS), None, "2026-11-22", "2028-12-31", MILESTONES,
                     id="milestones-and-platform"),
        pytest.param(customer(ALWAYS), None, "2027-03-01", "2027-09-01", MILESTONES,
                     id="window-starts-and-ends-on-a-change"),
        pytest.param(customer(ALWAYS), None, "2027-03-02", "2027-08-31", MILESTONES[1:2],
                     id="window-a-day-inside-each-end"),
        pytest.param(customer(ALWAYS), None, "2027-03-01", "2027-03-01", MILESTONES[:1],
                     id="one-day-window"),
        pytest.param(customer(ALWAYS), None, "2027-02-28", "2027-02-28", [],
                     id="day-before-a-change"),
        pytest.param(customer(ALWAYS), deployment(platform=None), "2026-11-22", "2028-12-31",
                     [MILESTONES[0], MILESTONES[2]], id="no-platform-no-platform-change"),
        pytest.param(customer(("production", "2026-01-01", "2027-01-01")), None, "2026-11-22",
                     "2027-01-31",
                     [("2027-01-01", "subscription_ends", "security_only", "security_only",
                       False)], id="subscription-ends"),
        pytest.param(customer(("production", "2026-01-01", "2027-01-01")), None, "2027-01-02",
                     "2027-12-31",
                     [("2027-03-01", "eol_on", "security_only", "eol", False),
                      ("2027-09-01", "eosl_on", "eol", "eosl", False)],
                     id="after-the-lapse-milestones-still-change-the-status"),
        pytest.param(customer(("production", "2026-01-01", "2027-01-01"),
                              ("basic", "2026-01-01", "2027-02-01")), None,
                     "2026-11-22", "2027-02-15",
                     [("2027-01-01", "subscription_ends", "security_only", "security_only",
                       True),
                      ("2027-02-01", "subscription_ends", "security_only", "security_only",
                       False)], id="production-lapses-to-basic-then-none"),
        pytest.param(customer(("production", "2026-01-01", "2027-01-01"),
                              ("basic", "2026-01-01", "2027-02-01")),
                     deployment(environment="non_production"), "2026-11-22", "2027-02-15",
                     [("2027-02-01", "subscription_ends", "security_only", "security_only",
                       False)], id="non-production-loses-nothing-to-basic"),
        pytest.param(customer(("production", "2026-01-01", "2027-01-01"),
                              ("production", "2027-01-01", "2028-01-01")), None,
                     "2026-11-22", "2027-02-28", [], id="adjacent-renewal-is-no-change"),
        pytest.param(customer(("production", "2026-01-01", "2026-12-01"),
                              ("production", "2027-01-01", "2028-01-01")), None,
                     "2026-11-22", "2027-02-28",
                     [("2026-12-01", "subscription_ends", "security_only", "security_only",
                       False),
                      ("2027-01-01", "subscription_starts", "security_only", "security_only",
                       True)], id="lapse-and-renewal"),
        pytest.param(customer(("production", "2026-01-01", "2027-03-01")), None, "2026-11-22",
                     "2027-04-01", [("2027-03-01", "eol_on", "security_only", "eol", False)],
                     id="two-causes-one-day"),
        pytest.param(customer(ALWAYS, extended={"1": "2028-01-01"}), None, "2026-11-22",
                     "2028-12-31",
                     [("2027-03-01", "eol_on", "security_only", "eol", True),
                      ("2027-06-01", "platform_vendor_eol", "eol", "eol", False),
                      ("2027-09-01", "eosl_on", "eol", "eosl", False),
                      ("2028-01-01", "extended_support_ends", "eosl", "eosl", False)],
                     id="extended-support-with-platform"),
        pytest.param(customer(ALWAYS, extended={"1": "2028-01-01"}), deployment(platform=None),
                     "2026-11-22", "2028-12-31",
                     [("2027-03-01", "eol_on", "security_only", "eol", True),
                      ("2027-09-01", "eosl_on", "eol", "eosl", True),
                      ("2028-01-01", "extended_support_ends", "eosl", "eosl", False)],
                     id="extended-support-through-eosl"),
        pytest.param(customer(ALWAYS, extended={"1": "2027-06-01"}), deployment(platform=None),
                     "2026-11-22", "2028-12-31",
                     [("2027-03-01", "eol_on", "security_only", "eol", True),
                      ("2027-06-01", "extended_support_ends", "eol", "eol", False),
                      ("2027-09-01", "eosl_on", "eol", "eosl", False)],
                     id="extended-support-ends-in-eol"),
        pytest.param(customer(ALWAYS, extended={"1": "2027-03-01"}), deployment(platform=None),
                     "2026-11-22", "2027-06-01",
                     [("2027-03-01", "eol_on", "security_only", "eol", False)],
                     id="extended-support-ends-at-eol"),
        pytest.param(customer(ALWAYS, extended={"2": "2030-01-01"}), deployment(platform=None),
                     "2026-11-22", "2027-12-31", MILESTONES[::2],
                     id="extended-support-of-another-cycle"),
        pytest.param(customer(ALWAYS), deployment("2.6.0", ("ubuntu", "24.04")), "2026-11-22",
                     "2027-06-30",
                     [("2026-12-15", "released_on", "planned", "current", True),
                      ("2027-03-01", "security_only_from", "current", "security_only", True)],
                     id="planned-release-comes-out"),
        pytest.param(customer(ALWAYS), deployment("9.0.0"), "2026-11-22", "2030-12-31", [],
                     id="unknown-cycle-never-changes"),
        pytest.param(customer(), deployment("1.0.0"), "2027-09-02", "2030-12-31", [],
                     id="eosl-without-subscription-never-changes"),
        pytest.param(customer(ALWAYS), deployment(platform=("ubuntu", "20.04")), "2020-01-01",
                     "2030-12-31",
                     [("2025-06-01", "released_on", "planned", "current", False),
                      ("2026-03-02", "security_only_from", "current", "security_only", False),
                      ("2027-03-01", "eol_on", "security_only", "eol", False),
                      ("2027-09-01", "eosl_on", "eol", "eosl", False)],
                     id="vendor-eol-before-release-is-no-change-of-its-own"),
    ],
)  # fmt: skip
def test_changes(
    entitlements: Entitlements,
    target: Deployment | None,
    start: str,
    end: str,
    expected: list[tuple[str, str, str, str, bool]],
) -> None:
    assert changes(entitlements, target, start, end) == expected


def test_vendor_end_of_extended_support_comes_first() -> None:
    cycles = with_extended_end(AP, "1", D("2027-11-01"))
    found = changes(
        customer(ALWAYS, extended={"1": "2028-01-01"}), deployment(platform=None), cycles=cycles
    )
    assert found[-1] == ("2027-11-01", "extended_support_ends", "eosl", "eosl", False)


def test_a_change_tells_everything_that_happened_that_day() -> None:
    judge = CoverageJudge("aperturedb", Judge(AP, REGISTRY, MATRIX))
    [change] = judge.changes(
        deployment(),
        customer(("production", "2026-01-01", "2027-03-01"), extended={"1": "2027-03-01"}),
        D("2027-03-01"),
        D("2027-03-01"),
    )
    assert change == CoverageChange(
        date=D("2027-03-01"),
        change=K.EOL_ON,
        causes=(K.EOL_ON, K.EXTENDED_SUPPORT_ENDS, K.SUBSCRIPTION_ENDS),
        status_before=Status.SECURITY_ONLY,
        status_after=Status.EOL,
        support_level_before=SupportLevel.SECURITY_FIXES_ONLY,
        support_level_after=SupportLevel.DEFECT_EVALUATION_ONLY,
        covered_before=True,
        covered_after=False,
        allowed_before=(Severity.URGENT, Severity.HIGH, Severity.NORMAL, Severity.LOW),
        allowed_after=(),
    )
    assert change.to_dict() == {
        "date": "2027-03-01",
        "change": "eol_on",
        "status_before": "security_only",
        "status_after": "eol",
        "covered_after": False,
    }


def test_the_latest_phase_names_a_day_of_several_milestones() -> None:
    # No security cycles and no months to end of service life: one day, three milestones.
    cycles = derive(
        [Release.of("1.0", D("2025-01-01")), Release.of("2.0", D("2026-01-01"))],
        Policy(security_cycles=0, eosl_months=0),
    )
    judge = CoverageJudge("aperturedb", Judge(cycles, REGISTRY, MATRIX))
    [change] = judge.changes(
        deployment("1.0", None), customer(ALWAYS), D("2025-06-01"), D("2026-06-01")
    )
    assert (change.date, change.change, change.causes) == (
        D("2026-01-01"),
        K.EOSL_ON,
        (K.EOSL_ON, K.EOL_ON, K.SECURITY_ONLY_FROM),
    )
    assert (change.status_before, change.status_after) == (Status.CURRENT, Status.EOSL)


@pytest.mark.parametrize(
    ("as_of", "target", "entitlements", "expected"),
    [
        pytest.param("2026-11-22", deployment(), customer(ALWAYS), ("2027-03-01", "eol"),
                     id="next-milestone"),
        pytest.param("2027-03-01", deployment(), customer(ALWAYS), ("2027-06-01", "eol"),
                     id="a-change-on-as-of-is-not-next"),
        pytest.param("2027-02-28", deployment(), customer(ALWAYS), ("2027-03-01", "eol"),
                     id="day-before"),
        pytest.param("2027-09-01", deployment(), customer(ALWAYS), None, id="nothing-after-eosl"),
        pytest.param("2026-11-22", deployment(),
                     customer(("production", "2026-01-01", "2026-12-24")),
                     ("2026-12-24", "security_only"), id="subscription-ends-first"),
        pytest.param("2026-11-22", deployment("9.0.0"), customer(ALWAYS), None,
                     id="unknown-cycle"),
    ],
)  # fmt: skip
def test_next_change(
    as_of: str, target: Deployment, entitlements: Entitlements, expected: tuple[str, str] | None
) -> None:
    judge = CoverageJudge("aperturedb", Judge(AP, REGISTRY, MATRIX))
    found = judge.next_change(target, entitlements, D(as_of))
    assert (
        (found.date.isoformat(), found.status_after.value) if found is not None else None
    ) == expected
    page = judge.coverage(target, entitlements, D(as_of))
    assert page.next_change == found
    assert page.verdict == judge.verdict(target, entitlements, D(as_of))
    assert page.verdict.deployment == "prod" and page.verdict.customer == "acme"


def test_next_change_at_the_end_of_time() -> None:
    judge = CoverageJudge("aperturedb", Judge(AP, REGISTRY, MATRIX))
    assert judge.next_change(deployment(), customer(ALWAYS), date.max) is None


def test_a_judge_is_for_its_product() -> None:
    judge = CoverageJudge("aperturedb", Judge(AP, REGISTRY, MATRIX))
    other = Deployment("prod", "other", "1.0", Environment.PRODUCTION)
    with pytest.raises(LifecycleError, match="runs 'other', not 'aperturedb'"):
        judge.changes(other, customer(ALWAYS), TODAY, TODAY)
    assert judge.changes(deployment(), customer(ALWAYS), TODAY, TODAY - DAY) == []


# --- across customers -------------------------------------------------------------------

OTHER = derive([Release.of("5.0", D("2024-01-01")), Release.of("6.0", D("2027-01-10"))], Policy())


def test_coverage_changes_across_customers_soonest_first() -> None:
    initech = Entitlements.of(
        "initech", [SubscriptionTerm(Subscription.PRODUCTION, D("2026-01-01"), D("2027-04-01"))]
    )
    acme = customer(ALWAYS)
    judges = {
        "aperturedb": CoverageJudge("aperturedb", Judge(AP, REGISTRY, MATRIX)),
        "other": CoverageJudge("other", Judge(OTHER, REGISTRY, SupportMatrix({}))),
    }
    fleet = [
        (initech, [deployment(platform=None), Deployment("b", "other", "5.0", "production")]),  # type: ignore[arg-type]
        (acme, [deployment(), Deployment("a", "other", "5.1", "production")]),  # type: ignore[arg-type]
    ]
    found = coverage_changes(judges, fleet, TODAY, 120)
    assert [
        (c.customer, c.deployment.name, c.change.date.isoformat(), c.change.change.value)
        for c in found
    ] == [
        ("acme", "a", "2027-01-10", "security_only_from"),
        ("initech", "b", "2027-01-10", "security_only_from"),
        ("acme", "prod", "2027-03-01", "eol_on"),
        ("initech", "prod", "2027-03-01", "eol_on"),
    ]
    assert found[2].to_dict() == {
        "customer": "acme",
        "deployment": "prod",
        "product": "aperturedb",
        "version": "1.4.2",
        "date": "2027-03-01",
        "change": "eol_on",
        "status_before": "security_only",
        "status_after": "eol",
        "covered_after": False,
    }
    # One product's judge alone: that product's changes alone.
    only = coverage_changes({"other": judges["other"]}, fleet, TODAY, 120)
    assert [c.deployment.product for c in only] == ["other", "other"]
    # A window of no days holds the changes of as_of alone.
    assert coverage_changes(judges, fleet, D("2027-01-10"), 0) == found[:2]
    assert all(isinstance(c, DeploymentChange) for c in found)


@pytest.mark.parametrize(
    ("within_days", "message"),
    [
        pytest.param(-1, "from 0 to 3660", id="negative"),
        pytest.param(MAX_WITHIN_DAYS + 1, "from 0 to 3660", id="too-long"),
        pytest.param(True, "whole number", id="bool"),
        pytest.param(1.5, "whole number", id="float"),
    ],
)
def test_bad_windows_are_refused(within_days: Any, message: str) -> None:
    with pytest.raises(InvalidWindow, match=message) as caught:
        coverage_changes({}, [], TODAY, within_days)
    assert caught.value.field == "within_days"


def test_window_end() -> None:
    assert window_end(TODAY, 0) == TODAY
    assert window_end(TODAY, 90) == D("2027-02-20")
    with pytest.raises(InvalidWindow, match="beyond the calendar"):
        window_end(date.max, 1)


# --- the fast path equals a day-by-day comparison of verdicts ----------------------------

# After every date a world below can hold (the longest term ends by 2029-12-31).
HORIZON = D("2030-01-01")
DAYS = st.dates(min_value=D("2024-01-01"), max_value=D("2027-12-31"))
RELEASE_DAYS = st.dates(min_value=D("2023-01-01"), max_value=D("2026-06-30"))


def coverage_of(verdict: Verdict) -> tuple[Any, ...]:
    return (verdict.status, verdict.support_level, verdict.covered, verdict.allowed_severities)


@st.composite
def worlds(draw: Any) -> tuple[Any, ...]:
    """A product, platform, customer and deployment, and a window that holds one of
    their dates more often than not (a window far from every date finds nothing)."""
    # Cycles 1 to 3 always have a release, so that most deployments have milestones to
    # meet; the other releases, the dates and the policy vary.
    releases = [(v, draw(RELEASE_DAYS)) for v in ("1.0", "2.0", "3.0")] + draw(
        st.lists(
            st.tuples(st.sampled_from(["1.1", "2.1", "2.2", "3.1rc1"]), RELEASE_DAYS), max_size=4
        )
    )
    policy = draw(
        st.builds(
            Policy,
            full_support_cycles=st.integers(1, 2),
            security_cycles=st.integers(0, 1),
            eosl_months=st.integers(0, 8),
        )
    )
    cycles = derive([Release.of(v, d) for v, d in releases], policy)
    version = draw(st.sampled_from(["1.0", "1.1", "1.5", "2.0", "2.1", "2.2", "3.0", "3.1rc1"]))
    own = version[0]  # the deployment's cycle, which extended support is most often of
    keys = st.sampled_from(["1", "2", "3", own, own, own])
    for key in draw(st.lists(keys, max_size=2)):
        cycles = with_extended_end(cycles, key, draw(DAYS))
    # A platform's end matters while the version is supported: often soon after release.
    released_on = cycles.by_key[own].dates.released_on if own in cycles.by_key else None
    vendor_eol = draw(
        st.none()
        | DAYS
        | st.builds(lambda days: (released_on or D("2025-01-01")) + days * DAY, st.integers(1, 700))
    )
    registry = PlatformRegistry.of(
        [Platform("os", "OS", (PlatformVersion("1", vendor_eol), PlatformVersion("2")))]
    )
    listed = st.sampled_from([True, True, True, False])
    matrix = SupportMatrix({k: (("os", "1"), ("os", "2")) for k in ("1", "2", "3") if draw(listed)})
    # Most customers have a subscription most of the time: else nothing else can change.
    long = st.builds(
        lambda ends_on: SubscriptionTerm(Subscription.PRODUCTION, D("2023-01-01"), ends_on),
        st.dates(min_value=D("2025-01-01"), max_value=D("2029-12-31")),
    )
    terms = draw(st.lists(long, max_size=1)) + draw(
        st.lists(
            st.builds(
                lambda kind, start, length: SubscriptionTerm(kind, start, start + length * DAY),
                st.sampled_from([Subscription.PRODUCTION, Subscription.BASIC]),
                DAYS,
                st.integers(1, 500),
            ),
            max_size=4,
        )
    )
    # Extended support matters past end of life: its end is often set after the cycle's.
    eol_on = cycles.by_key[own].dates.eol_on if own in cycles.by_key else None
    after_eol = (
        st.builds(lambda days: eol_on + days * DAY, st.integers(0, 400))
        if eol_on is not None
        else DAYS
    )
    untils = DAYS | after_eol
    extended = draw(st.lists(st.builds(ExtendedSupport, st.just("p"), keys, untils), max_size=2))
    platform = draw(st.sampled_from([(None, None), ("os", "1"), ("os", "1"), ("os", "1"),
                                     ("os", "2"), ("os", "9")]))  # fmt: skip
    target = Deployment("d", "p", version, draw(st.sampled_from(Environment)), *platform)

    # The days the window is set around; the rarer kinds of change weigh more.
    marks = [vendor_eol] * 6 if vendor_eol is not None and platform[1] == "1" else []
    for cycle in cycles.newest_first:
        dates = cycle.dates
        marks += [dates.released_on, dates.security_only_from, dates.eol_on, dates.eosl_on]
        marks.append(dates.extended_end_on)
    marks += [t.starts_on for t in terms] + [t.ends_on for t in terms]
    marks += [e.until for e in extended] * 4
    within_days = draw(st.integers(0, 500))
    mark = draw(st.sampled_from([m for m in marks if m is not None] or [D("2026-01-01")]))
    anchored = draw(st.sampled_from([True, True, True, False]))
    as_of = mark - draw(st.integers(0, within_days)) * DAY if anchored else draw(DAYS)
    return (
        cycles,
        registry,
        matrix,
        Entitlements.of("c", terms, extended),
        target,
        as_of,
        within_days,
    )


@settings(max_examples=200, deadline=None)
@given(world=worlds())
def test_the_fast_path_finds_every_change_a_day_by_day_scan_finds(world: tuple[Any, ...]) -> None:
    cycles, registry, matrix, entitlements, target, as_of, within_days = world
    fast = CoverageJudge("p", Judge(cycles, registry, matrix))
    slow = Judge(cycles, registry, matrix)

    seen: dict[date, tuple[Any, ...]] = {}

    def on(day: date) -> tuple[Any, ...]:
        found = seen.get(day)
        if found is None:
            found = seen[day] = coverage_of(slow(entitlements.deployment_query(target, day)))
        return found

    end = as_of + within_days * DAY
    expected = []
    day = as_of
    while day <= end:
        before, after = on(day - DAY), on(day)
        if before != after:
            expected.append((day, before, after))
        day += DAY
    found = fast.changes(target, entitlements, as_of, end)
    assert [
        (
            c.date,
            (c.status_before, c.support_level_before, c.covered_before, c.allowed_before),
            (c.status_after, c.support_level_after, c.covered_after, c.allowed_after),
        )
        for c in found
    ] == expected
    for change in found:
        assert change.change is change.causes[0]
        assert len(set(change.causes)) == len(change.causes)
    # The list across customers is the same changes.
    listed = coverage_changes({"p": fast}, [(entitlements, [target])], as_of, within_days)
    assert [item.change for item in listed] == found

    # The next change after as_of, whatever the distance: the first the scan finds.
    following = fast.next_change(target, entitlements, as_of)
    day = as_of + DAY
    first = None
    while day <= HORIZON and first is None:
        if on(day - DAY) != on(day):
            first = day
        day += DAY
    assert (following.date if following is not None else None) == first


def test_the_first_day_of_the_calendar_has_no_day_before_to_differ_from() -> None:
    judge = CoverageJudge("aperturedb", Judge(AP, REGISTRY, MATRIX))
    always = Entitlements.of(
        "acme", [SubscriptionTerm(Subscription.PRODUCTION, date.min, D("2030-01-01"))]
    )
    found = judge.changes(deployment(platform=None), always, date.min, D("2026-01-01"))
    assert [c.date for c in found] == [D("2025-06-01")]  # 1.4.2 comes out
