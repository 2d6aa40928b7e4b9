"""The catalogue: products, their releases and cycles, platforms and the support matrix
(SPEC 3, 4, 6 and 7), with the read model every other area reads it through."""

from __future__ import annotations

from typing import Any

from flask import Flask

from app.catalogue import commands, routes
from app.catalogue.service import CatalogueCache, RevisionProbe


def init_app(app: Flask, api: Any) -> None:
    app.extensions["catalogue_cache"] = CatalogueCache()
    app.extensions["revision_probe"] = RevisionProbe(app.config["DATABASE_URL"])
    api.register_blueprint(routes.blp)
    for command in commands.COMMANDS:
        app.cli.add_command(command)
