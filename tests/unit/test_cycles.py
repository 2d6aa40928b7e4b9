"""SPEC 3.1 and 3.2: grouping releases into cycles, each cycle's dates and its status."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifecycle.cycles import CycleDates, ProductCycles, Release, add_months, derive
from lifecycle.errors import InvalidVersion
from lifecycle.policy import Policy
from lifecycle.status import Status
from lifecycle.versions import parse_version

D = date.fromisoformat
DAY = timedelta(days=1)


def product(releases: Iterable[tuple[str, str]], **policy: object) -> ProductCycles:
    """Cycles of a product given as ``(version, released_on)`` pairs."""
    return derive(
        [Release.of(version, D(day)) for version, day in releases],
        Policy(**policy),  # type: ignore[arg-type]
    )


def keys(cycles: ProductCycles) -> list[str]:
    return [cycle.key for cycle in cycles.newest_first]


def dates(released: str, security: str | None, eol: str | None, eosl: str | None) -> CycleDates:
    return CycleDates(
        D(released),
        D(security) if security else None,
        D(eol) if eol else None,
        D(eosl) if eosl else None,
    )


# The product of SPEC 6's example verdict: cycle 1 is security-only on 2026-11-22,
# with the dates shown there; 3.0.0 is planned on that day.
APERTUREDB = [
    ("1.0.0", "2025-01-10"),
    ("1.4.2", "2025-09-01"),
    ("2.0.0", "2026-03-02"),
    ("2.5.1", "2026-10-01"),
    ("3.0.0", "2027-03-01"),
]

# One major release a year or so; the days are chosen for the month-end clamp.
FIVE_MAJORS = [
    ("1.0.0", "2020-01-15"),
    ("2.0.0", "2021-03-01"),
    ("3.0.0", "2022-06-30"),
    ("4.0.0", "2023-08-31"),
    ("5.0.0", "2024-02-29"),
]


# -- grouping and order ---------------------------------------------------------


def test_empty_product_has_no_cycles() -> None:
    cycles = product([])
    assert cycles.newest_first == ()
    assert cycles.by_key == {}
    assert cycles.releases == {}
    assert cycles.newest_current(D("2026-01-01")) is None


def test_grouping_by_major() -> None:
    cycles = product(
        [
            ("1.2.3", "2024-05-01"),
            ("2.1.0", "2025-06-01"),
            ("1.0.0", "2024-01-01"),
            ("2.0.0", "2025-01-01"),
            ("1.1.0", "2024-03-01"),
            ("2.2.0rc1", "2025-09-01"),
        ]
    )
    assert keys(cycles) == ["2", "1"]
    assert [r.version for r in cycles.by_key["1"].ga_releases] == ["1.0.0", "1.1.0", "1.2.3"]
    assert [r.version for r in cycles.by_key["2"].ga_releases] == ["2.0.0", "2.1.0"]
    assert [r.version for r in cycles.by_key["2"].prereleases] == ["2.2.0rc1"]


def test_grouping_by_minor() -> None:
    cycles = product(
        [
            ("1.26.0", "2024-01-01"),
            ("1.26.5", "2024-06-01"),
            ("1.27.0", "2024-04-01"),
            ("1.27.1", "2024-05-01"),
            ("2.0.0", "2025-01-01"),
            ("2", "2025-01-01"),
        ],
        cycle="minor",
    )
    assert keys(cycles) == ["2.0", "1.27", "1.26"]
    assert [r.version for r in cycles.by_key["1.26"].ga_releases] == ["1.26.0", "1.26.5"]
    assert len(cycles.by_key["2.0"].ga_releases) == 1


@pytest.mark.parametrize(
    ("cycle", "releases", "newest_first"),
    [
        ("major", ["2.0.0", "10.0.0", "9.0.0"], ["10", "9", "2"]),
        ("minor", ["1.2.0", "1.10.0", "1.9.0"], ["1.10", "1.9", "1.2"]),
        ("major", ["1!1.0", "2024.1", "3.0"], ["1!1", "2024", "3"]),
    ],
    ids=["10-after-9", "1.10-after-1.9", "epoch-last"],
)
def test_cycles_order_by_key_as_versions(
    cycle: str, releases: list[str], newest_first: list[str]
) -> None:
    # Dates follow version order, so each cycle ends the one before it.
    ordered = sorted(releases, key=parse_version)
    days = {v: date(2020 + i, 1, 1) for i, v in enumerate(ordered)}
    cycles = product([(v, days[v].isoformat()) for v in releases], cycle=cycle)
    assert keys(cycles) == newest_first
    oldest, middle, newest = reversed(cycles.newest_first)
    assert oldest.dates.security_only_from == middle.dates.released_on
    assert oldest.dates.eol_on == newest.dates.released_on
    assert middle.dates.security_only_from == newest.dates.released_on


def test_released_on_is_the_earliest_ga_release() -> None:
    cycles = product(
        [
            ("1.0.0", "2024-01-10"),
            ("2.0.1", "2026-03-20"),
            ("2.0.0-rc.1", "2025-12-01"),
            ("2.0.0", "2026-03-02"),
            ("2.1.0", "2026-06-01"),
        ]
    )
    assert cycles.by_key["2"].dates.released_on == D("2026-03-02")
    # A pre-release of cycle 2 does not end cycle 1's full support.
    assert cycles.by_key["1"].dates.security_only_from == D("2026-03-02")


def test_released_on_is_the_earliest_date_not_the_lowest_version() -> None:
    cycles = product([("1.0.0", "2020-01-01"), ("2.1.0", "2021-05-01"), ("2.0.0", "2021-06-01")])
    assert cycles.by_key["2"].dates.released_on == D("2021-05-01")
    assert cycles.by_key["1"].dates.security_only_from == D("2021-05-01")


# -- dates (SPEC 3.1) -----------------------------------------------------------

POLICIES: dict[str, dict[str, object]] = {
    "default": {},
    "full2": {"full_support_cycles": 2},
    "security0": {"security_cycles": 0},
    "security2": {"security_cycles": 2},
    "full2-security2": {"full_support_cycles": 2, "security_cycles": 2},
    "eosl0": {"eosl_months": 0},
    "eosl12": {"eosl_months": 12},
    "eosl18": {"eosl_months": 18},
    "full5": {"full_support_cycles": 5},
}

# policy, cycle, then released_on security_only_from eol_on eosl_on ("-" = null)
DATE_CASES = [
    ("default", "1", "2020-01-15 2021-03-01 2022-06-30 2022-12-30"),
    ("default", "2", "2021-03-01 2022-06-30 2023-08-31 2024-02-29"),  # clamp to Feb 29
    ("default", "3", "2022-06-30 2023-08-31 2024-02-29 2024-08-29"),
    ("default", "4", "2023-08-31 2024-02-29 - -"),
    ("default", "5", "2024-02-29 - - -"),
    ("full2", "1", "2020-01-15 2022-06-30 2023-08-31 2024-02-29"),
    ("full2", "3", "2022-06-30 2024-02-29 - -"),
    ("full2", "4", "2023-08-31 - - -"),
    ("security0", "1", "2020-01-15 2021-03-01 2021-03-01 2021-09-01"),
    ("security0", "4", "2023-08-31 2024-02-29 2024-02-29 2024-08-29"),
    ("security0", "5", "2024-02-29 - - -"),
    ("security2", "1", "2020-01-15 2021-03-01 2023-08-31 2024-02-29"),
    ("security2", "3", "2022-06-30 2023-08-31 - -"),
    ("full2-security2", "1", "2020-01-15 2022-06-30 2024-02-29 2024-08-29"),
    ("eosl0", "1", "2020-01-15 2021-03-01 2022-06-30 2022-06-30"),
    ("eosl12", "3", "2022-06-30 2023-08-31 2024-02-29 2025-02-28"),  # leap to common year
    ("eosl18", "2", "2021-03-01 2022-06-30 2023-08-31 2025-02-28"),
    ("full5", "1", "2020-01-15 - - -"),
]


@pytest.mark.parametrize(
    ("policy", "key", "expected"),
    DATE_CASES,
    ids=[f"{policy}-cycle{key}" for policy, key, _ in DATE_CASES],
)
def test_dates_of_a_cycle(policy: str, key: str, expected: str) -> None:
    released, *rest = (None if word == "-" else word for word in expected.split())
    assert released is not None
    assert product(FIVE_MAJORS, **POLICIES[policy]).by_key[key].dates == dates(released, *rest)


def test_security_cycles_zero_makes_security_only_from_equal_eol_on() -> None:
    cycles = product(FIVE_MAJORS, security_cycles=0)
    for cycle in cycles.newest_first:
        assert cycle.dates.security_only_from == cycle.dates.eol_on


def test_month_end_clamp_of_the_spec() -> None:
    cycles = product([("1.0", "2024-01-01"), ("2.0", "2025-01-01"), ("3.0", "2026-08-31")])
    one = cycles.by_key["1"]
    assert one.dates.eol_on == D("2026-08-31")
    assert one.dates.eosl_on == D("2027-02-28")
    assert one.status(D("2027-02-27")) is Status.EOL
    assert one.status(D("2027-02-28")) is Status.EOSL


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2026-08-31", 6, "2027-02-28"),
        ("2023-08-31", 6, "2024-02-29"),
        ("2024-02-29", 12, "2025-02-28"),
        ("2024-02-29", 48, "2028-02-29"),
        ("2026-03-31", 1, "2026-04-30"),
        ("2026-12-31", 2, "2027-02-28"),
        ("2026-01-15", 6, "2026-07-15"),
        ("2026-07-31", 6, "2027-01-31"),
        ("2026-05-31", 0, "2026-05-31"),
    ],
    ids=lambda value: str(value),
)
def test_add_months(day: str, months: int, expected: str) -> None:
    assert add_months(D(day), months) == D(expected)


def test_dates_to_dict() -> None:
    assert dates("2025-01-10", "2026-03-02", None, None).to_dict() == {
        "released_on": "2025-01-10",
        "security_only_from": "2026-03-02",
        "eol_on": None,
        "eosl_on": None,
    }


def test_a_cycle_released_after_its_successor_never_ends_before_it_starts() -> None:
    """2.7.0 came out after 3.0.0 and 3.1.0: its dates must not precede its release.

    SPEC 3.1 says every date is the first day of a new status, so a date the
    cycle's own release would make unreachable is clamped to the one before it.
    """
    cycles = product(
        [
            ("2.6.0", "2008-10-01"),
            ("2.7.0", "2010-07-03"),
            ("3.0.0", "2008-12-03"),
            ("3.1.0", "2009-06-27"),
        ],
        cycle="minor",
    )
    assert cycles.by_key["2.7"].dates == dates(
        "2010-07-03", "2010-07-03", "2010-07-03", "2011-01-03"
    )
    assert cycles.by_key["2.6"].dates == dates(
        "2008-10-01", "2010-07-03", "2010-07-03", "2011-01-03"
    )
    assert cycles.by_key["3.0"].dates == dates("2008-12-03", "2009-06-27", None, None)
    assert cycles.by_key["2.7"].status(D("2010-07-02")) is Status.PLANNED
    assert cycles.by_key["2.7"].status(D("2010-07-03")) is Status.EOL
    assert cycles.by_key["2.7"].status(D("2011-01-03")) is Status.EOSL


# -- pre-release-only and planned cycles -----------------------------------------


def test_a_prerelease_only_cycle_has_no_dates_and_ends_nothing() -> None:
    cycles = product(
        [
            ("1.0.0", "2024-01-10"),
            ("2.0.0", "2025-01-10"),
            ("3.0.0-rc.2", "2026-02-01"),
            ("3.0.0-rc.1", "2026-01-10"),
        ]
    )
    three, two, one = cycles.newest_first
    assert three.key == "3"
    assert three.is_prerelease_only
    assert three.dates == CycleDates()
    assert three.ga_releases == ()
    assert [r.version for r in three.prereleases] == ["3.0.0-rc.1", "3.0.0-rc.2"]
    assert three.latest(D("2030-01-01")) is None
    assert three.next_change(D("2026-06-01")) is None
    for day in ("2020-01-01", "2026-01-10", "2040-01-01"):
        assert three.status(D(day)) is Status.PRERELEASE
    assert two.dates.security_only_from is None
    assert two.status(D("2026-06-01")) is Status.CURRENT
    assert one.dates == dates("2024-01-10", "2025-01-10", None, None)
    assert one.status(D("2026-06-01")) is Status.SECURITY_ONLY


def test_a_prerelease_only_cycle_between_two_ga_cycles_is_skipped() -> None:
    cycles = product([("1.0.0", "2024-01-10"), ("2.0.0b1", "2024-06-01"), ("3.0.0", "2025-01-10")])
    assert keys(cycles) == ["3", "2", "1"]
    assert cycles.by_key["2"].dates == CycleDates()
    assert cycles.by_key["1"].dates.security_only_from == D("2025-01-10")
    assert cycles.by_key["1"].dates.eol_on is None


def test_the_first_ga_release_ends_a_prerelease_only_cycle() -> None:
    before = product([("1.0.0", "2024-01-10"), ("2.0.0rc1", "2024-12-01")])
    after = product([("1.0.0", "2024-01-10"), ("2.0.0rc1", "2024-12-01"), ("2.0.0", "2025-01-10")])
    assert before.by_key["1"].status(D("2025-06-01")) is Status.CURRENT
    assert after.by_key["1"].status(D("2025-06-01")) is Status.SECURITY_ONLY
    assert after.by_key["2"].status(D("2025-06-01")) is Status.CURRENT


def test_planned_releases_make_future_dates_known() -> None:
    cycles = product(APERTUREDB)
    as_of = D("2026-11-22")
    assert cycles.by_key["3"].status(as_of) is Status.PLANNED
    assert cycles.by_key["2"].dates.security_only_from == D("2027-03-01")
    assert cycles.by_key["2"].status(as_of) is Status.CURRENT
    assert cycles.by_key["1"].dates == dates("2025-01-10", "2026-03-02", "2027-03-01", "2027-09-01")
    assert cycles.by_key["1"].status(as_of) is Status.SECURITY_ONLY
    assert cycles.by_key["3"].latest(as_of) is None
    assert cycles.newest_current(as_of) is cycles.by_key["2"]


# -- status (SPEC 3.2) ------------------------------------------------------------

STATUS_CASES = [
    # cycle 1 of APERTUREDB: released 2025-01-10, security only 2026-03-02,
    # eol 2027-03-01, eosl 2027-09-01.
    ({}, "1", "2025-01-09", Status.PLANNED),
    ({}, "1", "2025-01-10", Status.CURRENT),
    ({}, "1", "2026-03-01", Status.CURRENT),
    ({}, "1", "2026-03-02", Status.SECURITY_ONLY),
    ({}, "1", "2027-02-28", Status.SECURITY_ONLY),
    ({}, "1", "2027-03-01", Status.EOL),
    ({}, "1", "2027-08-31", Status.EOL),
    ({}, "1", "2027-09-01", Status.EOSL),
    ({}, "1", "2099-12-31", Status.EOSL),
    # cycle 2: no eol_on yet, so security-only for good once 3.0.0 is out.
    ({}, "2", "2026-03-01", Status.PLANNED),
    ({}, "2", "2026-03-02", Status.CURRENT),
    ({}, "2", "2027-02-28", Status.CURRENT),
    ({}, "2", "2027-03-01", Status.SECURITY_ONLY),
    ({}, "2", "2099-12-31", Status.SECURITY_ONLY),
    # cycle 3: the newest, current for good once released.
    ({}, "3", "2027-02-28", Status.PLANNED),
    ({}, "3", "2027-03-01", Status.CURRENT),
    ({}, "3", "2099-12-31", Status.CURRENT),
    # no security cycles: from current straight to eol, on 2026-03-02.
    ({"security_cycles": 0}, "1", "2026-03-01", Status.CURRENT),
    ({"security_cycles": 0}, "1", "2026-03-02", Status.EOL),
    ({"security_cycles": 0}, "1", "2026-09-01", Status.EOL),
    ({"security_cycles": 0}, "1", "2026-09-02", Status.EOSL),
    ({"security_cycles": 0}, "2", "2027-02-28", Status.CURRENT),
    ({"security_cycles": 0}, "2", "2027-03-01", Status.EOL),
    # no months between eol and eosl.
    ({"eosl_months": 0}, "1", "2027-02-28", Status.SECURITY_ONLY),
    ({"eosl_months": 0}, "1", "2027-03-01", Status.EOSL),
    # two fully supported cycles: cycle 1 stays current until 3.0.0.
    ({"full_support_cycles": 2}, "1", "2027-02-28", Status.CURRENT),
    ({"full_support_cycles": 2}, "1", "2027-03-01", Status.SECURITY_ONLY),
    ({"full_support_cycles": 2}, "1", "2099-12-31", Status.SECURITY_ONLY),
]


@pytest.mark.parametrize(
    ("policy", "key", "day", "expected"),
    STATUS_CASES,
    ids=[
        f"{','.join(f'{k}={v}' for k, v in p.items()) or 'default'}-cycle{k}-{d}-{s}"
        for p, k, d, s in STATUS_CASES
    ],
)
def test_status_of_a_cycle(policy: dict[str, object], key: str, day: str, expected: Status) -> None:
    assert product(APERTUREDB, **policy).by_key[key].status(D(day)) is expected


WITH_PLANNED_MINOR = [
    *APERTUREDB,
    ("2.6.0-rc.1", "2026-11-01"),
    ("2.6.0", "2027-01-15"),
    ("1.5.0rc1", "2026-06-01"),
]


@pytest.mark.parametrize(
    ("version", "day", "expected"),
    [
        ("2.6.0-rc.1", "2026-11-22", Status.PRERELEASE),
        ("2.6.0-rc.1", "2027-06-01", Status.PRERELEASE),
        ("1.5.0rc1", "2028-01-01", Status.PRERELEASE),
        ("2.6.0", "2026-11-22", Status.PLANNED),
        ("2.6.0", "2027-01-14", Status.PLANNED),
        ("2.6.0", "2027-01-15", Status.CURRENT),
        ("2.6.0", "2027-03-01", Status.SECURITY_ONLY),
        ("2.5.1", "2026-11-22", Status.CURRENT),
        ("1.4.2", "2026-11-22", Status.SECURITY_ONLY),
        ("1.4.2", "2027-03-01", Status.EOL),
        ("1.4.2", "2027-09-01", Status.EOSL),
        ("3.0.0", "2027-02-28", Status.PLANNED),
        ("3.0.0", "2027-03-01", Status.CURRENT),
    ],
    ids=lambda value: str(value),
)
def test_status_of_a_release(version: str, day: str, expected: Status) -> None:
    cycles = product(WITH_PLANNED_MINOR)
    parsed = parse_version(version)
    release, cycle = cycles.release(parsed), cycles.cycle_of(parsed)
    assert release is not None
    assert cycle is not None
    assert release.status(cycle.status(D(day)), D(day)) is expected


@pytest.mark.parametrize("cycle_status", list(Status), ids=str)
def test_prerelease_and_planned_releases_do_not_take_their_cycles_status(
    cycle_status: Status,
) -> None:
    day = D("2026-01-01")
    assert Release.of("9.0rc1", day - DAY).status(cycle_status, day) is Status.PRERELEASE
    assert Release.of("9.0", day + DAY).status(cycle_status, day) is Status.PLANNED
    assert Release.of("9.0", day).status(cycle_status, day) is cycle_status


@pytest.mark.parametrize(
    ("key", "day", "expected"),
    [
        ("1", "2025-01-09", "2025-01-10"),
        ("1", "2025-01-10", "2026-03-02"),
        ("1", "2026-03-02", "2027-03-01"),
        ("1", "2027-03-01", "2027-09-01"),
        ("1", "2027-09-01", None),
        ("3", "2026-11-22", "2027-03-01"),
        ("3", "2027-03-01", None),
    ],
    ids=lambda value: str(value),
)
def test_next_change(key: str, day: str, expected: str | None) -> None:
    change = product(APERTUREDB).by_key[key].next_change(D(day))
    assert change == (D(expected) if expected else None)


@pytest.mark.parametrize(
    ("day", "expected"),
    [("2025-01-09", None), ("2025-01-10", "1"), ("2027-02-28", "2"), ("2027-03-01", "3")],
    ids=lambda value: str(value),
)
def test_newest_current(day: str, expected: str | None) -> None:
    found = product(APERTUREDB).newest_current(D(day))
    assert (found.key if found else None) == expected


# -- releases: identity, duplicates, latest ----------------------------------------


def test_a_release_keeps_the_string_it_was_recorded_with() -> None:
    release = Release.of("v2.1.0+build.3", D("2025-01-01"), notes="first")
    assert release.version == "v2.1.0+build.3"
    assert release.identity == "2.1"
    assert release.notes == "first"
    assert not release.is_prerelease
    with pytest.raises(InvalidVersion):
        Release.of("2.1-SNAPSHOT", D("2025-01-01"))


@pytest.mark.parametrize("reverse", [False, True], ids=["given-order", "reversed"])
def test_duplicates_are_one_release_with_the_earliest_date(reverse: bool) -> None:
    given_releases = [
        ("1.0", "2024-01-01"),
        ("2.1.0", "2025-02-01"),
        ("2.1", "2025-01-01"),
        ("v2.1.0+build.3", "2025-03-01"),
        ("2.0", "2024-12-01"),
        ("2.0.0", "2024-11-01"),
    ]
    cycles = product(reversed(given_releases) if reverse else given_releases)
    assert sorted(cycles.releases) == ["1", "2", "2.1"]
    kept = cycles.release(parse_version("2.1.0.0"))
    assert kept is not None
    assert (kept.version, kept.released_on) == ("2.1", D("2025-01-01"))
    assert [r.version for r in cycles.by_key["2"].ga_releases] == ["2.0.0", "2.1"]
    # The earliest date of the duplicates is the one that starts cycle 2.
    assert cycles.by_key["2"].dates.released_on == D("2024-11-01")
    assert cycles.by_key["1"].dates.security_only_from == D("2024-11-01")


def test_lookups_by_version() -> None:
    cycles = product(APERTUREDB)
    found = cycles.release(parse_version("v1.4.2.0"))
    assert found is not None
    assert found.version == "1.4.2"
    assert cycles.release(parse_version("1.4.3")) is None
    unrecorded = cycles.cycle_of(parse_version("1.9.9"))
    assert unrecorded is not None
    assert unrecorded.key == "1"
    assert cycles.cycle_of(parse_version("7.0")) is None
    assert [r.version for r in cycles.releases_newest_first()] == [
        "3.0.0",
        "2.5.1",
        "2.0.0",
        "1.4.2",
        "1.0.0",
    ]


LATEST_RELEASES = [
    # a backport: 1.9.5 comes out after 2.0.0 and 2.0.1, in another cycle.
    ("1.8.0", "2023-06-01"),
    ("1.9.0", "2024-01-15"),
    ("2.0.0", "2024-06-01"),
    ("2.0.1", "2024-08-01"),
    ("1.9.5", "2024-09-10"),
    # within one cycle, a higher version released before a lower one.
    ("3.0.0", "2025-01-01"),
    ("3.5.0", "2025-03-01"),
    ("3.4.9", "2025-04-01"),
    ("3.10.0", "2025-05-01"),
    ("3.11.0rc1", "2025-06-01"),
    ("3.11.0", "2025-08-01"),
]


@pytest.mark.parametrize(
    ("key", "day", "expected"),
    [
        ("1", "2023-05-31", None),
        ("1", "2023-06-01", "1.8.0"),
        ("1", "2024-01-14", "1.8.0"),
        ("1", "2024-01-15", "1.9.0"),
        ("1", "2024-09-09", "1.9.0"),
        ("1", "2024-09-10", "1.9.5"),
        ("1", "2099-01-01", "1.9.5"),
        ("2", "2024-07-31", "2.0.0"),
        ("2", "2024-08-01", "2.0.1"),
        ("2", "2024-09-10", "2.0.1"),
        ("3", "2025-02-28", "3.0.0"),
        ("3", "2025-03-01", "3.5.0"),
        ("3", "2025-04-15", "3.5.0"),
        ("3", "2025-05-01", "3.10.0"),
        ("3", "2025-07-31", "3.10.0"),
        ("3", "2025-08-01", "3.11.0"),
    ],
    ids=lambda value: str(value),
)
def test_latest_is_the_highest_ga_release_on_or_before_the_day(
    key: str, day: str, expected: str | None
) -> None:
    latest = product(LATEST_RELEASES).by_key[key].latest(D(day))
    if expected is None:
        assert latest is None
    else:
        assert latest is not None
        assert latest.version == expected
        assert latest.released_on <= D(day)


# -- properties --------------------------------------------------------------------

RANK = {
    Status.PRERELEASE: 0,
    Status.PLANNED: 0,
    Status.CURRENT: 1,
    Status.SECURITY_ONLY: 2,
    Status.EOL: 3,
    Status.EOSL: 4,
}

START = date(2020, 1, 1)
_versions = st.builds(
    lambda major, minor, patch, pre: f"{major}.{minor}.{patch}{pre}",
    st.integers(0, 4),
    st.integers(0, 3),
    st.integers(0, 2),
    st.sampled_from(["", "", "", "", "rc1", "a1", "-beta.2", ".dev0", ".post1"]),
)
_releases = st.lists(
    st.builds(
        lambda version, offset: Release.of(version, START + timedelta(days=offset)),
        _versions,
        st.integers(0, 3000),
    ),
    max_size=14,
)
_policies = st.builds(
    Policy,
    cycle=st.sampled_from(["major", "minor"]),
    full_support_cycles=st.integers(1, 3),
    security_cycles=st.integers(0, 3),
    eosl_months=st.integers(0, 24),
)
_days = st.dates(min_value=START - timedelta(days=30), max_value=date(2031, 12, 31))
SETTINGS = settings(max_examples=200, deadline=None)


@SETTINGS
@given(_releases, _policies, _days, _days)
def test_status_never_moves_backwards(
    releases: list[Release], policy: Policy, d1: date, d2: date
) -> None:
    d1, d2 = min(d1, d2), max(d1, d2)
    cycles = derive(releases, policy)
    for cycle in cycles.newest_first:
        before, after = cycle.status(d1), cycle.status(d2)
        assert RANK[before] <= RANK[after], (cycle.key, cycle.dates, d1, before, d2, after)
        assert (before is Status.PRERELEASE) == (after is Status.PRERELEASE)
        for release in (*cycle.ga_releases, *cycle.prereleases):
            assert RANK[release.status(before, d1)] <= RANK[release.status(after, d2)]


@SETTINGS
@given(_releases, _policies)
def test_dates_come_in_order_and_each_starts_a_new_status(
    releases: list[Release], policy: Policy
) -> None:
    for cycle in derive(releases, policy).newest_first:
        d = cycle.dates
        if cycle.is_prerelease_only:
            assert d == CycleDates()
            continue
        assert d.released_on is not None
        if d.security_only_from is not None:
            assert d.released_on <= d.security_only_from
        if d.eol_on is not None:
            assert d.security_only_from is not None
            assert d.security_only_from <= d.eol_on
            assert d.eosl_on == add_months(d.eol_on, policy.eosl_months)
        else:
            assert d.eosl_on is None
        if policy.security_cycles == 0:
            assert d.security_only_from == d.eol_on
        # SPEC 3.1: every date is the first day of the new status.
        for day in (d.released_on, d.security_only_from, d.eol_on, d.eosl_on):
            if day is not None:
                assert RANK[cycle.status(day - DAY)] < RANK[cycle.status(day)]


def spec_dates(releases: list[Release], policy: Policy) -> dict[str, CycleDates]:
    """SPEC 3.1 written out again, independently of :func:`derive`."""
    width = 1 if policy.cycle == "major" else 2
    earliest: dict[str, date] = {}
    ga = [r for r in releases if not r.is_prerelease]
    by_key: dict[tuple[int, ...], list[date]] = {}
    for release in ga:
        by_key.setdefault(tuple((*release.parsed.release, 0)[:width]), []).append(
            release.released_on
        )
    order = sorted(by_key)
    for key in order:
        earliest[".".join(map(str, key))] = min(by_key[key])
    names = [".".join(map(str, key)) for key in order]
    result: dict[str, CycleDates] = {}
    for i, name in enumerate(names):
        released = earliest[name]
        full, security = policy.full_support_cycles, policy.security_cycles
        sof = earliest[names[i + full]] if i + full < len(names) else None
        eol = earliest[names[i + full + security]] if i + full + security < len(names) else None
        # Dates never precede the one before them (see the 2.7.0 test above).
        sof = max(sof, released) if sof else None
        eol = max(eol, sof) if eol and sof else None
        eosl = add_months(eol, policy.eosl_months) if eol else None
        result[name] = CycleDates(released, sof, eol, eosl)
    return result


@SETTINGS
@given(_releases, _policies)
def test_dates_match_the_spec_written_out(releases: list[Release], policy: Policy) -> None:
    cycles = derive(releases, policy)
    expected = spec_dates(releases, policy)
    derived = {c.key: c.dates for c in cycles.newest_first if not c.is_prerelease_only}
    assert derived == expected


@SETTINGS
@given(_releases, _policies, _days)
def test_latest_is_the_highest_ga_release_by_then(
    releases: list[Release], policy: Policy, day: date
) -> None:
    cycles = derive(releases, policy)
    for cycle in cycles.newest_first:
        candidates = [
            r
            for r in releases
            if not r.is_prerelease
            and policy.cycle_key(r.parsed) == cycle.key
            and r.released_on <= day
        ]
        latest = cycle.latest(day)
        if not candidates:
            assert latest is None
        else:
            assert latest is not None
            assert latest.parsed == max(r.parsed for r in candidates)
            assert latest.released_on <= day


@SETTINGS
@given(_releases, _policies, st.randoms(use_true_random=False))
def test_the_order_releases_come_in_does_not_matter(
    releases: list[Release], policy: Policy, random: Random
) -> None:
    shuffled = list(releases)
    random.shuffle(shuffled)
    a, b = derive(releases, policy), derive(shuffled, policy)
    assert keys(a) == keys(b)
    assert [c.dates for c in a.newest_first] == [c.dates for c in b.newest_first]
    assert {k: r.released_on for k, r in a.releases.items()} == {
        k: r.released_on for k, r in b.releases.items()
    }
    for key, release in a.releases.items():
        assert release.released_on == min(r.released_on for r in releases if r.identity == key)
