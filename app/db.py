"""The database: engine, sessions and the unit of work, wired into the app with ``init_app``.

Every use of the request's session is one transaction, opened by :func:`unit_of_work`
(writes) or :func:`reading` (reads): the session does not begin one by itself, so
nothing can read or write outside one, nor commit or roll back another's. The unit of
work is also the one place where the database refusing a write becomes an answer: a
unique or foreign key violation is a 409, a row deleted meanwhile a 404.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import DateTime, Dialect, Engine, create_engine, event
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

from app.errors import Conflict, NotFound

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


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the settings SPEC 8 asks for on SQLite."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def init_app(app: Flask) -> None:
    url = app.config["DATABASE_URL"]
    engine = (
        make_engine(url, poolclass=NullPool) if app.config.get("DB_NULLPOOL") else make_engine(url)
    )
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
