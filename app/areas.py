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
    from app.api import eol_v0
    from app.web import feeds, pages

    app.register_blueprint(pages.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(eol_v0.bp)
    from app.api import eligibility as eligibility_api

    api.register_blueprint(eligibility_api.blp)
    from app.api import announcements as announcements_api

    api.register_blueprint(announcements_api.blp)
