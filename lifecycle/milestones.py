"""Milestones: a cycle's changes of status on known dates, and which lead is due (SPEC 10).

>>> from datetime import date
>>> from lifecycle.cycles import Release, derive
>>> from lifecycle.policy import Policy
>>> cycles = derive([Release.of("1.0", date(2025, 1, 1)), Release.of("2.0", date(2026, 3, 2)),
...                  Release.of("3.0", date(2027, 3, 1))], Policy())
>>> for m in milestones("demo", cycles):
...     print(m.cycle, m.kind.value, m.date)
1 security_only_from 2026-03-02
1 eol_on 2027-03-01
2 security_only_from 2027-03-01
1 eosl_on 2027-09-01
>>> due_lead(date(2027, 3, 1), date(2027, 2, 20), (90, 30, 7, 0))
30
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from lifecycle.cycles import ProductCycles
from lifecycle.errors import LifecycleError
from lifecycle.status import Status

__all__ = [
    "Milestone",
    "MilestoneKind",
    "between",
    "due_lead",
    "milestone_message",
    "milestone_subject",
    "milestones",
    "parse_leads",
]


class MilestoneKind(StrEnum):
    SECURITY_ONLY_FROM = "security_only_from"
    EOL_ON = "eol_on"
    EOSL_ON = "eosl_on"

    @property
    def status_after(self) -> Status:
        return _STATUS_AFTER[self]


_STATUS_AFTER = {
    MilestoneKind.SECURITY_ONLY_FROM: Status.SECURITY_ONLY,
    MilestoneKind.EOL_ON: Status.EOL,
    MilestoneKind.EOSL_ON: Status.EOSL,
}


@dataclass(frozen=True, slots=True)
class Milestone:
    """A cycle's change of status on a known date (the first day of the new status)."""

    product: str
    cycle: str
    kind: MilestoneKind
    date: date

    @property
    def status_after(self) -> Status:
        return self.kind.status_after


def milestones(product: str, cycles: ProductCycles) -> list[Milestone]:
    """Every milestone of a product, past and future, soonest first.

    When ``security_only_from`` equals ``eol_on`` (no security cycles) the
    date is one milestone, ``eol_on``. A vendor's decided date is a milestone like a derived
    one; a phase decided ``true`` or ``false`` (begun or not, on no known date) is none, and
    neither is a date a phase that has begun on an unknown day makes moot.
    """
    found: list[Milestone] = []
    for cycle in cycles.newest_first:
        security_only_from = cycle.phase_start("security_only_from")
        eol_on = cycle.phase_start("eol_on")
        eosl_on = cycle.phase_start("eosl_on")
        if security_only_from is not None and security_only_from != eol_on:
            found.append(
                Milestone(product, cycle.key, MilestoneKind.SECURITY_ONLY_FROM, security_only_from)
            )
        if eol_on is not None:
            found.append(Milestone(product, cycle.key, MilestoneKind.EOL_ON, eol_on))
        if eosl_on is not None:
            found.append(Milestone(product, cycle.key, MilestoneKind.EOSL_ON, eosl_on))
    found.sort(key=_order)
    return found


def between(items: Iterable[Milestone], start: date, end: date) -> list[Milestone]:
    """The milestones dated from ``start`` to ``end``, both included, soonest first."""
    return sorted((m for m in items if start <= m.date <= end), key=_order)


def due_lead(milestone_date: date, as_of: date, leads: Sequence[int]) -> int | None:
    """The smallest lead (in days) that is due on ``as_of``, or None.

    A lead ``L`` is due from ``milestone_date - L`` on; nothing is due once the
    milestone has passed. Taking the smallest due lead means a job that
    missed days catches up with one announcement, and a larger lead is never
    announced after a smaller one.
    """
    if milestone_date < as_of:
        return None
    due = [lead for lead in leads if milestone_date - timedelta(days=lead) <= as_of]
    return min(due) if due else None


def parse_leads(text: str) -> tuple[int, ...]:
    """Lead days from configuration, e.g. ``"90,30,7,0"``."""
    try:
        leads = tuple(sorted({int(part) for part in text.split(",") if part.strip()}, reverse=True))
    except ValueError:
        raise LifecycleError(
            f"Lead days must be whole numbers separated by commas, not {text!r}"
        ) from None
    if not leads or any(lead < 0 or lead > 3660 for lead in leads):
        raise LifecycleError(f"Lead days must be from 0 to 3660, not {text!r}")
    return leads


_WHAT_HAPPENS = {
    MilestoneKind.SECURITY_ONLY_FROM: "receives security fixes only from",
    MilestoneKind.EOL_ON: "reaches end of life on",
    MilestoneKind.EOSL_ON: "reaches end of service life on",
}


def milestone_subject(milestone: Milestone, product_name: str) -> str:
    """A milestone in plain words, e.g. "ApertureDB 1 reaches end of life on 2027-03-01".

    >>> from datetime import date
    >>> m = Milestone("demo", "2", MilestoneKind.SECURITY_ONLY_FROM, date(2027, 3, 1))
    >>> milestone_subject(m, "Demo")
    'Demo 2 receives security fixes only from 2027-03-01'
    """
    what = _WHAT_HAPPENS[milestone.kind]
    return f"{product_name} {milestone.cycle} {what} {milestone.date.isoformat()}"


def milestone_message(milestone: Milestone, product_name: str, as_of: date) -> str:
    """One sentence naming the product, cycle, what happens, the date and how far off it is.

    >>> from datetime import date
    >>> m = Milestone("demo", "1", MilestoneKind.EOL_ON, date(2027, 3, 1))
    >>> milestone_message(m, "Demo", date(2027, 1, 30))
    'Demo 1 reaches end of life on 2027-03-01, in 30 days.'
    >>> milestone_message(m, "Demo", date(2027, 3, 1))
    'Demo 1 reaches end of life on 2027-03-01, today.'
    """
    days = (milestone.date - as_of).days
    if days == 0:
        when = "today"
    elif days == 1:
        when = "tomorrow"
    elif days > 1:
        when = f"in {days} days"
    elif days == -1:
        when = "yesterday"
    else:
        when = f"{-days} days ago"
    return f"{milestone_subject(milestone, product_name)}, {when}."


def _order(m: Milestone) -> tuple[date, str, str, str]:
    return (m.date, m.product, m.kind.value, m.cycle)
