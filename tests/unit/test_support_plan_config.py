"""SPEC 9: the support plan and business calendar come from a file, checked once."""

from __future__ import annotations

import json
import re
from datetime import datetime, time
from pathlib import Path

import pytest
from flask import Flask

import app.triage.plan as support_plan
from app.triage.plan import (
    EXTENSION_KEY,
    SupportPlanFileError,
    SupportSettings,
    init_app,
    load_settings,
)
from app.triage.service import describe_target
from lifecycle.calendar import BusinessCalendar
from lifecycle.severity import Severity
from lifecycle.triage import ResponseTarget, SupportPlan, TargetUnit, response_due


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "support_plan.json"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_an_absent_file_gives_the_spec_defaults(tmp_path: Path) -> None:
    loaded = load_settings(tmp_path / "nothing-here.json")
    assert loaded == SupportSettings(plan=SupportPlan(), calendar=BusinessCalendar(), source=None)
    assert loaded.plan.to_dict() == {"urgent": "1h", "high": "4bh", "normal": "1bd", "low": "2bd"}
    assert loaded.calendar.zone == "America/Los_Angeles"


def test_the_documented_example_is_the_defaults_spelled_out(tmp_path: Path) -> None:
    doc = support_plan.__doc__ or ""
    example = re.search(r"::\n\n(    \{.*?\n    \})\n", doc, re.DOTALL)
    assert example is not None, "the module docstring shows an example file"
    path = write(tmp_path, example.group(1))
    loaded = load_settings(path)
    assert (loaded.plan, loaded.calendar, loaded.source) == (
        SupportPlan(),
        BusinessCalendar(),
        str(path),
    )


def test_a_file_changes_plan_and_calendar(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        json.dumps(
            {
                "plan": {"S2": "2bh", "low": {"amount": 3, "unit": "business_days"}},
                "calendar": {
                    "zone": "Europe/Berlin",
                    "opens": "08:00",
                    "closes": "17:00",
                    "weekdays": ["mon", "tue", "wed", "thu"],
                    "holiday_country": "de",
                    "holiday_subdiv": "by",
                },
            }
        ),
    )
    loaded = load_settings(path)
    assert loaded.source == str(path)
    assert loaded.plan.high == ResponseTarget(2, TargetUnit.BUSINESS_HOURS)
    assert loaded.plan.low == ResponseTarget(3, TargetUnit.BUSINESS_DAYS)
    # severities the file leaves out keep their defaults
    assert loaded.plan.urgent == SupportPlan().urgent
    assert loaded.calendar == BusinessCalendar(
        zone="Europe/Berlin",
        opens=time(8),
        closes=time(17),
        weekdays=frozenset({0, 1, 2, 3}),
        holiday_country="DE",
        holiday_subdiv="BY",
    )


SHORT_FRIDAY = {
    "plan": {"high": "4bh", "normal": "1bd"},
    "calendar": {
        "weekdays": "mon-sat",
        "hours": {"friday": ["05:00", "14:00"], "Sat": ["09:00", "13:00"]},
    },
}


def test_a_file_with_hours_per_weekday(tmp_path: Path) -> None:
    loaded = load_settings(write(tmp_path, json.dumps(SHORT_FRIDAY)))
    calendar = loaded.calendar
    assert calendar == BusinessCalendar(
        weekdays=frozenset(range(6)),
        hours={4: (time(5), time(14)), 5: (time(9), time(13))},
    )
    assert calendar.to_dict()["hours"] == {"fri": ["05:00", "14:00"], "sat": ["09:00", "13:00"]}
    # Monday to Thursday keep opens and closes; a business day is their 13 hours
    assert calendar.opening_hours(datetime(2026, 11, 19).date()) == (time(5), time(18))
    assert calendar.day_length.total_seconds() == 13 * 3600
    friday = datetime.fromisoformat("2026-11-20T13:00:00-08:00")
    # high: 1 hour to Friday's 14:00 close, then 3 from Saturday's 09:00 opening
    high = response_due(loaded.plan, calendar, friday, Severity.HIGH)
    assert high is not None and high.isoformat() == "2026-11-21T12:00:00-08:00"
    # normal: 13 business hours, Friday 1, Saturday 4, Monday 8
    normal = response_due(loaded.plan, calendar, friday, Severity.NORMAL)
    assert normal is not None and normal.isoformat() == "2026-11-23T13:00:00-08:00"
    # a ticket arriving on Saturday after closing starts at Monday's opening
    late = datetime.fromisoformat("2026-11-21T13:30:00-08:00")
    after = response_due(loaded.plan, calendar, late, Severity.HIGH)
    assert after is not None and after.isoformat() == "2026-11-23T09:00:00-08:00"


def test_the_documented_per_weekday_example_is_what_it_says(tmp_path: Path) -> None:
    doc = " ".join((support_plan.__doc__ or "").split())
    example = re.search(r'``("weekdays": "mon-sat", "hours": \{.*?\})``', doc)
    assert example is not None, "the module docstring shows a short Friday"
    loaded = load_settings(write(tmp_path, '{"calendar": {' + example.group(1) + "}}"))
    assert loaded.calendar == load_settings(write(tmp_path, json.dumps(SHORT_FRIDAY))).calendar


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("{}", (SupportPlan(), BusinessCalendar()), id="empty-object"),
        pytest.param(
            '{"plan": {"urgent": "2h"}}',
            (SupportPlan(urgent=ResponseTarget(2, TargetUnit.ELAPSED_HOURS)), BusinessCalendar()),
            id="plan-only",
        ),
        pytest.param(
            '{"calendar": {"holiday_country": null}}',
            (SupportPlan(), BusinessCalendar(holiday_country=None)),
            id="no-holidays",
        ),
        pytest.param(
            '{"plan": null, "calendar": null}',
            (SupportPlan(), BusinessCalendar()),
            id="nulls-are-defaults",
        ),
    ],
)
def test_parts_left_out_keep_their_defaults(
    tmp_path: Path, text: str, expected: tuple[SupportPlan, BusinessCalendar]
) -> None:
    loaded = load_settings(write(tmp_path, text))
    assert (loaded.plan, loaded.calendar) == expected


BROKEN = [
    pytest.param("", "is not valid JSON", id="empty-file"),
    pytest.param('{"plan": {"high": "4bh"', "is not valid JSON", id="truncated"),
    pytest.param("[]", "must hold a JSON object", id="a-list"),
    pytest.param('"4bh"', "must hold a JSON object", id="a-string"),
    pytest.param('{"plans": {}}', "unknown key(s) plans", id="misspelt-part"),
    pytest.param('{"plan": {"high": "4bh"}, "plan": {}}', "'plan' is given twice", id="dup-key"),
    pytest.param('{"plan": {"medium": "1h"}}', "plan: Unknown severity", id="bad-severity"),
    pytest.param('{"plan": {"high": "4 hours"}}', "plan: high: Invalid response", id="bad-unit"),
    pytest.param('{"plan": {"high": "0bh"}}', "plan: high: A target in", id="zero-target"),
    pytest.param('{"plan": {"high": NaN}}', "NaN is not a number JSON allows", id="nan"),
    pytest.param('{"plan": ["4bh"]}', "plan: A support plan is configured", id="plan-list"),
    pytest.param('{"calendar": {"zone": "Mars/Olympus"}}', "calendar: Unknown time", id="zone"),
    pytest.param(
        '{"calendar": {"opens": "18:00", "closes": "05:00"}}',
        "calendar: opens (18:00:00) must be before closes",
        id="opens-after-closes",
    ),
    pytest.param('{"calendar": {"holiday_country": "XX"}}', "calendar: The holidays", id="country"),
    pytest.param('{"calendar": {"weekdays": "funday"}}', "calendar: Unknown weekday", id="weekday"),
    pytest.param(
        '{"calendar": {"hours": {"saturday": ["09:00", "13:00"]}}}',
        "calendar: hours are given for saturday, not among the weekdays "
        "(mon, tue, wed, thu, fri): add it to weekdays",
        id="hours-for-a-closed-day",
    ),
    pytest.param(
        '{"calendar": {"hours": {"fri": ["14:00", "05:00"]}}}',
        "calendar: hours of friday: opens (14:00:00) must be before closes (05:00:00)",
        id="hours-reversed",
    ),
    pytest.param(
        '{"calendar": {"hours": {"fri": ["05:00", "24:00"]}}}',
        "calendar: hours of fri: closes must be a time of day such as '09:00', not '24:00': "
        "opening hours end on the day they begin, so the latest closing time is '23:59'",
        id="hours-until-midnight",
    ),
    pytest.param(
        '{"calendar": {"hours": {"fri": ["5am", "2pm"]}}}',
        "calendar: hours of fri: opens must be a time of day such as '09:00', not '5am'",
        id="hours-bad-time",
    ),
    pytest.param(
        '{"calendar": {"hours": {"fri": "05:00-14:00"}}}',
        'calendar: hours of fri must be [opens, closes], such as ["05:00", "14:00"]',
        id="hours-a-string",
    ),
    pytest.param(
        '{"calendar": {"hours": {"fryday": ["05:00", "14:00"]}}}',
        "calendar: hours: Unknown weekday 'fryday'",
        id="hours-bad-day",
    ),
    pytest.param(
        '{"calendar": {"hours": {"mon-fri": ["08:00", "16:00"], "fri": ["08:00", "12:00"]}}}',
        "calendar: hours of friday are given twice",
        id="hours-day-twice",
    ),
    pytest.param(
        '{"calendar": {"hours": {"fri": ["08:00", "16:00"], "fri": ["08:00", "12:00"]}}}',
        "the key 'fri' is given twice",
        id="hours-key-twice",
    ),
    pytest.param(
        '{"calendar": {"hours": [["fri", "05:00", "14:00"]]}}',
        "calendar: hours must map day names to [opens, closes]",
        id="hours-a-list",
    ),
    pytest.param(
        '{"calendar": {"timezone": "UTC"}}', "calendar: Unknown calendar set", id="cal-key"
    ),
    pytest.param(b'{"plan": {"high": "4bh\xff"}}', "cannot be read", id="not-utf-8"),
]


@pytest.mark.parametrize(("text", "fragment"), BROKEN)
def test_a_broken_file_is_refused_naming_the_file_and_the_problem(
    tmp_path: Path, text: str | bytes, fragment: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SupportPlanFileError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert message.startswith(f"Support plan file {path}: ")
    assert fragment in message
    assert caught.value.path == str(path)


def test_a_directory_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(SupportPlanFileError, match="cannot be read"):
        load_settings(tmp_path)


def test_init_app_loads_once_and_a_broken_file_stops_it(tmp_path: Path) -> None:
    good = Flask(__name__, instance_path=str(tmp_path))
    good.config["SUPPORT_PLAN_FILE"] = str(write(tmp_path, '{"plan": {"high": "2bh"}}'))
    init_app(good)
    loaded = good.extensions[EXTENSION_KEY]
    assert loaded.plan.high == ResponseTarget(2, TargetUnit.BUSINESS_HOURS)
    # the file is not read again per request: changing it changes nothing until restart
    write(tmp_path, "not json")
    with good.app_context():
        assert support_plan.settings() is loaded

    broken = Flask(__name__, instance_path=str(tmp_path))
    broken.config["SUPPORT_PLAN_FILE"] = str(tmp_path / "support_plan.json")
    with pytest.raises(SupportPlanFileError, match="is not valid JSON"):
        init_app(broken)
    assert EXTENSION_KEY not in broken.extensions


def test_the_default_file_is_in_the_instance_folder(tmp_path: Path) -> None:
    flask_app = Flask(__name__, instance_path=str(tmp_path))
    write(tmp_path, '{"plan": {"normal": "2bd"}}')
    with flask_app.app_context():
        # settings() loads lazily when init_app was not called
        loaded = support_plan.settings()
    assert loaded.source == str(tmp_path / "support_plan.json")
    assert loaded.plan.target(Severity.NORMAL) == ResponseTarget(2, TargetUnit.BUSINESS_DAYS)


@pytest.mark.parametrize(
    ("target", "words"),
    [
        pytest.param("1h", "1 hour, around the clock", id="one-hour"),
        pytest.param("0.5h", "0.5 hours, around the clock", id="half-hour"),
        pytest.param("4bh", "4 business hours", id="business-hours"),
        pytest.param("1bh", "1 business hour", id="one-business-hour"),
        pytest.param("1bd", "1 business day", id="one-business-day"),
        pytest.param("2bd", "2 business days", id="business-days"),
        pytest.param("1.5bd", "1.5 business days", id="fraction-of-days"),
    ],
)
def test_targets_in_words(target: str, words: str) -> None:
    assert describe_target(ResponseTarget.parse(target)) == words
