"""SPEC 14: time-based policy fields, their ranges, their JSON and the dates they give."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifecycle.cycles import Release, add_months, derive
from lifecycle.errors import InvalidPolicy
from lifecycle.policy import MAX_MONTHS, Policy
from lifecycle.records import CycleRecord

D = date.fromisoformat
TIME_FIELDS = (
    "full_support_months",
    "security_months",
    "lts_full_support_months",
    "lts_security_months",
)


def test_unset_time_fields_leave_to_dict_exactly_as_before() -> None:
    assert Policy().to_dict() == {
        "cycle": "major",
        "full_support_cycles": 1,
        "security_cycles": 1,
        "eosl_months": 6,
    }
    for name in TIME_FIELDS:
        assert getattr(Policy(), name) is None


@pytest.mark.parametrize("name", TIME_FIELDS)
def test_a_time_field_appears_in_to_dict_only_when_set(name: str) -> None:
    data = Policy(**{name: 18}).to_dict()  # type: ignore[arg-type]
    assert data[name] == 18
    assert set(data) == {"cycle", "full_support_cycles", "security_cycles", "eosl_months", name}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("full_support_months", 1),
        ("full_support_months", MAX_MONTHS),
        ("security_months", 0),
        ("security_months", MAX_MONTHS),
        ("lts_full_support_months", 1),
        ("lts_security_months", 0),
    ],
    ids=lambda v: str(v),
)
def test_edges_of_the_month_ranges_are_accepted(name: str, value: int) -> None:
    assert getattr(Policy(**{name: value}), name) == value  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("full_support_months", 0),
        ("full_support_months", MAX_MONTHS + 1),
        ("full_support_months", True),
        ("full_support_months", 1.5),
        ("full_support_months", "12"),
        ("security_months", -1),
        ("lts_full_support_months", 0),
        ("lts_security_months", -1),
        ("lts_security_months", False),
    ],
    ids=lambda v: repr(v),
)
def test_out_of_range_months_are_an_invalid_policy(name: str, value: object) -> None:
    with pytest.raises(InvalidPolicy, match=name):
        Policy(**{name: value})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("lts", "fields", "full", "security"),
    [
        (False, {}, None, None),
        (True, {}, None, None),
        (False, {"full_support_months": 12, "security_months": 6}, 12, 6),
        (True, {"full_support_months": 12, "security_months": 6}, 12, 6),
        (True, {"full_support_months": 12, "lts_full_support_months": 30}, 30, None),
        (False, {"full_support_months": 12, "lts_full_support_months": 30}, 12, None),
        (True, {"lts_security_months": 0}, None, 0),
        (False, {"lts_security_months": 0}, None, None),
    ],
    ids=lambda v: str(v),
)
def test_which_months_a_cycle_gets(
    lts: bool, fields: dict[str, int], full: int | None, security: int | None
) -> None:
    policy = Policy(**fields)  # type: ignore[arg-type]
    assert policy.full_months(lts) == full
    assert policy.security_only_months(lts) == security


# --- dates from months ------------------------------------------------------------------

THREE = [("1.0", "2023-08-31"), ("2.0", "2024-02-29"), ("3.0", "2025-01-15")]


@pytest.mark.parametrize(
    ("fields", "key", "expected"),
    [
        # security_only_from = released_on + months, clamped to the month's end.
        ({"full_support_months": 6}, "1", "2023-08-31 2024-02-29 2025-01-15 2025-07-15"),
        ({"full_support_months": 18}, "1", "2023-08-31 2025-02-28 2025-02-28 2025-08-28"),
        ({"full_support_months": 18}, "3", "2025-01-15 2026-07-15 - -"),
        # eol_on = security_only_from + months, whatever gave security_only_from.
        ({"security_months": 12}, "1", "2023-08-31 2024-02-29 2025-02-28 2025-08-28"),
        ({"security_months": 12}, "3", "2025-01-15 - - -"),
        (
            {"full_support_months": 6, "security_months": 6},
            "3",
            "2025-01-15 2025-07-15 2026-01-15 2026-07-15",
        ),
        (
            {"full_support_months": 6, "security_months": 0},
            "2",
            "2024-02-29 2024-08-29 2024-08-29 2025-02-28",
        ),
        # No security cycles and no security months: eol_on is security_only_from.
        (
            {"full_support_months": 6, "security_cycles": 0},
            "1",
            "2023-08-31 2024-02-29 2024-02-29 2024-08-29",
        ),
        # The count rule still dates eol_on, but never before security_only_from.
        ({"full_support_months": 2}, "1", "2023-08-31 2023-10-31 2025-01-15 2025-07-15"),
    ],
    ids=lambda v: str(v),
)
def test_time_based_dates(fields: dict[str, int], key: str, expected: str) -> None:
    cycles = derive([Release.of(v, D(d)) for v, d in THREE], Policy(**fields))  # type: ignore[arg-type]
    words = [None if w == "-" else D(w) for w in expected.split()]
    dates = cycles.by_key[key].dates
    assert [dates.released_on, dates.security_only_from, dates.eol_on, dates.eosl_on] == words


def test_lts_cycles_take_the_lts_months_and_others_do_not() -> None:
    policy = Policy(
        full_support_months=6,
        security_months=6,
        lts_full_support_months=12,
        lts_security_months=18,
    )
    releases = [Release.of("24.0.0", D("2025-05-06")), Release.of("25.0.0", D("2025-10-15"))]
    records = [CycleRecord("24", lts=D("2025-10-28")), CycleRecord("25")]
    cycles = derive(releases, policy, records=records)
    lts, other = cycles.by_key["24"].dates, cycles.by_key["25"].dates
    assert (lts.security_only_from, lts.eol_on) == (D("2026-05-06"), D("2027-11-06"))
    assert (other.security_only_from, other.eol_on) == (D("2026-04-15"), D("2026-10-15"))


def test_months_follow_a_decided_date() -> None:
    policy = Policy(full_support_months=12, security_months=6)
    releases = [Release.of("1.0", D("2025-01-31"))]
    decided_release = derive(
        releases, policy, records=[CycleRecord("1", released_on=D("2025-03-31"))]
    )
    assert decided_release.by_key["1"].dates.security_only_from == D("2026-03-31")
    decided_security = derive(
        releases, policy, records=[CycleRecord("1", security_only_from=D("2025-08-31"))]
    )
    assert decided_security.by_key["1"].dates.eol_on == D("2026-02-28")
    # A phase begun on an unknown day gives no date to count months from.
    unknown = derive(releases, policy, records=[CycleRecord("1", security_only_from=True)])
    assert unknown.by_key["1"].dates.eol_on is None


_releases = st.lists(
    st.builds(
        lambda major, offset: Release.of(f"{major}.0", date(2020, 1, 31) + timedelta(days=offset)),
        st.integers(1, 6),
        st.integers(0, 2000),
    ),
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(_releases, st.integers(1, 60), st.integers(0, 60), st.integers(0, 24))
def test_months_rule_written_out(
    releases: list[Release], full: int, security: int, eosl: int
) -> None:
    policy = Policy(full_support_months=full, security_months=security, eosl_months=eosl)
    for cycle in derive(releases, policy).newest_first:
        d = cycle.dates
        assert d.released_on is not None
        assert d.security_only_from == add_months(d.released_on, full)
        assert d.eol_on == add_months(d.security_only_from, security)
        assert d.eosl_on == add_months(d.eol_on, eosl)
