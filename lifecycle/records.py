"""A vendor's decisions for one release cycle (SPEC 14), and the cycle names records use.

Each date field of a record is a :class:`~datetime.date` (the first day of the new phase),
``True`` (the phase has begun, its date unknown), ``False`` (decided: no date known, so the
phase has not begun whatever the policy says) or ``None`` (no decision: the policy decides).

>>> from datetime import date
>>> record = CycleRecord("3.12", security_only_from=True, eol_on=date(2028, 11, 1))
>>> record.decisions()
{'security_only_from': True, 'eol_on': datetime.date(2028, 11, 1)}
>>> record.numbers
(3, 12)
>>> CycleRecord("3.12", security_only_from=date(2029, 1, 1), eol_on=date(2028, 11, 1))
Traceback (most recent call last):
...
lifecycle.errors.InvalidCycleRecord: eol_on (2028-11-01) is before security_only_from (2029-01-01)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeAlias
from urllib.parse import urlsplit

from lifecycle.errors import InvalidCycleKey, InvalidCycleRecord

__all__ = [
    "DECISION_FIELDS",
    "EARLIEST_DATE",
    "LATEST_DATE",
    "CycleRecord",
    "Decision",
    "cycle_name_numbers",
    "is_http_url",
    "leading_name",
]

Decision: TypeAlias = date | bool | None

# The date fields a record may decide, in the order their phases begin.
DECISION_FIELDS = ("security_only_from", "eol_on", "eosl_on", "extended_end_on")
# Pairs (earlier, later) whose decided dates must keep that order: the chain
# released_on <= security_only_from <= eol_on <= eosl_on, and extended_end_on not before
# eol_on (so not before what precedes it either).
_CHAIN = ("released_on", "security_only_from", "eol_on", "eosl_on")
ORDERED_PAIRS = tuple(
    [(a, b) for i, a in enumerate(_CHAIN) for b in _CHAIN[i + 1 :]]
    + [(a, "extended_end_on") for a in _CHAIN[:3]]
)

# What the service can hold and answer with (its API takes dates in this range).
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)
MAX_NAME_LENGTH = 64
MAX_TEXT_LENGTH = 200
MAX_LINK_LENGTH = 2000

_DOTTED = re.compile(r"[0-9]+(?:\.[0-9]+)*")
# ASCII characters RFC 3986 never allows in a URL (beyond controls and space).
_NOT_IN_URLS = frozenset('"<>\\^`{|}')


def cycle_name_numbers(text: str) -> tuple[int, ...]:
    """The numbers of a cycle name that is a dotted number (``"22.04"`` is ``(22, 4)``).

    Names are kept as written; only their numbers are compared. Anything else (device or
    edition cycles such as ``"galaxy-s24"`` or ``"11-ltsc"``) is refused with the reason.

    >>> cycle_name_numbers("2024.1"), cycle_name_numbers("1.4.8.0")
    ((2024, 1), (1, 4, 8, 0))
    >>> cycle_name_numbers("11-ltsc")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lifecycle.errors.InvalidCycleKey: Invalid cycle '11-ltsc': not a dotted number ...
    """
    if not isinstance(text, str):
        raise InvalidCycleKey(str(text), "a cycle name must be text")
    if not text:
        raise InvalidCycleKey(text, "a cycle name cannot be empty")
    if len(text) > MAX_NAME_LENGTH:
        raise InvalidCycleKey(text[:MAX_NAME_LENGTH], f"longer than {MAX_NAME_LENGTH} characters")
    if not _DOTTED.fullmatch(text):
        raise InvalidCycleKey(
            text,
            "not a dotted number such as 22, 3.12 or 2024.1 "
            "(device and edition names cannot be matched to versions)",
        )
    return tuple(int(part) for part in text.split("."))


def leading_name(
    names: dict[tuple[int, ...], str], width: int, numbers: tuple[int, ...]
) -> str | None:
    """The name whose numbers lead ``numbers`` the longest way, or None; ``width`` is the
    most numbers a name has. Missing numbers are zeros, as ``3`` is ``3.0.0``.

    >>> names = {(8,): "8", (8, 1): "8.1", (22,): "22"}
    >>> [leading_name(names, 2, n) for n in ((8, 1, 3), (8, 10), (8,), (22, 11, 0), (9,))]
    ['8.1', '8', '8', '22', None]
    """
    if len(numbers) < width:
        numbers = numbers + (0,) * (width - len(numbers))
    for size in range(width, 0, -1):
        key = names.get(numbers[:size])
        if key is not None:
            return key
    return None


def is_http_url(text: str) -> bool:
    """True for an absolute http or https URL with a host, without spaces or markup.

    >>> is_http_url("https://nodejs.org/en/blog/release/v22.0.0")
    True
    >>> is_http_url("ftp://example.com/"), is_http_url("https://x.org/{{ latest }}")
    (False, False)
    """
    if not isinstance(text, str) or not text or len(text) > MAX_LINK_LENGTH:
        return False
    if any(c.isspace() or not c.isprintable() or c in _NOT_IN_URLS for c in text):
        return False
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:  # a malformed IPv6 host or port
        return False
    return parts.scheme in ("http", "https") and bool(host)


@dataclass(frozen=True, slots=True)
class CycleRecord:
    """What a vendor decided for one cycle; the policy derives whatever is left undecided.

    ``key`` is the cycle's name as the vendor writes it, a dotted number (``"22"``,
    ``"3.12"``, ``"22.04"``); a record may name a cycle no release has yet.

    ``lts`` is ``True``, ``False`` or the date the cycle becomes LTS. A cycle whose ``lts``
    is true or any date, past or future, is *marked* LTS: its dates follow the policy's LTS
    rules from the start, since the vendor has announced its schedule; :meth:`is_lts` says
    whether the LTS phase has begun on a given day (from that date on).

    ``released_on`` decides the cycle's release date (an endoflife.date ``releaseDate``);
    None takes the earliest GA release. ``no_security_phase`` decides that the cycle has no
    security-only phase: ``security_only_from`` is its ``eol_on``, whatever that is.
    ``display_latest`` (and ``display_latest_on``) is a latest release shown as written where
    it is not a version of the cycle (``"8u501"``); it is never judged. ``label`` is how the
    vendor names the cycle in prose (``"22 (Jod)"``); ``link`` must be an http(s) URL.
    """

    key: str
    lts: bool | date = False
    codename: str | None = None
    link: str | None = None
    security_only_from: Decision = None
    eol_on: Decision = None
    eosl_on: Decision = None
    extended_end_on: Decision = None
    released_on: date | None = None
    no_security_phase: bool = False
    label: str | None = None
    display_latest: str | None = None
    display_latest_on: date | None = None
    _numbers: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            numbers = cycle_name_numbers(self.key)
        except InvalidCycleKey as error:
            raise InvalidCycleRecord("key", str(error)) from None
        object.__setattr__(self, "_numbers", numbers)
        if not (isinstance(self.lts, bool) or _is_date(self.lts)):
            raise InvalidCycleRecord("lts", f"lts must be true, false or a date, not {self.lts!r}")
        if _is_date(self.lts):
            _check_range("lts", self.lts)  # type: ignore[arg-type]
        for name in ("codename", "label"):
            _check_text(name, getattr(self, name))
        # Shown as the vendor wrote it, even empty (endoflife.date has ``latest: ""``).
        _check_text("display_latest", self.display_latest, empty=True)
        if self.link is not None and not is_http_url(self.link):
            raise InvalidCycleRecord(
                "link", f"link must be an http or https URL, not {self.link!r}"
            )
        for name in DECISION_FIELDS:
            value = getattr(self, name)
            if value is None or isinstance(value, bool):
                continue
            if not _is_date(value):
                raise InvalidCycleRecord(
                    name, f"{name} must be a date, true, false or null, not {value!r}"
                )
            _check_range(name, value)
        for name in ("released_on", "display_latest_on"):
            value = getattr(self, name)
            if value is not None:
                if not _is_date(value):
                    raise InvalidCycleRecord(name, f"{name} must be a date or null, not {value!r}")
                _check_range(name, value)
        if not isinstance(self.no_security_phase, bool):
            raise InvalidCycleRecord("no_security_phase", "no_security_phase must be true or false")
        if self.no_security_phase and self.security_only_from is not None:
            raise InvalidCycleRecord(
                "security_only_from",
                "security_only_from cannot be decided for a cycle with no security-only phase "
                "(it is the cycle's eol_on)",
                "no_security_phase",
            )
        if self.display_latest_on is not None and self.display_latest is None:
            raise InvalidCycleRecord(
                "display_latest_on", "display_latest_on needs display_latest, the release it dates"
            )
        self._check_order()

    @property
    def numbers(self) -> tuple[int, ...]:
        """The numbers of the name, by which versions are matched to the cycle."""
        return self._numbers

    @property
    def marked_lts(self) -> bool:
        """True when the cycle is (or is announced to become) an LTS cycle."""
        return self.lts is True or _is_date(self.lts)

    @property
    def lts_from(self) -> date | None:
        """The date the LTS phase begins, when one is given."""
        return self.lts if _is_date(self.lts) else None  # type: ignore[return-value]

    def is_lts(self, as_of: date) -> bool:
        """Whether the cycle is in its LTS phase on ``as_of`` (from ``lts_from`` on)."""
        lts_from = self.lts_from
        return self.lts is True or (lts_from is not None and lts_from <= as_of)

    def decision(self, name: str) -> Decision:
        """The decision on one date field (``released_on`` included); None when undecided."""
        if name == "security_only_from" and self.no_security_phase:
            return self.eol_on
        value: Decision = getattr(self, name)
        return value

    def decisions(self) -> dict[str, Decision]:
        """The decided date fields and their values, ``released_on`` first.

        With ``no_security_phase``, ``security_only_from`` is decided when ``eol_on`` is
        (it is that decision); otherwise it follows the derived ``eol_on``.
        """
        found: dict[str, Decision] = {}
        for name in ("released_on", *DECISION_FIELDS):
            value = self.decision(name)
            if value is not None:
                found[name] = value
        return found

    def to_dict(self) -> dict[str, object]:
        """The record as JSON values (dates as ``YYYY-MM-DD``); :meth:`from_dict` reads it back."""
        return {
            "key": self.key,
            "lts": _json(self.lts),
            "codename": self.codename,
            "link": self.link,
            "released_on": _json(self.released_on),
            **{name: _json(getattr(self, name)) for name in DECISION_FIELDS},
            "no_security_phase": self.no_security_phase,
            "label": self.label,
            "display_latest": self.display_latest,
            "display_latest_on": _json(self.display_latest_on),
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> CycleRecord:
        """A record from :meth:`to_dict`'s shape; absent fields take their defaults.

        >>> CycleRecord.from_dict({"key": "22", "eol_on": "2027-05-01", "lts": True}).eol_on
        datetime.date(2027, 5, 1)
        """
        known = set(_FIELD_NAMES)
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidCycleRecord(unknown[0], f"unknown field {unknown[0]!r}")
        if "key" not in data:
            raise InvalidCycleRecord("key", "key is required")
        values: dict[str, object] = {}
        for name, value in data.items():
            if name in _DATE_VALUED and isinstance(value, str):
                try:
                    value = date.fromisoformat(value)
                except ValueError:
                    raise InvalidCycleRecord(
                        name, f"{name} must be a date (YYYY-MM-DD), not {value!r}"
                    ) from None
            values[name] = value
        return cls(**values)  # type: ignore[arg-type]

    def _check_order(self) -> None:
        for earlier, later in ORDERED_PAIRS:
            if self.no_security_phase and "security_only_from" in (earlier, later):
                continue  # it is eol_on, whose own pairs name the field actually decided
            a, b = self.decision(earlier), self.decision(later)
            if a is None or b is None:
                continue
            if _is_date(a) and _is_date(b) and b < a:  # type: ignore[operator]
                raise InvalidCycleRecord(
                    later, f"{later} ({b}) is before {earlier} ({a})", other_field=earlier
                )
            if a is False and b is True:
                raise InvalidCycleRecord(
                    later,
                    f"{later} is true (begun) while {earlier}, which comes first, is false "
                    "(not begun)",
                    other_field=earlier,
                )


_FIELD_NAMES = (
    "key",
    "lts",
    "codename",
    "link",
    *DECISION_FIELDS,
    "released_on",
    "no_security_phase",
    "label",
    "display_latest",
    "display_latest_on",
)
_DATE_VALUED = frozenset({"lts", *DECISION_FIELDS, "released_on", "display_latest_on"})


def _is_date(value: object) -> bool:
    # A datetime is a date too, but comparing it with dates raises TypeError.
    return isinstance(value, date) and not isinstance(value, datetime)


def _check_range(name: str, value: date) -> None:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise InvalidCycleRecord(
            name, f"{name} must be from {EARLIEST_DATE} to {LATEST_DATE}, not {value}"
        )


def _check_text(name: str, value: object, empty: bool = False) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not (empty or value.strip()):
        raise InvalidCycleRecord(name, f"{name} must be non-empty text")
    if len(value) > MAX_TEXT_LENGTH:
        raise InvalidCycleRecord(name, f"{name} is longer than {MAX_TEXT_LENGTH} characters")
    if not value.isprintable():
        raise InvalidCycleRecord(name, f"{name} cannot hold control characters")


def _json(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value
