"""Which cached products may be served without asking the database (PostgreSQL).

Every committed change of a product or of the platforms is announced by the
database itself (a trigger, migration 0003) on the channel
``lifecycle_catalogue``. Each worker process keeps one connection LISTENing to
it; a read takes in whatever notifications have arrived, without waiting and
without a round trip, and serves a cached product only if nothing has been
said about it since its revision was last checked. Anything else (a product
never checked, one named in a notification, a lost connection) falls back to
checking the revision with one query, as on SQLite.

The ordering argument: a read notes the count of notifications taken in
(``Token.seq``) *before* it checks a revision. Any commit announced in one of
those notifications happened before the check, so the check saw it; any commit
announced later carries a higher count and withdraws the trust. A connection
that is lost or re-made starts a new epoch, which withdraws all trust at once,
since notifications may have been missed meanwhile.

What this gives: the process that wrote sees its write at once (it withdraws
its own trust after each commit); other processes see it as soon as
PostgreSQL delivers the notification, which it sends at commit. A round trip
on the listening connection every ``check_every`` seconds proves it is alive.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from sqlalchemy import Engine

from app.db import guarded

CHANNEL = "lifecycle_catalogue"
_CONNECTION_OK = 0  # libpq's CONNECTION_OK (psycopg.pq.ConnStatus.OK)
EVERYTHING = "*"

log = logging.getLogger(__name__)

_FIND_SCHEMA = (
    "SELECT n.nspname, EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid "
    "AND t.tgname = 'products_notify_change') "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.oid = to_regclass('products')"
)


class Token(NamedTuple):
    """Where the feed stood when a read began: its connection's epoch and count."""

    epoch: int
    seq: int


class ChangeFeed:
    """A LISTEN connection shared by the threads of one process."""

    def __init__(
        self,
        engine: Engine,
        *,
        check_every: float = 5.0,
        retry_every: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        deadline: float | None = None,
    ) -> None:
        self._engine = engine
        # How long one round trip may take before the connection is given up (SPEC 19).
        self._deadline = deadline
        self._check_every = check_every
        self._retry_every = retry_every
        self._clock = clock
        self._lock = threading.Lock()
        self._raw: Any = None  # the pool's proxy: holds the DBAPI connection
        self._conn: Any = None  # the psycopg connection
        self._schema = ""
        self._epoch = 0
        self._seq = 0
        self._changed: dict[str, int] = {}
        self._everything = 0
        self._checked_at = 0.0
        self._retry_at = 0.0
        self.notifications = 0  # taken in from this database's schema, for tests and logs

    # --- reads ------------------------------------------------------------------------

    def token(self) -> Token | None:
        """Take in the notifications that have arrived; ``None`` while not listening."""
        return self._advance(round_trip=False)

    def trusts(self, slug: str, checked: Token, now: Token) -> bool:
        """Whether a product checked at ``checked`` is still current at ``now``."""
        return (
            checked.epoch == now.epoch
            and checked.seq >= self._everything
            and checked.seq >= self._changed.get(slug, 0)
        )

    def sync(self) -> Token | None:
        """One round trip: every change committed before this call has then been taken in."""
        return self._advance(round_trip=True)

    def _advance(self, round_trip: bool) -> Token | None:
        with self._lock:
            now = self._clock()
            if self._conn is None and not self._connect(now, force=round_trip):
                return None
            try:
                if round_trip or now - self._checked_at >= self._check_every:
                    self._round_trip(now)
                else:
                    self._take_arrived()
            except Exception:  # any failure of the connection: stop trusting
                log.warning("the change notification connection was lost", exc_info=True)
                self._drop(now)
                return None
            return Token(self._epoch, self._seq)

    # --- writes of this process -------------------------------------------------------

    def changed_here(self) -> None:
        """This process committed a catalogue change: trust nothing checked before it."""
        with self._lock:
            self._seq += 1
            self._everything = self._seq

    # --- the connection ---------------------------------------------------------------

    @property
    def listening(self) -> bool:
        return self._conn is not None

    def _connect(self, now: float, force: bool = False) -> bool:
        if not force and now < self._retry_at:
            return False
        self._retry_at = now + self._retry_every
        raw = None
        try:
            raw = self._engine.raw_connection()
            conn: Any = raw.driver_connection
            with guarded(conn, self._deadline):
                found = conn.execute(_FIND_SCHEMA).fetchone()
                if found is None or not found[1]:
                    # Not migrated to 0003 yet: check revisions on every read.
                    raw.close()
                    return False
                conn.add_notify_handler(self._on_notify)
                conn.execute(f'LISTEN "{CHANNEL}"')
        except Exception:
            log.info("change notifications unavailable; reads check revisions", exc_info=True)
            if raw is not None:
                raw.invalidate()
            return False
        self._raw, self._conn, self._schema = raw, conn, found[0]
        # Notifications may have been missed while not listening: a new epoch.
        self._epoch += 1
        self._changed.clear()
        self._everything = self._seq
        self._checked_at = now
        return True

    def _drop(self, now: float) -> None:
        raw, self._raw, self._conn = self._raw, None, None
        self._epoch += 1
        self._retry_at = now + self._retry_every
        if raw is not None:
            try:
                raw.invalidate()
            except Exception:  # already broken: nothing to close
                log.debug("closing the lost notification connection failed", exc_info=True)

    def _round_trip(self, now: float) -> None:
        # psycopg hands the notifications that arrive with the answer to _on_notify.
        with guarded(self._conn, self._deadline):
            self._conn.execute("SELECT 1")
        self._checked_at = now

    def _take_arrived(self) -> None:
        """Read what the socket holds, without blocking (libpq's socket is non-blocking)."""
        pgconn = self._conn.pgconn
        pgconn.consume_input()
        while (notify := pgconn.notifies()) is not None:
            pgconn.notify_handler(notify)
        if pgconn.status != _CONNECTION_OK:
            raise ConnectionError("the notification connection is closed")

    def _on_notify(self, notify: Any) -> None:
        schema, _, slug = notify.payload.partition("/")
        if schema != self._schema:
            return  # another schema of the same database
        self.notifications += 1
        self._seq += 1
        if slug == EVERYTHING:
            self._everything = self._seq
        else:
            self._changed[slug] = self._seq

    def close(self) -> None:
        with self._lock:
            raw, self._raw, self._conn = self._raw, None, None
            self._epoch += 1
            if raw is not None:
                try:
                    raw.close()
                except Exception:
                    log.debug("closing the notification connection failed", exc_info=True)
