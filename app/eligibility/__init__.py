"""Eligibility (SPEC 5): is a version covered, on this platform, and at which priority;
one verdict by GET, many by a batch, and ``flask check``."""

from __future__ import annotations

from typing import Any

from flask import Flask

from app.eligibility import commands, query, routes


def init_app(app: Flask, api: Any) -> None:
    query.init_app(app)
    api.register_blueprint(routes.blp)
    app.cli.add_command(commands.check_command)
