"""The Flask application factory: every part is wired in with its own ``init_app``."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin

from app import (
    announce,
    bodies,
    catalogue,
    cli,
    clock,
    compat,
    config,
    db,
    eligibility,
    errors,
    health,
    triage,
    web,
)
from app.openapi import LifecycleApi


class NoSessionInterface(SessionInterface):
    """The service keeps no cookie sessions; skipping them saves signing work per request."""

    def open_session(self, app: Flask, request: Request) -> None:
        return None

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        return None


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The app: the core first, then each area, each wired in by its own ``init_app``."""
    app = Flask(__name__, instance_relative_config=True)
    app.session_interface = NoSessionInterface()
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(config.from_environment(app.instance_path))
    app.config.update(config.API_SETTINGS)
    if test_config:
        app.config.update(test_config)
    logging.basicConfig(level=app.config["LOG_LEVEL"])
    app.json.sort_keys = False  # type: ignore[attr-defined]

    clock.init_app(app)
    db.init_app(app)
    errors.init_app(app)
    api = LifecycleApi(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    app.extensions["lifecycle_api"] = api
    health.init_app(app)
    cli.init_app(app)
    bodies.init_app(app)

    catalogue.init_app(app, api)
    eligibility.init_app(app, api)
    triage.init_app(app, api)
    announce.init_app(app, api)
    compat.init_app(app)
    web.init_app(app)
    return app
