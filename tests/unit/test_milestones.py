"""SPEC 10's rules without a database: milestones, the due lead, catch-up, and the words sent."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lifecycle.cycles import ProductCycles, Release, derive
from lifecycle.errors import LifecycleError
from lifecycle.milestones import (
    Milestone,
    MilestoneKind,
    between,
    due_lead,
    milestone_message,
    milestone_subject,
    milestones,
    parse_leads,
)
from lifecycle.policy import Policy
from lifecycle.status import Status

D = date.fromisoformat
LEADS = (90, 30, 7, 0)
SEC, EOL, EOSL = MilestoneKind.SECURITY_ONLY_FROM, MilestoneKind.EOL_ON, MilestoneKind.EOSL_ON

APERTUREDB = [("1.4.2", "2025-01-10"), ("2.0.0", "2026-03-02"), ("3.0.0", "2027-03-01")]


def cycles(releases: Iterable[tuple[str, str]], **policy: object) -> ProductCycles:
    return derive(
        [Release.of(v, D(d)) for v, d in releases],
        Policy(**policy),  # type: ignore[arg-type]
    )


def listed(items: Iterable[Milestone]) -> list[tuple[str, str, str]]:
    return [(m.cycle, m.kind.value, m.date.isoformat()) for m in items]


# --- which milestones -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("releases", "policy", "expected"),
    [
        pytest.param(
            APERTUREDB,
            {},
            [
                ("1", "security_only_from", "2026-03-02"),
                ("1", "eol_on", "2027-03-01"),
                ("2", "security_only_from", "2027-03-01"),
                ("1", "eosl_on", "2027-09-01"),
            ],
            id="default-policy-with-a-planned-release",
        ),
        pytest.param(
            APERTUREDB,
            {"security_cycles": 0},
            [
                ("1", "eol_on", "2026-03-02"),
                ("1", "eosl_on", "2026-09-02"),
                ("2", "eol_on", "2027-03-01"),
                ("2", "eosl_on", "2027-09-01"),
            ],
            id="no-security-cycles-one-milestone-eol",
        ),
        pytest.param([("1.0", "2025-01-10")], {}, [], id="only-cycle-has-no-milestones"),
        pytest.param(
            [("1.0", "2025-01-10"), ("2.0rc1", "2025-06-01")],
            {},
            [],
            id="prereleases-make-no-milestones",
        ),
        pytest.param(
            [("1.27.0", "2025-01-01"), ("1.28.0", "2025-05-01"), ("1.29.0", "2025-08-31")],
            {"cycle": "minor", "eosl_months": 0},
            [
                ("1.27", "security_only_from", "2025-05-01"),
                ("1.27", "eol_on", "2025-08-31"),
                ("1.27", "eosl_on", "2025-08-31"),
                ("1.28", "security_only_from", "2025-08-31"),
            ],
            id="minor-cycles-eosl-the-same-day",
        ),
    ],
)
def test_milestones_of_a_product(
    releases: list[tuple[str, str]], policy: dict[str, object], expected: list[tuple[str, str, str]]
) -> None:
    assert listed(milestones("p", cycles(releases, **policy))) == expected


def test_a_planned_release_puts_milestones_in_the_future_and_moving_it_moves_them() -> None:
    planned = milestones("p", cycles(APERTUREDB))
    moved = milestones("p", cycles([*APERTUREDB[:2], ("3.0.0", "2027-04-01")]))
    assert {m.date for m in planned if m.kind is EOL} == {D("2027-03-01")}
    assert {m.date for m in moved if m.kind is EOL} == {D("2027-04-01")}


@pytest.mark.parametrize(
    ("kind", "status"),
    [(SEC, Status.SECURITY_ONLY), (EOL, Status.EOL), (EOSL, Status.EOSL)],
    ids=lambda v: str(v),
)
def test_status_after_is_the_status_that_starts(kind: MilestoneKind, status: Status) -> None:
    assert Milestone("p", "1", kind, D("2027-01-01")).status_after is status


def test_the_status_after_a_milestone_is_the_cycles_status_from_that_day() -> None:
    derived = cycles(APERTUREDB)
    for m in milestones("p", derived):
        cycle = derived.by_key[m.cycle]
        assert cycle.status(m.date) is m.status_after
        assert cycle.status(m.date - timedelta(days=1)) is not m.status_after


def test_between_includes_both_ends_soonest_first() -> None:
    found = between(reversed(milestones("p", cycles(APERTUREDB))), D("2026-03-02"), D("2027-03-01"))
    assert listed(found) == [
        ("1", "security_only_from", "2026-03-02"),
        ("1", "eol_on", "2027-03-01"),
        ("2", "security_only_from", "2027-03-01"),
    ]


# --- which lead is due ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2026-11-30", None),
        ("2026-12-01", 90),
        ("2027-01-29", 90),
        ("2027-01-30", 30),
        ("2027-02-21", 30),
        ("2027-02-22", 7),
        ("2027-02-28", 7),
        ("2027-03-01", 0),
        ("2027-03-02", None),
    ],
    ids=lambda v: str(v),
)
def test_due_lead_for_a_milestone_on_2027_03_01(as_of: str, expected: int | None) -> None:
    assert due_lead(D("2027-03-01"), D(as_of), LEADS) == expected


def test_catch_up_after_missed_days_is_one_announcement_of_the_smallest_due_lead() -> None:
    # The job ran on 2026-12-01 (lead 90), then not again until 2027-02-25.
    announced: set[int] = set()
    for day in ("2026-12-01", "2027-02-25", "2027-02-26", "2027-03-01"):
        lead = due_lead(D("2027-03-01"), D(day), LEADS)
        if lead is not None and lead not in announced:
            announced.add(lead)
    assert sorted(announced, reverse=True) == [90, 7, 0]


@given(
    start=st.integers(min_value=0, max_value=400),
    runs=st.lists(st.integers(min_value=0, max_value=120), min_size=1, max_size=40),
    leads=st.sets(st.integers(min_value=0, max_value=120), min_size=1, max_size=6),
)
def test_a_job_on_any_days_announces_leads_once_and_never_a_larger_after_a_smaller(
    start: int, runs: list[int], leads: set[int]
) -> None:
    milestone = date(2027, 3, 1)
    ordered = tuple(sorted(leads, reverse=True))
    days = sorted({milestone - timedelta(days=start) + timedelta(days=n) for n in runs})
    made: list[tuple[int, date]] = []
    for day in days:
        lead = due_lead(milestone, day, ordered)
        if lead is not None and lead not in [m[0] for m in made]:
            made.append((lead, day))
    announced = [lead for lead, _ in made]
    assert announced == sorted(announced, reverse=True)
    assert len(announced) == len(set(announced))
    assert all(milestone - timedelta(days=lead) <= day <= milestone for lead, day in made)
    # Running on the milestone's own day always announces the smallest lead.
    if milestone in days:
        assert announced[-1] == min(ordered)


@given(
    as_of=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    ahead=st.integers(min_value=-30, max_value=400),
)
def test_due_lead_is_the_smallest_lead_whose_day_has_come(as_of: date, ahead: int) -> None:
    milestone = as_of + timedelta(days=ahead)
    lead = due_lead(milestone, as_of, LEADS)
    due = [lead for lead in LEADS if milestone - timedelta(days=lead) <= as_of]
    if ahead < 0 or not due:
        assert lead is None
    else:
        assert lead == min(due)
        assert lead >= ahead


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90,30,7,0", (90, 30, 7, 0)),
        ("0,7,30,90", (90, 30, 7, 0)),
        (" 30 , 30, 1 ", (30, 1)),
        ("3660", (3660,)),
    ],
    ids=lambda v: repr(v),
)
def test_parse_leads(text: str, expected: tuple[int, ...]) -> None:
    assert parse_leads(text) == expected


@pytest.mark.parametrize("text", ["", ",", "90,x", "-1", "3661", "7.5"], ids=repr)
def test_parse_leads_refuses_nonsense(text: str) -> None:
    with pytest.raises(LifecycleError):
        parse_leads(text)


# --- the words --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "as_of", "expected"),
    [
        (EOL, "2027-01-30", "ApertureDB 1 reaches end of life on 2027-03-01, in 30 days."),
        (EOL, "2027-02-28", "ApertureDB 1 reaches end of life on 2027-03-01, tomorrow."),
        (EOL, "2027-03-01", "ApertureDB 1 reaches end of life on 2027-03-01, today."),
        (
            SEC,
            "2026-12-01",
            "ApertureDB 1 receives security fixes only from 2027-03-01, in 90 days.",
        ),
        (
            EOSL,
            "2027-02-22",
            "ApertureDB 1 reaches end of service life on 2027-03-01, in 7 days.",
        ),
        (EOL, "2027-03-03", "ApertureDB 1 reaches end of life on 2027-03-01, 2 days ago."),
    ],
    ids=lambda v: str(v),
)
def test_message_names_product_cycle_what_date_and_lead(
    kind: MilestoneKind, as_of: str, expected: str
) -> None:
    m = Milestone("aperturedb", "1", kind, D("2027-03-01"))
    assert milestone_message(m, "ApertureDB", D(as_of)) == expected
    assert expected.startswith(milestone_subject(m, "ApertureDB"))
