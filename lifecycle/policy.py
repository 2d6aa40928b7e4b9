"""A product's support policy (SPEC 3) and the cycle key it gives a version.

>>> Policy().cycle_key(parse_version("2.5.1"))
'2'
>>> Policy(cycle="minor").cycle_key(parse_version("1.27.3"))
'1.27'
>>> Policy(cycle="minor").normalize_cycle_key("1.027")
'1.27'
>>> Policy(full_support_months=18).to_dict()["full_support_months"]
18
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from packaging.version import InvalidVersion as _PackagingInvalid
from packaging.version import Version

from lifecycle.errors import InvalidCycleKey, InvalidPolicy
from lifecycle.versions import parse_version

__all__ = ["CycleKind", "Policy"]

CycleKind = Literal["major", "minor"]

MAX_CYCLES = 100
MAX_EOSL_MONTHS = 1200
MAX_MONTHS = 1200

# The time-based fields (SPEC 14) and their lowest values: full support lasts at least a
# month, as it lasts at least one cycle; a security-only phase may last none.
TIME_FIELDS = (
    ("full_support_months", 1),
    ("security_months", 0),
    ("lts_full_support_months", 1),
    ("lts_security_months", 0),
)


@dataclass(frozen=True, slots=True)
class Policy:
    """How releases group into cycles and how long each cycle is supported.

    The count rule (SPEC 3.1) dates a cycle's phases by the releases of the cycles after it.
    The time-based fields (SPEC 14), each None for the count rule, date them from the cycle's
    own dates instead: ``security_only_from`` is ``released_on`` plus
    ``full_support_months``, ``eol_on`` is ``security_only_from`` plus ``security_months``.
    For cycles marked LTS, ``lts_full_support_months`` and ``lts_security_months`` take
    their place where set (where not, an LTS cycle follows the rule of the others).
    """

    cycle: CycleKind = "major"
    full_support_cycles: int = 1
    security_cycles: int = 1
    eosl_months: int = 6
    full_support_months: int | None = None
    security_months: int | None = None
    lts_full_support_months: int | None = None
    lts_security_months: int | None = None

    def __post_init__(self) -> None:
        if self.cycle not in ("major", "minor"):
            raise InvalidPolicy(f"cycle must be 'major' or 'minor', not {self.cycle!r}")
        _check_range("full_support_cycles", self.full_support_cycles, 1, MAX_CYCLES)
        _check_range("security_cycles", self.security_cycles, 0, MAX_CYCLES)
        _check_range("eosl_months", self.eosl_months, 0, MAX_EOSL_MONTHS)
        for name, low in TIME_FIELDS:
            value = getattr(self, name)
            if value is not None:
                _check_range(name, value, low, MAX_MONTHS)

    def full_months(self, lts: bool) -> int | None:
        """The months of full support of a cycle (LTS or not); None for the count rule."""
        if lts and self.lts_full_support_months is not None:
            return self.lts_full_support_months
        return self.full_support_months

    def security_only_months(self, lts: bool) -> int | None:
        """The months of security fixes only of a cycle (LTS or not); None for the count rule."""
        if lts and self.lts_security_months is not None:
            return self.lts_security_months
        return self.security_months

    def cycle_key(self, version: Version) -> str:
        """The key of the cycle ``version`` belongs to."""
        release = version.release
        prefix = f"{version.epoch}!" if version.epoch else ""
        if self.cycle == "major":
            return f"{prefix}{release[0]}"
        minor = release[1] if len(release) > 1 else 0
        return f"{prefix}{release[0]}.{minor}"

    def normalize_cycle_key(self, text: str) -> str:
        """Turn a cycle key as a user wrote it into this policy's form, or refuse it."""
        try:
            version = parse_version(text)
        except ValueError:
            raise InvalidCycleKey(text, "not a version number") from None
        if version.pre or version.post is not None or version.dev is not None:
            raise InvalidCycleKey(text, "a cycle key has numbers only")
        width = 1 if self.cycle == "major" else 2
        if any(version.release[width:]):
            kind = "a major number" if width == 1 else "major.minor"
            raise InvalidCycleKey(text, f"this product's cycles are named by {kind}")
        return self.cycle_key(version)

    def to_dict(self) -> dict[str, object]:
        """The policy as JSON; a time-based field appears only when it is set, so that a
        policy without one answers exactly as before they existed."""
        found: dict[str, object] = {
            "cycle": self.cycle,
            "full_support_cycles": self.full_support_cycles,
            "security_cycles": self.security_cycles,
            "eosl_months": self.eosl_months,
        }
        for name, _ in TIME_FIELDS:
            value = getattr(self, name)
            if value is not None:
                found[name] = value
        return found


def cycle_sort_key(key: str) -> Version:
    """Cycles order by their key read as a version."""
    try:
        return Version(key)
    except _PackagingInvalid:  # pragma: no cover - keys are made by Policy.cycle_key
        raise InvalidCycleKey(key, "not a version number") from None


def _check_range(name: str, value: int, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidPolicy(f"{name} must be a whole number from {low} to {high}, not {value!r}")
