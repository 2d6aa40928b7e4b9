"""Announcements (SPEC 10): milestones announced ahead of time, exactly once, to webhook
and email subscribers through an outbox; the scheduler process that runs it.

Only the routes and commands are imported when the app is built: the service and the
senders (and the libraries they need) are imported by the code that uses them.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from app.announce import commands, routes


def init_app(app: Flask, api: Any) -> None:
    api.register_blueprint(routes.blp)
    app.cli.add_command(commands.announce_command)
    app.cli.add_command(commands.scheduler_command)
