"""Compatibility with other services' APIs: endoflife.date's (SPEC 11), so that its
clients work against this service."""

from __future__ import annotations

from flask import Flask

from app.compat import eol_v0


def init_app(app: Flask) -> None:
    app.register_blueprint(eol_v0.bp)
