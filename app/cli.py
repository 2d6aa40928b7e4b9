"""The core's commands (SPEC 7): the schema (``db``) and API tokens (``tokens``); each
area adds its own. ``flask --app app --help`` lists them all."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.auth import Role, create_token, revoke_token
from app.errors import ApiError


@click.group("db", cls=AppGroup)
def db_group() -> None:
    """Create or migrate the database schema (Alembic)."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Create or migrate the schema to REVISION (default: the newest)."""
    from app import migrate  # Alembic is slow to import: only for these commands

    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database at revision {revision}.")


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the schema back to REVISION."""
    from app import migrate  # Alembic is slow to import: only for these commands

    migrate.downgrade(current_app.config["DATABASE_URL"], revision)


@db_group.command("current")
def db_current() -> None:
    """Show the schema's revision."""
    from app import migrate  # Alembic is slow to import: only for these commands

    migrate.current(current_app.config["DATABASE_URL"])


@db_group.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def db_backup(file: Path) -> None:
    """Write a full backup of the database to FILE (SQLite: online; PostgreSQL: pg_dump)."""
    _backup("backup", file, f"Backed up the database to {file}.")


@db_group.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
def db_restore(file: Path, yes: bool) -> None:
    """Replace the database with the backup in FILE (stop the service first)."""
    if not yes:
        click.confirm("This replaces everything in the database. Go on?", abort=True)
    _backup("restore", file, f"Restored the database from {file}.")


def _backup(action: str, file: Path, done: str) -> None:
    from app import backup

    run = backup.backup if action == "backup" else backup.restore
    try:
        run(current_app.config["DATABASE_URL"], file)
    except backup.BackupError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(done)


@click.group("tokens", cls=AppGroup)
def tokens_group() -> None:
    """Create and revoke API tokens."""


@tokens_group.command("create")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", default=None, help="A unique name, to revoke it by (default: generated).")
def tokens_create(role: str, name: str | None) -> None:
    """Print a new token on the last line; only its hash is stored."""
    try:
        secret, row = create_token(Role(role), name)
    except ApiError as exc:
        click.echo(f"Error: {exc.detail}", err=True)
        sys.exit(2)
    click.echo(f"Created {row.role} token {row.name!r}; it is shown once:", err=True)
    click.echo(secret)


@tokens_group.command("revoke")
@click.argument("name")
def tokens_revoke(name: str) -> None:
    """Revoke the token named NAME."""
    try:
        row = revoke_token(name)
    except ApiError as exc:
        click.echo(f"Error: {exc.detail}", err=True)
        sys.exit(2)
    click.echo(f"Revoked token {row.name!r}.")


def init_app(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(tokens_group)
