"""The outbox (SPEC 10): every announcement's deliveries, sent at least once, with retries.

Each outbox row is claimed by one sender at a time through a lease
(``claimed_by``, ``claimed_until``), with a compare-and-swap ``UPDATE`` of that
one row. A sender that dies leaves its lease to expire, and the row is sent again
by whoever claims it next; so a receiver may see a message twice, and
``webhook-id`` lets it tell. Every step is a transaction of its own, and none is
open during a network call.

Rows are sent concurrently (SPEC 19): up to ``DELIVERY_CONCURRENCY`` at once, and
at most ``DELIVERY_PER_RECEIVER`` at once to one receiver (a webhook's host and
port; the mail server), so a receiver that hangs holds its own slots and no
other's. A row is claimed only when a slot is free to start it at once, and each
call has a total deadline shorter than the lease (:func:`call_deadline_seconds`),
so no lease runs out while its call is in flight.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

from flask import Flask, current_app
from sqlalchemy import CursorResult, and_, func, or_, select, update
from sqlalchemy.orm import Session

from app import clock, db
from app.announce.models import FAILED, PENDING, SENT, Announcement, Delivery, Subscription
from app.announce.senders import (
    GONE,
    Outcome,
    email_text,
    send_email,
    send_webhook,
    webhook_body,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=6)
# Due rows read at a time, to choose from those whose receiver has a free slot.
_CANDIDATES = 64
# What a lease must cover besides the call: loading the row and recording the outcome.
LEASE_MARGIN_SECONDS = 10.0


def backoff(attempts: int, rng: random.Random) -> timedelta:
    """The wait after the ``attempts``-th failure: full jitter, at least one second.

    Uniform in ``[0, min(cap, base * 2 ** (attempts - 1))]``, so that many rows
    failing together (a receiver down) do not come back together.
    """
    ceiling = min(
        BACKOFF_CAP.total_seconds(), BACKOFF_BASE.total_seconds() * 2 ** max(0, attempts - 1)
    )
    return timedelta(seconds=max(1.0, rng.uniform(0.0, ceiling)))


@dataclass(slots=True)
class RoundReport:
    """What one delivery round did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    lost_leases: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def count(self, what: str) -> None:
        with self._lock:
            setattr(self, what, getattr(self, what) + 1)

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.failed

    def __str__(self) -> str:
        return (
            f"{self.attempted} delivery attempts: {self.sent} sent, "
            f"{self.retrying} to retry, {self.failed} failed"
        )


@dataclass(frozen=True, slots=True)
class _Job:
    id: int
    message_id: str
    attempts: int
    subscription_id: int | None
    kind: str | None
    url: str | None
    address: str | None
    secret: str | None
    active: bool | None
    announcement: Announcement


def lease_seconds() -> float:
    """How long a claim holds: longer than any one send can take (``DELIVERY_LEASE_SECONDS``)."""
    configured = current_app.config.get("DELIVERY_LEASE_SECONDS")
    if configured:
        return float(configured)
    # An SMTP exchange is several round trips, each bounded by the timeout.
    return 30.0 + 10 * _timeout()


def _timeout() -> float:
    return float(current_app.config.get("WEBHOOK_TIMEOUT_SECONDS") or 5)


def call_deadline_seconds() -> float:
    """The most one call (a webhook's POST, an email's SMTP exchange) may take in all:
    ``WEBHOOK_DEADLINE_SECONDS``, kept inside the lease with room to record the outcome."""
    configured = float(current_app.config.get("WEBHOOK_DEADLINE_SECONDS") or 3 * _timeout())
    return max(1.0, min(configured, lease_seconds() - LEASE_MARGIN_SECONDS))


@dataclass(frozen=True, slots=True)
class _Round:
    """What every send of one round shares."""

    app: Flask
    round_now: datetime
    started: float
    worker: str
    lease: timedelta
    rng: random.Random
    report: RoundReport

    def running(self) -> datetime:
        return self.round_now + timedelta(seconds=time.monotonic() - self.started)


def deliver(
    now: datetime | None = None,
    *,
    rng: random.Random | None = None,
    should_stop: Callable[[], bool] | None = None,
    limit: int | None = None,
) -> RoundReport:
    """Send every outbox row due at ``now`` (default: the clock), each once in this round.

    ``now`` may be injected (tests drive retries with it); time then runs on
    from it. Stops early when ``should_stop()`` turns true: no new row is started,
    and those in flight finish.
    """
    config = current_app.config
    concurrency = max(1, int(config.get("DELIVERY_CONCURRENCY") or 8))
    per_receiver = max(1, int(config.get("DELIVERY_PER_RECEIVER") or 2))
    this = _Round(
        app=current_app._get_current_object(),  # type: ignore[attr-defined]
        round_now=now or clock.now(),
        started=time.monotonic(),
        worker=f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}",
        lease=timedelta(seconds=lease_seconds()),
        rng=rng or random.SystemRandom(),
        report=RoundReport(),
    )
    session = db.session()
    busy: Counter[str] = Counter()  # calls in flight per receiver
    receivers: dict[int, str] = {}  # subscription id -> receiver, as seen
    running: dict[Future[None], str | None] = {}
    begun = 0
    with ThreadPoolExecutor(concurrency, thread_name_prefix="deliver") as pool:
        while True:
            stopping = (should_stop is not None and should_stop()) or (
                limit is not None and begun >= limit
            )
            learned = False
            if not stopping and len(running) < concurrency:
                full = {sid for sid, key in receivers.items() if busy[key] >= per_receiver}
                for row_id, sid, receiver in _candidates(session, this, full):
                    if len(running) >= concurrency or (limit is not None and begun >= limit):
                        break
                    if sid is not None and receiver is not None:
                        receivers[sid] = receiver
                    if receiver is not None and busy[receiver] >= per_receiver:
                        learned = True  # look again without this subscription's rows
                        continue
                    if not _claim(session, this, row_id):
                        continue  # another sender took it
                    begun += 1
                    if receiver is not None:
                        busy[receiver] += 1
                    running[pool.submit(_send, this, row_id)] = receiver
            if learned and len(running) < concurrency:
                continue
            if not running:
                if stopping or not _candidates(session, this, set()):
                    break
                continue  # rows are due but each was taken by another sender: look again
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                receiver = running.pop(future)
                if receiver is not None:
                    busy[receiver] -= 1
                future.result()
    return this.report


def receiver_of(kind: str | None, url: str | None) -> str | None:
    """Which receiver a subscription's calls go to (calls to one are limited together)."""
    if kind == "webhook" and url:
        try:
            parts = urlsplit(url)
            return f"{parts.scheme}://{(parts.hostname or '').lower()}:{parts.port or ''}"
        except ValueError:
            return url
    if kind == "email":
        return "smtp"  # every message goes through the one mail server
    return None


def _candidates(
    session: Session, this: _Round, full: set[int]
) -> list[tuple[int, int | None, str | None]]:
    """Due rows, oldest first, leaving out subscriptions whose receiver has no free slot."""
    query = (
        select(Delivery.id, Delivery.subscription_id, Subscription.kind, Subscription.url)
        .outerjoin(Subscription, Subscription.id == Delivery.subscription_id)
        .where(_due(this.round_now, this.running()))
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(_CANDIDATES)
    )
    if full:
        query = query.where(
            or_(Delivery.subscription_id.is_(None), Delivery.subscription_id.not_in(full))
        )
    with session.begin():
        rows = session.execute(query).all()
    return [(int(i), sid, receiver_of(kind, url)) for i, sid, kind, url in rows]


def _due(round_now: datetime, at: datetime) -> Any:
    return and_(
        Delivery.state == PENDING,
        Delivery.next_attempt_at <= round_now,
        or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < at),
    )


def _claim(session: Session, this: _Round, row_id: int) -> bool:
    """Claim one due row for this sender; False when another holds it or it is done."""
    with session.begin():
        at = this.running()
        result = cast(
            CursorResult[Any],
            session.execute(
                update(Delivery)
                .where(Delivery.id == row_id, _due(this.round_now, at))
                .values(claimed_by=this.worker, claimed_until=at + this.lease),
                execution_options={"synchronize_session": False},
            ),
        )
    return result.rowcount == 1


def _send(this: _Round, row_id: int) -> None:
    """One claimed row, in a thread of its own: load it, call, record the outcome."""
    with this.app.app_context():
        session = db.session()
        job = _load(session, row_id)
        outcome = _attempt(job)
        _finish(session, job, outcome, this.running(), this.worker, this.rng, this.report)


def _load(session: Session, row_id: int) -> _Job:
    # Its own transaction, ended before any network call.
    with session.begin():
        row = session.execute(
            select(
                Delivery.id,
                Delivery.message_id,
                Delivery.attempts,
                Subscription.id,
                Subscription.kind,
                Subscription.url,
                Subscription.address,
                Subscription.secret,
                Subscription.active,
                Announcement,
            )
            .join(Announcement, Announcement.id == Delivery.announcement_id)
            .outerjoin(Subscription, Subscription.id == Delivery.subscription_id)
            .where(Delivery.id == row_id)
            .execution_options(populate_existing=True)
        ).one()
    delivery_id, message_id, attempts, sid, kind, url, address, secret, active, announcement = row
    return _Job(
        delivery_id, message_id, attempts, sid, kind, url, address, secret, active, announcement
    )


def _attempt(job: _Job) -> Outcome:
    config = current_app.config
    base_url = str(config.get("PUBLIC_BASE_URL") or "")
    if job.subscription_id is None:
        return Outcome(False, "The subscription was deleted.", gone=True)
    if not job.active:
        return Outcome(False, "The subscription is disabled.", gone=True)
    announcement = job.announcement
    if job.kind == "webhook" and job.url and job.secret:
        outcome = send_webhook(
            job.url,
            job.secret,
            job.message_id,
            webhook_body(announcement, base_url),
            timeout=_timeout(),
            deadline=call_deadline_seconds(),
            allow_private=bool(config.get("WEBHOOK_ALLOW_PRIVATE")),
        )
    elif job.kind == "email" and job.address:
        outcome = send_email(
            job.address,
            announcement.subject,
            email_text(announcement, base_url),
            job.message_id,
            smtp_url=str(config.get("SMTP_URL") or ""),
            mail_from=str(config.get("MAIL_FROM") or "lifecycle@localhost"),
            timeout=_timeout(),
            deadline=call_deadline_seconds(),
        )
    else:
        outcome = Outcome(False, f"A subscription of kind {job.kind!r} cannot be delivered.")
    if outcome.ok:
        log.info("delivered %s to subscription %s", job.message_id, job.subscription_id)
    else:
        log.warning(
            "delivery %s to subscription %s failed: %s",
            job.message_id,
            job.subscription_id,
            outcome.error,
        )
    return outcome


def _finish(
    session: Session,
    job: _Job,
    outcome: Outcome,
    at: datetime,
    worker: str,
    rng: random.Random,
    report: RoundReport,
) -> None:
    attempts = job.attempts + 1
    released = {"claimed_by": None, "claimed_until": None}
    values: dict[str, Any]
    if outcome.ok:
        values = {"state": SENT, "attempts": attempts, "sent_at": at, "last_error": None}
        # Sent is sent, even if the lease ran out meanwhile.
        where = and_(Delivery.id == job.id, Delivery.state == PENDING)
        report.count("sent")
    else:
        where = and_(
            Delivery.id == job.id, Delivery.state == PENDING, Delivery.claimed_by == worker
        )
        values = {"attempts": attempts, "last_error": outcome.error}
        if outcome.gone or attempts >= MAX_ATTEMPTS:
            values["state"] = FAILED
            report.count("failed")
        else:
            values["next_attempt_at"] = at + backoff(attempts, rng)
            report.count("retrying")
    with session.begin():
        result = cast(
            CursorResult[Any],
            session.execute(
                update(Delivery).where(where).values(**values, **released),
                execution_options={"synchronize_session": False},
            ),
        )
        if outcome.gone and job.subscription_id is not None and job.active:
            _disable(session, job.subscription_id, outcome.error or GONE)
    if result.rowcount != 1:
        report.count("lost_leases")
        log.warning("delivery %s: the lease ran out before its outcome was recorded", job.id)


def _disable(session: Session, subscription_id: int, reason: str) -> None:
    """A receiver that answered 410: no more calls, and its queued rows end failed."""
    session.execute(
        update(Subscription)
        .where(Subscription.id == subscription_id)
        .values(active=False, disabled_reason=reason),
        execution_options={"synchronize_session": False},
    )
    fail_pending(session, subscription_id, reason)


def fail_pending(session: Session, subscription_id: int, reason: str) -> int:
    """End a subscription's queued rows with ``reason``; returns how many."""
    result = cast(
        CursorResult[Any],
        session.execute(
            update(Delivery)
            .where(Delivery.subscription_id == subscription_id, Delivery.state == PENDING)
            .values(state=FAILED, last_error=reason, claimed_by=None, claimed_until=None),
            execution_options={"synchronize_session": False},
        ),
    )
    return int(result.rowcount)


def outbox_counts() -> dict[str, int]:
    """Rows per state, for the command line's summary."""
    counts = {state: 0 for state in (PENDING, SENT, FAILED)}
    with db.reading() as session:
        rows = session.execute(select(Delivery.state, func.count()).group_by(Delivery.state))
        counts.update({state: int(n) for state, n in rows})
    return counts
