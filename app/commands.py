"""Further commands of SPEC 7 (demo, import, export, check, announce, scheduler)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Each area's command module adds itself here."""
