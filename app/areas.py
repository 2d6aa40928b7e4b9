"""Registers the service's areas beyond the catalogue; each adds one line here."""

from __future__ import annotations

from typing import Any

from flask import Flask


def register(app: Flask, api: Any) -> None:
    """Register every area's blueprints (API ones through ``api`` for the OpenAPI document)."""
