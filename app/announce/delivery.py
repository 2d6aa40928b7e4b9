"""The outbox senders (SPEC 10): signed webhooks and email, at least once, with retries.

Each outbox row is claimed by one sender at a time through a lease
(``claimed_by``, ``claimed_until``): on PostgreSQL with ``SELECT ... FOR UPDATE
SKIP LOCKED``, on SQLite with a compare-and-swap ``UPDATE``. A sender that dies
leaves its lease to expire, and the row is sent again by whoever claims it
next; so a receiver may see a message twice, and ``webhook-id`` lets it tell.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import logging
import os
import random
import smtplib
import socket
import ssl
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, cast
from urllib.parse import unquote, urlsplit

from flask import current_app
from sqlalchemy import CursorResult, and_, func, or_, select, update
from sqlalchemy.orm import Session
from standardwebhooks.webhooks import Webhook

from app import db
from app.announce.models import FAILED, PENDING, SENT, Announcement, Delivery, Subscription

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=6)
EVENT_TYPE = "lifecycle.milestone"
# SQLite senders race for the first rows; a few candidates spare most losers a re-read.
_CANDIDATES = 8
_GONE = "The receiver answered 410 Gone; the subscription is disabled."
# What of a receiver's answer is read: only its status counts.
_MAX_ANSWER = 64 * 1024


# --- webhook addresses ------------------------------------------------------------------


class RefusedAddress(ValueError):
    """A webhook URL that may not be called (bad scheme, or a non-public address)."""


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    """Where a webhook URL points: its name (for Host, SNI and the certificate check) and
    the addresses it resolved to once, when it was checked. The call connects to those,
    never to an address looked up again (a name may answer otherwise a moment later)."""

    scheme: str
    host: str
    port: int
    target: str  # the request target: path and query
    addresses: tuple[str, ...]


def webhook_target(
    url: str,
    *,
    allow_private: bool,
    resolve: Callable[..., list[Any]] | None = None,
) -> WebhookTarget:
    """Check a webhook URL and resolve its host once.

    Refuses a URL that is not http(s), or whose host resolves to a non-public
    address (unless ``allow_private``). Every address the host resolves to is
    checked, so a name with one public and one private address is refused too.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise RefusedAddress(f"The URL does not parse: {exc}.") from None
    if parts.scheme not in ("http", "https"):
        raise RefusedAddress("A webhook URL must start with http:// or https://.")
    host = parts.hostname
    if not host:
        raise RefusedAddress("A webhook URL must name a host.")
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = _addresses(host, port, resolve or socket.getaddrinfo)
    if not allow_private:
        for address in addresses:
            reason = _non_public(address)
            if reason:
                raise RefusedAddress(
                    f"The host {host!r} is at {address}, a {reason} address; webhooks may only "
                    "call public addresses (WEBHOOK_ALLOW_PRIVATE=1 allows others)."
                )
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return WebhookTarget(
        parts.scheme, host, port, target, tuple(dict.fromkeys(str(a) for a in addresses))
    )


def check_webhook_url(
    url: str,
    *,
    allow_private: bool,
    resolve: Callable[..., list[Any]] | None = None,
) -> None:
    """Refuse a webhook URL that may not be called (see :func:`webhook_target`)."""
    webhook_target(url, allow_private=allow_private, resolve=resolve)


def _addresses(
    host: str, port: int, resolve: Callable[..., list[Any]]
) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = resolve(host, port)
    except (OSError, UnicodeError):
        infos = []
    # A zone index (fe80::1%eth0) is not part of the address.
    found = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    if not found:
        raise RefusedAddress(f"The host {host!r} does not resolve.")
    return found


def _non_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for flag, words in (
        ("is_unspecified", "unspecified"),
        ("is_loopback", "loopback"),
        ("is_link_local", "link-local"),
        ("is_multicast", "multicast"),
        ("is_private", "private"),
        ("is_reserved", "reserved"),
    ):
        if getattr(address, flag):
            return words
    # Shared (carrier-grade NAT) space and the like: neither private nor public.
    return None if address.is_global else "non-public"


# --- sending ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt came to."""

    ok: bool
    error: str | None = None
    gone: bool = False


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to ``host`` made at one of the addresses it was checked at."""

    def __init__(self, target: WebhookTarget, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._addresses = target.addresses

    def connect(self) -> None:
        self.sock = _connect_first(self._addresses, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As :class:`_PinnedHTTPConnection`, over TLS: the server name (SNI) and the
    certificate check are the host's name, not the address."""

    def __init__(self, target: WebhookTarget, timeout: float, tls: ssl.SSLContext) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=tls)
        self._addresses = target.addresses
        self._tls = tls

    def connect(self) -> None:
        sock = _connect_first(self._addresses, self.port, self.timeout)
        try:
            self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def _connect_first(addresses: tuple[str, ...], port: int, timeout: float | None) -> socket.socket:
    """A TCP connection to the first of ``addresses`` that answers."""
    error: OSError | None = None
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as exc:
            error = exc
    raise error or OSError("no address to connect to")


def webhook_body(announcement: Announcement, base_url: str) -> str:
    """The JSON body of a webhook call (the same bytes on every retry)."""
    return json.dumps(
        {
            "type": EVENT_TYPE,
            "data": {
                "product": announcement.product,
                "cycle": announcement.cycle,
                "milestone": announcement.milestone,
                "date": announcement.milestone_date.isoformat(),
                "lead_days": announcement.lead_days,
                "status_after": announcement.status_after,
                "message": announcement.message,
                "url": product_url(base_url, announcement.product),
            },
        },
        separators=(",", ":"),
    )


def product_url(base_url: str, slug: str) -> str:
    return f"{base_url.rstrip('/')}/products/{slug}"


def send_webhook(
    url: str,
    secret: str,
    message_id: str,
    body: str,
    *,
    timeout: float,
    allow_private: bool,
    tls: ssl.SSLContext | None = None,
) -> Outcome:
    """One signed POST (Standard Webhooks); 2xx is success, 410 disables, anything else retries.

    The host is resolved and checked once, and the call connects to what was checked.
    Redirects are not followed and no proxy is used: either would bypass the check.
    """
    try:
        target = webhook_target(url, allow_private=allow_private)
    except RefusedAddress as exc:
        return Outcome(False, str(exc))
    # The signature's timestamp is the real clock's: receivers reject stale ones.
    stamp = datetime.now(UTC)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "lifecycle-announcer/1",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(stamp.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, stamp, body),
    }
    connection: http.client.HTTPConnection = (
        _PinnedHTTPSConnection(target, timeout, tls or ssl.create_default_context())
        if target.scheme == "https"
        else _PinnedHTTPConnection(target, timeout)
    )
    try:
        connection.request("POST", target.target, body=body.encode("utf-8"), headers=headers)
        response = connection.getresponse()
        status = int(response.status)
        response.read(_MAX_ANSWER)
    except (OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", None) or exc
        return Outcome(False, f"The call failed: {reason.__class__.__name__}: {reason}")
    finally:
        connection.close()
    if 200 <= status < 300:
        return Outcome(True)
    if status == 410:
        return Outcome(False, _GONE, gone=True)
    if 300 <= status < 400:
        return Outcome(False, f"The receiver answered HTTP {status}; redirects are not followed.")
    return Outcome(False, f"The receiver answered HTTP {status}.")


def send_email(
    address: str,
    subject: str,
    text: str,
    message_id: str,
    *,
    smtp_url: str,
    mail_from: str,
    timeout: float,
) -> Outcome:
    """One plain-text message through ``SMTP_URL`` (smtp://, smtps:// or smtp+starttls://)."""
    parts = urlsplit(smtp_url)
    if parts.scheme not in ("smtp", "smtps", "smtp+starttls") or not parts.hostname:
        return Outcome(
            False, f"SMTP_URL {smtp_url!r} is not smtp://, smtps:// or smtp+starttls://."
        )
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = address
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = f"<{message_id}@lifecycle>"
    message.set_content(text)
    ssl = parts.scheme == "smtps"
    port = parts.port or (465 if ssl else 25)
    try:
        client_class = smtplib.SMTP_SSL if ssl else smtplib.SMTP
        with client_class(parts.hostname, port, timeout=timeout) as client:
            if parts.scheme == "smtp+starttls":
                client.starttls()
            if parts.username:
                client.login(unquote(parts.username), unquote(parts.password or ""))
            client.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        return Outcome(False, f"The mail server refused or failed: {exc.__class__.__name__}: {exc}")
    return Outcome(True)


def email_text(announcement: Announcement, base_url: str) -> str:
    return (
        f"{announcement.message}\n\n"
        f"The lifecycle of {announcement.product_name}: "
        f"{product_url(base_url, announcement.product)}\n\n"
        "You receive this message because this address subscribes to lifecycle announcements.\n"
    )


# --- the outbox -------------------------------------------------------------------------


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
    round_now = now or datetime.now(UTC)

    def clock() -> datetime:
        return round_now + timedelta(seconds=time.monotonic() - started)

    worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    lease = timedelta(seconds=lease_seconds())
    report = RoundReport()
    while limit is None or report.attempted < limit:
        if should_stop is not None and should_stop():
            break
        row_id = _claim(session, round_now, clock, worker, lease)
        if row_id is None:
            break
        job = _load(session, row_id)
        outcome = _attempt(job)
        _finish(session, job, outcome, clock(), worker, rng, report)
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
    clock: Callable[[], datetime],
    worker: str,
    lease: timedelta,
) -> int | None:
    """Claim one due row for this sender, or None when nothing is due."""
    order = (Delivery.next_attempt_at, Delivery.id)
    if session.get_bind().dialect.name == "postgresql":
        at = clock()
        row_id = session.scalar(
            select(Delivery.id)
            .where(_due(round_now, at))
            .order_by(*order)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if row_id is None:
            session.rollback()
            return None
        session.execute(
            update(Delivery)
            .where(Delivery.id == row_id)
            .values(claimed_by=worker, claimed_until=at + lease),
            execution_options={"synchronize_session": False},
        )
        session.commit()
        return int(row_id)
    while True:
        at = clock()
        candidates = session.scalars(
            select(Delivery.id).where(_due(round_now, at)).order_by(*order).limit(_CANDIDATES)
        ).all()
        session.rollback()
        if not candidates:
            return None
        for row_id in candidates:
            at = clock()
            result = cast(
                CursorResult[Any],
                session.execute(
                    update(Delivery)
                    .where(Delivery.id == row_id, _due(round_now, at))
                    .values(claimed_by=worker, claimed_until=at + lease),
                    execution_options={"synchronize_session": False},
                ),
            )
            session.commit()
            if result.rowcount == 1:
                return int(row_id)


def _load(session: Session, row_id: int) -> _Job:
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
    # End the read transaction before any network call.
    session.commit()
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
    result = cast(
        CursorResult[Any],
        session.execute(
            update(Delivery).where(where).values(**values, **released),
            execution_options={"synchronize_session": False},
        ),
    )
    if result.rowcount != 1:
        report.lost_leases += 1
        log.warning("delivery %s: the lease ran out before its outcome was recorded", job.id)
    if outcome.gone and job.subscription_id is not None and job.active:
        _disable(session, job.subscription_id, outcome.error or _GONE)
    session.commit()


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
    rows = db.session().execute(select(Delivery.state, func.count()).group_by(Delivery.state))
    counts = {state: 0 for state in (PENDING, SENT, FAILED)}
    counts.update({state: int(n) for state, n in rows})
    return counts
