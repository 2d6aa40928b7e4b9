"""The business calendar of SPEC 9: opening hours per weekday in a named time zone, a
holiday country, and adding business time or elapsed time to an instant.

>>> from datetime import datetime, timedelta
>>> cal = BusinessCalendar()
>>> def plus(text, hours):
...     start = datetime.fromisoformat(text)
...     return cal.add_business_time(start, timedelta(hours=hours)).isoformat()
>>> plus("2026-11-17T10:30:00-08:00", 4)
'2026-11-17T14:30:00-08:00'
>>> plus("2026-10-23T17:00:00-07:00", 4)  # a Friday
'2026-10-26T08:00:00-07:00'
>>> plus("2026-11-25T15:00:00-08:00", 4)  # the day before Thanksgiving
'2026-11-27T06:00:00-08:00'
>>> plus("2026-11-17T14:00:00-08:00", 4)  # lands exactly on closing time and stays there
'2026-11-17T18:00:00-08:00'
>>> cal.add_elapsed(datetime.fromisoformat("2026-11-01T01:30:00-07:00"), timedelta(hours=1))
datetime.datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=zoneinfo.ZoneInfo(key='America/Los_Angeles'))

A short Friday and Saturday mornings: the week is Monday to Saturday, open 05:00-18:00
except on the days ``hours`` names.

>>> short = BusinessCalendar(weekdays=range(6), hours={4: (time(5), time(14)),
...                                                   5: (time(9), time(13))})
>>> short.add_business_time(datetime.fromisoformat("2026-11-20T13:00:00-08:00"),
...                         timedelta(hours=6)).isoformat()  # Friday 1 h, Saturday 4 h, Monday 1 h
'2026-11-23T06:00:00-08:00'
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from lifecycle.errors import LifecycleError

__all__ = [
    "MAX_AMOUNT",
    "BusinessCalendar",
    "InvalidCalendar",
    "InvalidDuration",
    "NaiveDatetime",
]

#: The longest amount of time the calendar adds; beyond it a caller has made a mistake.
MAX_AMOUNT = timedelta(days=3660)

_WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_WEEKDAY_NAMES = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
# A calendar whose holidays swallow every business day for this long is broken;
# refuse it instead of searching forever.
_SEARCH_DAYS = 3660
_CONFIG_KEYS = frozenset(
    {"zone", "opens", "closes", "weekdays", "hours", "holiday_country", "holiday_subdiv"}
)


class InvalidCalendar(LifecycleError, ValueError):
    """A business calendar whose configuration does not make sense."""

    code = "invalid_calendar"


class InvalidDuration(LifecycleError, ValueError):
    """An amount of time that is negative, not finite or too large to add."""

    code = "invalid_duration"


class NaiveDatetime(LifecycleError, ValueError):
    """A timestamp without a UTC offset: which instant it means is unknown."""

    code = "naive_datetime"

    def __init__(self, moment: object) -> None:
        super().__init__(f"Timestamp {moment!s} has no UTC offset")
        self.moment = moment


@lru_cache(maxsize=1024)
def _holiday_dates(country: str, subdiv: str | None, year: int) -> frozenset[date]:
    # The holidays package files an observed day under the year it falls in
    # (New Year 2028 observed on 2027-12-31 is in 2027's list), so one year is enough.
    import holidays  # 0.1 s to import: paid by the first calendar that needs it, not at start-up

    return frozenset(holidays.country_holidays(country, subdiv=subdiv, years=year))


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


class _WeekdayHours(Mapping[int, tuple[time, time]]):
    """An immutable, hashable ``weekday -> (opens, closes)`` mapping in weekday order,
    so that a calendar holding one stays a hashable value."""

    __slots__ = ("_hours",)

    def __init__(self, hours: Iterable[tuple[int, tuple[time, time]]]) -> None:
        self._hours = dict(sorted(hours))

    def __getitem__(self, weekday: int) -> tuple[time, time]:
        return self._hours[weekday]

    def __iter__(self) -> Iterator[int]:
        return iter(self._hours)

    def __len__(self) -> int:
        return len(self._hours)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._hours == dict(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self._hours.items()))

    def __repr__(self) -> str:
        return repr(self._hours)


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """Opening hours on ``weekdays`` (Monday is 0) in ``zone``, closed on the public
    holidays of ``holiday_country`` (``None``: no holidays).

    Each business weekday is open ``[opens, closes)``, unless ``hours`` gives it
    hours of its own: ``hours`` maps weekday numbers to ``(opens, closes)``, such as
    ``{4: (time(5), time(14))}`` for a short Friday. Only ``weekdays`` makes a day a
    business day, so every day ``hours`` names must be one of them (a Saturday
    needs ``weekdays`` to include 5 as well as hours of its own). Opening hours lie
    within one calendar day: a day closes at 23:59:59.999999 at the latest.

    A business day (:attr:`day_length`, the unit of targets in business days) is
    as long as the most common day of the week: the length that most business
    weekdays have, the longest of them on a tie. With the same hours every day
    that is simply ``closes - opens``: 13 hours for the default.

    Business time is measured on the local wall clock, so a day's business time
    is its ``closes - opens``, whatever DST does. Should the opening hours
    contain a DST change (not the default's), an hour the clock repeats counts
    once, and a due time inside an hour the clock skips becomes the instant of
    the jump.
    """

    zone: str = "America/Los_Angeles"
    opens: time = time(5)
    closes: time = time(18)
    weekdays: frozenset[int] = frozenset(range(5))
    holiday_country: str | None = "US"
    holiday_subdiv: str | None = None
    hours: Mapping[int, tuple[time, time]] | None = None
    # Derived from the fields above: the hours of each weekday (None: closed), their
    # lengths (0 when closed) and the length of a business day.
    _week: tuple[tuple[time, time] | None, ...] = field(init=False, repr=False, compare=False)
    _lengths: tuple[timedelta, ...] = field(init=False, repr=False, compare=False)
    _day_length: timedelta = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.zone, str) or self.zone not in _known_zones():
            raise InvalidCalendar(f"Unknown time zone: {self.zone!r}")
        for name in ("opens", "closes"):
            value = getattr(self, name)
            if not isinstance(value, time) or value.tzinfo is not None:
                raise InvalidCalendar(f"{name} must be a local time of day, not {value!r}")
        if not self.opens < self.closes:
            raise InvalidCalendar(
                f"opens ({self.opens}) must be before closes ({self.closes}) on the same day"
            )
        days = self.weekdays
        if (
            isinstance(days, str | bytes)
            or not isinstance(days, Iterable)
            or not all(isinstance(d, int) and not isinstance(d, bool) for d in days)
        ):
            raise InvalidCalendar(f"weekdays must be numbers 0 (Monday) to 6, not {days!r}")
        days = frozenset(days)
        if not days or not days <= frozenset(range(7)):
            raise InvalidCalendar(f"weekdays must be numbers 0 (Monday) to 6, not {sorted(days)}")
        # Any iterable is accepted for convenience; store the frozenset so equality and hash work.
        object.__setattr__(self, "weekdays", days)
        hours = self._checked_hours()
        # An empty mapping is no exception to the regular hours: store None, so it equals
        # the calendar that leaves hours out.
        object.__setattr__(self, "hours", _WeekdayHours(hours.items()) if hours else None)
        week = tuple(
            hours.get(d, (self.opens, self.closes)) if d in days else None for d in range(7)
        )
        object.__setattr__(self, "_week", week)
        lengths = tuple(timedelta(0) if day is None else _length(*day) for day in week)
        object.__setattr__(self, "_lengths", lengths)
        counts = Counter(lengths[d] for d in days)
        # The most common length; on a tie, the longest.
        object.__setattr__(self, "_day_length", max(counts, key=lambda n: (counts[n], n)))
        self._check_holidays()

    def _checked_hours(self) -> dict[int, tuple[time, time]]:
        given = self.hours
        if given is None:
            return {}
        if not isinstance(given, Mapping):
            raise InvalidCalendar(
                f"hours must map weekday numbers 0 (Monday) to 6 to (opens, closes), not {given!r}"
            )
        hours: dict[int, tuple[time, time]] = {}
        for day, pair in given.items():
            if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
                raise InvalidCalendar(
                    f"hours must map weekday numbers 0 (Monday) to 6 to (opens, closes), "
                    f"not {day!r}"
                )
            name = _FULL_WEEKDAY_NAMES[day]
            if (
                not isinstance(pair, tuple | list)
                or len(pair) != 2
                or not all(isinstance(t, time) and t.tzinfo is None for t in pair)
            ):
                raise InvalidCalendar(
                    f"hours of {name} must be a pair (opens, closes) of local times of day, "
                    f"not {pair!r}"
                )
            opens, closes = pair
            if not opens < closes:
                raise InvalidCalendar(
                    f"hours of {name}: opens ({opens}) must be before closes ({closes}) "
                    f"on the same day"
                )
            hours[day] = (opens, closes)
        closed = sorted(set(hours) - self.weekdays)
        if closed:
            names = ", ".join(_FULL_WEEKDAY_NAMES[d] for d in closed)
            open_days = ", ".join(_WEEKDAY_NAMES[d] for d in sorted(self.weekdays))
            raise InvalidCalendar(
                f"hours are given for {names}, not among the weekdays ({open_days}): "
                f"add {'it' if len(closed) == 1 else 'them'} to weekdays to open on "
                f"{'that day' if len(closed) == 1 else 'those days'}"
            )
        return hours

    def _check_holidays(self) -> None:
        country, subdiv = self.holiday_country, self.holiday_subdiv
        if country is None:
            if subdiv is not None:
                raise InvalidCalendar("holiday_subdiv needs a holiday_country")
            return
        if not isinstance(country, str) or not (subdiv is None or isinstance(subdiv, str)):
            raise InvalidCalendar(f"Unknown holiday country: {country!r}")
        import holidays

        try:
            holidays.country_holidays(country, subdiv=subdiv)
        except NotImplementedError:
            where = country if subdiv is None else f"{country}, subdivision {subdiv}"
            raise InvalidCalendar(f"The holidays package has no calendar for {where!r}") from None

    # -- configuration ---------------------------------------------------------------

    @classmethod
    def from_mapping(cls, config: Mapping[str, object]) -> BusinessCalendar:
        """A calendar from configuration; missing keys keep the SPEC defaults.

        Keys: ``zone`` (an IANA name), ``opens`` and ``closes`` (``"HH:MM"``),
        ``weekdays`` (a list of day names, or a string such as ``"mon-fri"`` or
        ``"mon,wed,fri"``), ``hours`` (the days with hours of their own: day names
        or ranges of them, each with ``["HH:MM", "HH:MM"]``, such as
        ``{"fri": ["05:00", "14:00"]}``), ``holiday_country`` (an ISO code such as
        ``"US"``; null or ``""`` for none) and ``holiday_subdiv`` (e.g. ``"CA"``).

        >>> BusinessCalendar.from_mapping({"zone": "Europe/Paris", "opens": "09:00",
        ...     "closes": "17:30", "weekdays": "mon-sat", "hours": {"saturday": ["09:00",
        ...     "12:00"]}, "holiday_country": "fr"}).to_dict()
        ... # doctest: +NORMALIZE_WHITESPACE
        {'zone': 'Europe/Paris', 'opens': '09:00', 'closes': '17:30',
         'weekdays': ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'],
         'hours': {'sat': ['09:00', '12:00']}, 'holiday_country': 'FR',
         'holiday_subdiv': None}
        """
        if not isinstance(config, Mapping):
            raise InvalidCalendar(f"A calendar is configured with a mapping, not {config!r}")
        unknown = sorted(str(k) for k in set(config) - _CONFIG_KEYS)
        if unknown:
            raise InvalidCalendar(
                f"Unknown calendar setting(s): {', '.join(unknown)} "
                f"(known: {', '.join(sorted(_CONFIG_KEYS))})"
            )
        default = cls()
        country = config.get("holiday_country", default.holiday_country)
        if isinstance(country, str):
            country = country.strip().upper() or None
        subdiv = config.get("holiday_subdiv")
        if isinstance(subdiv, str):
            subdiv = subdiv.strip().upper() or None
        zone = config.get("zone", default.zone)
        return cls(
            zone=zone.strip() if isinstance(zone, str) else zone,  # type: ignore[arg-type]
            opens=_parse_time("opens", config.get("opens", default.opens)),
            closes=_parse_time("closes", config.get("closes", default.closes)),
            weekdays=_parse_weekdays(config.get("weekdays", default.weekdays)),
            hours=_parse_hours(config.get("hours")),
            holiday_country=country,  # type: ignore[arg-type]
            holiday_subdiv=subdiv,  # type: ignore[arg-type]
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "zone": self.zone,
            "opens": _format_time(self.opens),
            "closes": _format_time(self.closes),
            "weekdays": [_WEEKDAY_NAMES[d] for d in sorted(self.weekdays)],
            "hours": {
                _WEEKDAY_NAMES[d]: [_format_time(opens), _format_time(closes)]
                for d, (opens, closes) in (self.hours or {}).items()
            },
            "holiday_country": self.holiday_country,
            "holiday_subdiv": self.holiday_subdiv,
        }

    # -- questions about days and instants ------------------------------------------

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    @property
    def day_length(self) -> timedelta:
        """The business time in one business day: that of the most common day of the
        week, the longest of them on a tie (13 hours by default)."""
        return self._day_length

    def is_holiday(self, day: date) -> bool:
        if self.holiday_country is None:
            return False
        return day in _holiday_dates(self.holiday_country, self.holiday_subdiv, day.year)

    def is_business_day(self, day: date) -> bool:
        return day.weekday() in self.weekdays and not self.is_holiday(day)

    def opening_hours(self, day: date) -> tuple[time, time] | None:
        """``(opens, closes)`` of ``day``; ``None`` when it is no business day.

        >>> BusinessCalendar().opening_hours(date(2026, 11, 17))
        (datetime.time(5, 0), datetime.time(18, 0))
        >>> BusinessCalendar().opening_hours(date(2026, 11, 26)) is None  # Thanksgiving
        True
        """
        hours = self._week[day.weekday()]
        if hours is None or self.is_holiday(day):
            return None
        return hours

    def is_business_time(self, moment: datetime) -> bool:
        """Whether the desk is open at ``moment``: a business day, in its ``[opens, closes)``."""
        local = self.local(moment)
        hours = self.opening_hours(local.date())
        return hours is not None and hours[0] <= local.time() < hours[1]

    def local(self, moment: datetime) -> datetime:
        """``moment`` in the calendar's zone; naive datetimes are refused."""
        if not isinstance(moment, datetime):
            raise NaiveDatetime(moment)
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise NaiveDatetime(moment.isoformat())
        try:
            return moment.astimezone(self.tz)
        except OverflowError:
            raise InvalidDuration(f"{moment.isoformat()} is out of range") from None

    def local_date(self, moment: datetime) -> date:
        """The calendar-local date of ``moment`` (the default ``as_of`` of a ticket)."""
        return self.local(moment).date()

    def clock_start(self, moment: datetime) -> datetime:
        """When a ticket submitted at ``moment`` starts its clock: ``moment`` itself in
        business time, else the next opening."""
        if self.is_business_time(moment):
            return self.local(moment)
        return self._guarded(lambda: self._instant(self._start_wall(self._wall(moment))))

    # -- arithmetic ------------------------------------------------------------------

    def add_business_time(self, start: datetime, amount: timedelta) -> datetime:
        """The instant at which ``amount`` of business time has run since ``start``.

        The clock starts at :meth:`clock_start`; a result exactly on a closing
        time stays there rather than moving to the next opening.
        """
        _check_amount(amount)
        return self._guarded(
            lambda: self._instant(self._add_wall(self._start_wall(self._wall(start)), amount))
        )

    def add_business_days(self, start: datetime, days: float) -> datetime:
        """``days`` business days of :attr:`day_length` each after ``start`` (on a
        day shorter or longer than that, a business day ends at another clock time).

        >>> cal = BusinessCalendar()
        >>> cal.add_business_days(datetime.fromisoformat("2026-07-02T09:00:00-07:00"), 1)
        datetime.datetime(2026, 7, 6, 9, 0, tzinfo=zoneinfo.ZoneInfo(key='America/Los_Angeles'))
        """
        if (
            isinstance(days, bool)
            or not isinstance(days, int | float)
            or not math.isfinite(days)
            or days < 0
        ):
            raise InvalidDuration(f"A number of business days must be 0 or more, not {days!r}")
        try:
            amount = self.day_length * days
        except OverflowError:
            raise InvalidDuration(f"{days!r} business days is too long") from None
        return self.add_business_time(start, amount)

    def add_elapsed(self, start: datetime, amount: timedelta) -> datetime:
        """``amount`` of real time after ``start`` (around-the-clock targets)."""
        _check_amount(amount)
        begin = self.local(start)
        return self._guarded(lambda: (begin.astimezone(UTC) + amount).astimezone(self.tz))

    def business_time_between(self, a: datetime, b: datetime) -> timedelta:
        """The business time in ``[a, b)``; negative when ``b`` is before ``a``."""
        wall_a, wall_b = self._wall(a), self._wall(b)
        if wall_b < wall_a:
            return -self._between_walls(wall_b, wall_a)
        return self._between_walls(wall_a, wall_b)

    # -- the wall clock underneath -------------------------------------------------
    # Business time is arithmetic on naive local ("wall") datetimes; instants are
    # converted to wall time on the way in and back on the way out.

    def _wall(self, moment: datetime) -> datetime:
        local = self.local(moment)
        naive = local.replace(tzinfo=None, fold=0)
        first_pass = local.replace(fold=0)
        if local.fold and first_pass.utcoffset() != local.utcoffset():
            # The second pass through a repeated hour: that clock time was already
            # counted on the first pass, so the business clock waits at its end.
            changed = _first_instant_with_offset(
                self.tz, math.floor(first_pass.timestamp()), math.ceil(local.timestamp())
            )
            offset = first_pass.utcoffset()
            assert offset is not None
            return datetime.fromtimestamp(changed, UTC).replace(tzinfo=None) + offset
        return naive

    def _instant(self, wall: datetime) -> datetime:
        tz = self.tz
        first = wall.replace(tzinfo=tz, fold=0)
        if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall:
            return first
        # A clock time the spring change skips: business time reaches it at the jump.
        before = wall.replace(tzinfo=tz, fold=1)
        jump = _first_instant_with_offset(
            tz, math.floor(before.timestamp()), math.ceil(first.timestamp())
        )
        return datetime.fromtimestamp(jump, tz)

    def _next_business_day(self, day: date) -> date:
        for _ in range(_SEARCH_DAYS):
            day += timedelta(days=1)
            if self.is_business_day(day):
                return day
        raise InvalidCalendar(f"No business day in the {_SEARCH_DAYS} days after {day}")

    def _hours_of(self, day: date) -> tuple[time, time]:
        """The hours of ``day``, known to be a business day."""
        hours = self._week[day.weekday()]
        assert hours is not None
        return hours

    def _start_wall(self, wall: datetime) -> datetime:
        day = wall.date()
        hours = self.opening_hours(day)
        if hours is not None:
            opens, closes = hours
            if wall.time() < opens:
                return _on(day, opens)
            if wall.time() < closes:
                return wall
        day = self._next_business_day(day)
        return _on(day, self._hours_of(day)[0])

    def _add_wall(self, wall: datetime, amount: timedelta) -> datetime:
        # ``wall`` is business time or an opening (from _start_wall): its day is open.
        day = wall.date()
        left_today = _on(day, self._hours_of(day)[1]) - wall
        if amount <= left_today:
            return wall + amount
        amount -= left_today
        # Whole business days are skipped a day at a time, never a minute at a time; a
        # result exactly on a closing time stays there (``<=``, not ``<``).
        lengths = self._lengths
        day = self._next_business_day(day)
        while amount > lengths[day.weekday()]:
            amount -= lengths[day.weekday()]
            day = self._next_business_day(day)
        return _on(day, self._hours_of(day)[0]) + amount

    def _between_walls(self, low: datetime, high: datetime) -> timedelta:
        total = timedelta(0)
        first = low.date()
        for offset in range((high.date() - first).days + 1):
            day = first + timedelta(days=offset)
            hours = self.opening_hours(day)
            if hours is not None:
                begin = max(low, _on(day, hours[0]))
                end = min(high, _on(day, hours[1]))
                if end > begin:
                    total += end - begin
        return total

    @staticmethod
    def _guarded(compute: Callable[[], datetime]) -> datetime:
        try:
            return compute()
        except OverflowError:
            raise InvalidDuration("The result is beyond the range of dates") from None


def _on(day: date, at: time) -> datetime:
    return datetime.combine(day, at)


def _length(opens: time, closes: time) -> timedelta:
    """The wall-clock time from ``opens`` to ``closes`` on one day."""
    return _on(date.min, closes) - _on(date.min, opens)


def _first_instant_with_offset(tz: ZoneInfo, low: int, high: int) -> int:
    """The first second in ``(low, high]`` whose UTC offset is that of ``high``,
    given that ``low`` has another one: the instant of a DST change."""
    target = datetime.fromtimestamp(high, tz).utcoffset()
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, tz).utcoffset() == target:
            high = middle
        else:
            low = middle
    return high


def _check_amount(amount: timedelta) -> None:
    if not isinstance(amount, timedelta):
        raise InvalidDuration(f"An amount of time must be a timedelta, not {amount!r}")
    if amount < timedelta(0) or amount > MAX_AMOUNT:
        raise InvalidDuration(f"An amount of time must be from 0 to {MAX_AMOUNT.days} days")


def _parse_time(name: str, value: object) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return time.fromisoformat(text)
        except ValueError:
            if text in {"24:00", "24:00:00", "2400"}:
                raise InvalidCalendar(
                    f"{name} must be a time of day such as '09:00', not {value!r}: opening "
                    f"hours end on the day they begin, so the latest closing time is '23:59'"
                ) from None
    raise InvalidCalendar(f"{name} must be a time of day such as '09:00', not {value!r}")


def _format_time(value: time) -> str:
    return value.strftime("%H:%M") if not (value.second or value.microsecond) else value.isoformat()


def _weekday_number(name: str) -> int:
    key = name.strip().casefold()
    for names in (_WEEKDAY_NAMES, _FULL_WEEKDAY_NAMES):
        if key in names:
            return names.index(key)
    raise InvalidCalendar(f"Unknown weekday {name.strip()!r} (use mon, tue, ... sun)")


def _parse_weekdays(value: object) -> frozenset[int]:
    if isinstance(value, frozenset | set) and all(isinstance(d, int) for d in value):
        return frozenset(value)
    if isinstance(value, str):
        parts: list[object] = [p for p in value.split(",") if p.strip()]
    elif isinstance(value, list | tuple):
        parts = list(value)
    else:
        raise InvalidCalendar(f"weekdays must be a list of day names, not {value!r}")
    days: set[int] = set()
    for part in parts:
        if not isinstance(part, str):
            raise InvalidCalendar(f"weekdays must be day names such as 'mon', not {part!r}")
        if "-" in part:
            first, _, last = part.partition("-")
            low, high = _weekday_number(first), _weekday_number(last)
            # A range may wrap round the weekend: "sun-thu" is a working week in places.
            days.update((low + i) % 7 for i in range((high - low) % 7 + 1))
        else:
            days.add(_weekday_number(part))
    if not days:
        raise InvalidCalendar("weekdays must name at least one day")
    return frozenset(days)


def _parse_hours(value: object) -> dict[int, tuple[time, time]] | None:
    """``{"fri": ["05:00", "14:00"], "mon-wed": [...]}`` as weekday numbers and times."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InvalidCalendar(
            f"hours must map day names to [opens, closes], such as "
            f'{{"fri": ["05:00", "14:00"]}}, not {value!r}'
        )
    hours: dict[int, tuple[time, time]] = {}
    for key, pair in value.items():
        if not isinstance(key, str) or not key.strip():
            raise InvalidCalendar(f"hours must be keyed by day names such as 'fri', not {key!r}")
        try:
            days = _parse_weekdays(key)
        except InvalidCalendar as error:
            raise InvalidCalendar(f"hours: {error}") from None
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise InvalidCalendar(
                f"hours of {key.strip()} must be [opens, closes], such as "
                f'["05:00", "14:00"], not {pair!r}'
            )
        opens = _parse_time(f"hours of {key.strip()}: opens", pair[0])
        closes = _parse_time(f"hours of {key.strip()}: closes", pair[1])
        for day in days:
            if day in hours:
                raise InvalidCalendar(
                    f"hours of {_FULL_WEEKDAY_NAMES[day]} are given twice (in {key.strip()!r})"
                )
            hours[day] = (opens, closes)
    return hours
