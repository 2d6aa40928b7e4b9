"""The public web: lifecycle pages (``pages``) and the calendar and Atom feeds (``feeds``).

What both share lives here: reading ``?as_of=`` and the security headers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from app import api as _api
from app.schemas import MAX_DATE, MIN_DATE

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

# No script at all, styles only from our own stylesheet (no inline style), and never framed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


class BadAsOf(ValueError):
    """An ``as_of`` that is not a date written YYYY-MM-DD from 1900 to 2999."""


def today() -> date:
    """Today (UTC), through the API's single clock read so that tests can move it."""
    return _api.today()


def parse_as_of(args: Mapping[str, str]) -> tuple[date, bool]:
    """The as-of date of a request and whether it was given; empty means today."""
    text = (args.get("as_of") or "").strip()
    if not text:
        return today(), False
    if not _ISO_DAY.fullmatch(text):
        raise BadAsOf(f"The as-of date {text!r} is not a date written YYYY-MM-DD.")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BadAsOf(f"The as-of date {text!r} is not a date of the calendar.") from None
    if not MIN_DATE <= day <= MAX_DATE:
        raise BadAsOf(f"The as-of date {text} is outside {MIN_DATE} to {MAX_DATE}.")
    return day, True
