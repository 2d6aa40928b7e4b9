"""Further commands of SPEC 7 (demo, import, export, check, announce, scheduler)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Each area's command module adds itself here."""
    from app.cli_catalogue import (
        demo_command,
        export_command,
        import_command,
        import_release_data_command,
    )

    app.cli.add_command(demo_command)
    app.cli.add_command(export_command)
    app.cli.add_command(import_command)
    app.cli.add_command(import_release_data_command)
    from app.cli_check import check_command

    app.cli.add_command(check_command)
    from app.cli_announce import announce_command, scheduler_command

    app.cli.add_command(announce_command)
    app.cli.add_command(scheduler_command)
