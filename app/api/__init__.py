"""The JSON API under /api: one blueprint per area."""

from __future__ import annotations

from datetime import UTC, date, datetime


def today() -> date:
    """Today in UTC: the default as-of date (SPEC 3.2). The only clock read of the API."""
    return datetime.now(UTC).date()
