"""The read model while the database cannot be reached (SPEC 19): when to ask it again,
and how an answer from a held snapshot is marked (``Lifecycle-Stale``)."""

from __future__ import annotations

import math
import threading
import time

from flask import Response, g, has_request_context

STALE_HEADER = "Lifecycle-Stale"
_STALE = "lifecycle_stale_seconds"
_WROTE = "lifecycle_wrote_catalogue"
NOT_CACHED = (
    "The database does not answer, and this answer is not held by this server; try again shortly."
)
WRITTEN_UNREAD = (
    "The change was saved, but the database stopped answering before it could be read "
    "back; read it again shortly."
)


class Outage:
    """Whether to ask the database now: after a failure, not for ``retry_every`` seconds,
    and then only one caller at a time (the others keep answering from what is held)."""

    def __init__(self, retry_every: float = 1.0, probe_for: float = 15.0) -> None:
        self.retry_every = retry_every
        self.probe_for = probe_for  # the longest one attempt may take
        self._until = 0.0
        self._lock = threading.Lock()

    def attempt(self) -> bool:
        if not self._until:  # the usual case: no outage, no lock
            return True
        with self._lock:
            now = time.monotonic()
            if now < self._until:
                return False
            if self._until:
                self._until = now + self.probe_for
            return True

    def failed(self) -> None:
        with self._lock:
            self._until = time.monotonic() + self.retry_every

    def recovered(self) -> None:
        if self._until:
            with self._lock:
                self._until = 0.0

    @property
    def ongoing(self) -> bool:
        return bool(self._until)


def note_stale(seconds: float) -> None:
    """This request answers from a snapshot last confirmed ``seconds`` ago."""
    if has_request_context():
        g.setdefault(_STALE, 0.0)
        setattr(g, _STALE, max(getattr(g, _STALE), seconds))


def mark_stale(response: Response) -> Response:
    seconds = g.get(_STALE)
    if seconds is not None:
        response.headers[STALE_HEADER] = str(math.ceil(seconds))
    return response


def note_wrote() -> None:
    """This request committed a catalogue change."""
    if has_request_context():
        g.setdefault(_WROTE, True)


def wrote() -> bool:
    """Whether this request committed a catalogue change (it gets no stale answer)."""
    return has_request_context() and bool(g.get(_WROTE))
