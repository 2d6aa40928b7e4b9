"""Alembic environment: migrates the database the app is configured with.

Two ``db upgrade`` at once (two hosts deploying) migrate once (SPEC 19): each takes a
lock first (a PostgreSQL advisory lock on the schema; a file lock beside a SQLite
file), and only then reads the schema's revision, so the second waits for the first
and finds nothing left to do.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from alembic import context
from sqlalchemy import Connection, make_url, text

# Each area's models register their tables.
import app.announce.models
import app.auth
import app.catalogue.models
import app.triage.models  # noqa: F401
from app.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


# The advisory lock's key: this schema's, so that other schemas' migrations do not wait.
_LOCK_KEY = "hashtext(current_schema() || '.lifecycle-migrations')"


@contextmanager
def advisory_lock(conn: Connection) -> Iterator[None]:
    """PostgreSQL: held while migrating, released when the block ends (or the session)."""
    conn.execute(text(f"SELECT pg_advisory_lock({_LOCK_KEY})"))
    conn.commit()
    try:
        yield
    finally:
        conn.rollback()
        conn.execute(text(f"SELECT pg_advisory_unlock({_LOCK_KEY})"))
        conn.commit()


@contextmanager
def file_lock(url: str) -> Iterator[None]:
    """SQLite: a lock beside the database file, taken before connecting (switching a new
    file to the WAL journal cannot wait for another connection's lock)."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(Path(database).with_name(Path(database).name + ".migrate-lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url") or ""
    with file_lock(url):
        engine = make_engine(url)
        with engine.connect() as conn:
            locked = advisory_lock(conn) if conn.dialect.name == "postgresql" else nullcontext()
            with locked:
                context.configure(connection=conn, target_metadata=target_metadata)
                with context.begin_transaction():
                    context.run_migrations()
                conn.commit()
        engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations()
