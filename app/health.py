"""Liveness (SPEC 19): the process answers. It never waits on the database, so a
database outage does not make an orchestrator restart healthy workers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, jsonify

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Any:
    return jsonify(status="ok")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
