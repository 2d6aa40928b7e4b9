"""Support packages (SPEC 12.1): named response plans, each with its business calendar
and status-update intervals, read from the decoded support plan file; and when a
ticket's next status update is due.

>>> packages = SupportPackages.from_mapping({
...     "default_package": "standard",
...     "packages": {
...         "standard": {"plan": {"high": "4bh"}},
...         "business-critical": {"plan": {"high": "2h"}, "updates": {"high": "1bd"},
...                               "calendar": {"weekdays": "mon-sat"}}},
...     "calendar": {"zone": "Europe/Berlin", "holiday_country": None}})
>>> packages.names, packages.default.name
(('business-critical', 'standard'), 'standard')
>>> critical = packages.package("business-critical")
>>> critical.calendar.zone, sorted(critical.calendar.weekdays), str(critical.plan.high)
('Europe/Berlin', [0, 1, 2, 3, 4, 5], '2h')
>>> from datetime import datetime
>>> due = critical.response_due(datetime.fromisoformat("2026-11-20T16:00:00+01:00"), Severity.HIGH)
>>> due.isoformat(), critical.next_update_due(due, Severity.HIGH).isoformat()
('2026-11-20T18:00:00+01:00', '2026-11-21T18:00:00+01:00')
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from lifecycle.calendar import BusinessCalendar
from lifecycle.customers import SLUG
from lifecycle.errors import InvalidSeverity, LifecycleError
from lifecycle.severity import ALL_SEVERITIES, Severity, parse_severity
from lifecycle.triage import InvalidSupportPlan, ResponseTarget, SupportPlan, response_due

__all__ = [
    "DEFAULT_PACKAGE",
    "InvalidSupportPackages",
    "SupportPackage",
    "SupportPackages",
    "UnknownPackage",
    "UpdatePlan",
    "next_update_due",
]

#: The name of the one package of a file that holds a single ``plan`` (SPEC 12.1).
DEFAULT_PACKAGE = "default"

_SINGLE_KEYS = ("calendar", "plan")
_PACKAGES_KEYS = ("calendar", "default_package", "packages")
_PACKAGE_KEYS = ("calendar", "plan", "updates")


class InvalidSupportPackages(InvalidSupportPlan):
    """A support plan file whose packages do not make sense; ``key`` is where in the file
    (``packages.gold.plan``), empty for the file as a whole."""

    code = "invalid_support_packages"

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}" if key else problem)
        self.key = key
        self.problem = problem


class UnknownPackage(LifecycleError, LookupError):
    """A package name that the support plan file does not hold."""

    code = "unknown_package"
    field = "package"

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.known = tuple(known)
        super().__init__(
            f"Unknown support package {name!r} (the support plan file has {', '.join(self.known)})"
        )

    def __str__(self) -> str:
        # LookupError's own str() would quote the message as a key.
        return str(self.args[0])


def _slug_like(name: object) -> bool:
    # The slug rule of every name (SPEC 6): a customer's ``package`` names one.
    return isinstance(name, str) and SLUG.fullmatch(name) is not None


@dataclass(frozen=True, slots=True)
class UpdatePlan:
    """How often a ticket gets a status update, per severity (SPEC 12.1: "status updates
    every hour until solution"); None where the package promises none.

    >>> UpdatePlan.from_mapping({"S1": "1h", "high": "1bd"}).to_dict()
    {'urgent': '1h', 'high': '1bd'}
    """

    urgent: ResponseTarget | None = None
    high: ResponseTarget | None = None
    normal: ResponseTarget | None = None
    low: ResponseTarget | None = None

    def __post_init__(self) -> None:
        for severity in ALL_SEVERITIES:
            value = getattr(self, severity.value)
            if value is not None and not isinstance(value, ResponseTarget):
                raise InvalidSupportPlan(
                    f"The {severity.value} update interval must be a ResponseTarget or None"
                )

    def interval(self, severity: Severity) -> ResponseTarget | None:
        found: ResponseTarget | None = getattr(self, Severity(severity).value)
        return found

    @classmethod
    def from_mapping(cls, config: Mapping[str, object]) -> UpdatePlan:
        """Intervals from configuration: severity (or alias) to a target as in a plan
        (``"1h"``, ``"4bh"``, ``"1bd"``); a severity left out, or null, has none."""
        if not isinstance(config, Mapping):
            raise InvalidSupportPlan(f"Update intervals are a mapping, not {config!r}")
        intervals: dict[str, ResponseTarget | None] = {}
        for key, value in config.items():
            try:
                severity = parse_severity(key)
            except InvalidSeverity as error:
                raise InvalidSupportPlan(f"Unknown severity in update intervals: {error}") from None
            if severity.value in intervals:
                raise InvalidSupportPlan(f"The {severity.value} interval is given twice ({key!r})")
            try:
                intervals[severity.value] = None if value is None else ResponseTarget.parse(value)
            except InvalidSupportPlan as error:
                raise InvalidSupportPlan(f"{severity.value}: {error}") from None
        return cls(**intervals)

    def to_dict(self) -> dict[str, str]:
        """The intervals given, as configured."""
        return {
            s.value: str(target) for s in ALL_SEVERITIES if (target := self.interval(s)) is not None
        }


@dataclass(frozen=True, slots=True)
class SupportPackage:
    """One support package: its response targets, calendar and update intervals."""

    name: str
    plan: SupportPlan
    calendar: BusinessCalendar
    updates: UpdatePlan = UpdatePlan()

    def __post_init__(self) -> None:
        if not _slug_like(self.name):
            raise InvalidSupportPackages(
                "packages",
                f"a package name is a slug such as 'business-critical', not {self.name!r}",
            )
        if not isinstance(self.plan, SupportPlan):
            raise InvalidSupportPlan(f"The plan of package {self.name} must be a SupportPlan")
        if not isinstance(self.calendar, BusinessCalendar):
            raise InvalidSupportPlan(
                f"The calendar of package {self.name} must be a BusinessCalendar"
            )
        if not isinstance(self.updates, UpdatePlan):
            raise InvalidSupportPlan(f"The updates of package {self.name} must be an UpdatePlan")

    def response_due(self, submitted_at: datetime, granted: Severity | None) -> datetime | None:
        """When the response is due (SPEC 9, on this package's plan and calendar)."""
        return response_due(self.plan, self.calendar, submitted_at, granted)

    def next_update_due(
        self, response_due_at: datetime | None, granted: Severity | None
    ) -> datetime | None:
        """When the first status update after the response is due: see :func:`next_update_due`."""
        return next_update_due(self, response_due_at, granted)

    def to_dict(self) -> dict[str, object]:
        return {
            "plan": self.plan.to_dict(),
            "calendar": self.calendar.to_dict(),
            "updates": self.updates.to_dict(),
        }


def next_update_due(
    package: SupportPackage, response_due_at: datetime | None, granted: Severity | None
) -> datetime | None:
    """``next_update_due_at`` (SPEC 12.1): the response deadline plus one update interval
    of the granted severity, counted as a response target is (business hours and days in
    the package's business time, ``h`` elapsed), in the calendar's zone; None when
    nothing is granted, or the package names no interval for the severity.

    The interval starts at the deadline, not at the response: the promise is made when
    the ticket is triaged, before anyone answers it.
    """
    if response_due_at is None or granted is None:
        return None
    interval = package.updates.interval(granted)
    if interval is None:
        return None
    return interval.due(package.calendar, response_due_at)


@dataclass(frozen=True, slots=True)
class SupportPackages:
    """The packages of a support plan file, by name, and the default one (for a customer
    that names none, and for tickets about no customer).

    >>> SupportPackages.from_mapping({}).names
    ('default',)
    >>> SupportPackages.from_mapping({"packages": {"gold": {}}}).package("silver")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lifecycle.packages.UnknownPackage: Unknown support package 'silver' (the support plan ...
    """

    packages: tuple[SupportPackage, ...]
    default_name: str
    _by_name: dict[str, SupportPackage] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        packages = tuple(self.packages)
        if not packages or not all(isinstance(p, SupportPackage) for p in packages):
            raise InvalidSupportPackages("packages", "give at least one package")
        object.__setattr__(self, "packages", packages)
        for package in packages:
            if package.name in self._by_name:
                raise InvalidSupportPackages(f"packages.{package.name}", "is given twice")
            self._by_name[package.name] = package
        if self.default_name not in self._by_name:
            raise InvalidSupportPackages(
                "default_package",
                f"{self.default_name!r} is not one of the packages ({', '.join(self.names)})",
            )

    @property
    def names(self) -> tuple[str, ...]:
        """The packages' names, sorted."""
        return tuple(sorted(self._by_name))

    @property
    def default(self) -> SupportPackage:
        return self._by_name[self.default_name]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def package(self, name: str | None) -> SupportPackage:
        """The package named ``name``; the default one for None. Raises :class:`UnknownPackage`."""
        if name is None:
            return self.default
        found = self._by_name.get(name)
        if found is None:
            raise UnknownPackage(name, self.names)
        return found

    @classmethod
    def single(cls, plan: SupportPlan, calendar: BusinessCalendar) -> SupportPackages:
        """The one package ``default`` of a file that holds a single plan."""
        return cls((SupportPackage(DEFAULT_PACKAGE, plan, calendar),), DEFAULT_PACKAGE)

    @classmethod
    def from_mapping(cls, config: Mapping[str, object]) -> SupportPackages:
        """The packages of a support plan file's decoded JSON (SPEC 9 and 12.1).

        Either the single-plan file ``{"plan": ..., "calendar": ...}`` (both optional:
        its one package ``default``), or ``{"default_package": name, "packages": {name:
        {"plan"?, "calendar"?, "updates"?}}, "calendar"?}``: each package's ``calendar``
        keys override the top-level ``calendar``'s, key by key; a plan or calendar left
        out (or null) keeps the SPEC 9 defaults; ``default_package`` may be left out
        when there is one package. Unknown keys are refused; every error is an
        :class:`InvalidSupportPackages` whose ``key`` says where.
        """
        if not isinstance(config, Mapping):
            raise InvalidSupportPackages(
                "",
                f'the file must hold a JSON object such as {{"plan": ..., "calendar": ...}} '
                f'or {{"packages": ...}}, not {type(config).__name__}',
            )
        if "packages" not in config and "default_package" not in config:
            _refuse_unknown("", config, _SINGLE_KEYS)
            base = _mapping("calendar", config.get("calendar"))
            plan = _plan("plan", config.get("plan"))
            return cls.single(plan, _calendar("calendar", base))
        if "plan" in config:
            raise InvalidSupportPackages(
                "plan", "a file with packages gives each package its own plan"
            )
        _refuse_unknown("", config, _PACKAGES_KEYS)
        base = _mapping("calendar", config.get("calendar"))
        given = config.get("packages")
        if not isinstance(given, Mapping) or not given:
            raise InvalidSupportPackages(
                "packages", f"must map package names to packages, not {given!r}"
            )
        shared: list[BusinessCalendar] = []  # the top-level calendar, made once if used

        def top_calendar() -> BusinessCalendar:
            if not shared:
                shared.append(_calendar("calendar", base))
            return shared[0]

        packages = [_package(name, body, base, top_calendar) for name, body in given.items()]
        default = config.get("default_package")
        if default is None:
            if len(packages) > 1:
                raise InvalidSupportPackages(
                    "default_package",
                    f"is required with more than one package ({', '.join(sorted(given))})",
                )
            default = packages[0].name
        if not isinstance(default, str):
            raise InvalidSupportPackages("default_package", f"must be a name, not {default!r}")
        return cls(tuple(packages), default)

    def to_dict(self) -> dict[str, object]:
        return {
            "default_package": self.default_name,
            "packages": {name: self._by_name[name].to_dict() for name in self.names},
        }


def _refuse_unknown(where: str, config: Mapping[str, object], known: tuple[str, ...]) -> None:
    unknown = sorted(str(k) for k in config if k not in known)
    if unknown:
        raise InvalidSupportPackages(
            where, f"unknown key(s) {', '.join(unknown)} (known: {', '.join(known)})"
        )


def _mapping(key: str, value: object) -> Mapping[str, object]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidSupportPackages(key, f"must be a JSON object, not {value!r}")
    return value


def _plan(key: str, value: object) -> SupportPlan:
    try:
        return SupportPlan.from_mapping(_mapping(key, value))
    except InvalidSupportPackages:
        raise
    except LifecycleError as error:
        raise InvalidSupportPackages(key, str(error)) from None


def _calendar(key: str, config: Mapping[str, object]) -> BusinessCalendar:
    try:
        return BusinessCalendar.from_mapping(config)
    except LifecycleError as error:
        raise InvalidSupportPackages(key, str(error)) from None


def _package(
    name: object,
    body: object,
    base: Mapping[str, object],
    top_calendar: Callable[[], BusinessCalendar],
) -> SupportPackage:
    if not _slug_like(name):
        raise InvalidSupportPackages(
            f"packages.{name}",
            "a package name is a slug (lower-case letters, digits and '-', such as "
            "'business-critical')",
        )
    assert isinstance(name, str)
    where = f"packages.{name}"
    given = _mapping(where, body)
    _refuse_unknown(where, given, _PACKAGE_KEYS)
    plan = _plan(f"{where}.plan", given.get("plan"))
    own = _mapping(f"{where}.calendar", given.get("calendar"))
    if own:
        # The package's keys override the file's, key by key; a problem is told as the
        # package's, since only there do the two meet.
        calendar = _calendar(f"{where}.calendar (over the top-level calendar)", {**base, **own})
    else:
        calendar = top_calendar()
    try:
        updates = UpdatePlan.from_mapping(_mapping(f"{where}.updates", given.get("updates")))
    except InvalidSupportPackages:
        raise
    except LifecycleError as error:
        raise InvalidSupportPackages(f"{where}.updates", str(error)) from None
    return SupportPackage(name, plan, calendar, updates)
