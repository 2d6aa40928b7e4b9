"""Triage (SPEC 9): a ticket's verdict, granted priority and response deadline on the
support plan's business calendar."""

from __future__ import annotations

from typing import Any

from flask import Flask

from app.triage import commands, plan, routes


def init_app(app: Flask, api: Any) -> None:
    plan.init_app(app)  # a broken SUPPORT_PLAN_FILE stops the app here
    api.register_blueprint(routes.blp)
    app.cli.add_command(commands.triage_command)
