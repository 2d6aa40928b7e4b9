"""The pure rules of ticket triage (SPEC 9): the requested severity and where it
came from, support plans of response targets, and when a response is due.

>>> requested_severity("[URGENT] db down", Channel.EMAIL, None)
(<Severity.URGENT: 'urgent'>, <SeveritySource.SUBJECT: 'subject'>)
>>> requested_severity("db down", Channel.EMAIL, None)
(<Severity.LOW: 'low'>, <SeveritySource.DEFAULT: 'default'>)
>>> from datetime import datetime
>>> due = response_due(SupportPlan(), BusinessCalendar(),
...     datetime.fromisoformat("2026-10-23T17:00:00-07:00"), Severity.HIGH)
>>> due.isoformat()
'2026-10-26T08:00:00-07:00'
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from lifecycle.calendar import BusinessCalendar
from lifecycle.errors import InvalidSeverity, LifecycleError
from lifecycle.severity import ALL_SEVERITIES, Severity, parse_severity

__all__ = [
    "Channel",
    "InvalidChannel",
    "InvalidSupportPlan",
    "ResponseTarget",
    "SeveritySource",
    "SupportPlan",
    "TargetUnit",
    "requested_severity",
    "response_due",
]


class InvalidSupportPlan(LifecycleError, ValueError):
    """A support plan whose configuration does not make sense."""

    code = "invalid_support_plan"


class InvalidChannel(LifecycleError, ValueError):
    """A ticket channel that is none of email, portal, phone."""

    code = "invalid_channel"


class Channel(StrEnum):
    """How a ticket reached the desk."""

    EMAIL = "email"
    PORTAL = "portal"
    PHONE = "phone"


class SeveritySource(StrEnum):
    """Where a ticket's requested severity came from."""

    FIELD = "field"
    SUBJECT = "subject"
    DEFAULT = "default"


_SUBJECT_KEYWORDS: dict[str, Severity] = {
    "emergency": Severity.URGENT,
    "urgent": Severity.URGENT,
    "high": Severity.HIGH,
}
_SUBJECT_PATTERN = re.compile(r"\[(emergency|urgent|high)\]", re.IGNORECASE)


def requested_severity(
    subject: str, channel: Channel, explicit: Severity | None
) -> tuple[Severity, SeveritySource]:
    """The explicit field if given; else the most urgent ``[Emergency]``, ``[Urgent]``
    or ``[High]`` in the subject; else ``low`` for an email and ``normal`` otherwise.

    >>> requested_severity("[high] slow, then [Emergency]", Channel.PORTAL, None)[0]
    <Severity.URGENT: 'urgent'>
    >>> requested_severity("[Urgent]", Channel.PHONE, Severity.LOW)
    (<Severity.LOW: 'low'>, <SeveritySource.FIELD: 'field'>)
    """
    try:
        channel = Channel(channel)
    except ValueError:
        raise InvalidChannel(f"Unknown channel {channel!r} (use email, portal or phone)") from None
    if explicit is not None:
        return Severity(explicit), SeveritySource.FIELD
    found = [_SUBJECT_KEYWORDS[m.casefold()] for m in _SUBJECT_PATTERN.findall(subject or "")]
    if found:
        return min(found, key=lambda s: s.rank), SeveritySource.SUBJECT
    # Every email starts at the lowest severity (SPEC 9).
    default = Severity.LOW if channel is Channel.EMAIL else Severity.NORMAL
    return default, SeveritySource.DEFAULT


class TargetUnit(StrEnum):
    """What a response target counts: real hours, business hours or business days."""

    ELAPSED_HOURS = "elapsed_hours"
    BUSINESS_HOURS = "business_hours"
    BUSINESS_DAYS = "business_days"

    @property
    def short(self) -> str:
        return _SHORT_UNITS[self]


_SHORT_UNITS = {
    TargetUnit.ELAPSED_HOURS: "h",
    TargetUnit.BUSINESS_HOURS: "bh",
    TargetUnit.BUSINESS_DAYS: "bd",
}
_UNIT_BY_SHORT = {short: unit for unit, short in _SHORT_UNITS.items()}
_MAX_AMOUNT = {
    TargetUnit.ELAPSED_HOURS: 366 * 24,
    TargetUnit.BUSINESS_HOURS: 366 * 24,
    TargetUnit.BUSINESS_DAYS: 366,
}
_TARGET_TEXT = re.compile(r"\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]+)\s*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ResponseTarget:
    """How long a response may take: ``amount`` of ``unit``.

    >>> ResponseTarget.parse("4bh")
    ResponseTarget(amount=4, unit=<TargetUnit.BUSINESS_HOURS: 'business_hours'>)
    >>> str(ResponseTarget(1.5, TargetUnit.BUSINESS_DAYS))
    '1.5bd'
    """

    amount: int | float
    unit: TargetUnit

    def __post_init__(self) -> None:
        try:
            unit = TargetUnit(self.unit)
        except ValueError:
            choices = ", ".join(u.value for u in TargetUnit)
            raise InvalidSupportPlan(f"Unknown target unit {self.unit!r} (use {choices})") from None
        object.__setattr__(self, "unit", unit)
        amount = self.amount
        limit = _MAX_AMOUNT[unit]
        if (
            isinstance(amount, bool)
            or not isinstance(amount, int | float)
            or not math.isfinite(amount)
            or not 0 < amount <= limit
        ):
            raise InvalidSupportPlan(
                f"A target in {unit.value} must be more than 0 and at most {limit}, not {amount!r}"
            )

    @classmethod
    def parse(cls, value: object) -> ResponseTarget:
        """A target from configuration: ``"1h"`` (elapsed hours), ``"4bh"`` (business
        hours), ``"1bd"`` (business days), or ``{"amount": 4, "unit": "business_hours"}``."""
        if isinstance(value, ResponseTarget):
            return value
        if isinstance(value, Mapping):
            if set(value) != {"amount", "unit"}:
                raise InvalidSupportPlan(
                    f"A structured target has exactly 'amount' and 'unit', not {sorted(value)}"
                )
            return cls(value["amount"], value["unit"])
        if isinstance(value, str):
            match = _TARGET_TEXT.fullmatch(value)
            unit = _UNIT_BY_SHORT.get(match.group(2).casefold()) if match else None
            if match is not None and unit is not None:
                number = float(match.group(1))
                return cls(int(number) if number.is_integer() else number, unit)
        raise InvalidSupportPlan(
            f"Invalid response target {value!r}: use a number and h (elapsed hours), "
            f"bh (business hours) or bd (business days), such as '4bh'"
        )

    def __str__(self) -> str:
        return f"{self.amount:g}{self.unit.short}"

    def due(self, calendar: BusinessCalendar, submitted_at: datetime) -> datetime:
        """When a ticket submitted at ``submitted_at`` must have its response."""
        if self.unit is TargetUnit.ELAPSED_HOURS:
            return calendar.add_elapsed(submitted_at, timedelta(hours=self.amount))
        if self.unit is TargetUnit.BUSINESS_HOURS:
            return calendar.add_business_time(submitted_at, timedelta(hours=self.amount))
        return calendar.add_business_days(submitted_at, self.amount)


@dataclass(frozen=True, slots=True)
class SupportPlan:
    """A response target per severity; the defaults are SPEC 9's."""

    urgent: ResponseTarget = ResponseTarget(1, TargetUnit.ELAPSED_HOURS)
    high: ResponseTarget = ResponseTarget(4, TargetUnit.BUSINESS_HOURS)
    normal: ResponseTarget = ResponseTarget(1, TargetUnit.BUSINESS_DAYS)
    low: ResponseTarget = ResponseTarget(2, TargetUnit.BUSINESS_DAYS)

    def __post_init__(self) -> None:
        for severity in ALL_SEVERITIES:
            if not isinstance(getattr(self, severity.value), ResponseTarget):
                raise InvalidSupportPlan(f"The {severity.value} target must be a ResponseTarget")

    def target(self, severity: Severity) -> ResponseTarget:
        target: ResponseTarget = getattr(self, Severity(severity).value)
        return target

    @classmethod
    def from_mapping(cls, config: Mapping[str, object]) -> SupportPlan:
        """A plan from configuration: severity (or alias such as ``S2``) to target,
        each ``"1h"``/``"4bh"``/``"1bd"`` or ``{"amount": 4, "unit": "business_hours"}``.
        Severities left out keep the SPEC default.

        >>> str(SupportPlan.from_mapping({"S1": "30m"}).urgent)
        Traceback (most recent call last):
        ...
        lifecycle.triage.InvalidSupportPlan: urgent: Invalid response target '30m': ...
        >>> SupportPlan.from_mapping({"urgent": "0.5h", "low": "3bd"}).to_dict()
        {'urgent': '0.5h', 'high': '4bh', 'normal': '1bd', 'low': '3bd'}
        """
        if not isinstance(config, Mapping):
            raise InvalidSupportPlan(f"A support plan is configured with a mapping, not {config!r}")
        targets: dict[str, ResponseTarget] = {}
        for key, value in config.items():
            try:
                severity = parse_severity(key)
            except InvalidSeverity as error:
                raise InvalidSupportPlan(f"Unknown severity in support plan: {error}") from None
            if severity.value in targets:
                raise InvalidSupportPlan(f"The {severity.value} target is given twice ({key!r})")
            try:
                targets[severity.value] = ResponseTarget.parse(value)
            except InvalidSupportPlan as error:
                raise InvalidSupportPlan(f"{severity.value}: {error}") from None
        return cls(**targets)

    def to_dict(self) -> dict[str, str]:
        return {s.value: str(self.target(s)) for s in ALL_SEVERITIES}


def response_due(
    plan: SupportPlan,
    calendar: BusinessCalendar,
    submitted_at: datetime,
    granted: Severity | None,
) -> datetime | None:
    """When the response to a ticket is due, in the calendar's zone; ``None`` when no
    severity was granted. A naive ``submitted_at`` is refused either way."""
    calendar.local(submitted_at)
    if granted is None:
        return None
    return plan.target(granted).due(calendar, submitted_at)
