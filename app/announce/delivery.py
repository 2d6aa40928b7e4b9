"""The outbox (SPEC 10): every announcement's deliveries, sent at least once, with retries.

Each outbox row is claimed by one sender at a time through a lease
(``claimed_by``, ``claimed_until``): on PostgreSQL with ``SELECT ... FOR UPDATE
SKIP LOCKED``, on SQLite with a compare-and-swap ``UPDATE``. A sender that dies
leaves its lease to expire, and the row is sent again by whoever claims it
next; so a receiver may see a message twice, and ``webhook-id`` lets it tell.
Every step is a transaction of its own, and none is open during a network call.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from flask import current_app
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
# SQLite senders race for the first rows; a few candidates spare most losers a re-read.
_CANDIDATES = 8


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


def deliver(
    now: datetime | None = None,
    *,
    rng: random.Random | None = None,
    should_stop: Callable[[], bool] | None = None,
    limit: int | None = None,
) -> RoundReport:
    """Send every outbox row due at ``now`` (default: the clock), each once in this round.

    ``now`` may be injected (tests drive retries with it); time then runs on
    from it. Stops early when ``should_stop()`` turns true, after the current row.
    """
    session = db.session()
    rng = rng or random.SystemRandom()
    started = time.monotonic()
    round_now = now or clock.now()

    def running() -> datetime:
        return round_now + timedelta(seconds=time.monotonic() - started)

    worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    lease = timedelta(seconds=lease_seconds())
    report = RoundReport()
    while limit is None or report.attempted < limit:
        if should_stop is not None and should_stop():
            break
        row_id = _claim(session, round_now, running, worker, lease)
        if row_id is None:
            break
        job = _load(session, row_id)
        outcome = _attempt(job)
        _finish(session, job, outcome, running(), worker, rng, report)
    return report


def _due(round_now: datetime, at: datetime) -> Any:
    return and_(
        Delivery.state == PENDING,
        Delivery.next_attempt_at <= round_now,
        or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < at),
    )


def _claim(
    session: Session,
    round_now: datetime,
    running: Callable[[], datetime],
    worker: str,
    lease: timedelta,
) -> int | None:
    """Claim one due row for this sender, or None when nothing is due."""
    order = (Delivery.next_attempt_at, Delivery.id)
    if session.get_bind().dialect.name == "postgresql":
        with session.begin():
            at = running()
            row_id = session.scalar(
                select(Delivery.id)
                .where(_due(round_now, at))
                .order_by(*order)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if row_id is None:
                return None
            session.execute(
                update(Delivery)
                .where(Delivery.id == row_id)
                .values(claimed_by=worker, claimed_until=at + lease),
                execution_options={"synchronize_session": False},
            )
        return int(row_id)
    while True:
        with session.begin():
            candidates = session.scalars(
                select(Delivery.id)
                .where(_due(round_now, running()))
                .order_by(*order)
                .limit(_CANDIDATES)
            ).all()
        if not candidates:
            return None
        for row_id in candidates:
            with session.begin():
                at = running()
                result = cast(
                    CursorResult[Any],
                    session.execute(
                        update(Delivery)
                        .where(Delivery.id == row_id, _due(round_now, at))
                        .values(claimed_by=worker, claimed_until=at + lease),
                        execution_options={"synchronize_session": False},
                    ),
                )
            if result.rowcount == 1:
                return int(row_id)


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
        report.sent += 1
    else:
        where = and_(
            Delivery.id == job.id, Delivery.state == PENDING, Delivery.claimed_by == worker
        )
        values = {"attempts": attempts, "last_error": outcome.error}
        if outcome.gone or attempts >= MAX_ATTEMPTS:
            values["state"] = FAILED
            report.failed += 1
        else:
            values["next_attempt_at"] = at + backoff(attempts, rng)
            report.retrying += 1
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
        report.lost_leases += 1
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
