"""The database: engine, sessions and the unit of work, wired into the app with ``init_app``.

Every use of the request's session is one transaction, opened by :func:`unit_of_work`
(writes) or :func:`reading` (reads): the session does not begin one by itself, so
nothing can read or write outside one, nor commit or roll back another's. The unit of
work is also the one place where the database refusing a write becomes an answer: a
unique or foreign key violation is a 409, a row deleted meanwhile a 404.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import DateTime, Dialect, Engine, create_engine, event, make_url
from sqlalchemy.exc import DisconnectionError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import NullPool, QueuePool
from sqlalchemy.types import TypeDecorator

from app.errors import Conflict, NotFound
from app.watchdog import WATCHDOG

log = logging.getLogger(__name__)

CHANGED_MEANWHILE = "It changed meanwhile; try again."
GONE_MEANWHILE = "It was deleted meanwhile; nothing was changed."


class Base(DeclarativeBase):
    pass


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back with its offset.

    SQLite keeps no offset, so values are normalised to UTC on the way in and
    given it back on the way out; comparisons in SQL then agree on both databases.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Timestamps must carry an offset.")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        result: datetime = value
        if result.tzinfo is None:
            return result.replace(tzinfo=UTC)
        return result.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Timeouts:
    """How long connecting and one statement may take (``DB_CONNECT_TIMEOUT_SECONDS``,
    ``DB_STATEMENT_TIMEOUT_SECONDS``); None waits for ever (migrations do)."""

    connect: float | None = None
    statement: float | None = None

    @classmethod
    def of(cls, config: Any) -> Timeouts:
        return cls(
            _positive(config.get("DB_CONNECT_TIMEOUT_SECONDS")),
            _positive(config.get("DB_STATEMENT_TIMEOUT_SECONDS")),
        )


def _positive(value: Any) -> float | None:
    return float(value) if value is not None and float(value) > 0 else None


def make_engine(url: str, *, timeouts: Timeouts | None = None, **kwargs: Any) -> Engine:
    """An engine with the settings SPEC 8 asks for on SQLite, and SPEC 19's timeouts.

    A server-side ``statement_timeout`` ends a slow statement cleanly, but a database
    that is frozen cannot end anything: so each statement is also guarded from this
    side (:mod:`app.watchdog`), shortly after the server's own limit, by shutting the
    connection's socket (PostgreSQL) or interrupting the query (SQLite).
    """
    timeouts = timeouts or Timeouts()
    if url.startswith("sqlite"):
        busy = timeouts.statement if timeouts.statement is not None else SQLITE_BUSY_SECONDS
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": busy}, **kwargs
        )
        event.listen(engine, "connect", partial(_sqlite_pragmas, busy_ms=int(busy * 1000)))
        _guard_statements(engine, timeouts, _interrupt)
        return engine
    connect_args: dict[str, Any] = dict(kwargs.pop("connect_args", {}))
    if timeouts.connect is not None:
        # libpq counts whole seconds, and at least 2.
        connect_args.setdefault("connect_timeout", max(2, math.ceil(timeouts.connect)))
        if kwargs.get("poolclass") in (None, QueuePool):
            kwargs.setdefault("pool_timeout", timeouts.connect)
    if timeouts.statement is not None:
        # Appended to the URL's own options (a search_path, say), not in their place.
        options = make_url(url).query.get("options") or ""
        if isinstance(options, tuple):
            options = " ".join(options)
        milliseconds = int(timeouts.statement * 1000)
        connect_args["options"] = f"{options} -c statement_timeout={milliseconds}".strip()
    if timeouts.connect is None and timeouts.statement is None:
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(url, connect_args=connect_args, **kwargs)
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    # The pool's own pre-ping could wait for ever on a frozen server: ping under guard.
    event.listen(engine, "checkout", partial(_ping, seconds=timeouts.connect or 5.0))
    _guard_statements(engine, timeouts, _shut_socket)
    return engine


# Without a configured statement timeout (tools, migrations): SPEC 8's busy timeout.
SQLITE_BUSY_SECONDS = 30.0
# The server's statement_timeout answers first; this side steps in only when it cannot.
GUARD_GRACE_SECONDS = 0.5
_WATCH = "lifecycle_watch"


def _guard_statements(engine: Engine, timeouts: Timeouts, action: Any) -> None:
    if timeouts.statement is None:
        return
    seconds = timeouts.statement + GUARD_GRACE_SECONDS

    def before(conn: Any, _cursor: Any, *_args: Any) -> None:
        dbapi_connection = conn.connection.dbapi_connection
        conn.info[_WATCH] = WATCHDOG.arm(seconds, partial(action, dbapi_connection))

    def after(conn: Any, *_args: Any) -> None:
        handle = conn.info.pop(_WATCH, None)
        if handle is not None:
            WATCHDOG.disarm(handle)

    def failed(context: Any) -> None:
        connection = context.connection
        if connection is not None:
            after(connection)

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    event.listen(engine, "handle_error", failed)


def guarded(dbapi_connection: Any, seconds: float | None) -> Any:
    """A block on a raw DBAPI connection, ended from outside after ``seconds``."""
    action = _interrupt if isinstance(dbapi_connection, sqlite3.Connection) else _shut_socket
    return WATCHDOG.guard(seconds, partial(action, dbapi_connection))


def _shut_socket(dbapi_connection: Any) -> None:
    """End a PostgreSQL connection from another thread: the waiting call sees it closed."""
    driver = getattr(dbapi_connection, "driver_connection", dbapi_connection)
    try:
        fd = driver.pgconn.socket
    except Exception:  # closed meanwhile: nothing to end
        return
    log.warning("a database call passed its deadline; its connection is shut")
    sock = socket.socket(fileno=os.dup(fd))
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    finally:
        sock.close()


def _interrupt(dbapi_connection: Any) -> None:
    log.warning("a database call passed its deadline; it is interrupted")
    driver = getattr(dbapi_connection, "driver_connection", dbapi_connection)
    with suppress(sqlite3.ProgrammingError):  # closed meanwhile
        driver.interrupt()


def _ping(dbapi_connection: Any, _record: Any, _proxy: Any, *, seconds: float) -> None:
    try:
        with guarded(dbapi_connection, seconds):
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
            if not getattr(dbapi_connection, "autocommit", False):
                dbapi_connection.rollback()  # the ping's own transaction
    except Exception as exc:
        # The pool then throws the connection away and makes a new one.
        raise DisconnectionError(str(exc)) from exc


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, *, busy_ms: int) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def init_app(app: Flask) -> None:
    url = app.config["DATABASE_URL"]
    options: dict[str, Any] = {"timeouts": Timeouts.of(app.config)}
    if app.config.get("DB_NULLPOOL"):
        options["poolclass"] = NullPool
    engine = make_engine(url, **options)
    app.extensions["db_engine"] = engine
    # No autobegin: every transaction is opened on purpose (unit_of_work, reading).
    app.extensions["db_sessionmaker"] = sessionmaker(
        engine, expire_on_commit=False, autobegin=False
    )
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    result: Engine = current_app.extensions["db_engine"]
    return result


def sessions(app: Flask | None = None) -> sessionmaker[Session]:
    """The app's session factory: listeners that watch commits are registered on it."""
    found: sessionmaker[Session] = (app or current_app).extensions["db_sessionmaker"]
    return found


def session() -> Session:
    """The request's (or CLI command's) session, made on first use."""
    if "db_session" not in g:
        g.db_session = sessions()()
    result: Session = g.db_session
    return result


@contextmanager
def unit_of_work(
    conflict: str = CHANGED_MEANWHILE, gone: str = GONE_MEANWHILE
) -> Iterator[Session]:
    """One write transaction on the request's session: committed when the block ends,
    rolled back when it raises.

    The database refusing it for a unique or foreign key (a concurrent duplicate, a
    row it points to deleted meanwhile) is :class:`Conflict` with ``conflict``; a row
    that the block changes but a concurrent request deleted is :class:`NotFound` with
    ``gone``.
    """
    found = session()
    try:
        with found.begin():
            yield found
    except IntegrityError:
        raise Conflict(conflict) from None
    except StaleDataError:
        raise NotFound(gone) from None


@contextmanager
def reading() -> Iterator[Session]:
    """One read transaction on the request's session (a single snapshot on PostgreSQL
    only with ``REPEATABLE READ``; see ``export``)."""
    found = session()
    with found.begin():
        yield found


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is None:
        return
    try:
        db_session.close()
    except SQLAlchemyError:
        # The database went away after the answer was made: drop the connection
        # rather than lose the answer.
        db_session.invalidate()
