"""Start-up stays light: building the app (what every command and worker does first)
imports none of the packages only some requests or commands need."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from flask import Flask

from app.triage import plan as support_plan
from lifecycle.calendar import BusinessCalendar
from lifecycle.triage import SupportPlan
from tests.conftest import ROOT, dispose, make_app

# Each is imported by the code that uses it, when it runs.
NOT_AT_STARTUP = [
    "icalendar",  # the calendar feeds
    "feedgen",  # the Atom feeds
    "holidays",  # the business calendar, until a calendar with holidays is used
    "app.announce.service",  # announcements (API views, announce command)
    "app.announce.delivery",
    "app.announce.senders",
    "app.announce.subscriptions",
    "standardwebhooks",
    "smtplib",
    "apscheduler",  # the scheduler command
    "alembic",  # the db commands
]

PROBE = """
import json, sys
from app import create_app
create_app({{"DATABASE_URL": {url!r}, "SUPPORT_PLAN_FILE": {plan!r}, "SECRET_KEY": "t"}})
print(json.dumps(sorted(m for m in {names!r} if m in sys.modules)))
"""


def test_building_the_app_imports_none_of_them(tmp_path: Path) -> None:
    code = PROBE.format(
        url=f"sqlite:///{tmp_path / 'startup.sqlite'}",
        plan=str(tmp_path / "no-plan.json"),
        names=NOT_AT_STARTUP,
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_without_a_plan_file_the_defaults_are_made_on_first_use(tmp_path: Path) -> None:
    app: Flask = make_app(f"sqlite:///{tmp_path / 'x.sqlite'}", tmp_path)
    with app.app_context():
        first = support_plan.settings()
        assert first is support_plan.settings() is support_plan.default_settings()
    assert first == support_plan.SupportSettings(plan=SupportPlan(), calendar=BusinessCalendar())
    assert first.source is None
    dispose(app)
