"""Registers the service's areas beyond the catalogue; each adds one line here."""

from __future__ import annotations

from typing import Any

from flask import Flask


def register(app: Flask, api: Any) -> None:
    """Register every area's blueprints (API ones through ``api`` for the OpenAPI document)."""
    from app import support_plan
    from app.api import triage as triage_api

    support_plan.init_app(app)  # a broken SUPPORT_PLAN_FILE stops the app here
    api.register_blueprint(triage_api.blp)
