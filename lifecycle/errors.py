"""The one error hierarchy of the core; the web layer maps it to HTTP codes."""

from __future__ import annotations


class LifecycleError(Exception):
    """Base of every error the core raises on bad input."""

    code = "invalid_input"


class InvalidVersion(LifecycleError, ValueError):
    """A version string that does not parse (SPEC 2)."""

    code = "invalid_version"

    def __init__(self, text: str) -> None:
        super().__init__(f"Invalid version: {text!r}")
        self.text = text


class InvalidPolicy(LifecycleError, ValueError):
    """A support policy whose fields are out of range."""

    code = "invalid_policy"


class InvalidCycleKey(LifecycleError, ValueError):
    """A cycle key that does not fit the product's policy."""

    code = "invalid_cycle"

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"Invalid cycle {text!r}: {reason}")
        self.text = text


class InvalidSeverity(LifecycleError, ValueError):
    """A severity that is none of the known names or aliases."""

    code = "invalid_severity"

    def __init__(self, text: str) -> None:
        super().__init__(
            f"Invalid severity: {text!r} (use urgent, high, normal, low, S1..S4, P1..P4, "
            "Sev1..Sev4, SEV-1..SEV-4, 1..4, emergency or critical)"
        )
        self.text = text


class InvalidCycleRecord(LifecycleError, ValueError):
    """A vendor's cycle record whose fields are wrong or contradict each other.

    ``field`` names the field to correct; for dates out of order, ``other_field`` names the
    decided field it contradicts (both are in the message).
    """

    code = "invalid_cycle_record"

    def __init__(self, field: str, message: str, other_field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.other_field = other_field
        self.message = message


class InvalidDefinition(LifecycleError, ValueError):
    """A product definition (endoflife.date format) that cannot be read at all."""

    code = "invalid_definition"
