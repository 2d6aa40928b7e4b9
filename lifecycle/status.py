"""Statuses of a cycle or release (SPEC 3.2) and the support each gives (SPEC 3.3)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Status", "SupportLevel", "is_covered", "support_level"]


class Status(StrEnum):
    PRERELEASE = "prerelease"
    PLANNED = "planned"
    CURRENT = "current"
    SECURITY_ONLY = "security_only"
    EOL = "eol"
    EOSL = "eosl"
    UNKNOWN = "unknown"

    @property
    def words(self) -> str:
        """The status as a person reads it."""
        return _WORDS[self]


class SupportLevel(StrEnum):
    FULL = "full"
    SECURITY_FIXES_ONLY = "security_fixes_only"
    DEFECT_EVALUATION_ONLY = "defect_evaluation_only"
    NONE = "none"
    #: A customer's extended support past end of life (SPEC 12); never a status's own level.
    EXTENDED = "extended"


_WORDS = {
    Status.PRERELEASE: "pre-release",
    Status.PLANNED: "planned",
    Status.CURRENT: "current (full support)",
    Status.SECURITY_ONLY: "security fixes only",
    Status.EOL: "end of life",
    Status.EOSL: "end of service life",
    Status.UNKNOWN: "unknown",
}

_LEVELS = {
    Status.CURRENT: SupportLevel.FULL,
    Status.SECURITY_ONLY: SupportLevel.SECURITY_FIXES_ONLY,
    Status.EOL: SupportLevel.DEFECT_EVALUATION_ONLY,
}


def support_level(status: Status) -> SupportLevel:
    """SPEC 3.3: the support a status gives."""
    return _LEVELS.get(status, SupportLevel.NONE)


def is_covered(status: Status) -> bool:
    """SPEC 3.3: only current and security-only releases are covered."""
    return status in (Status.CURRENT, Status.SECURITY_ONLY)
