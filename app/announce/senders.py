"""The senders of SPEC 10: signed webhooks (Standard Webhooks) and email.

A webhook's host is resolved and checked once, and the call connects to the address
that was checked: a name that answers a public address when checked and a private one
a moment later (DNS rebinding) is not followed there.

Every call has a total deadline besides its socket timeout (SPEC 19): a receiver that
drips its answer a byte at a time never waits out the socket timeout, so when the
deadline passes the watchdog shuts the call's socket, whatever it is waiting for.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from standardwebhooks.webhooks import Webhook

from app.announce.models import Announcement
from app.watchdog import WATCHDOG

EVENT_TYPE = "lifecycle.milestone"
GONE = "The receiver answered 410 Gone; the subscription is disabled."
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


class Deadline:
    """The end of one call: once it passes, the socket it holds is shut (see the module)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.passed = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()

    def remaining(self) -> float:
        left = self.at - time.monotonic()
        if left <= 0:
            self.passed = True
            raise TimeoutError(f"the deadline of {self.seconds:g} s passed")
        return left

    def hold(self, sock: socket.socket) -> None:
        """The socket the call now waits on (a TLS one replaces the plain one)."""
        with self._lock:
            self._sock = sock
            passed = self.passed
        if passed:
            _shut(sock)

    def expire(self) -> None:
        with self._lock:
            self.passed = True
            sock = self._sock
        if sock is not None:
            _shut(sock)

    def error(self, exc: BaseException) -> str:
        if self.passed:
            return (
                f"The call took longer than its deadline of {self.seconds:g} s "
                "(WEBHOOK_DEADLINE_SECONDS) and was ended."
            )
        reason = getattr(exc, "reason", None) or exc
        return f"{reason.__class__.__name__}: {reason}"


def _shut(sock: socket.socket) -> None:
    with suppress(OSError):  # closed meanwhile
        sock.shutdown(socket.SHUT_RDWR)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to ``host`` made at one of the addresses it was checked at."""

    def __init__(self, target: WebhookTarget, timeout: float, deadline: Deadline) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._addresses = target.addresses
        self._deadline = deadline

    def connect(self) -> None:
        self.sock = _connect_first(self._addresses, self.port, self.timeout, self._deadline)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As :class:`_PinnedHTTPConnection`, over TLS: the server name (SNI) and the
    certificate check are the host's name, not the address."""

    def __init__(
        self, target: WebhookTarget, timeout: float, tls: ssl.SSLContext, deadline: Deadline
    ) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=tls)
        self._addresses = target.addresses
        self._tls = tls
        self._deadline = deadline

    def connect(self) -> None:
        sock = _connect_first(self._addresses, self.port, self.timeout, self._deadline)
        try:
            self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)
        except OSError:  # TLS refused, the certificate not for this name, a timeout
            sock.close()
            raise
        self._deadline.hold(self.sock)


def _connect_first(
    addresses: tuple[str, ...], port: int, timeout: float | None, deadline: Deadline
) -> socket.socket:
    """A TCP connection to the first of ``addresses`` that answers, within the deadline."""
    error: OSError | None = None
    for address in addresses:
        wait = deadline.remaining() if timeout is None else min(timeout, deadline.remaining())
        try:
            sock = socket.create_connection((address, port), wait)
        except OSError as exc:
            error = exc
            continue
        deadline.hold(sock)
        return sock
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
    deadline: float | None = None,
    tls: ssl.SSLContext | None = None,
) -> Outcome:
    """One signed POST (Standard Webhooks); 2xx is success, 410 disables, anything else retries.

    The host is resolved and checked once, and the call connects to what was checked.
    Redirects are not followed and no proxy is used: either would bypass the check.
    ``timeout`` bounds each wait on the socket, ``deadline`` (default: three of them)
    the whole call.
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
    limit = Deadline(deadline if deadline is not None else 3 * timeout)
    connection: http.client.HTTPConnection = (
        _PinnedHTTPSConnection(target, timeout, tls or ssl.create_default_context(), limit)
        if target.scheme == "https"
        else _PinnedHTTPConnection(target, timeout, limit)
    )
    try:
        with WATCHDOG.guard(limit.seconds, limit.expire):
            connection.request("POST", target.target, body=body.encode("utf-8"), headers=headers)
            response = connection.getresponse()
            status = int(response.status)
            response.read(_MAX_ANSWER)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        # (http.client reading a socket shut under it can raise ValueError as well.)
        return Outcome(False, f"The call failed: {limit.error(exc)}")
    finally:
        connection.close()
    if 200 <= status < 300:
        return Outcome(True)
    if status == 410:
        return Outcome(False, GONE, gone=True)
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
    deadline: float | None = None,
) -> Outcome:
    """One plain-text message through ``SMTP_URL`` (smtp://, smtps:// or smtp+starttls://),
    each wait bounded by ``timeout`` and the whole exchange by ``deadline``."""
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
    over_tls = parts.scheme == "smtps"
    port = parts.port or (465 if over_tls else 25)
    limit = Deadline(deadline if deadline is not None else 3 * timeout)
    try:
        with WATCHDOG.guard(limit.seconds, limit.expire):
            client_class = _DeadlineSMTPOverTLS if over_tls else _DeadlineSMTP
            with client_class(timeout=timeout) as client:
                client.deadline = limit
                client.connect(parts.hostname, port)
                if parts.scheme == "smtp+starttls":
                    client.starttls()
                    if client.sock is not None:
                        limit.hold(client.sock)
                if parts.username:
                    client.login(unquote(parts.username), unquote(parts.password or ""))
                client.send_message(message)
    except (smtplib.SMTPException, OSError, ValueError) as exc:
        return Outcome(False, f"The mail server refused or failed: {limit.error(exc)}")
    return Outcome(True)


class _HeldSocket:
    """A mixin for smtplib's clients: their socket held by the call's :class:`Deadline`."""

    deadline: Deadline

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock: socket.socket = super()._get_socket(  # type: ignore[misc]
            host, port, min(timeout, self.deadline.remaining())
        )
        self.deadline.hold(sock)
        return sock


class _DeadlineSMTP(_HeldSocket, smtplib.SMTP):
    pass


class _DeadlineSMTPOverTLS(_HeldSocket, smtplib.SMTP_SSL):
    pass


def email_text(announcement: Announcement, base_url: str) -> str:
    return (
        f"{announcement.message}\n\n"
        f"The lifecycle of {announcement.product_name}: "
        f"{product_url(base_url, announcement.product)}\n\n"
        "You receive this message because this address subscribes to lifecycle announcements.\n"
    )
