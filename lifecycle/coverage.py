"""Coverage across time (SPEC 13): when a deployment's status, support level or
coverage changes, and why, found from the few days on which anything can change.

A deployment's verdict on a day depends on the day only through dates known in
advance: its cycle's milestones (and the day its cycle or its release comes out), its
platform's vendor end of life, the days its customer's subscription changes and the
day its extended support ends. Those are the **candidates**; between two of them the
verdict cannot change. So each candidate in a window is judged, the day before and
the day of (a day before that is the previous candidate is not judged twice), and
a candidate whose two verdicts differ is a change. Everything else is skipped
without judging: a deployment with no candidate in the window costs a few look-ups.

What is compared is the **coverage** of a verdict: its status, support level,
``covered`` and allowed severities (so a production subscription lapsing to a basic
one, which caps the priority, is a change too; a renewal that changes nothing is
none).

>>> from datetime import date
>>> from lifecycle.customers import Deployment, Entitlements, SubscriptionTerm
>>> from lifecycle.cycles import Release, derive
>>> from lifecycle.policy import Policy
>>> from lifecycle.verdict import Judge
>>> from platforms.matrix import PlatformRegistry, SupportMatrix
>>> cycles = derive([Release.of("1.0", date(2025, 1, 10)), Release.of("2.0", date(2026, 3, 2)),
...                  Release.of("3.0", date(2027, 3, 1))], Policy())
>>> product = CoverageJudge("db", Judge(cycles, PlatformRegistry.of([]), SupportMatrix({})))
>>> acme = Entitlements.of("acme", [SubscriptionTerm("production", date(2026, 1, 1),
...                                                  date(2027, 2, 1))])
>>> prod = Deployment("prod", "db", "1.0", "production")
>>> for c in product.changes(prod, acme, date(2026, 11, 22), date(2027, 4, 1)):
...     print(c.date, c.change.value, c.status_before.value, c.status_after.value, c.covered_after)
2027-02-01 subscription_ends security_only security_only False
2027-03-01 eol_on security_only eol False
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from lifecycle.customers import Deployment, Entitlements, SubscriptionChange, Subscriptions
from lifecycle.cycles import Cycle
from lifecycle.errors import LifecycleError
from lifecycle.severity import Severity
from lifecycle.status import Status, SupportLevel
from lifecycle.verdict import Judge, Verdict, extended_support_end

__all__ = [
    "MAX_WITHIN_DAYS",
    "ChangeKind",
    "CoverageChange",
    "CoverageJudge",
    "DeploymentChange",
    "DeploymentCoverage",
    "InvalidWindow",
    "coverage_changes",
    "window_end",
]

#: SPEC 6: ``within_days`` is 0 to 3,660.
MAX_WITHIN_DAYS = 3660
_DAY = timedelta(days=1)


class InvalidWindow(LifecycleError, ValueError):
    """A window of days that is negative or too long; ``field`` names it."""

    code = "invalid_window"

    def __init__(self, message: str, field: str = "within_days") -> None:
        super().__init__(message)
        self.field = field


class ChangeKind(StrEnum):
    """What changes a deployment's coverage on a day (SPEC 13's ``change``).

    The SPEC names six; ``released_on`` (a deployment recorded at a version not out
    yet, whose cycle or release comes out) and ``subscription_starts`` (a term that
    begins after a gap, or production after basic) are changes of coverage too, and
    are reported under these two names.
    """

    RELEASED_ON = "released_on"
    SECURITY_ONLY_FROM = "security_only_from"
    EOL_ON = "eol_on"
    EOSL_ON = "eosl_on"
    PLATFORM_VENDOR_EOL = "platform_vendor_eol"
    SUBSCRIPTION_ENDS = "subscription_ends"
    SUBSCRIPTION_STARTS = "subscription_starts"
    EXTENDED_SUPPORT_ENDS = "extended_support_ends"


# When several candidates fall on one day, the change is named by the first of them in
# this order: the status's own milestone (the latest phase, as SPEC 10 names a date
# that is both security_only_from and eol_on by eol_on), then the customer's extended
# support, the platform, and the subscription. All of them are kept in ``causes``.
_PRECEDENCE = {
    kind: rank
    for rank, kind in enumerate(
        (
            ChangeKind.EOSL_ON,
            ChangeKind.EOL_ON,
            ChangeKind.SECURITY_ONLY_FROM,
            ChangeKind.RELEASED_ON,
            ChangeKind.EXTENDED_SUPPORT_ENDS,
            ChangeKind.PLATFORM_VENDOR_EOL,
            ChangeKind.SUBSCRIPTION_ENDS,
            ChangeKind.SUBSCRIPTION_STARTS,
        )
    )
}
_SUBSCRIPTION_KIND = {
    SubscriptionChange.ENDS: ChangeKind.SUBSCRIPTION_ENDS,
    SubscriptionChange.STARTS: ChangeKind.SUBSCRIPTION_STARTS,
}

# What is compared of two verdicts: the status, support level, coverage, severities.
_Coverage = tuple[Status, SupportLevel, bool, tuple[Severity, ...]]


def _coverage(verdict: Verdict) -> _Coverage:
    return (verdict.status, verdict.support_level, verdict.covered, verdict.allowed_severities)


@dataclass(frozen=True, slots=True)
class CoverageChange:
    """One change of a deployment's coverage: on ``date`` (the first day of the new
    coverage), named by ``change``; ``causes`` are every kind of candidate of that
    day, ``change`` first."""

    date: date
    change: ChangeKind
    causes: tuple[ChangeKind, ...]
    status_before: Status
    status_after: Status
    support_level_before: SupportLevel
    support_level_after: SupportLevel
    covered_before: bool
    covered_after: bool
    allowed_before: tuple[Severity, ...]
    allowed_after: tuple[Severity, ...]

    def to_dict(self) -> dict[str, object]:
        """SPEC 13's fields of a change (without whose change it is)."""
        return {
            "date": self.date.isoformat(),
            "change": self.change.value,
            "status_before": self.status_before.value,
            "status_after": self.status_after.value,
            "covered_after": self.covered_after,
        }


@dataclass(frozen=True, slots=True)
class DeploymentChange:
    """A change of one customer's deployment, as SPEC 13's list shows it."""

    customer: str
    deployment: Deployment
    change: CoverageChange

    def to_dict(self) -> dict[str, object]:
        return {
            "customer": self.customer,
            "deployment": self.deployment.name,
            "product": self.deployment.product,
            "version": self.deployment.version,
            **self.change.to_dict(),
        }

    @property
    def order(self) -> tuple[date, str, str, int]:
        """Soonest first; then by customer, deployment and the change's precedence."""
        change = self.change
        return (change.date, self.customer, self.deployment.name, _PRECEDENCE[change.change])


@dataclass(frozen=True, slots=True)
class DeploymentCoverage:
    """A deployment's verdict on a day, and its next change after that day, if known
    (SPEC 13's coverage page)."""

    deployment: Deployment
    verdict: Verdict
    next_change: CoverageChange | None


# The candidates of a deployment that do not depend on its customer: its cycle, and the
# days (ascending) with their kinds.
_Fixed = tuple[Cycle | None, tuple[date, ...], tuple[ChangeKind, ...]]


class CoverageJudge:
    """Coverage over time for the deployments of one product: one per product and
    scan, wrapping that product's :class:`~lifecycle.verdict.Judge` (whose memos of
    statuses, platforms and upgrade targets it shares).

    What a deployment's version and platform give (its cycle, milestones and the
    platform's vendor end of life) is worked out once per version and platform, so
    that thousands of deployments at the same few versions cost a look-up each.
    Like a judge, it keeps what it works out; it is meant to live for one scan.
    """

    __slots__ = ("_fixed", "judge", "product")

    def __init__(self, product: str, judge: Judge) -> None:
        self.product = product
        self.judge = judge
        self._fixed: dict[tuple[str, str | None, str | None], _Fixed] = {}

    def verdict(self, deployment: Deployment, entitlements: Entitlements, as_of: date) -> Verdict:
        """The verdict for ``deployment`` on ``as_of`` (as by ``deployment=``, SPEC 12)."""
        self._check(deployment)
        return self.judge(entitlements.deployment_query(deployment, as_of))

    def coverage(
        self, deployment: Deployment, entitlements: Entitlements, as_of: date
    ) -> DeploymentCoverage:
        """The verdict on ``as_of`` and the first change after ``as_of`` (SPEC 13)."""
        return DeploymentCoverage(
            deployment,
            self.verdict(deployment, entitlements, as_of),
            self.next_change(deployment, entitlements, as_of),
        )

    def changes(
        self, deployment: Deployment, entitlements: Entitlements, start: date, end: date
    ) -> list[CoverageChange]:
        """Every change of the deployment's coverage dated from ``start`` to ``end``,
        both included, soonest first: at most one per day (see ``causes``).

        A change dated ``start`` is one whose day before (``start - 1``) differed.
        """
        self._check(deployment)
        if end < start:
            return []
        return self._scan(deployment, entitlements, start, end, first_only=False)

    def next_change(
        self, deployment: Deployment, entitlements: Entitlements, as_of: date
    ) -> CoverageChange | None:
        """The first change after ``as_of``, if any is known (``as_of``'s own verdict
        already has a change dated ``as_of``)."""
        self._check(deployment)
        if as_of == date.max:
            return None
        found = self._scan(deployment, entitlements, as_of + _DAY, date.max, first_only=True)
        return found[0] if found else None

    # -- the candidates -----------------------------------------------------------------

    def _check(self, deployment: Deployment) -> None:
        if deployment.product != self.product:
            raise LifecycleError(
                f"Deployment {deployment.name!r} runs {deployment.product!r}, not {self.product!r}"
            )

    def _fixed_candidates(self, deployment: Deployment) -> _Fixed:
        key = (deployment.version, deployment.platform, deployment.platform_version)
        found = self._fixed.get(key)
        if found is None:
            found = self._fixed[key] = self._work_out(*key)
        return found

    def _work_out(self, version: str, platform: str | None, platform_version: str | None) -> _Fixed:
        judge = self.judge
        parsed, release, cycle = judge.locate(version)
        found: list[tuple[date, ChangeKind]] = []
        if cycle is not None:
            dates = cycle.dates
            for day, kind in (
                (dates.released_on, ChangeKind.RELEASED_ON),
                (dates.security_only_from, ChangeKind.SECURITY_ONLY_FROM),
                (dates.eol_on, ChangeKind.EOL_ON),
                (dates.eosl_on, ChangeKind.EOSL_ON),
            ):
                if day is not None:
                    found.append((day, kind))
            if release is not None and not release.is_prerelease:
                # A release that comes out after its cycle does is planned until its day.
                found.append((release.released_on, ChangeKind.RELEASED_ON))
        if platform is not None and platform_version is not None:
            key = cycle.key if cycle is not None else judge.cycles.policy.cycle_key(parsed)
            check = judge.matrix.check(judge.registry, key, platform, platform_version)
            if check.vendor_eol is not None:
                found.append((check.vendor_eol, ChangeKind.PLATFORM_VENDOR_EOL))
        found = sorted(set(found))
        return cycle, tuple(d for d, _ in found), tuple(k for _, k in found)

    def _candidates(
        self, deployment: Deployment, entitlements: Entitlements, start: date, end: date
    ) -> dict[date, list[ChangeKind]]:
        cycle, days, kinds = self._fixed_candidates(deployment)
        found: dict[date, list[ChangeKind]] = {}
        low = bisect.bisect_left(days, start)
        high = bisect.bisect_right(days, end, lo=low)
        for index in range(low, high):
            found.setdefault(days[index], []).append(kinds[index])
        if cycle is not None:
            cover = entitlements.cover(deployment.product)
            if cover is not None:
                ends = extended_support_end(cycle.dates, cover.until(cycle.key))
                if ends is not None and start <= ends <= end:
                    found.setdefault(ends, []).append(ChangeKind.EXTENDED_SUPPORT_ENDS)
        for day, before, after in entitlements.subscriptions.changes(start, end):
            kind = _SUBSCRIPTION_KIND[Subscriptions.change_kind(before, after)]
            found.setdefault(day, []).append(kind)
        return found

    def _scan(
        self,
        deployment: Deployment,
        entitlements: Entitlements,
        start: date,
        end: date,
        *,
        first_only: bool,
    ) -> list[CoverageChange]:
        candidates = self._candidates(deployment, entitlements, start, end)
        if not candidates:
            return []
        judge = self.judge
        query = entitlements.deployment_query
        changes: list[CoverageChange] = []
        previous: tuple[date, Verdict] | None = None
        for day in sorted(candidates):
            if day == date.min:
                continue  # no day before it to differ from
            yesterday = day - _DAY
            if previous is not None and previous[0] == yesterday:
                before = previous[1]
            else:
                before = judge(query(deployment, yesterday))
            after = judge(query(deployment, day))
            previous = (day, after)
            if _coverage(before) == _coverage(after):
                continue
            causes = tuple(sorted(set(candidates[day]), key=_PRECEDENCE.__getitem__))
            changes.append(
                CoverageChange(
                    date=day,
                    change=causes[0],
                    causes=causes,
                    status_before=before.status,
                    status_after=after.status,
                    support_level_before=before.support_level,
                    support_level_after=after.support_level,
                    covered_before=before.covered,
                    covered_after=after.covered,
                    allowed_before=before.allowed_severities,
                    allowed_after=after.allowed_severities,
                )
            )
            if first_only:
                break
        return changes


def window_end(as_of: date, within_days: int) -> date:
    """The last day of the window ``as_of`` to ``as_of + within_days`` (SPEC 13)."""
    if isinstance(within_days, bool) or not isinstance(within_days, int):
        raise InvalidWindow(f"within_days must be a whole number, not {within_days!r}")
    if not 0 <= within_days <= MAX_WITHIN_DAYS:
        raise InvalidWindow(f"within_days must be from 0 to {MAX_WITHIN_DAYS}, not {within_days}")
    try:
        return as_of + timedelta(days=within_days)
    except OverflowError:
        raise InvalidWindow(f"{within_days} days after {as_of} is beyond the calendar") from None


def coverage_changes(
    judges: Mapping[str, CoverageJudge],
    customers: Iterable[tuple[Entitlements, Iterable[Deployment]]],
    as_of: date,
    within_days: int,
) -> list[DeploymentChange]:
    """SPEC 13's list: every change of every deployment of every customer dated from
    ``as_of`` to ``as_of + within_days`` (both included), soonest first, then by
    customer, deployment and the change's precedence.

    ``judges`` holds a :class:`CoverageJudge` per product slug; a deployment of a product
    not in it is skipped (so passing the judge of one product alone filters by product).
    """
    end = window_end(as_of, within_days)
    found: list[DeploymentChange] = []
    for entitlements, deployments in customers:
        for deployment in deployments:
            judge = judges.get(deployment.product)
            if judge is None:
                continue
            for change in judge.changes(deployment, entitlements, as_of, end):
                found.append(DeploymentChange(entitlements.customer, deployment, change))
    found.sort(key=_order)
    return found


def _order(item: DeploymentChange) -> tuple[date, str, str, int]:
    return item.order
