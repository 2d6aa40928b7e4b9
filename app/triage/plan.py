"""The support plan and business calendar of SPEC 9, read once from a JSON file, and
what the triage of a ticket (:mod:`app.triage.service`) uses.

The file is ``SUPPORT_PLAN_FILE`` (default ``instance/support_plan.json``). When it
does not exist the SPEC defaults apply. Both parts, and every key in them, are
optional; a key left out keeps its default::

    {
      "plan": {
        "urgent": "1h",
        "high": "4bh",
        "normal": "1bd",
        "low": "2bd"
      },
      "calendar": {
        "zone": "America/Los_Angeles",
        "opens": "05:00",
        "closes": "18:00",
        "weekdays": "mon-fri",
        "hours": {},
        "holiday_country": "US",
        "holiday_subdiv": null
      }
    }

- ``plan``: a response target per severity (``urgent``, ``high``, ``normal``,
  ``low``, or the aliases ``S1``..``S4``): a number and a unit, ``h`` (elapsed hours,
  around the clock), ``bh`` (business hours) or ``bd`` (business days, each as long as
  the calendar's usual day, see ``hours``), such as ``"4bh"`` or ``"0.5h"``; or
  ``{"amount": 4, "unit": "business_hours"}`` (units ``elapsed_hours``,
  ``business_hours``, ``business_days``).
- ``calendar``: ``zone`` an IANA time zone; ``opens`` and ``closes`` local times
  ``"HH:MM"`` (business time is ``[opens, closes)``; a day closes by ``"23:59"``, not
  ``"24:00"``); ``weekdays`` the business days, a list of day names
  (``["mon", "tue"]``) or a string (``"mon-fri"``, ``"sun-thu"``, ``"mon,wed,fri"``);
  ``hours`` the business days whose hours differ from ``opens``/``closes``, each
  with ``["HH:MM", "HH:MM"]``, keyed by day names or ranges (``"friday"``, ``"sat"``,
  ``"mon-wed"``); ``holiday_country`` an ISO 3166 code the ``holidays`` package knows
  (``"US"``, ``"DE"``), or null for no public holidays; ``holiday_subdiv`` a
  subdivision of it (``"CA"``, ``"BY"``), or null.

  A short Friday and Saturday mornings: ``"weekdays": "mon-sat", "hours": {"fri":
  ["05:00", "14:00"], "sat": ["09:00", "13:00"]}``. A day in ``hours`` must also be in
  ``weekdays`` (the file is refused otherwise), so leaving a day out of ``hours``
  never closes it, and naming one there never opens it by accident. A business day
  (the ``bd`` unit) is as long as most business weekdays are, the longest of them on
  a tie: 13 hours in that example, as with the defaults.

The file is read and checked when the app starts (:func:`init_app`): a broken file
stops the app with :class:`SupportPlanFileError`, naming the file and the problem,
rather than failing each triage request.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from flask import Flask, current_app

from lifecycle.calendar import BusinessCalendar
from lifecycle.errors import LifecycleError
from lifecycle.triage import SupportPlan

__all__ = [
    "EXTENSION_KEY",
    "SupportPlanFileError",
    "SupportSettings",
    "default_settings",
    "init_app",
    "load_settings",
    "parse_settings",
    "plan_file",
    "settings",
]

EXTENSION_KEY = "support_plan"
DEFAULT_FILE_NAME = "support_plan.json"
_FILE_KEYS = ("plan", "calendar")
log = logging.getLogger(__name__)


class SupportPlanFileError(RuntimeError):
    """The support plan file cannot be used; the message names the file and the problem."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"Support plan file {path}: {problem}")
        self.path = path
        self.problem = problem


@dataclass(frozen=True, slots=True)
class SupportSettings:
    """The plan and calendar in force, and the file they came from (``None``: defaults)."""

    plan: SupportPlan
    calendar: BusinessCalendar
    source: str | None = None


def parse_settings(config: object) -> SupportSettings:
    """Settings from the decoded JSON of a support plan file.

    Raises :class:`~lifecycle.errors.LifecycleError` (``InvalidSupportPlan``,
    ``InvalidCalendar``) or :class:`ValueError` for the file's shape.
    """
    if not isinstance(config, Mapping):
        raise ValueError(
            f'the file must hold a JSON object {{"plan": ..., "calendar": ...}}, '
            f"not {type(config).__name__}"
        )
    unknown = sorted(str(k) for k in config if k not in _FILE_KEYS)
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(unknown)} (known: plan, calendar)")
    plan_config = config.get("plan") or {}
    calendar_config = config.get("calendar") or {}
    # The core's own messages name the setting; say which part of the file it is in.
    try:
        plan = SupportPlan.from_mapping(plan_config)
    except LifecycleError as error:
        raise ValueError(f"plan: {error}") from None
    try:
        calendar = BusinessCalendar.from_mapping(calendar_config)
    except LifecycleError as error:
        raise ValueError(f"calendar: {error}") from None
    return SupportSettings(plan=plan, calendar=calendar)


def load_settings(path: str | os.PathLike[str]) -> SupportSettings:
    """Read and check the support plan file at ``path``; the defaults when there is none."""
    loaded = _read_settings(os.fspath(path))
    return default_settings() if loaded is None else loaded


def _read_settings(name: str) -> SupportSettings | None:
    """The file's settings, checked; None when there is no file."""
    try:
        with open(name, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        log.info("no support plan file at %s: the SPEC 9 defaults apply", name)
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise SupportPlanFileError(name, f"cannot be read ({error})") from None
    try:
        decoded = json.loads(
            text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant
        )
    except json.JSONDecodeError as error:
        raise SupportPlanFileError(name, f"is not valid JSON ({error})") from None
    except ValueError as error:
        raise SupportPlanFileError(name, str(error)) from None
    try:
        parsed = parse_settings(decoded)
    except ValueError as error:
        raise SupportPlanFileError(name, str(error)) from None
    return SupportSettings(plan=parsed.plan, calendar=parsed.calendar, source=name)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {key!r} is given twice")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def plan_file(app: Flask) -> str:
    """Where ``app`` reads its support plan."""
    configured = app.config.get("SUPPORT_PLAN_FILE")
    return str(configured) if configured else os.path.join(app.instance_path, DEFAULT_FILE_NAME)


@cache
def default_settings() -> SupportSettings:
    """SPEC 9's plan and calendar, made once, when first needed.

    Not at startup: checking the calendar's holiday country makes the holidays
    package import every country it has, a quarter of a second that every
    command and worker would pay, most of them never triaging.
    """
    return SupportSettings(plan=SupportPlan(), calendar=BusinessCalendar())


# What init_app keeps when there is no file: settings() answers default_settings().
_DEFAULTS = "SPEC 9 defaults"


def init_app(app: Flask) -> None:
    """Load and check the support plan once, at startup; a broken file stops the app.

    Without a file the defaults apply (made on first use): a file written later
    is not read until the app restarts, as a changed one is not.
    """
    loaded = _read_settings(plan_file(app))
    app.extensions[EXTENSION_KEY] = _DEFAULTS if loaded is None else loaded


def settings() -> SupportSettings:
    """The settings of the current app (loaded now if :func:`init_app` was not called)."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get(EXTENSION_KEY)
    if found is None:
        init_app(app)
        found = app.extensions[EXTENSION_KEY]
    if found is _DEFAULTS:
        return default_settings()
    result: SupportSettings = found
    return result
