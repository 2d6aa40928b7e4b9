"""Deadlines that hold even when the other side hangs (SPEC 19).

A socket timeout bounds each wait, not the whole call: a database that is frozen
after the connection was made, or a receiver that drips a byte every half second,
keeps a call alive for ever. :class:`Watchdog` runs an action (shut the socket down,
interrupt the query) once a deadline passes, from one thread per process, unless the
call ended first. Arming and disarming cost a dictionary write each, so it can guard
every statement.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

Action = Callable[[], None]


class Watchdog:
    """Calls each armed action when its deadline passes, unless it was disarmed first.

    The thread wakes every ``tick`` seconds, so a deadline is kept to within a tick. It
    is started on first use, and again in a forked child, which inherits no threads.
    """

    def __init__(self, tick: float = 0.05) -> None:
        self._tick = tick
        self._lock = threading.Lock()
        self._armed: dict[int, tuple[float, Action]] = {}
        self._next = 0
        self._pid = 0
        self.fired = 0  # actions run, for tests and logs

    def arm(self, seconds: float, action: Action) -> int:
        """Run ``action`` in ``seconds`` unless :meth:`disarm` is called with the handle."""
        with self._lock:
            if self._pid != os.getpid():
                self._start()
            self._next += 1
            handle = self._next
            self._armed[handle] = (time.monotonic() + seconds, action)
            return handle

    def disarm(self, handle: int) -> bool:
        """Cancel an action; False when it has run already (or is running)."""
        with self._lock:
            return self._armed.pop(handle, None) is not None

    @contextmanager
    def guard(self, seconds: float | None, action: Action) -> Iterator[None]:
        """``action`` runs if the block is still running after ``seconds`` (None: never)."""
        if seconds is None or seconds <= 0:
            yield
            return
        handle = self.arm(seconds, action)
        try:
            yield
        finally:
            self.disarm(handle)

    def _start(self) -> None:
        # A forked child inherits the parent's entries but not its thread: forget them.
        self._armed.clear()
        self._pid = os.getpid()
        thread = threading.Thread(target=self._run, args=(self._pid,), name="watchdog")
        thread.daemon = True
        thread.start()

    def _run(self, pid: int) -> None:
        while pid == os.getpid():
            time.sleep(self._tick)
            now = time.monotonic()
            with self._lock:
                due = [h for h, (deadline, _) in self._armed.items() if deadline <= now]
                actions = [self._armed.pop(h)[1] for h in due]
            for action in actions:
                self.fired += 1
                try:
                    action()
                except Exception:  # an action that fails must not stop the others
                    log.warning("a deadline's action failed", exc_info=True)


# One per process: it holds no data of its own, only the calls in flight.
WATCHDOG = Watchdog()
