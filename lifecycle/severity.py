"""Ticket severities and their aliases (SPEC 5 and 17): what ticketing tools write.

>>> parse_severity("S1"), parse_severity("emergency"), parse_severity(" 3 ")
(<Severity.URGENT: 'urgent'>, <Severity.URGENT: 'urgent'>, <Severity.NORMAL: 'normal'>)
>>> [parse_severity(s).value for s in ("P2", "Sev3", "SEV-1", "Critical")]
['high', 'normal', 'urgent', 'urgent']
"""

from __future__ import annotations

from enum import StrEnum

from lifecycle.errors import InvalidSeverity

__all__ = ["SEVERITY_WORDS", "Severity", "parse_severity"]


class Severity(StrEnum):
    """Ticket priority, most urgent first."""

    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"

    @property
    def rank(self) -> int:
        """0 for urgent, 3 for low: smaller is more urgent."""
        return _ORDER.index(self)


_ORDER = (Severity.URGENT, Severity.HIGH, Severity.NORMAL, Severity.LOW)

_ALIASES: dict[str, Severity] = {s.value: s for s in _ORDER}
_ALIASES.update({f"s{i + 1}": s for i, s in enumerate(_ORDER)})
_ALIASES.update({f"{i + 1}": s for i, s in enumerate(_ORDER)})
# SPEC 17: P1..P4, Sev1..Sev4 and SEV-1..SEV-4, as ticketing tools name them.
for _prefix in ("p", "sev", "sev-"):
    _ALIASES.update({f"{_prefix}{i + 1}": s for i, s in enumerate(_ORDER)})
_ALIASES["emergency"] = Severity.URGENT
_ALIASES["critical"] = Severity.URGENT

# What the aliases are, in words, for help texts and error messages.
SEVERITY_WORDS = (
    "urgent, high, normal or low (also S1..S4, P1..P4, Sev1..Sev4, SEV-1..SEV-4, 1..4, "
    "emergency and critical)"
)

ALL_SEVERITIES: tuple[Severity, ...] = _ORDER


def parse_severity(text: str) -> Severity:
    """A severity from its name or alias, case-insensitively."""
    found = _ALIASES.get(text.strip().casefold()) if isinstance(text, str) else None
    if found is None:
        raise InvalidSeverity(str(text))
    return found
