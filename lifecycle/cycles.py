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

A vendor's decisions (SPEC 14) come in as cycle records: a decided date replaces the
derived one, and the derived dates around it move so that the order holds.

>>> from lifecycle.records import CycleRecord
>>> cycles = derive([Release.of("22.11.0", date(2024, 10, 29))], Policy(),
...                 records=[CycleRecord("22", released_on=date(2024, 4, 24),
...                                      security_only_from=date(2025, 10, 21), eol_on=True)])
>>> cycles.by_key["22"].dates.to_dict()
{'released_on': '2024-04-24', 'security_only_from': '2025-10-21', 'eol_on': True, 'eosl_on': True}
>>> cycles.by_key["22"].decided, cycles.by_key["22"].status(date(2024, 5, 1)).value
(('released_on', 'security_only_from', 'eol_on'), 'eosl')
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from packaging.version import Version

from lifecycle.errors import InvalidCycleKey, InvalidCycleRecord
from lifecycle.policy import Policy, cycle_sort_key
from lifecycle.records import CycleRecord, Decision, cycle_name_numbers, leading_name
from lifecycle.status import Status
from lifecycle.versions import canonical_version, parse_version

__all__ = [
    "DATE_FIELDS",
    "Cycle",
    "CycleDates",
    "ProductCycles",
    "Release",
    "add_months",
    "derive",
]

# The date fields of a cycle, in the order their phases begin (extended_end_on last: it
# is not before eol_on, and not ordered against eosl_on).
DATE_FIELDS = ("released_on", "security_only_from", "eol_on", "eosl_on", "extended_end_on")
_PHASE_FIELDS = frozenset(DATE_FIELDS[1:])


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
    """The first day of each status of a cycle; None where not known yet.

    A vendor's ``true`` and ``false`` (SPEC 14) leave a date None and name the field in
    ``begun`` (the phase has begun, its date unknown) or ``not_begun`` (decided: no date
    known, the phase has not begun). So every date field stays a date or None, and code that
    only reads dates treats both as "no date known"; :meth:`value` gives the whole answer.
    ``extended_end_on`` is the first day without the vendor's paid extended support.
    """

    released_on: date | None = None
    security_only_from: date | None = None
    eol_on: date | None = None
    eosl_on: date | None = None
    extended_end_on: date | None = None
    begun: frozenset[str] = frozenset()
    not_begun: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.begun or self.not_begun:
            for name in (*self.begun, *self.not_begun):
                if name not in _PHASE_FIELDS:
                    raise ValueError(f"{name!r} is not a phase of a cycle")
                if getattr(self, name) is not None:
                    raise ValueError(f"{name} has a date, so it cannot be true or false")
            if self.begun & self.not_begun:
                raise ValueError("a phase cannot have begun and not begun")

    def value(self, name: str) -> Decision:
        """A date field as a record writes it: a date, True, False or None.

        >>> CycleDates(eol_on=None, begun=frozenset({"eol_on"})).value("eol_on")
        True
        """
        if name in self.begun:
            return True
        if name in self.not_begun:
            return False
        day: date | None = getattr(self, name)
        return day

    def to_dict(self) -> dict[str, str | bool | None]:
        """Dates as ``YYYY-MM-DD``, true or false where a vendor said so, else null;
        ``extended_end_on`` only when known, so that cycles without it answer as before."""
        if not (self.begun or self.not_begun):
            found: dict[str, str | bool | None] = {
                "released_on": _iso(self.released_on),
                "security_only_from": _iso(self.security_only_from),
                "eol_on": _iso(self.eol_on),
                "eosl_on": _iso(self.eosl_on),
            }
            if self.extended_end_on is not None:
                found["extended_end_on"] = self.extended_end_on.isoformat()
            return found
        found = {name: _json(self.value(name)) for name in DATE_FIELDS[:4]}
        extended = self.value("extended_end_on")
        if extended is not None:
            found["extended_end_on"] = _json(extended)
        return found


@dataclass(frozen=True, slots=True)
class Cycle:
    """A release cycle: its key, dates and releases (GA ones sorted by version).

    ``record`` is the vendor's record of the cycle, if any (SPEC 14), and ``decided`` names
    the date fields that come from it rather than from the policy.
    """

    key: str
    dates: CycleDates
    ga_releases: tuple[Release, ...] = ()
    prereleases: tuple[Release, ...] = ()
    record: CycleRecord | None = None
    decided: tuple[str, ...] = ()
    # GA releases in date order, for "latest as of" look-ups by bisection.
    _by_date: tuple[Release, ...] = field(default=(), repr=False, compare=False)
    _best_by_date: tuple[int, ...] = field(default=(), repr=False, compare=False)
    # The first day of each phase as status() reads it: date.min where it has begun on an
    # unknown date, None where it has not begun, and never after a later phase's start (a
    # phase that has begun ends the ones before it), worked out once here.
    _sof: date | None = field(init=False, repr=False, compare=False)
    _eol: date | None = field(init=False, repr=False, compare=False)
    _eosl: date | None = field(init=False, repr=False, compare=False)
    _unreleased: Status = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        dates = self.dates
        begun = dates.begun
        eosl = date.min if "eosl_on" in begun else dates.eosl_on
        eol = _earliest(date.min if "eol_on" in begun else dates.eol_on, eosl)
        sof = _earliest(
            date.min if "security_only_from" in begun else dates.security_only_from, eol
        )
        put = object.__setattr__
        put(self, "_sof", sof)
        put(self, "_eol", eol)
        put(self, "_eosl", eosl)
        # A cycle with no release date: pre-releases only, or a vendor's planned cycle.
        put(self, "_unreleased", Status.PRERELEASE if self.prereleases else Status.PLANNED)

    @property
    def is_prerelease_only(self) -> bool:
        return self.dates.released_on is None and bool(self.prereleases)

    @property
    def lts(self) -> bool | date:
        """The record's ``lts``: True, False or the date the cycle becomes LTS."""
        return self.record.lts if self.record is not None else False

    @property
    def codename(self) -> str | None:
        return self.record.codename if self.record is not None else None

    @property
    def link(self) -> str | None:
        return self.record.link if self.record is not None else None

    @property
    def extended_end_on(self) -> date | None:
        """The first day without the vendor's paid extended support, when a date is known."""
        return self.dates.extended_end_on

    def is_lts(self, as_of: date) -> bool:
        """Whether the cycle is in its LTS phase on ``as_of``."""
        return self.record is not None and self.record.is_lts(as_of)

    def phase_start(self, name: str) -> date | None:
        """The day a phase's status begins, as :meth:`status` reads it, when it is a known
        date: None for a phase that has not begun, that began on an unknown day (itself or
        through a later phase that has begun), or of a cycle with no release date."""
        if self.dates.released_on is None:
            return None  # unreleased for good, whatever a record says of later phases
        day = {"security_only_from": self._sof, "eol_on": self._eol, "eosl_on": self._eosl}[name]
        return None if day == date.min else day

    def status(self, as_of: date) -> Status:
        """SPEC 3.2: the first status whose condition holds on ``as_of``."""
        released_on = self.dates.released_on
        if released_on is None:
            return self._unreleased
        if released_on > as_of:
            return Status.PLANNED
        sof = self._sof
        if sof is None or as_of < sof:
            return Status.CURRENT
        eol = self._eol
        if eol is None or as_of < eol:
            return Status.SECURITY_ONLY
        eosl = self._eosl
        if eosl is None or as_of < eosl:
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

    def latest_shown(self, as_of: date) -> tuple[str, date | None] | None:
        """The latest release to show on ``as_of``, as written, and its date.

        The highest GA release by then, unless the record's display-only latest (one that is
        no version of the cycle, such as ``"8u501"``) is newer by date, or is undated while
        no GA release is out.
        """
        release = self.latest(as_of)
        record = self.record
        shown = record.display_latest if record is not None else None
        if shown is None or record is None:
            return (release.version, release.released_on) if release is not None else None
        shown_on = record.display_latest_on
        if shown_on is None:
            if release is not None:
                return release.version, release.released_on
            return shown, None
        if shown_on <= as_of and (release is None or release.released_on < shown_on):
            return shown, shown_on
        return (release.version, release.released_on) if release is not None else None

    def next_change(self, as_of: date) -> date | None:
        """The first day of the next status after ``as_of``, if known."""
        if self.dates.released_on is None:
            return None
        for day in (self.dates.released_on, self._sof, self._eol, self._eosl):
            if day is not None and day > as_of:
                return day
        return None


@dataclass(frozen=True, slots=True)
class ProductCycles:
    """Every cycle of one product, derived once from its releases, policy and records.

    Where the product has cycle records, their names are its cycles' keys as written, and a
    version belongs to the record whose name is its longest leading part, number by number
    (:meth:`cycle_key`); a version no record name leads falls back to the policy's key.
    """

    policy: Policy
    newest_first: tuple[Cycle, ...]
    by_key: dict[str, Cycle]
    releases: dict[str, Release]
    # Filled by recorded_ga on first use, all at once.
    _recorded_ga: dict[str, tuple[Release, Cycle]] = field(
        default_factory=dict, repr=False, compare=False
    )
    # The records' names by their numbers, and the most numbers a name has.
    _names: dict[tuple[int, ...], str] = field(default_factory=dict, repr=False, compare=False)
    _width: int = field(default=0, repr=False, compare=False)
    _named: bool = field(default=False, repr=False, compare=False)

    @property
    def records(self) -> dict[str, CycleRecord]:
        """The product's cycle records by key."""
        return {c.key: c.record for c in self.newest_first if c.record is not None}

    @property
    def named(self) -> bool:
        """True when a record names a cycle other than the policy would (``"3.12"`` in a
        product cut by major): such cycles are called releases, not major or minor ones."""
        return self._named

    def cycle_key(self, version: Version) -> str:
        """The key of the cycle ``version`` belongs to (it may have no cycle yet).

        >>> from lifecycle.records import CycleRecord
        >>> cycles = derive([], Policy(), records=[CycleRecord("8"), CycleRecord("8.1")])
        >>> [cycles.cycle_key(parse_version(v)) for v in ("8.1.3", "8.10", "8", "9.2")]
        ['8.1', '8', '8', '9']
        """
        names = self._names
        if names and not version.epoch:
            return leading_name(names, self._width, version.release) or self.policy.cycle_key(
                version
            )
        return self.policy.cycle_key(version)

    def key_for(self, text: str) -> str:
        """The key of the cycle a person names as ``text`` (a URL's ``{cycle}``).

        A record's name as written, or with the same numbers (``"22.4"`` finds ``"22.04"``),
        else the policy's form of the key; raises :class:`InvalidCycleKey` for text that is
        neither.
        """
        if text in self.by_key:
            return text
        if self._names:
            try:
                key = self._names.get(cycle_name_numbers(text.strip()))
            except InvalidCycleKey:
                key = None
            if key is not None:
                return key
        return self.policy.normalize_cycle_key(text)

    def cycle_of(self, version: Version) -> Cycle | None:
        if self._names:
            return self.by_key.get(self.cycle_key(version))
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


def derive(
    releases: Iterable[Release], policy: Policy, records: Iterable[CycleRecord] = ()
) -> ProductCycles:
    """Group ``releases`` into cycles and compute every cycle's dates (SPEC 3.1 and 14).

    Two releases whose versions parse equal are one release; the earliest
    date is kept.

    ``records`` are the vendor's cycle records. A decided date replaces the derived one;
    derived dates are then kept in the order ``released_on <= security_only_from <= eol_on
    <= eosl_on`` (and ``eol_on`` not after ``extended_end_on``): a derived date that would
    come before a decided earlier one moves to it, and one that would come after a decided
    later one (or is unknown while that one is set) moves to that. A derived phase after one
    decided not begun (``False``) has not begun either; one before a phase decided begun
    (``True``) with no date of its own has begun too. ``eosl_on`` follows the final
    ``eol_on`` by the policy's months (``True`` when ``eol_on`` began on an unknown day:
    no promise of defect evaluation is made for an end of life nobody can date).

    Raises :class:`InvalidCycleRecord` for two records of one cycle (or with one name's
    numbers, ``"22.04"`` and ``"22.4"``).
    """
    unique: dict[str, Release] = {}
    for release in releases:
        identity = release.identity
        known = unique.get(identity)
        if known is None or release.released_on < known.released_on:
            unique[identity] = release

    recorded: dict[str, CycleRecord] = {}
    names: dict[tuple[int, ...], str] = {}
    for record in records:
        if record.key in recorded:
            raise InvalidCycleRecord("key", f"cycle {record.key!r} has two records")
        same = names.get(record.numbers)
        if same is not None:
            raise InvalidCycleRecord(
                "key", f"cycles {same!r} and {record.key!r} are the same numbers"
            )
        recorded[record.key] = record
        names[record.numbers] = record.key
    width = max(map(len, names), default=0)

    grouped: dict[str, list[Release]] = {}
    for release in unique.values():
        parsed = release.parsed
        key = None
        if names and not parsed.epoch:
            key = leading_name(names, width, parsed.release)
        if key is None:
            key = policy.cycle_key(parsed)
        grouped.setdefault(key, []).append(release)

    ordered_keys = sorted({*grouped, *recorded}, key=_cycle_order)
    released: dict[str, date] = {}
    for key in ordered_keys:
        found = recorded.get(key)
        if found is not None and found.released_on is not None:
            released[key] = found.released_on
            continue
        ga_dated = [r.released_on for r in grouped.get(key, ()) if not r.is_prerelease]
        if ga_dated:
            day = min(ga_dated)
            released[key] = _release_bound(day, found) if found is not None else day
    ga_keys = [k for k in ordered_keys if k in released]
    ga_days = [released[k] for k in ga_keys]
    position = {k: i for i, k in enumerate(ga_keys)}

    cycles = []
    for key in ordered_keys:
        found = recorded.get(key)
        i = position.get(key)
        decided: tuple[str, ...] = ()
        if found is not None:
            dates, decided = _dates(released.get(key), i, ga_days, policy, found)
        elif i is not None:
            dates = _policy_dates(released[key], i, ga_days, policy)
        else:
            dates = CycleDates()
        cycles.append(_build_cycle(key, grouped.get(key, []), dates, found, decided))
    newest_first = tuple(reversed(cycles))
    return ProductCycles(
        policy=policy,
        newest_first=newest_first,
        by_key={c.key: c for c in newest_first},
        releases=unique,
        _names=names,
        _width=width,
        _named=any(policy.cycle_key(Version(key)) != key for key in recorded),
    )


def _cycle_order(key: str) -> tuple[Version, int, str]:
    """Cycles order by their key read as a version; names that read equal (``"15"`` and
    ``"15.0"``) by how many numbers they have, then as written."""
    return cycle_sort_key(key), key.count("."), key


def _release_bound(day: date, record: CycleRecord) -> date:
    """A cycle's first GA release date, moved back to a decided phase that starts earlier."""
    for name in ("security_only_from", "eol_on", "eosl_on", "extended_end_on"):
        decided = record.decision(name)
        if isinstance(decided, date) and decided < day:
            day = decided
    return day


def _dates(
    released_on: date | None,
    position: int | None,
    ga_days: list[date],
    policy: Policy,
    record: CycleRecord,
) -> tuple[CycleDates, tuple[str, ...]]:
    """A recorded cycle's dates: decided where the record decides, else the policy's, in
    order."""
    lts = record.marked_lts
    values: dict[str, Decision] = {"released_on": released_on}
    previous: Decision = released_on
    floor = released_on  # the latest date of the phases so far
    for name in ("security_only_from", "eol_on", "eosl_on"):
        decided = record.decision(name)
        if name == "security_only_from" and record.no_security_phase:
            decided = None  # it follows the final eol_on, below
        if decided is not None:
            value: Decision = decided
        else:
            value = _derived(name, values, position, ga_days, policy, lts)
            value = _not_after(_not_before(value, previous, floor), record, name)
        values[name] = value
        previous = value
        if isinstance(value, date) and (floor is None or value > floor):
            floor = value
    if record.no_security_phase:
        values["security_only_from"] = values["eol_on"]
    values["extended_end_on"] = record.extended_end_on

    decided_fields = tuple(record.decisions())
    begun = frozenset(n for n, v in values.items() if v is True)
    not_begun = frozenset(n for n, v in values.items() if v is False)
    dates = CycleDates(
        released_on=released_on,
        security_only_from=_day(values["security_only_from"]),
        eol_on=_day(values["eol_on"]),
        eosl_on=_day(values["eosl_on"]),
        extended_end_on=_day(values["extended_end_on"]),
        begun=begun,
        not_begun=not_begun,
    )
    return dates, decided_fields


def _policy_dates(
    released_on: date, position: int, ga_days: list[date], policy: Policy
) -> CycleDates:
    """The dates of a released cycle without a record: the policy's alone, dates or None
    (what :func:`_dates` would give, without weighing decisions, for every such cycle)."""
    months = policy.full_support_months
    if months is not None:
        sof: date | None = add_months(released_on, months)
    else:
        sof = _at(ga_days, position + policy.full_support_cycles)
    if sof is None:
        return CycleDates(released_on)
    sof = max(sof, released_on)
    months = policy.security_months
    if months is not None:
        eol: date | None = add_months(sof, months)
    elif policy.security_cycles == 0:
        eol = sof
    else:
        eol = _at(ga_days, position + policy.full_support_cycles + policy.security_cycles)
    if eol is None:
        return CycleDates(released_on, sof)
    eol = max(eol, sof)
    return CycleDates(released_on, sof, eol, add_months(eol, policy.eosl_months))


def _derived(
    name: str,
    values: dict[str, Decision],
    position: int | None,
    ga_days: list[date],
    policy: Policy,
    lts: bool,
) -> Decision:
    """A date as the policy gives it, from the cycle's dates so far (SPEC 3.1 and 14)."""
    released_on = values["released_on"]
    if name == "eosl_on":
        eol = values["eol_on"]
        if isinstance(eol, date):
            return add_months(eol, policy.eosl_months)
        return True if eol is True else None
    if not isinstance(released_on, date) or position is None:
        return None
    if name == "security_only_from":
        months = policy.full_months(lts)
        if months is not None:
            return add_months(released_on, months)
        return _at(ga_days, position + policy.full_support_cycles)
    # eol_on
    sof = values["security_only_from"]
    months = policy.security_only_months(lts)
    if months is not None:
        return add_months(sof, months) if isinstance(sof, date) else None
    if policy.security_cycles == 0:
        return None if sof is False else sof
    return _at(ga_days, position + policy.full_support_cycles + policy.security_cycles)


def _not_before(value: Decision, previous: Decision, floor: date | None) -> Decision:
    """A derived phase never starts before the ones ahead of it (``floor`` is the latest of
    their dates); after one not begun, it has not begun either."""
    if previous is False or previous is None:
        return None if value is not True else value
    if isinstance(value, date) and floor is not None:
        return max(value, floor)
    return value


def _not_after(value: Decision, record: CycleRecord, name: str) -> Decision:
    """A derived phase never starts after a decided later one, nor stays unknown before it:
    a vendor who ends a cycle early ends its full support then too."""
    later = _LATER[name]
    bound: date | None = None
    begun = False
    for other in later:
        decided = record.decision(other)
        if decided is True:
            begun = True
        elif isinstance(decided, date) and (bound is None or decided < bound):
            bound = decided
    if value is None:
        return True if begun else bound
    if isinstance(value, date) and bound is not None and value > bound:
        return True if begun else bound
    return value


_LATER = {
    "security_only_from": ("eol_on", "eosl_on", "extended_end_on"),
    "eol_on": ("eosl_on", "extended_end_on"),
    "eosl_on": (),
}


def _build_cycle(
    key: str,
    releases: list[Release],
    dates: CycleDates,
    record: CycleRecord | None = None,
    decided: tuple[str, ...] = (),
) -> Cycle:
    ga = sorted((r for r in releases if not r.is_prerelease), key=lambda r: r.parsed)
    pre = tuple(sorted((r for r in releases if r.is_prerelease), key=lambda r: r.parsed))
    by_date = sorted(ga, key=lambda r: (r.released_on, r.parsed))
    best: list[int] = []
    for i, release in enumerate(by_date):
        if not best or release.parsed > by_date[best[-1]].parsed:
            best.append(i)
        else:
            best.append(best[-1])
    return Cycle(
        key,
        dates,
        tuple(ga),
        pre,
        record=record,
        decided=decided,
        _by_date=tuple(by_date),
        _best_by_date=tuple(best),
    )


def _at(days: list[date], position: int) -> date | None:
    return days[position] if position < len(days) else None


def _earliest(day: date | None, later: date | None) -> date | None:
    """The earlier of two starts, None standing for "not begun"."""
    if day is None:
        return later
    if later is None:
        return day
    return min(day, later)


def _day(value: Decision) -> date | None:
    return value if isinstance(value, date) else None


def _json(value: Decision) -> str | bool | None:
    return value.isoformat() if isinstance(value, date) else value


def _released_on(release: Release) -> date:
    return release.released_on


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None
