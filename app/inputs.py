"""The rules every input is held to, in one place: slugs, dates, control characters and
the widths of the columns that store them. The marshmallow schemas and the hand-written
parsers of the hot paths (eligibility, batches) both use these.

>>> is_slug("aperturedb"), is_slug("ApertureDB"), is_slug("aperturedb\\n")
(True, False, False)
>>> parse_day("2026-11-22"), parse_day("20261122")
(datetime.date(2026, 11, 22), None)
"""

from __future__ import annotations

import re
from datetime import date

# --- widths of stored text (the models' column lengths) ---------------------------------

SLUG_WIDTH = 64
NAME_WIDTH = 200
LONG_TEXT_WIDTH = 10_000
VERSION_WIDTH = 200  # a release's version as recorded, and its key
CYCLE_KEY_WIDTH = 64
PLATFORM_VERSION_WIDTH = 100
# Case folding can lengthen text ("ß" is "ss"), so a platform version's key is wider.
PLATFORM_VERSION_KEY_WIDTH = 120
# Any other text field of a query (platform, severity, ...).
QUERY_TEXT_WIDTH = 200

# --- slugs (SPEC 6) ---------------------------------------------------------------------

# The OpenAPI pattern. In Python "$" matches before a final newline, so checks use SLUG.
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
SLUG_RULE = "A slug is 1-64 of a-z, 0-9 and -, starting with a letter or digit."


def is_slug(text: str) -> bool:
    """True when ``text`` is a slug; what is not one names nothing and is never sent to the
    database (PostgreSQL refuses a NUL in a query)."""
    return SLUG.fullmatch(text) is not None


# --- control characters -----------------------------------------------------------------

# Unicode's Cc: C0, DEL and C1 (U+0080..U+009F).
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Multi-line texts (descriptions, notes, ticket bodies) may hold tab, line feed and CR.
CONTROL_IN_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


# --- dates (SPEC 6) ---------------------------------------------------------------------

# Dates outside this range are typos, and month arithmetic near year 9999 overflows.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2999, 12, 31)
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(text: str) -> date | None:
    """The date written ``YYYY-MM-DD`` (not the other forms ``date.fromisoformat`` takes,
    such as ``20261122``), or None; :func:`in_range` says whether it is allowed."""
    if not ISO_DAY.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def in_range(day: date) -> bool:
    return MIN_DATE <= day <= MAX_DATE


# --- tickets (SPEC 17) ------------------------------------------------------------------

# An opaque reference to a ticket of the desk's own tool, echoed and kept with triage.
TICKET_WIDTH = 200


def ticket_problem(value: object) -> str | None:
    """What is wrong with ``value`` as a ticket reference, or None when it is one."""
    if not isinstance(value, str):
        return "Not a valid string."
    if not value.strip():
        return "Must not be blank."
    if len(value) > TICKET_WIDTH:
        return f"Longer than {TICKET_WIDTH} characters."
    if CONTROL.search(value):
        return "Control characters are not allowed."
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no database could keep it
        return "Not valid text (it holds a lone surrogate)."
    return None
