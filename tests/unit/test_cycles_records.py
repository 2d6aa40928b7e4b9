"""SPEC 14: cycles derived with a vendor's records: decided dates, their order, true and false,
cycle names matched number by number, and products without records exactly as before."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifecycle.cycles import (
    DATE_FIELDS,
    Cycle,
    CycleDates,
    ProductCycles,
    Release,
    add_months,
    derive,
)
from lifecycle.errors import InvalidCycleKey, InvalidCycleRecord
from lifecycle.policy import Policy, cycle_sort_key
from lifecycle.records import ORDERED_PAIRS, CycleRecord, Decision
from lifecycle.status import Status
from lifecycle.versions import parse_version

D = date.fromisoformat
DAY = timedelta(days=1)

# SPEC 6's product: cycle 1 is released 2025-01-10, security-only from 2026-03-02, EOL
# from 2027-03-01 and EOSL from 2027-09-01; cycle 2 from 2026-03-02; 3 is planned.
APERTUREDB = [
    ("1.0.0", "2025-01-10"),
    ("1.4.2", "2025-09-01"),
    ("2.0.0", "2026-03-02"),
    ("2.5.1", "2026-10-01"),
    ("3.0.0", "2027-03-01"),
]


def product(
    releases: Iterable[tuple[str, str]], *records: CycleRecord, **policy: object
) -> ProductCycles:
    return derive(
        [Release.of(v, D(d)) for v, d in releases],
        Policy(**policy),  # type: ignore[arg-type]
        records=records,
    )


def shown(cycle: Cycle) -> list[object]:
    """released_on, security_only_from, eol_on, eosl_on as a vendor writes them."""
    return [_text(cycle.dates.value(name)) for name in DATE_FIELDS[:4]]


def _text(value: Decision) -> object:
    return value.isoformat() if isinstance(value, date) else value


_DATED = {"lts", *DATE_FIELDS, "display_latest_on"}


def decide(key: str, **fields: object) -> CycleRecord:
    """A record; its date fields may be written as ``YYYY-MM-DD``."""
    values = {k: D(v) if k in _DATED and isinstance(v, str) else v for k, v in fields.items()}
    return CycleRecord(key, **values)  # type: ignore[arg-type]


# --- decided dates and the order they keep ---------------------------------------------------

DECISION_CASES = [
    pytest.param(
        decide("1", eol_on="2027-06-01"),
        "1",
        ["2025-01-10", "2026-03-02", "2027-06-01", "2027-12-01"],
        id="a-decided-date-replaces-the-derived-one-and-eosl-follows-it",
    ),
    pytest.param(
        decide("1", security_only_from="2027-05-01"),
        "1",
        ["2025-01-10", "2027-05-01", "2027-05-01", "2027-11-01"],
        id="a-derived-later-phase-never-starts-before-a-decided-earlier-one",
    ),
    pytest.param(
        decide("1", eol_on="2026-01-01"),
        "1",
        ["2025-01-10", "2026-01-01", "2026-01-01", "2026-07-01"],
        id="a-vendor-who-ends-a-cycle-early-ends-its-full-support-then-too",
    ),
    pytest.param(
        decide("3", eol_on="2029-01-01"),
        "3",
        ["2027-03-01", "2029-01-01", "2029-01-01", "2029-07-01"],
        id="an-unknown-derived-phase-before-a-decided-one-moves-to-it",
    ),
    pytest.param(
        decide("1", eosl_on="2027-04-01"),
        "1",
        ["2025-01-10", "2026-03-02", "2027-03-01", "2027-04-01"],
        id="a-decided-eosl-replaces-the-derived-one",
    ),
    pytest.param(
        decide("1", eosl_on="2027-02-01"),
        "1",
        ["2025-01-10", "2026-03-02", "2027-02-01", "2027-02-01"],
        id="a-decided-eosl-before-the-derived-eol-moves-it",
    ),
    pytest.param(
        decide("1", extended_end_on="2027-01-01"),
        "1",
        ["2025-01-10", "2026-03-02", "2027-01-01", "2027-07-01"],
        id="extended-support-ending-first-ends-life-then-too",
    ),
    pytest.param(
        decide("1", extended_end_on="2030-01-01"),
        "1",
        ["2025-01-10", "2026-03-02", "2027-03-01", "2027-09-01"],
        id="extended-support-after-eol-moves-nothing",
    ),
    pytest.param(
        decide("1", eol_on=True),
        "1",
        ["2025-01-10", "2026-03-02", True, True],
        id="eol-begun-on-an-unknown-day-and-so-eosl",
    ),
    pytest.param(
        decide("1", eol_on=False),
        "1",
        ["2025-01-10", "2026-03-02", False, None],
        id="eol-decided-not-begun-and-eosl-with-it",
    ),
    pytest.param(
        decide("1", security_only_from=False),
        "1",
        ["2025-01-10", False, None, None],
        id="nothing-derived-begins-after-a-phase-decided-not-begun",
    ),
    pytest.param(
        decide("1", security_only_from=False, eol_on="2028-01-01"),
        "1",
        ["2025-01-10", False, "2028-01-01", "2028-07-01"],
        id="full-support-until-a-decided-eol",
    ),
    pytest.param(
        decide("3", eol_on=True),
        "3",
        ["2027-03-01", True, True, True],
        id="an-unknown-phase-before-a-begun-one-has-begun-too",
    ),
    pytest.param(
        decide("1", security_only_from=True),
        "1",
        ["2025-01-10", True, "2027-03-01", "2027-09-01"],
        id="security-only-since-an-unknown-day",
    ),
    pytest.param(
        decide("1", eol_on="2027-06-01", eosl_on=False),
        "1",
        ["2025-01-10", "2026-03-02", "2027-06-01", False],
        id="eosl-decided-not-begun",
    ),
    pytest.param(
        decide("2", released_on="2026-01-15"),
        "1",
        ["2025-01-10", "2026-01-15", "2027-03-01", "2027-09-01"],
        id="the-count-rule-uses-a-decided-release-date",
    ),
    pytest.param(
        decide("3", security_only_from="2027-01-01"),
        "3",
        ["2027-01-01", "2027-01-01", None, None],
        id="a-first-ga-release-after-a-decided-phase-moves-back-to-it",
    ),
    pytest.param(
        decide("1", eol_on="2027-03-01", no_security_phase=True),
        "1",
        ["2025-01-10", "2027-03-01", "2027-03-01", "2027-09-01"],
        id="no-security-phase-full-support-until-eol",
    ),
    pytest.param(
        decide("1", no_security_phase=True),
        "1",
        ["2025-01-10", "2027-03-01", "2027-03-01", "2027-09-01"],
        id="no-security-phase-with-a-derived-eol",
    ),
    pytest.param(
        decide("1", eol_on=True, no_security_phase=True),
        "1",
        ["2025-01-10", True, True, True],
        id="no-security-phase-and-an-eol-begun",
    ),
]


@pytest.mark.parametrize(("record", "key", "expected"), DECISION_CASES)
def test_decided_dates_and_the_order_they_keep(
    record: CycleRecord, key: str, expected: list[object]
) -> None:
    cycles = product(APERTUREDB, record)
    assert shown(cycles.by_key[key]) == expected
    # The count rule dates a cycle by later ones: the cycles after the record's stay as they
    # were.
    plain = product(APERTUREDB)
    newer = [c for c in cycles.newest_first if int(c.key) > int(record.key)]
    assert [c.dates for c in newer] == [plain.by_key[c.key].dates for c in newer]


@pytest.mark.parametrize(
    ("record", "decided"),
    [
        (decide("1"), ()),
        (decide("1", eol_on="2027-06-01"), ("eol_on",)),
        (decide("1", eol_on=False, security_only_from=True), ("security_only_from", "eol_on")),
        (
            decide("1", released_on="2025-01-01", eosl_on="2030-01-01", extended_end_on=True),
            ("released_on", "eosl_on", "extended_end_on"),
        ),
        (
            decide("1", eol_on="2027-03-01", no_security_phase=True),
            ("security_only_from", "eol_on"),
        ),
        (decide("1", codename="One", lts=True, link="https://example.com/1"), ()),
    ],
    ids=lambda v: repr(v),
)
def test_decided_lists_the_fields_a_decision_gave(
    record: CycleRecord, decided: tuple[str, ...]
) -> None:
    cycle = product(APERTUREDB, record).by_key["1"]
    assert cycle.decided == decided
    assert cycle.record is record
    assert product(APERTUREDB).by_key["1"].decided == ()


def test_a_cycle_exposes_its_records_fields() -> None:
    record = decide(
        "2",
        lts="2026-10-28",
        codename="Two",
        link="https://example.com/2",
        extended_end_on="2030-01-01",
    )
    cycle = product(APERTUREDB, record).by_key["2"]
    assert (cycle.lts, cycle.codename, cycle.link) == (D("2026-10-28"), "Two", record.link)
    assert cycle.extended_end_on == D("2030-01-01")
    assert cycle.dates.extended_end_on == D("2030-01-01")
    assert not cycle.is_lts(D("2026-10-27"))
    assert cycle.is_lts(D("2026-10-28"))
    plain = product(APERTUREDB).by_key["2"]
    assert (plain.lts, plain.codename, plain.link, plain.extended_end_on) == (
        False,
        None,
        None,
        None,
    )
    assert not plain.is_lts(D("2030-01-01"))


# --- status, next change and the dates as JSON -------------------------------------------------

STATUS_CASES = [
    # eol begun on an unknown day: nothing of the cycle is supported once it is out.
    (decide("1", eol_on=True), "2025-01-09", Status.PLANNED),
    (decide("1", eol_on=True), "2025-01-10", Status.EOSL),
    (decide("1", eol_on=True, eosl_on=False), "2025-01-10", Status.EOL),
    (decide("1", eol_on=True, eosl_on="2026-01-01"), "2025-12-31", Status.EOL),
    (decide("1", eol_on=True, eosl_on="2026-01-01"), "2026-01-01", Status.EOSL),
    # eol decided not begun: security fixes only, for good.
    (decide("1", eol_on=False), "2026-03-01", Status.CURRENT),
    (decide("1", eol_on=False), "2026-03-02", Status.SECURITY_ONLY),
    (decide("1", eol_on=False), "2099-01-01", Status.SECURITY_ONLY),
    # security-only decided not begun: full support until a decided eol, if any.
    (decide("1", security_only_from=False), "2099-01-01", Status.CURRENT),
    (decide("1", security_only_from=False, eol_on="2028-01-01"), "2027-12-31", Status.CURRENT),
    (decide("1", security_only_from=False, eol_on="2028-01-01"), "2028-01-01", Status.EOL),
    # security-only begun on an unknown day.
    (decide("1", security_only_from=True), "2025-01-10", Status.SECURITY_ONLY),
    (decide("1", security_only_from=True), "2027-03-01", Status.EOL),
    # a decided date ahead of an eol begun on an unknown day is moot.
    (decide("1", security_only_from="2030-01-01", eol_on=True), "2029-01-01", Status.EOSL),
]


@pytest.mark.parametrize(
    ("record", "day", "expected"),
    STATUS_CASES,
    ids=[f"{r.decisions()}-{d}" for r, d, _ in STATUS_CASES],
)
def test_status_with_true_and_false(record: CycleRecord, day: str, expected: Status) -> None:
    assert product(APERTUREDB, record).by_key["1"].status(D(day)) is expected


@pytest.mark.parametrize(
    ("record", "day", "expected"),
    [
        (decide("1", eol_on=True), "2025-01-01", "2025-01-10"),
        (decide("1", eol_on=True), "2025-01-10", None),
        (decide("1", eol_on=False), "2025-01-10", "2026-03-02"),
        (decide("1", eol_on=False), "2026-03-02", None),
        (decide("1", security_only_from=True), "2025-01-10", "2027-03-01"),
        (decide("1", security_only_from="2030-01-01", eol_on=True), "2025-01-10", None),
        (decide("1", eol_on="2027-06-01"), "2026-03-02", "2027-06-01"),
    ],
    ids=lambda v: str(v),
)
def test_next_change_skips_unknown_and_moot_dates(
    record: CycleRecord, day: str, expected: str | None
) -> None:
    change = product(APERTUREDB, record).by_key["1"].next_change(D(day))
    assert change == (D(expected) if expected else None)


def test_phase_start_is_the_day_status_changes() -> None:
    moot = product(APERTUREDB, decide("1", security_only_from="2030-01-01", eol_on=True))
    cycle = moot.by_key["1"]
    assert cycle.dates.security_only_from == D("2030-01-01")
    assert [cycle.phase_start(n) for n in DATE_FIELDS[1:4]] == [None, None, None]
    plain = product(APERTUREDB).by_key["1"]
    assert [plain.phase_start(n) for n in DATE_FIELDS[1:4]] == [
        plain.dates.security_only_from,
        plain.dates.eol_on,
        plain.dates.eosl_on,
    ]


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (
            None,
            {
                "released_on": "2025-01-10",
                "security_only_from": "2026-03-02",
                "eol_on": "2027-03-01",
                "eosl_on": "2027-09-01",
            },
        ),
        (
            decide("1", eol_on=True),
            {
                "released_on": "2025-01-10",
                "security_only_from": "2026-03-02",
                "eol_on": True,
                "eosl_on": True,
            },
        ),
        (
            decide("1", eol_on=False, extended_end_on=False),
            {
                "released_on": "2025-01-10",
                "security_only_from": "2026-03-02",
                "eol_on": False,
                "eosl_on": None,
                "extended_end_on": False,
            },
        ),
        (
            decide("1", extended_end_on="2030-01-01"),
            {
                "released_on": "2025-01-10",
                "security_only_from": "2026-03-02",
                "eol_on": "2027-03-01",
                "eosl_on": "2027-09-01",
                "extended_end_on": "2030-01-01",
            },
        ),
    ],
    ids=["no-record-as-before", "true", "false", "extended-end"],
)
def test_dates_to_dict(record: CycleRecord | None, expected: dict[str, object]) -> None:
    records = [record] if record is not None else []
    assert product(APERTUREDB, *records).by_key["1"].dates.to_dict() == expected


@pytest.mark.parametrize(
    "kwargs",
    [
        {"begun": frozenset({"released_on"})},
        {"begun": frozenset({"eol"})},
        {"eol_on": D("2026-01-01"), "begun": frozenset({"eol_on"})},
        {"begun": frozenset({"eol_on"}), "not_begun": frozenset({"eol_on"})},
    ],
    ids=lambda v: repr(v),
)
def test_cycle_dates_refuse_flags_that_do_not_fit(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        CycleDates(**kwargs)  # type: ignore[arg-type]


# --- planned and pre-release cycles ------------------------------------------------------------


def test_a_record_may_name_a_cycle_no_release_has_yet() -> None:
    cycles = product(APERTUREDB, decide("4", codename="Four"))
    four = cycles.by_key["4"]
    assert [c.key for c in cycles.newest_first] == ["4", "3", "2", "1"]
    assert four.status(D("2030-01-01")) is Status.PLANNED
    assert four.dates == CycleDates()
    assert not four.is_prerelease_only
    assert four.latest(D("2030-01-01")) is None
    # With no release date it takes no part in the count rule: cycle 3 stays current.
    assert cycles.by_key["3"].dates == product(APERTUREDB).by_key["3"].dates


def test_a_planned_cycle_with_a_release_date_dates_the_ones_before_it() -> None:
    cycles = product(APERTUREDB, decide("4", released_on="2028-03-01"))
    assert cycles.by_key["4"].status(D("2028-02-29")) is Status.PLANNED
    assert cycles.by_key["4"].status(D("2028-03-01")) is Status.CURRENT
    assert cycles.by_key["3"].dates.security_only_from == D("2028-03-01")
    assert cycles.by_key["2"].dates.eol_on == D("2028-03-01")


def test_a_planned_cycle_shows_its_decided_dates() -> None:
    four = product(APERTUREDB, decide("4", eol_on="2031-01-01")).by_key["4"]
    assert shown(four) == [None, "2031-01-01", "2031-01-01", "2031-07-01"]
    assert four.status(D("2032-01-01")) is Status.PLANNED


def test_a_record_on_a_prerelease_only_cycle() -> None:
    cycles = product([*APERTUREDB, ("4.0.0rc1", "2027-06-01")], decide("4", eol_on="2031-01-01"))
    four = cycles.by_key["4"]
    assert four.is_prerelease_only
    assert four.status(D("2027-07-01")) is Status.PRERELEASE


def test_a_decided_release_date_makes_a_cycle_released_without_a_ga_release() -> None:
    cycles = product([("4.0.0rc1", "2027-06-01")], decide("4", released_on="2027-01-01"))
    four = cycles.by_key["4"]
    assert not four.is_prerelease_only
    assert four.status(D("2027-01-01")) is Status.CURRENT
    assert four.latest(D("2028-01-01")) is None


# --- names: kept as written, matched number by number -----------------------------------------

NAMED = [
    ("8.0.1", "2020-01-01"),
    ("8.1.3", "2021-01-01"),
    ("8.10.0", "2022-01-01"),
    ("22.11.0", "2024-10-29"),
    ("22.04.3", "2023-08-10"),
    ("3.12.4", "2024-06-06"),
    ("3.12.0rc1", "2023-08-06"),
    ("3.13.0", "2024-10-07"),
    ("1.4.8.0", "2019-01-01"),
    ("1!8.1", "2019-01-01"),
]
NAMED_RECORDS = [CycleRecord(k) for k in ("8", "8.1", "22", "22.04", "3.12", "1.4.8.0")]


@pytest.mark.parametrize(
    ("version", "key"),
    [
        ("3.12.4", "3.12"),
        ("3.12", "3.12"),
        ("3.12.0rc1", "3.12"),
        ("22.11.0", "22"),
        ("22.4.3", "22.04"),
        ("22.04", "22.04"),
        ("8.1.3", "8.1"),
        ("8.10", "8"),
        ("8.10.0", "8"),
        ("8", "8"),
        ("8.0.1", "8"),
        ("1.4.8", "1.4.8.0"),
        ("1.4.8.0.1", "1.4.8.0"),
        # No record name leads these: the policy's key.
        ("3.13.0", "3"),
        ("1.4.9", "1"),
        ("1!8.1", "1!8"),
    ],
    ids=lambda v: str(v),
)
def test_a_version_belongs_to_its_longest_leading_name(version: str, key: str) -> None:
    cycles = derive([], Policy(), records=NAMED_RECORDS)
    assert cycles.cycle_key(parse_version(version)) == key


def test_releases_group_into_named_cycles_and_the_rest_by_policy() -> None:
    cycles = derive(
        [Release.of(v, D(d)) for v, d in NAMED], Policy(cycle="minor"), records=NAMED_RECORDS
    )
    members = {
        c.key: [r.version for r in (*c.ga_releases, *c.prereleases)] for c in cycles.newest_first
    }
    assert members == {
        "22.04": ["22.04.3"],
        "22": ["22.11.0"],
        "8.1": ["8.1.3"],
        "8": ["8.0.1", "8.10.0"],
        "3.13": ["3.13.0"],
        "3.12": ["3.12.4", "3.12.0rc1"],
        "1.4.8.0": ["1.4.8.0"],
        "1!8.1": ["1!8.1"],
    }
    found = cycles.cycle_of(parse_version("8.10.2"))
    assert found is not None
    assert found.key == "8"
    assert cycles.cycle_of(parse_version("9.0")) is None


def test_cycles_order_by_their_names_read_as_versions() -> None:
    names = ["15.1", "14", "15", "15.0", "9", "14.4", "2024.1", "10"]
    cycles = derive([], Policy(), records=[CycleRecord(n) for n in names])
    assert [c.key for c in cycles.newest_first] == [
        "2024.1",
        "15.1",
        "15.0",
        "15",
        "14.4",
        "14",
        "10",
        "9",
    ]


@pytest.mark.parametrize(
    ("text", "key"),
    [("22.04", "22.04"), ("22.4", "22.04"), ("3.12", "3.12"), ("8", "8"), ("9", "9"), ("09", "9")],
    ids=repr,
)
def test_key_for_finds_a_cycle_by_its_name_or_numbers(text: str, key: str) -> None:
    assert derive([], Policy(), records=NAMED_RECORDS).key_for(text) == key


def test_key_for_without_records_is_the_policys_key() -> None:
    cycles = derive([Release.of("2.1", D("2025-01-01"))], Policy(cycle="minor"))
    assert cycles.key_for("2.1") == "2.1"
    assert cycles.key_for("2.01") == "2.1"
    with pytest.raises(InvalidCycleKey):
        cycles.key_for("2.1.3")


def test_key_for_refuses_what_is_no_cycle() -> None:
    with pytest.raises(InvalidCycleKey):
        derive([], Policy(), records=NAMED_RECORDS).key_for("galaxy-s24")


@pytest.mark.parametrize(
    ("records", "policy", "named"),
    [
        ((), "major", False),
        (("2", "3"), "major", False),
        (("1.27",), "minor", False),
        (("3.12",), "major", True),
        (("22.04",), "minor", True),
        (("2.0",), "major", True),
    ],
    ids=lambda v: str(v),
)
def test_named_says_whether_records_name_cycles_the_policy_would_not(
    records: tuple[str, ...], policy: str, named: bool
) -> None:
    cycles = derive([], Policy(cycle=policy), records=[CycleRecord(k) for k in records])  # type: ignore[arg-type]
    assert cycles.named is named
    assert set(cycles.records) == set(records)


@pytest.mark.parametrize(
    ("records", "message"),
    [(("22", "22"), "two records"), (("22.04", "22.4"), "same numbers")],
    ids=lambda v: str(v),
)
def test_two_records_of_one_cycle_are_refused(records: tuple[str, ...], message: str) -> None:
    with pytest.raises(InvalidCycleRecord, match=message) as caught:
        derive([], Policy(), records=[CycleRecord(k) for k in records])
    assert caught.value.field == "key"


# --- the latest release shown -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("releases", "record", "day", "expected"),
    [
        (
            [],
            decide("8", display_latest="8u501", display_latest_on="2026-07-21"),
            "2026-12-03",
            ("8u501", "2026-07-21"),
        ),
        (
            [],
            decide("8", display_latest="8u501", display_latest_on="2026-07-21"),
            "2026-07-20",
            None,
        ),
        ([], decide("8", display_latest="8u501"), "2026-07-20", ("8u501", None)),
        (
            [("8.0.2", "2026-08-01")],
            decide("8", display_latest="8u501"),
            "2026-12-03",
            ("8.0.2", "2026-08-01"),
        ),
        (
            [("8.0.2", "2026-08-01")],
            decide("8", display_latest="8u501", display_latest_on="2026-07-21"),
            "2026-12-03",
            ("8.0.2", "2026-08-01"),
        ),
        (
            [("8.0.2", "2026-06-01")],
            decide("8", display_latest="8u501", display_latest_on="2026-07-21"),
            "2026-12-03",
            ("8u501", "2026-07-21"),
        ),
        (
            [("8.0.2", "2026-06-01")],
            decide("8", display_latest="8u501", display_latest_on="2026-07-21"),
            "2026-07-01",
            ("8.0.2", "2026-06-01"),
        ),
        ([("8.0.2", "2026-06-01")], decide("8"), "2026-07-01", ("8.0.2", "2026-06-01")),
        ([], decide("8"), "2026-07-01", None),
    ],
    ids=lambda v: str(v),
)
def test_latest_shown(
    releases: list[tuple[str, str]],
    record: CycleRecord,
    day: str,
    expected: tuple[str, str | None] | None,
) -> None:
    cycle = product(releases, decide("8", released_on="2014-03-18", **_extra(record))).by_key["8"]
    got = cycle.latest_shown(D(day))
    assert (got[0], _text(got[1])) == expected if got is not None else expected is None


def _extra(record: CycleRecord) -> dict[str, object]:
    return {"display_latest": record.display_latest, "display_latest_on": record.display_latest_on}


def test_latest_shown_without_a_record_is_the_latest_release() -> None:
    cycle = product(APERTUREDB).by_key["1"]
    assert cycle.latest_shown(D("2026-01-01")) == ("1.4.2", D("2025-09-01"))
    assert cycle.latest_shown(D("2025-01-01")) is None


# --- properties -------------------------------------------------------------------------------

RANK = {
    Status.PRERELEASE: 0,
    Status.PLANNED: 0,
    Status.CURRENT: 1,
    Status.SECURITY_ONLY: 2,
    Status.EOL: 3,
    Status.EOSL: 4,
}
START = date(2020, 1, 1)
SETTINGS = settings(max_examples=300, deadline=None)

_versions = st.builds(
    lambda major, minor, pre: f"{major}.{minor}.0{pre}",
    st.integers(0, 4),
    st.integers(0, 2),
    st.sampled_from(["", "", "", "rc1"]),
)
_releases = st.lists(
    st.builds(
        lambda v, offset: Release.of(v, START + timedelta(days=offset)),
        _versions,
        st.integers(0, 3000),
    ),
    max_size=10,
)
_policies = st.builds(
    Policy,
    cycle=st.sampled_from(["major", "minor"]),
    full_support_cycles=st.integers(1, 2),
    security_cycles=st.integers(0, 2),
    eosl_months=st.integers(0, 18),
    full_support_months=st.one_of(st.none(), st.integers(1, 36)),
    security_months=st.one_of(st.none(), st.integers(0, 36)),
    lts_full_support_months=st.one_of(st.none(), st.integers(1, 48)),
    lts_security_months=st.one_of(st.none(), st.integers(0, 48)),
)
_decisions: st.SearchStrategy[Decision] = st.one_of(
    st.none(),
    st.booleans(),
    st.builds(lambda n: START + timedelta(days=n), st.integers(-100, 3500)),
)


@st.composite
def _records(draw: st.DrawFn) -> list[CycleRecord]:
    records = []
    for key in draw(
        st.lists(st.sampled_from(["0", "1", "2", "3", "4", "1.1", "2.0"]), unique=True)
    ):
        fields = {
            "lts": draw(st.sampled_from([False, True, START + timedelta(days=400)])),
            "security_only_from": draw(_decisions),
            "eol_on": draw(_decisions),
            "eosl_on": draw(_decisions),
            "extended_end_on": draw(_decisions),
            "released_on": draw(
                st.one_of(
                    st.none(), st.builds(lambda n: START + timedelta(days=n), st.integers(0, 3000))
                )
            ),
        }
        if draw(st.booleans()):
            fields["security_only_from"] = None
            fields["no_security_phase"] = True
        try:
            records.append(CycleRecord(key, **fields))  # type: ignore[arg-type]
        except InvalidCycleRecord:
            continue  # dates out of order are refused; that is tested apart
    return records


_days = st.dates(min_value=START - timedelta(days=200), max_value=date(2032, 12, 31))


@SETTINGS
@given(_releases, _policies, _records())
def test_decided_and_derived_dates_always_keep_the_order(
    releases: list[Release], policy: Policy, records: list[CycleRecord]
) -> None:
    cycles = derive(releases, policy, records=records)
    for cycle in cycles.newest_first:
        dates = cycle.dates
        for earlier, later in ORDERED_PAIRS:
            a, b = dates.value(earlier), dates.value(later)
            if isinstance(a, date) and isinstance(b, date):
                assert a <= b, (cycle.key, earlier, a, later, b)
        record = cycle.record
        if record is None:
            assert cycle.decided == ()
            continue
        # A decided date is the cycle's date, as decided.
        for name, value in record.decisions().items():
            assert dates.value(name) == value, (cycle.key, name)
        assert cycle.decided == tuple(record.decisions())
        if record.no_security_phase:
            assert dates.value("security_only_from") == dates.value("eol_on")
        # eosl_on follows a decided eol_on by the policy's months, unless decided itself.
        if isinstance(record.eol_on, date) and record.eosl_on is None:
            assert dates.eosl_on == add_months(record.eol_on, policy.eosl_months)


@SETTINGS
@given(_releases, _policies, _records(), _days, _days)
def test_status_never_moves_backwards_with_records(
    releases: list[Release], policy: Policy, records: list[CycleRecord], d1: date, d2: date
) -> None:
    d1, d2 = min(d1, d2), max(d1, d2)
    for cycle in derive(releases, policy, records=records).newest_first:
        before, after = cycle.status(d1), cycle.status(d2)
        assert RANK[before] <= RANK[after], (cycle.key, cycle.dates, d1, before, d2, after)
        change = cycle.next_change(d1)
        if change is not None:
            assert change > d1
            assert cycle.status(change - DAY) is before
            assert RANK[cycle.status(change)] > RANK[before] or before is Status.PLANNED
        else:
            assert cycle.status(date(2999, 12, 31)) is before


def legacy_derive(releases: list[Release], policy: Policy) -> list[tuple[str, CycleDates]]:
    """The derivation as it was before cycle records existed, kept to compare with."""
    unique: dict[str, Release] = {}
    for release in releases:
        known = unique.get(release.identity)
        if known is None or release.released_on < known.released_on:
            unique[release.identity] = release
    grouped: dict[str, list[Release]] = {}
    for release in unique.values():
        grouped.setdefault(policy.cycle_key(release.parsed), []).append(release)
    ordered_keys = sorted(grouped, key=cycle_sort_key)
    ga_keys = [k for k in ordered_keys if any(not r.is_prerelease for r in grouped[k])]
    first_ga = {k: min(r.released_on for r in grouped[k] if not r.is_prerelease) for k in ga_keys}

    def at(position: int) -> date | None:
        return first_ga[ga_keys[position]] if position < len(ga_keys) else None

    dates: dict[str, CycleDates] = {}
    for i, key in enumerate(ga_keys):
        sof = at(i + policy.full_support_cycles)
        eol = at(i + policy.full_support_cycles + policy.security_cycles)
        if sof is not None:
            sof = max(sof, first_ga[key])
        if eol is not None and sof is not None:
            eol = max(eol, sof)
        eosl = add_months(eol, policy.eosl_months) if eol is not None else None
        dates[key] = CycleDates(first_ga[key], sof, eol, eosl)
    return [(k, dates.get(k, CycleDates())) for k in reversed(ordered_keys)]


def legacy_status(dates: CycleDates, as_of: date) -> Status:
    if dates.released_on is None:
        return Status.PRERELEASE
    if dates.released_on > as_of:
        return Status.PLANNED
    if dates.security_only_from is None or as_of < dates.security_only_from:
        return Status.CURRENT
    if dates.eol_on is None or as_of < dates.eol_on:
        return Status.SECURITY_ONLY
    if dates.eosl_on is not None and as_of < dates.eosl_on:
        return Status.EOL
    return Status.EOSL


_count_policies = st.builds(
    Policy,
    cycle=st.sampled_from(["major", "minor"]),
    full_support_cycles=st.integers(1, 3),
    security_cycles=st.integers(0, 3),
    eosl_months=st.integers(0, 24),
)


@SETTINGS
@given(_releases, _count_policies, st.lists(_days, max_size=4))
def test_a_product_without_records_derives_exactly_as_before(
    releases: list[Release], policy: Policy, days: list[date]
) -> None:
    cycles = derive(releases, policy)
    expected = legacy_derive(releases, policy)
    assert [(c.key, c.dates) for c in cycles.newest_first] == expected
    assert cycles == derive(releases, policy, records=[])
    for cycle in cycles.newest_first:
        assert cycle.decided == ()
        assert cycle.record is None
        for day in [*days, date.max, date.min]:
            assert cycle.status(day) is legacy_status(cycle.dates, day)
        assert cycle.dates.to_dict() == {
            name: _text(getattr(cycle.dates, name)) for name in DATE_FIELDS[:4]
        }
