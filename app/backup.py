"""A full backup of the database and its restore (SPEC 19): everything, not only the
catalogue (tokens, subscribers and their secrets, announcements and their outbox).

- SQLite: the online backup API, page by page, consistent while the service runs;
  a restore writes the backup into the database the same way.
- PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists
  --no-owner --single-transaction`` of the database the URL names (the client tools
  of a version at least the server's must be installed).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import make_url


class BackupError(Exception):
    """A backup or restore that could not be made; the message says why."""


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("An in-memory SQLite database has nothing to back up.")
    return Path(parsed.database)


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as the PostgreSQL client tools take it."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return found


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def backup(url: str, target: Path) -> None:
    """Write a full backup of the database at ``url`` to ``target``."""
    source = _sqlite_path(url)
    if source is None:
        _run([_tool("pg_dump"), "--format=custom", "--file", str(target), libpq_url(url)])
        return
    if not source.exists():
        raise BackupError(f"There is no database at {source}.")
    _copy(source, target)


def restore(url: str, source: Path) -> None:
    """Replace the database at ``url`` with the backup in ``source``."""
    if not source.exists():
        raise BackupError(f"There is no backup at {source}.")
    target = _sqlite_path(url)
    if target is None:
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                libpq_url(url),
                str(source),
            ]
        )
        return
    _copy(source, target)


def _copy(source: Path, target: Path) -> None:
    src = dst = None
    try:
        src = sqlite3.connect(source)
        dst = sqlite3.connect(target)
        src.backup(dst)
    except sqlite3.Error as exc:
        raise BackupError(f"The SQLite backup failed: {exc}") from exc
    finally:
        for conn in (src, dst):
            if conn is not None:
                conn.close()
