"""Reading ``?as_of=`` the same way on every page and feed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from app import clock
from app.inputs import ISO_DAY, MAX_DATE, MIN_DATE


class BadAsOf(ValueError):
    """An ``as_of`` that is not a date written YYYY-MM-DD from 1900 to 2999."""


def parse_as_of(args: Mapping[str, str]) -> tuple[date, bool]:
    """The as-of date of a request and whether it was given; empty means today."""
    text = (args.get("as_of") or "").strip()
    if not text:
        return clock.today(), False
    if not ISO_DAY.fullmatch(text):
        raise BadAsOf(f"The as-of date {text!r} is not a date written YYYY-MM-DD.")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BadAsOf(f"The as-of date {text!r} is not a date of the calendar.") from None
    if not MIN_DATE <= day <= MAX_DATE:
        raise BadAsOf(f"The as-of date {text} is outside {MIN_DATE} to {MAX_DATE}.")
    return day, True
