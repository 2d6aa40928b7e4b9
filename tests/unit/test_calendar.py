"""SPEC 9: the business calendar, across the edges that break naive date arithmetic."""

from __future__ import annotations

import dataclasses
import random
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifecycle.calendar import (
    MAX_AMOUNT,
    BusinessCalendar,
    InvalidCalendar,
    InvalidDuration,
    NaiveDatetime,
)
from lifecycle.errors import LifecycleError

LA = ZoneInfo("America/Los_Angeles")
CAL = BusinessCalendar()
H = timedelta(hours=1)
M = timedelta(minutes=1)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# -- the defaults and the value object ---------------------------------------------


def test_defaults_are_the_spec_calendar() -> None:
    assert CAL.zone == "America/Los_Angeles"
    assert (CAL.opens, CAL.closes) == (time(5), time(18))
    assert CAL.weekdays == frozenset({0, 1, 2, 3, 4})
    assert CAL.holiday_country == "US"
    assert CAL.day_length == timedelta(hours=13)
    assert CAL.to_dict() == {
        "zone": "America/Los_Angeles",
        "opens": "05:00",
        "closes": "18:00",
        "weekdays": ["mon", "tue", "wed", "thu", "fri"],
        "holiday_country": "US",
        "holiday_subdiv": None,
    }


def test_calendar_is_a_frozen_hashable_value() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        CAL.zone = "UTC"  # type: ignore[misc]
    # any iterable of weekdays is stored as a frozenset, so equal calendars hash equal
    other = BusinessCalendar(weekdays=[4, 3, 2, 1, 0])  # type: ignore[arg-type]
    assert other == CAL
    assert hash(other) == hash(CAL)


# -- adding business time: the table -----------------------------------------------

ADD_BUSINESS_TIME = [
    # the three examples of SPEC 9
    pytest.param(
        "2026-11-17T10:30:00-08:00", 4 * H, "2026-11-17T14:30:00-08:00", id="spec-same-day"
    ),
    pytest.param("2026-10-23T17:00:00-07:00", 4 * H, "2026-10-26T08:00:00-07:00", id="spec-friday"),
    pytest.param(
        "2026-11-25T15:00:00-08:00", 4 * H, "2026-11-27T06:00:00-08:00", id="spec-thanksgiving"
    ),
    # opening and closing
    pytest.param("2026-11-17T03:00:00-08:00", H, "2026-11-17T06:00:00-08:00", id="before-opening"),
    pytest.param("2026-11-17T19:00:00-08:00", H, "2026-11-18T06:00:00-08:00", id="after-closing"),
    pytest.param(
        "2026-11-17T05:00:00-08:00", H, "2026-11-17T06:00:00-08:00", id="exactly-at-opening"
    ),
    pytest.param(
        "2026-11-17T18:00:00-08:00", H, "2026-11-18T06:00:00-08:00", id="exactly-at-closing"
    ),
    pytest.param(
        "2026-11-17T04:59:59-08:00", 0 * H, "2026-11-17T05:00:00-08:00", id="zero-before-open"
    ),
    pytest.param(
        "2026-11-17T14:00:00-08:00", 4 * H, "2026-11-17T18:00:00-08:00", id="lands-on-closing"
    ),
    pytest.param("2026-11-17T17:59:00-08:00", M, "2026-11-17T18:00:00-08:00", id="last-minute"),
    pytest.param(
        "2026-11-17T17:59:00-08:00", 2 * M, "2026-11-18T05:01:00-08:00", id="one-past-close"
    ),
    pytest.param("2026-11-17T05:00:00-08:00", 13 * H, "2026-11-17T18:00:00-08:00", id="whole-day"),
    pytest.param(
        "2026-11-17T05:00:00-08:00", 26 * H, "2026-11-18T18:00:00-08:00", id="two-days-close"
    ),
    pytest.param("2026-11-17T10:30:00-08:00", 13 * H, "2026-11-18T10:30:00-08:00", id="one-day"),
    # Fridays and weekends
    pytest.param("2026-11-20T17:00:00-08:00", H, "2026-11-20T18:00:00-08:00", id="friday-to-close"),
    pytest.param(
        "2026-11-20T17:00:00-08:00", 61 * M, "2026-11-23T05:01:00-08:00", id="friday-over"
    ),
    pytest.param("2026-11-21T12:00:00-08:00", H, "2026-11-23T06:00:00-08:00", id="saturday"),
    pytest.param("2026-11-22T23:59:59-08:00", H, "2026-11-23T06:00:00-08:00", id="sunday-night"),
    # US federal holidays and observed days
    pytest.param(
        "2026-07-02T17:00:00-07:00", 2 * H, "2026-07-06T06:00:00-07:00", id="july-4-observed"
    ),
    pytest.param("2026-07-03T10:00:00-07:00", H, "2026-07-06T06:00:00-07:00", id="on-observed-day"),
    pytest.param("2026-01-16T17:00:00-08:00", 2 * H, "2026-01-20T06:00:00-08:00", id="mlk-monday"),
    pytest.param("2026-12-24T17:00:00-08:00", 2 * H, "2026-12-28T06:00:00-08:00", id="christmas"),
    pytest.param(
        "2027-12-30T17:00:00-08:00", 2 * H, "2028-01-03T06:00:00-08:00", id="new-year-2028"
    ),
    pytest.param(
        "2026-11-10T17:00:00-08:00", 2 * H, "2026-11-12T06:00:00-08:00", id="veterans-day"
    ),
    # both DST changes: the hours stay 05:00-18:00 on the wall clock
    pytest.param("2026-03-06T17:00:00-08:00", 2 * H, "2026-03-09T06:00:00-07:00", id="dst-spring"),
    pytest.param("2026-03-07T12:00:00-08:00", H, "2026-03-09T06:00:00-07:00", id="dst-spring-sat"),
    pytest.param("2026-10-30T17:00:00-07:00", 2 * H, "2026-11-02T06:00:00-08:00", id="dst-autumn"),
    pytest.param("2026-11-01T01:30:00-08:00", H, "2026-11-02T06:00:00-08:00", id="repeated-hour"),
    # an instant written in another offset answers in the calendar's zone
    pytest.param("2026-11-17T18:30:00+00:00", 4 * H, "2026-11-17T14:30:00-08:00", id="from-utc"),
    pytest.param("2026-11-18T09:00:00+09:00", H, "2026-11-17T17:00:00-08:00", id="from-tokyo"),
    # long targets, counted by hand: 30 business days skip Veterans Day and Thanksgiving
    pytest.param("2026-11-02T09:00:00-08:00", 390 * H, "2026-12-16T09:00:00-08:00", id="30-days"),
]


@pytest.mark.parametrize(("start", "amount", "expected"), ADD_BUSINESS_TIME)
def test_add_business_time(start: str, amount: timedelta, expected: str) -> None:
    due = CAL.add_business_time(at(start), amount)
    assert due.isoformat() == expected
    assert due.tzinfo == LA


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        pytest.param("2026-11-17T10:30:00-08:00", 1, "2026-11-18T10:30:00-08:00", id="one"),
        pytest.param("2026-11-25T10:30:00-08:00", 1, "2026-11-27T10:30:00-08:00", id="holiday"),
        pytest.param("2026-11-20T09:00:00-08:00", 2, "2026-11-24T09:00:00-08:00", id="weekend"),
        pytest.param("2026-11-17T05:00:00-08:00", 0.5, "2026-11-17T11:30:00-08:00", id="half"),
        pytest.param("2026-11-17T05:00:00-08:00", 1, "2026-11-17T18:00:00-08:00", id="to-close"),
        pytest.param("2026-11-02T09:00:00-08:00", 30, "2026-12-16T09:00:00-08:00", id="thirty"),
    ],
)
def test_add_business_days_uses_the_day_length(start: str, days: float, expected: str) -> None:
    assert CAL.add_business_days(at(start), days).isoformat() == expected


@pytest.mark.parametrize(
    ("start", "amount", "expected"),
    [
        # a 1-hour around-the-clock target across a DST change is one real hour
        pytest.param("2026-03-08T01:30:00-08:00", H, "2026-03-08T03:30:00-07:00", id="spring"),
        pytest.param("2026-11-01T01:30:00-07:00", H, "2026-11-01T01:30:00-08:00", id="autumn"),
        pytest.param("2026-11-21T12:00:00-08:00", H, "2026-11-21T13:00:00-08:00", id="weekend"),
        pytest.param("2026-07-03T23:30:00-07:00", H, "2026-07-04T00:30:00-07:00", id="holiday"),
        pytest.param("2026-11-17T10:30:00+00:00", H, "2026-11-17T03:30:00-08:00", id="from-utc"),
    ],
)
def test_add_elapsed_is_real_time(start: str, amount: timedelta, expected: str) -> None:
    due = CAL.add_elapsed(at(start), amount)
    assert due.isoformat() == expected
    assert due - at(start) == amount


# -- questions about instants -------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        pytest.param("2026-11-17T05:00:00-08:00", True, id="at-opening"),
        pytest.param("2026-11-17T04:59:59.999999-08:00", False, id="just-before-opening"),
        pytest.param("2026-11-17T17:59:59.999999-08:00", True, id="just-before-closing"),
        pytest.param("2026-11-17T18:00:00-08:00", False, id="at-closing"),
        pytest.param("2026-11-21T12:00:00-08:00", False, id="saturday"),
        pytest.param("2026-07-03T12:00:00-07:00", False, id="observed-holiday"),
        pytest.param("2026-07-02T12:00:00-07:00", True, id="day-before-holiday"),
        pytest.param("2026-11-17T20:00:00+00:00", True, id="utc-noon-local"),
        pytest.param("2026-03-09T05:00:00-07:00", True, id="after-spring-change"),
    ],
)
def test_is_business_time(moment: str, expected: bool) -> None:
    assert CAL.is_business_time(at(moment)) is expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(date(2026, 7, 3), False, id="independence-observed"),
        pytest.param(date(2026, 7, 4), False, id="saturday-holiday"),
        pytest.param(date(2026, 6, 19), False, id="juneteenth"),
        pytest.param(date(2026, 11, 27), True, id="day-after-thanksgiving"),
        pytest.param(date(2027, 12, 31), False, id="new-year-2028-observed"),
        pytest.param(date(2026, 11, 16), True, id="plain-monday"),
        pytest.param(date(2026, 11, 15), False, id="sunday"),
    ],
)
def test_is_business_day(day: date, expected: bool) -> None:
    assert CAL.is_business_day(day) is expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        pytest.param("2026-11-17T10:30:00-08:00", "2026-11-17T10:30:00-08:00", id="inside"),
        pytest.param("2026-11-17T04:00:00-08:00", "2026-11-17T05:00:00-08:00", id="early"),
        pytest.param("2026-11-17T18:00:00-08:00", "2026-11-18T05:00:00-08:00", id="at-close"),
        pytest.param("2026-11-20T18:00:00-08:00", "2026-11-23T05:00:00-08:00", id="friday-close"),
        pytest.param("2026-11-25T18:30:00-08:00", "2026-11-27T05:00:00-08:00", id="thanksgiving"),
        pytest.param("2026-03-08T12:00:00-07:00", "2026-03-09T05:00:00-07:00", id="spring-sunday"),
        pytest.param("2026-11-17T20:00:00+00:00", "2026-11-17T12:00:00-08:00", id="from-utc"),
    ],
)
def test_clock_start(moment: str, expected: str) -> None:
    assert CAL.clock_start(at(moment)).isoformat() == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        pytest.param(
            "2026-11-17T10:30:00-08:00", "2026-11-17T14:30:00-08:00", 4 * H, id="same-day"
        ),
        pytest.param("2026-10-23T17:00:00-07:00", "2026-10-26T08:00:00-07:00", 4 * H, id="weekend"),
        pytest.param("2026-11-25T15:00:00-08:00", "2026-11-27T06:00:00-08:00", 4 * H, id="holiday"),
        pytest.param("2026-03-06T17:00:00-08:00", "2026-03-09T06:00:00-07:00", 2 * H, id="dst"),
        pytest.param(
            "2026-11-21T00:00:00-08:00", "2026-11-22T23:59:00-08:00", 0 * H, id="weekend-only"
        ),
        pytest.param("2026-11-17T10:00:00-08:00", "2026-11-17T10:00:00-08:00", 0 * H, id="empty"),
        pytest.param(
            "2026-11-17T14:30:00-08:00", "2026-11-17T10:30:00-08:00", -4 * H, id="reversed"
        ),
        pytest.param("2026-11-16T00:00:00-08:00", "2026-11-23T00:00:00-08:00", 65 * H, id="week"),
    ],
)
def test_business_time_between(a: str, b: str, expected: timedelta) -> None:
    assert CAL.business_time_between(at(a), at(b)) == expected


# -- a calendar whose hours contain the DST changes --------------------------------
# Not the default, but allowed: the wall clock rules, a repeated hour counts once
# and a due time inside the skipped hour becomes the instant of the jump.

LATE = BusinessCalendar(
    opens=time(0), closes=time(23), weekdays=frozenset(range(7)), holiday_country=None
)


@pytest.mark.parametrize(
    ("start", "amount", "expected"),
    [
        pytest.param("2026-03-08T01:30:00-08:00", H, "2026-03-08T03:00:00-07:00", id="into-gap"),
        pytest.param(
            "2026-03-08T01:30:00-08:00", 2 * H, "2026-03-08T03:30:00-07:00", id="over-gap"
        ),
        pytest.param("2026-11-01T00:30:00-07:00", H, "2026-11-01T01:30:00-07:00", id="first-pass"),
        pytest.param("2026-11-01T01:30:00-08:00", H, "2026-11-01T03:00:00-08:00", id="second-pass"),
        pytest.param(
            "2026-11-01T00:30:00-07:00", 2 * H, "2026-11-01T02:30:00-08:00", id="over-repeat"
        ),
    ],
)
def test_hours_across_a_dst_change(start: str, amount: timedelta, expected: str) -> None:
    assert LATE.add_business_time(at(start), amount).isoformat() == expected


def test_a_repeated_hour_counts_once() -> None:
    first = at("2026-11-01T01:00:00-07:00")
    assert LATE.business_time_between(first, at("2026-11-01T02:00:00-08:00")) == H
    assert LATE.business_time_between(first, at("2026-11-01T01:59:00-08:00")) == H
    assert LATE.is_business_time(at("2026-11-01T01:30:00-08:00"))
    assert LATE.day_length == timedelta(hours=23)


# -- validation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"zone": "Mars/Olympus"}, id="unknown-zone"),
        pytest.param({"zone": "America"}, id="zone-directory"),
        pytest.param({"zone": ""}, id="empty-zone"),
        pytest.param({"zone": "../etc/passwd"}, id="zone-path"),
        pytest.param({"opens": time(18), "closes": time(5)}, id="opens-after-closes"),
        pytest.param({"opens": time(9), "closes": time(9)}, id="opens-equals-closes"),
        pytest.param({"opens": "05:00"}, id="opens-a-string"),
        pytest.param({"opens": time(5, tzinfo=UTC)}, id="opens-with-zone"),
        pytest.param({"weekdays": frozenset()}, id="no-weekdays"),
        pytest.param({"weekdays": frozenset({7})}, id="weekday-7"),
        pytest.param({"weekdays": frozenset({-1})}, id="weekday-negative"),
        pytest.param({"weekdays": "mon"}, id="weekdays-a-string"),
        pytest.param({"weekdays": frozenset({True})}, id="weekday-bool"),
        pytest.param({"holiday_country": "XX"}, id="unknown-country"),
        pytest.param({"holiday_subdiv": "ZZ"}, id="unknown-subdivision"),
        pytest.param({"holiday_country": None, "holiday_subdiv": "CA"}, id="subdiv-alone"),
    ],
)
def test_invalid_calendars_are_refused(fields: dict[str, object]) -> None:
    with pytest.raises(InvalidCalendar) as raised:
        BusinessCalendar(**fields)  # type: ignore[arg-type]
    assert isinstance(raised.value, LifecycleError)
    assert raised.value.code == "invalid_calendar"


def test_no_holidays_and_a_subdivision() -> None:
    bare = BusinessCalendar(holiday_country=None)
    assert bare.is_business_day(date(2026, 7, 3))
    california = BusinessCalendar(holiday_subdiv="CA")
    # Cesar Chavez Day is a California holiday, not a federal one
    assert not california.is_business_day(date(2026, 3, 31))
    assert CAL.is_business_day(date(2026, 3, 31))


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda m: CAL.add_business_time(m, H), id="add_business_time"),
        pytest.param(lambda m: CAL.add_business_days(m, 1), id="add_business_days"),
        pytest.param(lambda m: CAL.add_elapsed(m, H), id="add_elapsed"),
        pytest.param(CAL.clock_start, id="clock_start"),
        pytest.param(CAL.is_business_time, id="is_business_time"),
        pytest.param(CAL.local_date, id="local_date"),
        pytest.param(lambda m: CAL.business_time_between(m, m), id="business_time_between"),
    ],
)
def test_naive_datetimes_are_refused(call: object) -> None:
    with pytest.raises(NaiveDatetime, match="no UTC offset"):
        call(datetime(2026, 11, 17, 10, 30))  # type: ignore[operator]


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda s: CAL.add_business_time(s, -M), id="negative-time"),
        pytest.param(lambda s: CAL.add_elapsed(s, -M), id="negative-elapsed"),
        pytest.param(lambda s: CAL.add_business_time(s, MAX_AMOUNT + M), id="too-long"),
        pytest.param(
            lambda s: CAL.add_business_time(s, 4),  # type: ignore[arg-type]
            id="not-a-timedelta",
        ),
        pytest.param(lambda s: CAL.add_business_days(s, -1), id="negative-days"),
        pytest.param(lambda s: CAL.add_business_days(s, float("nan")), id="nan-days"),
        pytest.param(lambda s: CAL.add_business_days(s, float("inf")), id="inf-days"),
        pytest.param(lambda s: CAL.add_business_days(s, True), id="bool-days"),
        pytest.param(lambda s: CAL.add_business_days(s, 1e12), id="huge-days"),
        pytest.param(
            lambda s: CAL.add_elapsed(s.replace(year=9999, month=12), MAX_AMOUNT), id="y10k"
        ),
    ],
)
def test_bad_amounts_are_refused(call: object) -> None:
    with pytest.raises(InvalidDuration):
        call(at("2026-11-17T10:30:00-08:00"))  # type: ignore[operator]


def test_large_amounts_are_fast() -> None:
    start = at("2026-11-17T10:30:00-08:00")
    began = clock.perf_counter()
    for _ in range(200):
        CAL.add_business_days(start, 30)
    far = CAL.add_business_time(start, MAX_AMOUNT)
    took = clock.perf_counter() - began
    assert CAL.business_time_between(start, far) == MAX_AMOUNT
    # whole days are skipped at once: 200 thirty-day targets and a decade in well under a second
    assert took < 1.0


# -- configuration ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        pytest.param({}, BusinessCalendar(), id="empty-is-default"),
        pytest.param(CAL.to_dict(), CAL, id="round-trip"),
        pytest.param(
            {"zone": "Europe/Berlin", "opens": "08:30", "closes": "17:00", "holiday_country": "de"},
            BusinessCalendar("Europe/Berlin", time(8, 30), time(17), holiday_country="DE"),
            id="berlin",
        ),
        pytest.param(
            {"weekdays": "sun-thu", "zone": "Asia/Jerusalem", "holiday_country": "IL"},
            BusinessCalendar(
                "Asia/Jerusalem", weekdays=frozenset({6, 0, 1, 2, 3}), holiday_country="IL"
            ),
            id="sunday-to-thursday",
        ),
        pytest.param(
            {"weekdays": ["Monday", "wed", "FRI"], "holiday_country": None},
            BusinessCalendar(weekdays=frozenset({0, 2, 4}), holiday_country=None),
            id="named-days-no-holidays",
        ),
        pytest.param(
            {"weekdays": "mon-wed, fri", "holiday_country": ""},
            BusinessCalendar(weekdays=frozenset({0, 1, 2, 4}), holiday_country=None),
            id="range-and-day",
        ),
        pytest.param(
            {"weekdays": "fri-mon"},
            BusinessCalendar(weekdays=frozenset({4, 5, 6, 0})),
            id="range-over-weekend",
        ),
        pytest.param(
            {"holiday_subdiv": "ca"}, BusinessCalendar(holiday_subdiv="CA"), id="subdivision"
        ),
    ],
)
def test_calendar_from_mapping(config: dict[str, object], expected: BusinessCalendar) -> None:
    calendar = BusinessCalendar.from_mapping(config)
    assert calendar == expected
    assert BusinessCalendar.from_mapping(calendar.to_dict()) == calendar


@pytest.mark.parametrize(
    ("config", "message"),
    [
        pytest.param({"timezone": "UTC"}, "Unknown calendar setting", id="unknown-key"),
        pytest.param({"zone": "Nowhere/Town"}, "Unknown time zone", id="bad-zone"),
        pytest.param({"zone": 5}, "Unknown time zone", id="zone-number"),
        pytest.param({"opens": "25:00"}, "opens must be a time", id="bad-time"),
        pytest.param({"closes": 18}, "closes must be a time", id="time-number"),
        pytest.param({"opens": "19:00"}, "must be before closes", id="opens-late"),
        pytest.param({"weekdays": "funday"}, "Unknown weekday", id="bad-day"),
        pytest.param({"weekdays": [0, 1]}, "day names", id="day-numbers"),
        pytest.param({"weekdays": 5}, "list of day names", id="weekdays-number"),
        pytest.param({"weekdays": ""}, "at least one day", id="no-days"),
        pytest.param({"holiday_country": "Atlantis"}, "no calendar for", id="bad-country"),
        pytest.param({"holiday_country": 1}, "Unknown holiday country", id="country-number"),
    ],
)
def test_bad_calendar_config_is_refused(config: object, message: str) -> None:
    with pytest.raises(InvalidCalendar, match=message):
        BusinessCalendar.from_mapping(config)  # type: ignore[arg-type]


def test_calendar_config_must_be_a_mapping() -> None:
    with pytest.raises(InvalidCalendar, match="mapping"):
        BusinessCalendar.from_mapping(["zone", "UTC"])  # type: ignore[arg-type]


# -- cross-check against an independent, deliberately naive computation ----------

# Its own holiday list, straight from the package as SPEC 9 names it.
US_HOLIDAYS = frozenset(holidays.country_holidays("US", years=range(2025, 2029)))


def _is_business_minute(wall: datetime) -> bool:
    return wall.weekday() < 5 and 5 <= wall.hour < 18 and wall.date() not in US_HOLIDAYS


def _naive_add(start: datetime, minutes: int) -> datetime:
    """Step the local wall clock a minute at a time, counting business minutes."""
    wall = start.astimezone(LA).replace(tzinfo=None)
    while not _is_business_minute(wall):
        wall += M
    while minutes:
        if _is_business_minute(wall):
            minutes -= 1
        wall += M
    return wall.replace(tzinfo=LA)


def _naive_between(a: datetime, b: datetime) -> timedelta:
    wall, end = a.astimezone(LA).replace(tzinfo=None), b.astimezone(LA).replace(tzinfo=None)
    count = 0
    while wall < end:
        count += _is_business_minute(wall)
        wall += M
    return count * M


def _random_cases(seed: int, count: int) -> list[tuple[datetime, int]]:
    rng = random.Random(seed)
    first = datetime(2025, 12, 20, tzinfo=UTC)
    span_minutes = int((datetime(2027, 12, 31, tzinfo=UTC) - first) / M)
    cases = []
    for _ in range(count):
        start = first + rng.randrange(span_minutes) * M
        if rng.random() < 0.3:  # often exactly on an opening or closing time
            start = start.astimezone(LA).replace(hour=rng.choice((5, 18)), minute=0)
        minutes = rng.choice((rng.randrange(0, 1600), 60 * rng.randrange(0, 27)))
        cases.append((start, minutes))
    return cases


def test_random_targets_match_minute_by_minute_stepping() -> None:
    for start, minutes in _random_cases(seed=20261117, count=300):
        expected = _naive_add(start, minutes)
        due = CAL.add_business_time(start, minutes * M)
        assert due == expected, (start.isoformat(), minutes)
        assert due.isoformat() == expected.isoformat(), (start.isoformat(), minutes)


def test_random_spans_match_minute_counting() -> None:
    rng = random.Random(9)
    for start, _minutes in _random_cases(seed=31, count=150):
        end = start + rng.randrange(0, 5 * 24 * 60) * M
        assert CAL.business_time_between(start, end) == _naive_between(start, end), (
            start.isoformat(),
            end.isoformat(),
        )


# -- properties ----------------------------------------------------------------------

CALENDARS = [
    CAL,
    BusinessCalendar("Europe/London", time(9), time(17, 30), holiday_country="GB"),
    BusinessCalendar("Asia/Kolkata", time(9, 30), time(18), frozenset({6, 0, 1, 2, 3}), "IN"),
    BusinessCalendar("Australia/Sydney", time(8), time(20), frozenset(range(6)), "AU", "NSW"),
]
instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
amounts = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=13 * 30))
calendars = st.sampled_from(CALENDARS)
settings_ = settings(max_examples=200, deadline=None)


@settings_
@given(calendars, instants, amounts)
def test_due_is_never_before_submission(
    calendar: BusinessCalendar, submitted: datetime, amount: timedelta
) -> None:
    assert calendar.add_business_time(submitted, amount) >= submitted
    assert calendar.add_elapsed(submitted, amount) >= submitted
    assert LATE.add_business_time(submitted, amount) >= submitted


@settings_
@given(
    calendars, instants, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=5)), amounts
)
def test_a_later_submission_is_never_due_earlier(
    calendar: BusinessCalendar, first: datetime, gap: timedelta, amount: timedelta
) -> None:
    later = first + gap
    assert calendar.add_business_time(later, amount) >= calendar.add_business_time(first, amount)
    assert calendar.clock_start(later) >= calendar.clock_start(first)
    # also for a calendar whose hours contain the DST changes
    assert LATE.add_business_time(later, amount) >= LATE.add_business_time(first, amount)


@settings_
@given(calendars, instants, amounts)
def test_business_time_from_clock_start_to_due_is_the_target(
    calendar: BusinessCalendar, submitted: datetime, amount: timedelta
) -> None:
    start = calendar.clock_start(submitted)
    due = calendar.add_business_time(submitted, amount)
    assert calendar.business_time_between(start, due) == amount
    assert calendar.business_time_between(submitted, due) == amount
    assert start >= submitted
    assert calendar.is_business_time(start)


@settings_
@given(instants, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)))
def test_elapsed_time_is_real_time(submitted: datetime, amount: timedelta) -> None:
    due = CAL.add_elapsed(submitted, amount)
    assert due - submitted == amount
    assert due.tzinfo == LA
