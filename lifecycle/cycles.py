"""Grouping releases into cycles, each cycle's dates (SPEC 3.1) and status (3.2).

Dates do not depend on the as-of date, so :func:`derive` runs once per change
of a product and its result answers any number of as-of questions cheaply.

>>> from datetime import date
>>> cycles = derive(
...     [Release.of("1.0.0", date(2024, 1, 10)), Release.of("2.0.0", date(2025, 3, 1)),
...      Release.of("3.0.0", date(2026, 3, 2))], Policy())
>>> [(c.key, str(c.dates.eol_on)) for c in cycles.newest_first]
[('3', 'None'), ('2', 'None'), ('1', '2026-03-02')]
>>> cycles.by_key["2"].status(date(2026, 11, 22)).value
'security_only'
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from packaging.version import Version

from lifecycle.policy import Policy, cycle_sort_key
from lifecycle.status import Status
from lifecycle.versions import canonical_version, parse_version

__all__ = ["Cycle", "CycleDates", "ProductCycles", "Release", "add_months", "derive"]


@dataclass(frozen=True, slots=True)
class Release:
    """One recorded release: the string it was recorded with, and its date."""

    version: str
    parsed: Version
    released_on: date
    notes: str | None = None

    @classmethod
    def of(cls, version: str, released_on: date, notes: str | None = None) -> Release:
        return cls(version, parse_version(version), released_on, notes)

    @property
    def is_prerelease(self) -> bool:
        return self.parsed.is_prerelease

    @property
    def identity(self) -> str:
        return canonical_version(self.parsed)

    def status(self, cycle_status: Status, as_of: date) -> Status:
        """SPEC 3.2: a release has its cycle's status, but for pre- and planned releases."""
        if self.is_prerelease:
            return Status.PRERELEASE
        if self.released_on > as_of:
            return Status.PLANNED
        return cycle_status


@dataclass(frozen=True, slots=True)
class CycleDates:
    """The first day of each status of a cycle; None where not known yet."""

    released_on: date | None = None
    security_only_from: date | None = None
    eol_on: date | None = None
    eosl_on: date | None = None
    extended_end_on: date | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {
            "released_on": _iso(self.released_on),
            "security_only_from": _iso(self.security_only_from),
            "eol_on": _iso(self.eol_on),
            "eosl_on": _iso(self.eosl_on),
        }


@dataclass(frozen=True, slots=True)
class Cycle:
    """A release cycle: its key, dates and releases (GA ones sorted by version)."""

    key: str
    dates: CycleDates
    ga_releases: tuple[Release, ...] = ()
    prereleases: tuple[Release, ...] = ()
    # GA releases in date order, for "latest as of" look-ups by bisection.
    _by_date: tuple[Release, ...] = field(default=(), repr=False, compare=False)
    _best_by_date: tuple[int, ...] = field(default=(), repr=False, compare=False)

    @property
    def is_prerelease_only(self) -> bool:
        return not self.ga_releases

    def status(self, as_of: date) -> Status:
        """SPEC 3.2: the first status whose condition holds on ``as_of``."""
        dates = self.dates
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

    def latest(self, as_of: date) -> Release | None:
        """The highest GA release released on or before ``as_of``."""
        if not self._by_date:
            return None
        # _by_date is sorted by date; _best_by_date[i] indexes the highest
        # version among _by_date[: i + 1], so one bisection answers.
        count = bisect.bisect_right(self._by_date, as_of, key=_released_on)
        if count == 0:
            return None
        return self._by_date[self._best_by_date[count - 1]]

    def next_change(self, as_of: date) -> date | None:
        """The first day of the next status after ``as_of``, if known."""
        for day in (
            self.dates.released_on,
            self.dates.security_only_from,
            self.dates.eol_on,
            self.dates.eosl_on,
        ):
            if day is not None and day > as_of:
                return day
        return None


@dataclass(frozen=True, slots=True)
class ProductCycles:
    """Every cycle of one product, derived once from its releases and policy."""

    policy: Policy
    newest_first: tuple[Cycle, ...]
    by_key: dict[str, Cycle]
    releases: dict[str, Release]
    # Filled by recorded_ga on first use, all at once.
    _recorded_ga: dict[str, tuple[Release, Cycle]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def cycle_of(self, version: Version) -> Cycle | None:
        return self.by_key.get(self.policy.cycle_key(version))

    def recorded_ga(self, text: str) -> tuple[Release, Cycle] | None:
        """The GA release recorded as exactly ``text``, and its cycle, without parsing.

        None for any other text (a pre-release, another spelling of a recorded version,
        an unknown version): parse it then. The index is built on the first call, so only
        products that eligibility queries ask about hold one.
        """
        index = self._recorded_ga
        if not index:
            # One update, so that another thread sees the index empty or whole.
            index.update({r.version: (r, c) for c in self.newest_first for r in c.ga_releases})
        return index.get(text)

    def release(self, version: Version) -> Release | None:
        return self.releases.get(canonical_version(version))

    def newest_current(self, as_of: date) -> Cycle | None:
        """The newest cycle whose status is ``current`` on ``as_of``."""
        for cycle in self.newest_first:
            if cycle.status(as_of) is Status.CURRENT:
                return cycle
        return None

    def releases_newest_first(self) -> list[Release]:
        return sorted(self.releases.values(), key=lambda r: r.parsed, reverse=True)


def add_months(day: date, months: int) -> date:
    """Calendar months later, clamped to the month's last day (2026-08-31 + 6 = 2027-02-28)."""
    result: date = day + relativedelta(months=months)
    return result


def derive(releases: Iterable[Release], policy: Policy) -> ProductCycles:
    """Group ``releases`` into cycles and compute every cycle's dates (SPEC 3.1).

    Two releases whose versions parse equal are one release; the earliest
    date is kept.
    """
    unique: dict[str, Release] = {}
    for release in releases:
        identity = release.identity
        known = unique.get(identity)
        if known is None or release.released_on < known.released_on:
            unique[identity] = release

    grouped: dict[str, list[Release]] = {}
    for release in unique.values():
        grouped.setdefault(policy.cycle_key(release.parsed), []).append(release)

    ordered_keys = sorted(grouped, key=cycle_sort_key)
    ga_keys = [k for k in ordered_keys if any(not r.is_prerelease for r in grouped[k])]
    first_ga: dict[str, date] = {
        k: min(r.released_on for r in grouped[k] if not r.is_prerelease) for k in ga_keys
    }

    dates: dict[str, CycleDates] = {}
    for i, key in enumerate(ga_keys):
        security_only_from = _released_at(ga_keys, first_ga, i + policy.full_support_cycles)
        eol_on = _released_at(
            ga_keys, first_ga, i + policy.full_support_cycles + policy.security_cycles
        )
        # A later cycle can be first released before this one (2.7.0 after 3.1.0);
        # every date is the first day of a status, so none may precede the one before it.
        if security_only_from is not None:
            security_only_from = max(security_only_from, first_ga[key])
        if eol_on is not None and security_only_from is not None:
            eol_on = max(eol_on, security_only_from)
        dates[key] = CycleDates(
            released_on=first_ga[key],
            security_only_from=security_only_from,
            eol_on=eol_on,
            eosl_on=add_months(eol_on, policy.eosl_months) if eol_on is not None else None,
        )

    cycles = [_build_cycle(key, grouped[key], dates.get(key, CycleDates())) for key in ordered_keys]
    newest_first = tuple(reversed(cycles))
    return ProductCycles(
        policy=policy,
        newest_first=newest_first,
        by_key={c.key: c for c in newest_first},
        releases=unique,
    )


def _build_cycle(key: str, releases: list[Release], dates: CycleDates) -> Cycle:
    ga = sorted((r for r in releases if not r.is_prerelease), key=lambda r: r.parsed)
    pre = tuple(sorted((r for r in releases if r.is_prerelease), key=lambda r: r.parsed))
    by_date = sorted(ga, key=lambda r: (r.released_on, r.parsed))
    best: list[int] = []
    for i, release in enumerate(by_date):
        if not best or release.parsed > by_date[best[-1]].parsed:
            best.append(i)
        else:
            best.append(best[-1])
    return Cycle(key, dates, tuple(ga), pre, tuple(by_date), tuple(best))


def _released_at(keys: list[str], first_ga: dict[str, date], position: int) -> date | None:
    return first_ga[keys[position]] if position < len(keys) else None


def _released_on(release: Release) -> date:
    return release.released_on


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None
