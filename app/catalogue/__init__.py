"""The catalogue: products, their releases and cycles, platforms and the support matrix
(SPEC 3, 4, 6 and 7), with the read model every other area reads it through."""

from __future__ import annotations

from typing import Any

from flask import Flask

from app.catalogue import commands, routes, store


def init_app(app: Flask, api: Any) -> None:
    store.init_app(app)
    api.register_blueprint(routes.blp)
    for command in commands.COMMANDS:
        app.cli.add_command(command)
