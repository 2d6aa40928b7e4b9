"""A product's support policy (SPEC 3) and the cycle key it gives a version.

>>> Policy().cycle_key(parse_version("2.5.1"))
'2'
>>> Policy(cycle="minor").cycle_key(parse_version("1.27.3"))
'1.27'
>>> Policy(cycle="minor").normalize_cycle_key("1.027")
'1.27'
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


@dataclass(frozen=True, slots=True)
class Policy:
    """How releases group into cycles and how many cycles are supported."""

    cycle: CycleKind = "major"
    full_support_cycles: int = 1
    security_cycles: int = 1
    eosl_months: int = 6

    def __post_init__(self) -> None:
        if self.cycle not in ("major", "minor"):
            raise InvalidPolicy(f"cycle must be 'major' or 'minor', not {self.cycle!r}")
        _check_range("full_support_cycles", self.full_support_cycles, 1, MAX_CYCLES)
        _check_range("security_cycles", self.security_cycles, 0, MAX_CYCLES)
        _check_range("eosl_months", self.eosl_months, 0, MAX_EOSL_MONTHS)

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
        return {
            "cycle": self.cycle,
            "full_support_cycles": self.full_support_cycles,
            "security_cycles": self.security_cycles,
            "eosl_months": self.eosl_months,
        }


def cycle_sort_key(key: str) -> Version:
    """Cycles order by their key read as a version."""
    try:
        return Version(key)
    except _PackagingInvalid:  # pragma: no cover - keys are made by Policy.cycle_key
        raise InvalidCycleKey(key, "not a version number") from None


def _check_range(name: str, value: int, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidPolicy(f"{name} must be a whole number from {low} to {high}, not {value!r}")
