"""SPEC 12.1: support packages from the support plan file, their calendars, and when a
ticket's next status update is due."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

import pytest

from lifecycle.calendar import BusinessCalendar
from lifecycle.errors import LifecycleError
from lifecycle.packages import (
    DEFAULT_PACKAGE,
    InvalidSupportPackages,
    SupportPackage,
    SupportPackages,
    UnknownPackage,
    UpdatePlan,
    next_update_due,
)
from lifecycle.severity import Severity
from lifecycle.triage import InvalidSupportPlan, ResponseTarget, SupportPlan, TargetUnit

U, HI, N, LO = Severity.URGENT, Severity.HIGH, Severity.NORMAL, Severity.LOW

# The example of SPEC 12.1, as written there.
SPEC_EXAMPLE: dict[str, Any] = {
    "default_package": "standard",
    "packages": {
        "standard": {"plan": {"urgent": "1h", "high": "4bh", "normal": "1bd", "low": "2bd"}},
        "business-critical": {
            "plan": {"urgent": "0.5h", "high": "2h", "normal": "4bh", "low": "1bd"},
            "calendar": {"weekdays": "mon-sun", "opens": "00:00", "closes": "23:59"},
            "updates": {"urgent": "1h", "high": "1bd"},
        },
    },
    "calendar": {"zone": "America/Los_Angeles"},
}
PACKAGES = SupportPackages.from_mapping(SPEC_EXAMPLE)
STANDARD = PACKAGES.package("standard")
CRITICAL = PACKAGES.package("business-critical")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_the_spec_example() -> None:
    assert PACKAGES.names == ("business-critical", "standard")
    assert PACKAGES.default is STANDARD and PACKAGES.package(None) is STANDARD
    assert "standard" in PACKAGES and "gold" not in PACKAGES
    assert STANDARD.plan == SupportPlan()
    assert STANDARD.calendar == BusinessCalendar()
    assert STANDARD.updates == UpdatePlan()
    assert CRITICAL.plan.to_dict() == {
        "urgent": "0.5h",
        "high": "2h",
        "normal": "4bh",
        "low": "1bd",
    }
    assert CRITICAL.calendar == BusinessCalendar(
        zone="America/Los_Angeles",
        opens=time(0),
        closes=time(23, 59),
        weekdays=frozenset(range(7)),
    )
    assert CRITICAL.updates.to_dict() == {"urgent": "1h", "high": "1bd"}
    assert PACKAGES.to_dict()["default_package"] == "standard"
    assert PACKAGES.to_dict()["packages"]["business-critical"]["updates"] == {  # type: ignore[index]
        "urgent": "1h",
        "high": "1bd",
    }


def test_a_package_calendar_overrides_the_file_calendar_key_by_key() -> None:
    packages = SupportPackages.from_mapping(
        {
            "default_package": "eu",
            "packages": {
                "eu": {},
                "eu-late": {"calendar": {"closes": "20:00", "hours": {"fri": ["08:00", "14:00"]}}},
                "us": {"calendar": {"zone": "America/New_York", "holiday_country": "US"}},
            },
            "calendar": {
                "zone": "Europe/Berlin",
                "opens": "08:00",
                "closes": "17:00",
                "holiday_country": "DE",
            },
        }
    )
    eu, late, us = (packages.package(n).calendar for n in ("eu", "eu-late", "us"))
    assert eu == BusinessCalendar(
        zone="Europe/Berlin", opens=time(8), closes=time(17), holiday_country="DE"
    )
    assert late == BusinessCalendar(
        zone="Europe/Berlin",
        opens=time(8),
        closes=time(20),
        holiday_country="DE",
        hours={4: (time(8), time(14))},
    )
    assert us == BusinessCalendar(
        zone="America/New_York", opens=time(8), closes=time(17), holiday_country="US"
    )


@pytest.mark.parametrize(
    "config",
    [
        pytest.param({}, id="empty-file"),
        pytest.param({"plan": None, "calendar": None}, id="nulls"),
        pytest.param({"plan": {"S2": "2bh"}}, id="plan-only"),
        pytest.param({"calendar": {"zone": "Europe/Paris", "holiday_country": "fr"}},
                     id="calendar-only"),
        pytest.param({"plan": {"low": "3bd"}, "calendar": {"weekdays": "mon-thu"}}, id="both"),
    ],
)  # fmt: skip
def test_the_single_plan_file_is_the_one_package_default(config: dict[str, Any]) -> None:
    packages = SupportPackages.from_mapping(config)
    assert packages.names == (DEFAULT_PACKAGE,) and packages.default_name == "default"
    assert packages.default.plan == SupportPlan.from_mapping(config.get("plan") or {})
    assert packages.default.calendar == BusinessCalendar.from_mapping(config.get("calendar") or {})
    assert packages.default.updates == UpdatePlan()
    assert packages == SupportPackages.single(packages.default.plan, packages.default.calendar)


def test_one_package_needs_no_default_package() -> None:
    packages = SupportPackages.from_mapping({"packages": {"gold": {"plan": {"high": "1h"}}}})
    assert packages.default.name == "gold"
    assert packages.default.calendar == BusinessCalendar()


@pytest.mark.parametrize(
    ("config", "key", "fragment"),
    [
        pytest.param([], "", "must hold a JSON object", id="not-an-object"),
        pytest.param({"planz": {}}, "", "unknown key(s) planz (known: calendar, plan)",
                     id="unknown-key-single"),
        pytest.param({"packages": {"a": {}}, "updates": {}}, "",
                     "unknown key(s) updates (known: calendar, default_package, packages)",
                     id="unknown-key-packages"),
        pytest.param({"packages": {"a": {}}, "plan": {}}, "plan",
                     "gives each package its own plan", id="plan-beside-packages"),
        pytest.param({"default_package": "a"}, "packages", "must map package names",
                     id="default-without-packages"),
        pytest.param({"packages": {}}, "packages", "must map package names", id="no-packages"),
        pytest.param({"packages": ["a"]}, "packages", "must map package names",
                     id="packages-a-list"),
        pytest.param({"packages": {"Gold": {}}}, "packages.Gold", "is a slug",
                     id="name-not-a-slug"),
        pytest.param({"packages": {"gold": "1h"}}, "packages.gold", "must be a JSON object",
                     id="package-not-an-object"),
        pytest.param({"packages": {"gold": {"targets": {}}}}, "packages.gold",
                     "unknown key(s) targets (known: calendar, plan, updates)",
                     id="unknown-package-key"),
        pytest.param({"packages": {"gold": {"plan": {"high": "4 hours"}}}}, "packages.gold.plan",
                     "Invalid response target", id="bad-target"),
        pytest.param({"packages": {"gold": {"plan": {"S5": "1h"}}}}, "packages.gold.plan",
                     "Unknown severity", id="bad-plan-severity"),
        pytest.param({"packages": {"gold": {"plan": ["1h"]}}}, "packages.gold.plan",
                     "must be a JSON object", id="plan-a-list"),
        pytest.param({"packages": {"gold": {"calendar": {"zone": "Mars/Olympus"}}}},
                     "packages.gold.calendar (over the top-level calendar)",
                     "Unknown time zone", id="bad-package-calendar"),
        pytest.param({"packages": {"gold": {"calendar": {"weekdays": "mon-fri"}}},
                      "calendar": {"hours": {"sat": ["09:00", "12:00"]}}},
                     "packages.gold.calendar (over the top-level calendar)",
                     "not among the weekdays", id="calendars-that-do-not-fit-together"),
        pytest.param({"packages": {"gold": {}}, "calendar": {"zone": "Mars/Olympus"}},
                     "calendar", "Unknown time zone", id="bad-top-level-calendar"),
        pytest.param({"packages": {"gold": {}}, "calendar": "LA"}, "calendar",
                     "must be a JSON object", id="top-level-calendar-text"),
        pytest.param({"packages": {"gold": {"updates": {"urgent": "often"}}}},
                     "packages.gold.updates", "urgent: Invalid response target",
                     id="bad-update-interval"),
        pytest.param({"packages": {"gold": {"updates": {"S1": "1h", "urgent": "2h"}}}},
                     "packages.gold.updates", "given twice", id="update-given-twice"),
        pytest.param({"packages": {"gold": {"updates": {"P0": "1h"}}}},
                     "packages.gold.updates", "Unknown severity", id="update-bad-severity"),
        pytest.param({"packages": {"gold": {"updates": "1h"}}}, "packages.gold.updates",
                     "must be a JSON object", id="updates-text"),
        pytest.param({"packages": {"gold": {}, "silver": {}}}, "default_package",
                     "is required with more than one package (gold, silver)",
                     id="default-needed"),
        pytest.param({"packages": {"gold": {}}, "default_package": "platinum"},
                     "default_package", "'platinum' is not one of the packages (gold)",
                     id="unknown-default"),
        pytest.param({"packages": {"gold": {}}, "default_package": 1}, "default_package",
                     "must be a name", id="default-not-text"),
        pytest.param({"plan": {"high": "0bh"}}, "plan", "more than 0", id="single-bad-plan"),
        pytest.param({"calendar": {"opens": "25:00"}}, "calendar", "opens",
                     id="single-bad-calendar"),
    ],
)  # fmt: skip
def test_bad_files_are_refused_naming_the_key(config: Any, key: str, fragment: str) -> None:
    with pytest.raises(InvalidSupportPackages) as caught:
        SupportPackages.from_mapping(config)
    error = caught.value
    assert error.key == key
    assert fragment in str(error)
    if key:
        assert str(error).startswith(f"{key}: ")
    assert isinstance(error, InvalidSupportPlan) and isinstance(error, LifecycleError)
    assert error.code == "invalid_support_packages"


def test_an_unknown_package() -> None:
    with pytest.raises(UnknownPackage) as caught:
        PACKAGES.package("gold")
    error = caught.value
    assert (error.name, error.known, error.code, error.field) == (
        "gold",
        ("business-critical", "standard"),
        "unknown_package",
        "package",
    )
    assert str(error) == (
        "Unknown support package 'gold' (the support plan file has business-critical, standard)"
    )
    assert isinstance(error, LifecycleError)


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        pytest.param(lambda: SupportPackages((), "default"), "at least one package", id="empty"),
        pytest.param(lambda: SupportPackages((STANDARD, STANDARD), "standard"), "given twice",
                     id="twice"),
        pytest.param(lambda: SupportPackage("Gold", SupportPlan(), STANDARD.calendar),
                     "is a slug", id="name"),
        pytest.param(lambda: SupportPackage("gold", {}, STANDARD.calendar), "SupportPlan",
                     id="plan"),
        pytest.param(lambda: SupportPackage("gold", SupportPlan(), {}), "BusinessCalendar",
                     id="calendar"),
        pytest.param(lambda: SupportPackage("gold", SupportPlan(), STANDARD.calendar, {}),
                     "UpdatePlan", id="updates"),
        pytest.param(lambda: UpdatePlan(urgent="1h"), "ResponseTarget or None", id="interval"),
        pytest.param(lambda: UpdatePlan.from_mapping(["1h"]), "a mapping", id="updates-list"),
    ],
)  # fmt: skip
def test_values_check_their_parts(make: Any, fragment: str) -> None:
    with pytest.raises(InvalidSupportPlan, match=fragment):
        make()


def test_update_plan() -> None:
    plan = UpdatePlan.from_mapping({"S1": "1h", "high": {"amount": 1, "unit": "business_days"}})
    assert plan.interval(U) == ResponseTarget(1, TargetUnit.ELAPSED_HOURS)
    assert plan.interval(HI) == ResponseTarget(1, TargetUnit.BUSINESS_DAYS)
    assert plan.interval(N) is None and plan.interval(LO) is None
    assert UpdatePlan.from_mapping({"urgent": None}) == UpdatePlan()


# --- next_update_due --------------------------------------------------------------------

# The default calendar (Monday to Friday, 05:00-18:00 Los Angeles, US holidays) with an
# interval of each unit.
UPDATES = SupportPackage(
    "standard",
    SupportPlan(),
    BusinessCalendar(),
    UpdatePlan.from_mapping({"urgent": "1h", "high": "1bd", "normal": "4bh"}),
)


@pytest.mark.parametrize(
    ("due", "granted", "expected"),
    [
        pytest.param("2026-11-17T10:30:00-08:00", U, "2026-11-17T11:30:00-08:00",
                     id="elapsed-hour"),
        pytest.param("2026-10-24T03:00:00-07:00", U, "2026-10-24T04:00:00-07:00",
                     id="elapsed-hour-on-a-saturday"),
        pytest.param("2026-11-01T01:30:00-07:00", U, "2026-11-01T01:30:00-08:00",
                     id="elapsed-hour-across-dst"),
        pytest.param("2026-11-17T10:30:00-08:00", N, "2026-11-17T14:30:00-08:00",
                     id="business-hours-same-day"),
        pytest.param("2026-10-23T17:00:00-07:00", N, "2026-10-26T08:00:00-07:00",
                     id="business-hours-across-a-weekend"),
        pytest.param("2026-11-25T15:00:00-08:00", N, "2026-11-27T06:00:00-08:00",
                     id="business-hours-across-thanksgiving"),
        pytest.param("2026-10-23T18:00:00-07:00", N, "2026-10-26T09:00:00-07:00",
                     id="response-due-at-closing"),
        pytest.param("2026-10-24T03:00:00-07:00", N, "2026-10-26T09:00:00-07:00",
                     id="response-due-on-a-weekend-starts-monday"),
        pytest.param("2026-10-23T17:00:00-07:00", HI, "2026-10-26T17:00:00-07:00",
                     id="business-day-across-a-weekend"),
        pytest.param("2026-11-25T15:00:00-08:00", HI, "2026-11-27T15:00:00-08:00",
                     id="business-day-across-thanksgiving"),
        pytest.param("2026-11-17T18:30:00Z", N, "2026-11-17T14:30:00-08:00",
                     id="answered-in-the-calendar-zone"),
    ],
)  # fmt: skip
def test_next_update_due(due: str, granted: Severity, expected: str) -> None:
    found = next_update_due(UPDATES, at(due), granted)
    assert found is not None and found.isoformat() == expected
    assert UPDATES.next_update_due(at(due), granted) == found


def test_no_next_update_without_a_deadline_a_severity_or_an_interval() -> None:
    due = at("2026-11-17T10:30:00-08:00")
    assert next_update_due(UPDATES, None, HI) is None
    assert next_update_due(UPDATES, due, None) is None
    assert next_update_due(UPDATES, due, LO) is None  # the package names no interval
    assert next_update_due(STANDARD, due, U) is None  # a package without updates


@pytest.mark.parametrize(
    ("submitted", "granted", "response", "update"),
    [
        pytest.param("2026-11-21T10:00:00-08:00", U, "2026-11-21T10:30:00-08:00",
                     "2026-11-21T11:30:00-08:00", id="urgent-on-a-saturday"),
        # A business day is 23:59 of business time: Saturday's last 11:59, Sunday's first 12:00.
        pytest.param("2026-11-21T10:00:00-08:00", HI, "2026-11-21T12:00:00-08:00",
                     "2026-11-22T12:00:00-08:00", id="high-business-day-of-the-week-round"),
        # Its calendar keeps the file's US holidays: Thanksgiving is no business day.
        pytest.param("2026-11-25T23:00:00-08:00", HI, "2026-11-26T01:00:00-08:00",
                     "2026-11-27T23:59:00-08:00", id="high-over-thanksgiving"),
        pytest.param("2026-11-21T10:00:00-08:00", N, "2026-11-21T14:00:00-08:00", None,
                     id="normal-has-no-updates"),
    ],
)  # fmt: skip
def test_the_business_critical_package_of_the_spec(
    submitted: str, granted: Severity, response: str, update: str | None
) -> None:
    due = CRITICAL.response_due(at(submitted), granted)
    assert due is not None and due.isoformat() == response
    following = CRITICAL.next_update_due(due, granted)
    assert (following.isoformat() if following is not None else None) == update
    # The standard package of the same file: its own targets and no updates.
    assert STANDARD.next_update_due(STANDARD.response_due(at(submitted), granted), granted) is None
