"""The service's one clock, injected through the app: tests and tools give an app a clock
of their own (``app.extensions["clock"]``) instead of patching modules.

Only the shell reads it; the core is always handed the date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol

from flask import Flask, current_app

EXTENSION = "clock"


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, with its UTC offset."""
        ...


class SystemClock:
    """The machine's clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class FixedClock:
    """A clock that always reads ``at`` (tests, and replays of a past day)."""

    at: datetime

    @classmethod
    def on(cls, day: date) -> FixedClock:
        return cls(datetime(day.year, day.month, day.day, 12, tzinfo=UTC))

    def now(self) -> datetime:
        return self.at


def init_app(app: Flask, clock: Clock | None = None) -> None:
    app.extensions.setdefault(EXTENSION, clock or SystemClock())


def now() -> datetime:
    """The current app's clock."""
    clock: Clock = current_app.extensions[EXTENSION]
    return clock.now()


def today() -> date:
    """Today in UTC: the default as-of date (SPEC 3.2)."""
    return now().astimezone(UTC).date()
