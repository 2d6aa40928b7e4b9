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
    assert CAL.hours is None
    assert CAL.holiday_country == "US"
    assert CAL.day_length == timedelta(hours=13)
    assert CAL.to_dict() == {
        "zone": "America/Los_Angeles",
        "opens": "05:00",
        "closes": "18:00",
        "weekdays": ["mon", "tue", "wed", "thu", "fri"],
        "hours": {},
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


# -- opening hours per weekday ----------------------------------------------------
# Monday to Thursday 05:00-18:00, a short Friday 05:00-14:00 and Saturday mornings
# 09:00-13:00, US federal holidays.

SHORT = BusinessCalendar(
    weekdays=frozenset(range(6)), hours={4: (time(5), time(14)), 5: (time(9), time(13))}
)


def test_per_weekday_hours_are_a_frozen_hashable_value() -> None:
    assert SHORT.hours == {4: (time(5), time(14)), 5: (time(9), time(13))}
    assert list(SHORT.hours or {}) == [4, 5]
    # the same week spelt in another order, with lists for pairs, is the same calendar
    again = BusinessCalendar(
        weekdays=[5, 4, 3, 2, 1, 0],  # type: ignore[arg-type]
        hours={5: [time(9), time(13)], 4: (time(5), time(14))},  # type: ignore[dict-item]
    )
    assert again == SHORT
    assert hash(again) == hash(SHORT)
    assert len({SHORT, again, CAL}) == 2
    assert SHORT != CAL
    # no hours of their own is the plain calendar
    assert BusinessCalendar(hours={}) == CAL
    assert BusinessCalendar(hours={}).hours is None
    moved = dataclasses.replace(SHORT, zone="Europe/Berlin", holiday_country="DE")
    assert moved.hours == SHORT.hours
    assert moved.opening_hours(date(2026, 11, 20)) == (time(5), time(14))
    assert "hours={4: (datetime.time(5, 0), datetime.time(14, 0))" in repr(SHORT)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(date(2026, 11, 19), (time(5), time(18)), id="thursday-regular"),
        pytest.param(date(2026, 11, 20), (time(5), time(14)), id="short-friday"),
        pytest.param(date(2026, 11, 21), (time(9), time(13)), id="saturday-morning"),
        pytest.param(date(2026, 11, 22), None, id="sunday-closed"),
        pytest.param(date(2026, 11, 26), None, id="thanksgiving"),
        pytest.param(date(2026, 7, 3), None, id="observed-holiday-on-a-friday"),
        pytest.param(date(2026, 7, 4), None, id="holiday-on-a-saturday"),
    ],
)
def test_opening_hours_of_a_day(day: date, expected: tuple[time, time] | None) -> None:
    assert SHORT.opening_hours(day) == expected
    assert SHORT.is_business_day(day) is (expected is not None)


ADD_PER_WEEKDAY = [
    pytest.param("2026-11-20T13:00:00-08:00", H, "2026-11-20T14:00:00-08:00", id="to-short-close"),
    pytest.param(
        "2026-11-20T12:00:00-08:00", 2 * H, "2026-11-20T14:00:00-08:00", id="lands-on-short-close"
    ),
    pytest.param(
        "2026-11-20T13:00:00-08:00", 2 * H, "2026-11-21T10:00:00-08:00", id="friday-to-saturday"
    ),
    pytest.param(
        "2026-11-20T13:00:00-08:00", 5 * H, "2026-11-21T13:00:00-08:00", id="lands-on-sat-close"
    ),
    pytest.param(
        "2026-11-20T13:00:00-08:00", 6 * H, "2026-11-23T06:00:00-08:00", id="friday-sat-monday"
    ),
    pytest.param(
        "2026-11-20T13:59:00-08:00", 2 * M, "2026-11-21T09:01:00-08:00", id="one-past-short-close"
    ),
    pytest.param("2026-11-20T14:00:00-08:00", H, "2026-11-21T10:00:00-08:00", id="at-short-close"),
    # 15:00 is open Monday to Thursday, but Friday has closed
    pytest.param(
        "2026-11-20T15:00:00-08:00", H, "2026-11-21T10:00:00-08:00", id="after-short-close"
    ),
    pytest.param(
        "2026-11-21T08:00:00-08:00", H, "2026-11-21T10:00:00-08:00", id="before-sat-opening"
    ),
    pytest.param(
        "2026-11-21T13:30:00-08:00", H, "2026-11-23T06:00:00-08:00", id="saturday-after-close"
    ),
    pytest.param("2026-11-21T13:00:00-08:00", 0 * H, "2026-11-23T05:00:00-08:00", id="zero"),
    pytest.param(
        "2026-11-19T17:00:00-08:00", 2 * H, "2026-11-20T06:00:00-08:00", id="thursday-to-friday"
    ),
    # a whole week: Mon-Thu 4 x 13 h, Fri 9 h, Sat 4 h = 65 h
    pytest.param("2026-11-16T05:00:00-08:00", 65 * H, "2026-11-21T13:00:00-08:00", id="a-week"),
    pytest.param(
        "2026-11-16T05:00:00-08:00", 65 * H + M, "2026-11-23T05:01:00-08:00", id="week-and-1"
    ),
    # holidays still skip: Thanksgiving (Thu), and Independence Day on a Saturday observed
    # on the Friday before, so both days are closed
    pytest.param(
        "2026-11-25T17:00:00-08:00", 2 * H, "2026-11-27T06:00:00-08:00", id="thanksgiving"
    ),
    pytest.param(
        "2026-11-25T17:00:00-08:00", 11 * H, "2026-11-28T10:00:00-08:00", id="thanksgiving-sat"
    ),
    pytest.param("2026-07-02T17:00:00-07:00", 2 * H, "2026-07-06T06:00:00-07:00", id="july-4"),
    # the DST changes come on a Sunday, between Saturday's and Monday's hours
    pytest.param("2026-03-06T13:00:00-08:00", 6 * H, "2026-03-09T06:00:00-07:00", id="dst-spring"),
    pytest.param(
        "2026-03-07T12:00:00-08:00", 2 * H, "2026-03-09T06:00:00-07:00", id="dst-spring-sat"
    ),
    pytest.param(
        "2026-10-31T12:00:00-07:00", 2 * H, "2026-11-02T06:00:00-08:00", id="dst-autumn-sat"
    ),
    pytest.param("2026-11-01T01:30:00-08:00", H, "2026-11-02T06:00:00-08:00", id="repeated-hour"),
]


@pytest.mark.parametrize(("start", "amount", "expected"), ADD_PER_WEEKDAY)
def test_add_business_time_per_weekday(start: str, amount: timedelta, expected: str) -> None:
    due = SHORT.add_business_time(at(start), amount)
    assert due.isoformat() == expected
    assert SHORT.business_time_between(SHORT.clock_start(at(start)), due) == amount


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        pytest.param("2026-11-20T04:00:00-08:00", "2026-11-20T05:00:00-08:00", id="friday-early"),
        pytest.param("2026-11-20T14:00:00-08:00", "2026-11-21T09:00:00-08:00", id="friday-close"),
        pytest.param("2026-11-21T08:59:00-08:00", "2026-11-21T09:00:00-08:00", id="sat-early"),
        pytest.param("2026-11-21T12:59:00-08:00", "2026-11-21T12:59:00-08:00", id="sat-open"),
        pytest.param("2026-11-21T13:00:00-08:00", "2026-11-23T05:00:00-08:00", id="sat-close"),
        pytest.param("2026-11-21T17:00:00-08:00", "2026-11-23T05:00:00-08:00", id="sat-late"),
        pytest.param("2026-11-25T18:00:00-08:00", "2026-11-27T05:00:00-08:00", id="thanksgiving"),
        pytest.param("2026-03-07T13:00:00-08:00", "2026-03-09T05:00:00-07:00", id="dst-sunday"),
    ],
)
def test_clock_start_per_weekday(moment: str, expected: str) -> None:
    assert SHORT.clock_start(at(moment)).isoformat() == expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        pytest.param("2026-11-19T17:00:00-08:00", True, id="thursday-afternoon"),
        pytest.param("2026-11-20T13:59:59.999999-08:00", True, id="friday-before-close"),
        pytest.param("2026-11-20T14:00:00-08:00", False, id="friday-at-close"),
        pytest.param("2026-11-20T17:00:00-08:00", False, id="friday-afternoon"),
        pytest.param("2026-11-21T08:59:59-08:00", False, id="saturday-before-opening"),
        pytest.param("2026-11-21T09:00:00-08:00", True, id="saturday-at-opening"),
        pytest.param("2026-11-21T13:00:00-08:00", False, id="saturday-at-close"),
        pytest.param("2026-11-22T10:00:00-08:00", False, id="sunday"),
    ],
)
def test_is_business_time_per_weekday(moment: str, expected: bool) -> None:
    assert SHORT.is_business_time(at(moment)) is expected


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # a business day is 13 hours here, the length of most days (Monday to Thursday)
        pytest.param("2026-11-19T10:00:00-08:00", 1, "2026-11-20T10:00:00-08:00", id="thursday"),
        # Friday 4 h, Saturday 4 h, Monday 5 h
        pytest.param("2026-11-20T10:00:00-08:00", 1, "2026-11-23T10:00:00-08:00", id="friday"),
        pytest.param("2026-11-21T09:00:00-08:00", 1, "2026-11-23T14:00:00-08:00", id="saturday"),
        pytest.param("2026-11-16T05:00:00-08:00", 5, "2026-11-21T13:00:00-08:00", id="65-hours"),
    ],
)
def test_business_days_per_weekday(start: str, days: float, expected: str) -> None:
    assert SHORT.day_length == 13 * H
    assert SHORT.add_business_days(at(start), days).isoformat() == expected


@pytest.mark.parametrize(
    ("weekdays", "hours", "expected"),
    [
        pytest.param(range(6), {4: (5, 14), 5: (9, 13)}, 13 * H, id="most-days-regular"),
        # every day has hours of its own: opens and closes (05:00-18:00) are unused
        pytest.param(range(5), {d: (9, 17) for d in range(5)}, 8 * H, id="all-days-given"),
        # three 8-hour days against two regular 13-hour ones
        pytest.param(range(5), {0: (9, 17), 1: (9, 17), 2: (9, 17)}, 8 * H, id="most-common"),
        # a tie, one day each: the longest
        pytest.param({0, 1}, {0: (9, 13)}, 13 * H, id="tie-longest"),
        pytest.param({0, 1}, {0: (0, 23)}, 23 * H, id="tie-longest-given"),
        pytest.param({6}, {6: (10, 12)}, 2 * H, id="one-day"),
    ],
)
def test_a_business_day_is_the_most_common_day(
    weekdays: object, hours: dict[int, tuple[int, int]], expected: timedelta
) -> None:
    calendar = BusinessCalendar(
        weekdays=weekdays,  # type: ignore[arg-type]
        hours={d: (time(o), time(c)) for d, (o, c) in hours.items()},
    )
    assert calendar.day_length == expected


# A desk open on Sunday nights from 01:00 to 04:00, across both DST changes: the wall
# clock rules there as in LATE's hours.
SUNDAY_NIGHT = BusinessCalendar(
    weekdays=frozenset({0, 1, 2, 3, 4, 6}), hours={6: (time(1), time(4))}, holiday_country=None
)


@pytest.mark.parametrize(
    ("start", "amount", "expected"),
    [
        pytest.param(
            "2026-03-07T12:00:00-08:00", 30 * M, "2026-03-08T01:30:00-08:00", id="to-sunday"
        ),
        # an hour after the 01:00 opening is 02:00, a clock time the change skips
        pytest.param(
            "2026-03-07T12:00:00-08:00", H, "2026-03-08T03:00:00-07:00", id="to-sunday-gap"
        ),
        pytest.param(
            "2026-03-08T01:30:00-08:00", H, "2026-03-08T03:00:00-07:00", id="spring-into-gap"
        ),
        pytest.param(
            "2026-03-08T01:30:00-08:00", 2 * H, "2026-03-08T03:30:00-07:00", id="spring-over-gap"
        ),
        pytest.param(
            "2026-03-08T01:30:00-08:00", 3 * H, "2026-03-09T05:30:00-07:00", id="spring-monday"
        ),
        pytest.param(
            "2026-11-01T00:30:00-07:00", H, "2026-11-01T02:00:00-08:00", id="autumn-first-pass"
        ),
        pytest.param(
            "2026-11-01T01:30:00-08:00", H, "2026-11-01T03:00:00-08:00", id="autumn-second-pass"
        ),
        pytest.param(
            "2026-11-01T03:30:00-08:00", H, "2026-11-02T05:30:00-08:00", id="autumn-monday"
        ),
        pytest.param(
            "2026-10-30T17:30:00-07:00", H, "2026-11-01T01:30:00-07:00", id="friday-to-sunday"
        ),
    ],
)
def test_per_weekday_hours_across_a_dst_change(
    start: str, amount: timedelta, expected: str
) -> None:
    assert SUNDAY_NIGHT.add_business_time(at(start), amount).isoformat() == expected


def test_a_dst_sunday_has_its_wall_clock_hours() -> None:
    # three hours on the wall clock, whatever the real time between
    spring = (at("2026-03-08T01:00:00-08:00"), at("2026-03-08T04:00:00-07:00"))
    autumn = (at("2026-11-01T01:00:00-07:00"), at("2026-11-01T04:00:00-08:00"))
    assert spring[1] - spring[0] == 2 * H
    assert autumn[1] - autumn[0] == 4 * H
    assert SUNDAY_NIGHT.business_time_between(*spring) == 3 * H
    assert SUNDAY_NIGHT.business_time_between(*autumn) == 3 * H
    assert SUNDAY_NIGHT.day_length == 13 * H


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param(
            {"hours": {5: (time(9), time(13))}},
            r"hours are given for saturday, not among the weekdays \(mon, tue, wed, thu, fri\): "
            r"add it to weekdays",
            id="day-not-in-weekdays",
        ),
        pytest.param(
            {"weekdays": frozenset({0}), "hours": {5: (time(9), time(13)), 6: (time(9), time(13))}},
            "hours are given for saturday, sunday, .* add them to weekdays",
            id="days-not-in-weekdays",
        ),
        pytest.param({"hours": {7: (time(9), time(13))}}, "weekday numbers 0", id="weekday-7"),
        pytest.param({"hours": {-1: (time(9), time(13))}}, "weekday numbers 0", id="negative"),
        pytest.param({"hours": {True: (time(9), time(13))}}, "weekday numbers 0", id="bool-day"),
        pytest.param({"hours": {"fri": (time(9), time(13))}}, "weekday numbers 0", id="day-name"),
        pytest.param(
            {"hours": {4: (time(14), time(5))}},
            r"hours of friday: opens \(14:00:00\) must be before closes \(05:00:00\)",
            id="opens-after-closes",
        ),
        pytest.param(
            {"hours": {4: (time(9), time(9))}}, "hours of friday: opens", id="opens-equals-closes"
        ),
        pytest.param({"hours": {4: (time(9),)}}, "hours of friday must be a pair", id="one-time"),
        pytest.param(
            {"hours": {4: (time(9), time(12), time(13))}}, "must be a pair", id="three-times"
        ),
        pytest.param({"hours": {4: ("05:00", "14:00")}}, "must be a pair", id="strings"),
        pytest.param({"hours": {4: time(9)}}, "must be a pair", id="not-a-pair"),
        pytest.param(
            {"hours": {4: (time(5, tzinfo=UTC), time(14))}}, "must be a pair", id="aware-time"
        ),
        pytest.param({"hours": [(4, (time(5), time(14)))]}, "hours must map", id="a-list"),
        pytest.param({"hours": "fri 05:00-14:00"}, "hours must map", id="a-string"),
        # the regular hours are checked even when every day has hours of its own
        pytest.param(
            {
                "opens": time(18),
                "closes": time(5),
                "hours": {d: (time(9), time(17)) for d in range(5)},
            },
            "must be before closes",
            id="regular-hours-still-checked",
        ),
        pytest.param(
            {"weekdays": frozenset(), "hours": {}}, "weekdays must be numbers", id="no-open-day"
        ),
    ],
)
def test_invalid_per_weekday_hours_are_refused(fields: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidCalendar, match=message) as raised:
        BusinessCalendar(**fields)  # type: ignore[arg-type]
    assert raised.value.code == "invalid_calendar"


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


@pytest.mark.parametrize("calendar", [CAL, SHORT], ids=["default", "per-weekday"])
def test_large_amounts_are_fast(calendar: BusinessCalendar) -> None:
    start = at("2026-11-17T10:30:00-08:00")
    began = clock.perf_counter()
    for _ in range(200):
        calendar.add_business_days(start, 30)
    far = calendar.add_business_time(start, MAX_AMOUNT)
    took = clock.perf_counter() - began
    assert calendar.business_time_between(start, far) == MAX_AMOUNT
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
        pytest.param(
            {
                "weekdays": "mon-sat",
                "hours": {"Friday": ["05:00", "14:00"], "sat": ["09:00", "13:00"]},
            },
            SHORT,
            id="short-friday-and-saturday",
        ),
        pytest.param(SHORT.to_dict(), SHORT, id="per-weekday-round-trip"),
        pytest.param(
            {"hours": {"mon-wed": ["08:00", "16:00"], "thu, fri": ["08:00", "12:30"]}},
            BusinessCalendar(
                hours={
                    **{d: (time(8), time(16)) for d in (0, 1, 2)},
                    **{d: (time(8), time(12, 30)) for d in (3, 4)},
                }
            ),
            id="ranges-and-lists-of-days",
        ),
        pytest.param(
            {"weekdays": "sun-thu", "hours": {"sun": ["10:00", "14:00"]}},
            BusinessCalendar(weekdays=frozenset({6, 0, 1, 2, 3}), hours={6: (time(10), time(14))}),
            id="sunday-hours",
        ),
        pytest.param(
            {"hours": {"fri": ["05:00:30", "23:59:59"]}},
            BusinessCalendar(hours={4: (time(5, 0, 30), time(23, 59, 59))}),
            id="seconds-and-latest-close",
        ),
        pytest.param({"hours": {}}, BusinessCalendar(), id="no-hours"),
        pytest.param({"hours": None}, BusinessCalendar(), id="null-hours"),
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
        pytest.param({"closes": "24:00"}, "latest closing time is '23:59'", id="closes-24"),
        pytest.param(
            {"hours": {"saturday": ["09:00", "13:00"]}},
            r"hours are given for saturday, not among the weekdays \(mon, tue, wed, thu, fri\): "
            "add it to weekdays",
            id="hours-for-a-closed-day",
        ),
        pytest.param(
            {"hours": {"fri": ["14:00", "05:00"]}},
            r"hours of friday: opens \(14:00:00\) must be before closes \(05:00:00\)",
            id="hours-reversed",
        ),
        pytest.param(
            {"hours": {"fri": ["05:00", "24:00"]}},
            "hours of fri: closes must be a time of day such as '09:00', not '24:00': "
            "opening hours end on the day they begin",
            id="hours-until-24",
        ),
        pytest.param(
            {"hours": {"fri": ["5am", "2pm"]}},
            "hours of fri: opens must be a time of day such as '09:00', not '5am'",
            id="hours-bad-time",
        ),
        pytest.param(
            {"hours": {"fri": [5, 14]}}, "hours of fri: opens must be", id="hours-numbers"
        ),
        pytest.param({"hours": {"fri": ["05:00"]}}, "hours of fri must be", id="hours-one-time"),
        pytest.param(
            {"hours": {"fri": "05:00-14:00"}}, r"must be \[opens, closes\]", id="hours-a-string"
        ),
        pytest.param(
            {"hours": {"funday": ["09:00", "13:00"]}},
            "hours: Unknown weekday 'funday'",
            id="hours-bad-day",
        ),
        pytest.param({"hours": {"": ["09:00", "13:00"]}}, "keyed by day names", id="hours-no-day"),
        pytest.param(
            {"hours": {"mon-fri": ["09:00", "13:00"], "friday": ["09:00", "12:00"]}},
            "hours of friday are given twice",
            id="hours-day-twice",
        ),
        pytest.param({"hours": "9-5"}, "hours must map day names", id="hours-a-string-only"),
        pytest.param({"hours": ["fri"]}, "hours must map day names", id="hours-a-list"),
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

# Its own opening hours, as minutes of the day, [from, to) per weekday (Monday is 0).
Week = dict[int, tuple[int, int]]
DEFAULT_WEEK: Week = {d: (5 * 60, 18 * 60) for d in range(5)}
# Tuesday closed, an odd Wednesday, a short Friday, Saturday mornings and a Sunday
# late morning, so that both DST Sundays are business days (their hours are clear of
# the changes, which a minute-stepping wall clock cannot follow).
UNEVEN_WEEK: Week = {
    0: (5 * 60, 18 * 60),
    2: (7 * 60 + 30, 16 * 60 + 45),
    3: (5 * 60, 18 * 60),
    4: (5 * 60, 14 * 60),
    5: (9 * 60, 13 * 60),
    6: (10 * 60, 12 * 60 + 15),
}
UNEVEN = BusinessCalendar(
    weekdays=frozenset({0, 2, 3, 4, 5, 6}),
    hours={
        2: (time(7, 30), time(16, 45)),
        4: (time(5), time(14)),
        5: (time(9), time(13)),
        6: (time(10), time(12, 15)),
    },
)
CROSS_CHECKED = [
    pytest.param(CAL, DEFAULT_WEEK, id="default"),
    pytest.param(UNEVEN, UNEVEN_WEEK, id="per-weekday"),
]


def _is_business_minute(wall: datetime, week: Week) -> bool:
    hours = week.get(wall.weekday())
    return (
        hours is not None
        and hours[0] <= wall.hour * 60 + wall.minute < hours[1]
        and wall.date() not in US_HOLIDAYS
    )


def _naive_add(start: datetime, minutes: int, week: Week) -> datetime:
    """Step the local wall clock a minute at a time, counting business minutes."""
    wall = start.astimezone(LA).replace(tzinfo=None)
    while not _is_business_minute(wall, week):
        wall += M
    while minutes:
        if _is_business_minute(wall, week):
            minutes -= 1
        wall += M
    return wall.replace(tzinfo=LA)


def _naive_between(a: datetime, b: datetime, week: Week) -> timedelta:
    wall, end = a.astimezone(LA).replace(tzinfo=None), b.astimezone(LA).replace(tzinfo=None)
    count = 0
    while wall < end:
        count += _is_business_minute(wall, week)
        wall += M
    return count * M


def _random_cases(seed: int, count: int, week: Week) -> list[tuple[datetime, int]]:
    rng = random.Random(seed)
    first = datetime(2025, 12, 20, tzinfo=UTC)
    span_minutes = int((datetime(2027, 12, 31, tzinfo=UTC) - first) / M)
    every_edge = sorted({edge for hours in week.values() for edge in hours})
    cases = []
    for _ in range(count):
        start = first + rng.randrange(span_minutes) * M
        if rng.random() < 0.3:  # often exactly on an opening or closing time, its day's if open
            local = start.astimezone(LA)
            edges = week.get(local.weekday(), every_edge)
            hour, minute = divmod(rng.choice(edges), 60)
            start = local.replace(hour=hour, minute=minute)
        minutes = rng.choice((rng.randrange(0, 1600), 60 * rng.randrange(0, 27)))
        cases.append((start, minutes))
    return cases


@pytest.mark.parametrize(("calendar", "week"), CROSS_CHECKED)
def test_random_targets_match_minute_by_minute_stepping(
    calendar: BusinessCalendar, week: Week
) -> None:
    for start, minutes in _random_cases(seed=20261117, count=300, week=week):
        expected = _naive_add(start, minutes, week)
        due = calendar.add_business_time(start, minutes * M)
        assert due == expected, (start.isoformat(), minutes)
        assert due.isoformat() == expected.isoformat(), (start.isoformat(), minutes)


@pytest.mark.parametrize(("calendar", "week"), CROSS_CHECKED)
def test_random_spans_match_minute_counting(calendar: BusinessCalendar, week: Week) -> None:
    rng = random.Random(9)
    for start, _minutes in _random_cases(seed=31, count=150, week=week):
        end = start + rng.randrange(0, 5 * 24 * 60) * M
        assert calendar.business_time_between(start, end) == _naive_between(start, end, week), (
            start.isoformat(),
            end.isoformat(),
        )


def test_the_uneven_week_has_the_edges_it_claims() -> None:
    # Guards the cross-check: its cases really fall on the uneven days and DST Sundays.
    assert UNEVEN.day_length == 13 * H
    assert UNEVEN.opening_hours(date(2026, 11, 17)) is None  # a Tuesday
    assert UNEVEN.opening_hours(date(2026, 3, 8)) == (time(10), time(12, 15))  # DST Sunday
    starts = [
        s.astimezone(LA) for s, _ in _random_cases(seed=20261117, count=300, week=UNEVEN_WEEK)
    ]
    assert {s.weekday() for s in starts} == set(range(7))
    on_own_edge = [s for s in starts if s.hour * 60 + s.minute in UNEVEN_WEEK.get(s.weekday(), ())]
    assert {s.weekday() for s in on_own_edge} == {0, 2, 3, 4, 5, 6}


# -- properties ----------------------------------------------------------------------

CALENDARS = [
    CAL,
    BusinessCalendar("Europe/London", time(9), time(17, 30), holiday_country="GB"),
    BusinessCalendar("Asia/Kolkata", time(9, 30), time(18), frozenset({6, 0, 1, 2, 3}), "IN"),
    BusinessCalendar("Australia/Sydney", time(8), time(20), frozenset(range(6)), "AU", "NSW"),
    # per-weekday hours
    SHORT,
    UNEVEN,
    BusinessCalendar(
        "Europe/Berlin",
        time(8),
        time(17),
        frozenset(range(6)),
        "DE",
        "BY",
        hours={0: (time(10), time(19, 15)), 4: (time(8), time(12)), 5: (time(9, 30), time(11))},
    ),
]
# Calendars whose hours contain a DST change: due times may be the instant of a jump,
# so only the ordering properties hold for them.
DST_HOURS = st.sampled_from([LATE, SUNDAY_NIGHT])
instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
amounts = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=13 * 30))
calendars = st.sampled_from(CALENDARS)
settings_ = settings(max_examples=200, deadline=None)


@settings_
@given(calendars, instants, amounts, DST_HOURS)
def test_due_is_never_before_submission(
    calendar: BusinessCalendar, submitted: datetime, amount: timedelta, late: BusinessCalendar
) -> None:
    assert calendar.add_business_time(submitted, amount) >= submitted
    assert calendar.add_elapsed(submitted, amount) >= submitted
    assert late.add_business_time(submitted, amount) >= submitted


@settings_
@given(
    calendars,
    instants,
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=5)),
    amounts,
    DST_HOURS,
)
def test_a_later_submission_is_never_due_earlier(
    calendar: BusinessCalendar,
    first: datetime,
    gap: timedelta,
    amount: timedelta,
    late: BusinessCalendar,
) -> None:
    later = first + gap
    assert calendar.add_business_time(later, amount) >= calendar.add_business_time(first, amount)
    assert calendar.clock_start(later) >= calendar.clock_start(first)
    # also for calendars whose hours contain the DST changes
    assert late.add_business_time(later, amount) >= late.add_business_time(first, amount)


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
