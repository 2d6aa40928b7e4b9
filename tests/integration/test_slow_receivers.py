"""Slow webhook receivers (SPEC 19), real sockets on 127.0.0.1: one that takes the request
and never answers, one that drips its answer a byte at a time (never idle long enough for
a socket timeout), beside a healthy one.

- The healthy subscriber is not delayed by the other two: deliveries run concurrently,
  a few at once per receiver.
- Every call ends at its total deadline, however the receiver behaves.
- A row is never sent twice because its lease ran out while its call was in flight: the
  deadline is kept inside the lease, even when the lease is configured short.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from test_announce_support import WebhookReceiver, hook, make_product, receiver

from app import db
from app.announce import delivery
from app.announce import service as announcer
from app.announce.models import Delivery
from tests.conftest import dispose, make_app

__all__ = ["receiver"]  # fixture

pytestmark = pytest.mark.slow

DRIP_EVERY = 0.2  # seconds between two bytes: well under the socket timeout
SOCKET_TIMEOUT = 0.75
DEADLINE = 1.5
TICK = 0.5  # the watchdog's and the scheduler's slack


@dataclass
class SlowReceiver:
    """Takes each request whole, then hangs (``drip=False``) or drips its answer."""

    drip: bool
    calls: list[tuple[str, float, float]] = field(default_factory=list)  # id, start, end
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    sock: socket.socket | None = None

    def start(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str) -> str:
        assert self.sock is not None
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}{path}"

    def close(self) -> None:
        self.stop.set()
        if self.sock is not None:
            self.sock.close()

    def ids(self) -> Counter[str]:
        with self.lock:
            return Counter(webhook_id for webhook_id, _, _ in self.calls)

    def settle(self, calls: int, seconds: float = 3.0) -> None:
        """Wait until ``calls`` calls have ended here (a dripping send notices a closed
        connection only at its next byte)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.calls) >= calls:
                    return
            time.sleep(0.05)

    def durations(self) -> list[float]:
        with self.lock:
            return [end - start for _, start, end in self.calls]

    def _accept(self) -> None:
        assert self.sock is not None
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        started = time.monotonic()
        webhook_id = "?"
        with conn:
            conn.settimeout(0.1)
            data = b""
            while b"\r\n\r\n" not in data and not self.stop.is_set():
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    continue
                if not chunk:
                    return
                data += chunk
            for line in data.split(b"\r\n"):
                if line.lower().startswith(b"webhook-id:"):
                    webhook_id = line.split(b":", 1)[1].strip().decode()
            answer = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" * 50
            sent = 0
            while not self.stop.is_set():
                try:
                    if self.drip:
                        conn.sendall(answer[sent : sent + 1])
                        sent += 1
                        time.sleep(DRIP_EVERY)
                    elif conn.recv(1) == b"":
                        break  # the sender gave up and closed
                except TimeoutError:
                    continue
                except OSError:
                    break
        with self.lock:
            self.calls.append((webhook_id, started, time.monotonic()))


@pytest.fixture
def slow() -> Iterator[tuple[SlowReceiver, SlowReceiver]]:
    hanging, dripping = SlowReceiver(drip=False), SlowReceiver(drip=True)
    hanging.start()
    dripping.start()
    try:
        yield hanging, dripping
    finally:
        hanging.close()
        dripping.close()


def _app(database_url: str, tmp_path: Path, **config: object) -> Flask:
    return make_app(
        database_url,
        tmp_path,
        WEBHOOK_TIMEOUT_SECONDS=SOCKET_TIMEOUT,
        WEBHOOK_DEADLINE_SECONDS=DEADLINE,
        **config,
    )


def _subscribe_and_announce(
    app: Flask, receiver: WebhookReceiver, slow: tuple[SlowReceiver, SlowReceiver]
) -> int:
    """Three milestones due today, a subscriber at each receiver; the rows per subscriber."""
    from test_announce_support import admin_headers

    today = datetime.now(UTC).date()
    admin = admin_headers(app)
    client = app.test_client()
    make_product(
        client,
        admin,
        "aperturedb",
        "ApertureDB",
        [
            ("1.0", today - timedelta(days=400)),
            ("2.0", today + timedelta(days=5)),
            ("3.0", today + timedelta(days=20)),
        ],
    )
    hook(client, admin, receiver, "/healthy")
    hanging, dripping = slow
    for target in (hanging, dripping):
        answer = client.post(
            "/api/v1/subscriptions",
            json={"kind": "webhook", "url": target.url("/hook")},
            headers=admin,
        )
        assert answer.status_code == 201, answer.json
    with app.app_context():
        made = announcer.announce(today)
    return len(made)


def _run(app: Flask, now: datetime | None = None) -> delivery.RoundReport:
    with app.app_context():
        return delivery.deliver(now=now)


def test_a_hanging_and_a_dripping_receiver_delay_no_other_subscriber(
    database_url: str,
    tmp_path: Path,
    receiver: WebhookReceiver,
    slow: tuple[SlowReceiver, SlowReceiver],
) -> None:
    app = _app(database_url, tmp_path)
    try:
        rows = _subscribe_and_announce(app, receiver, slow)
        assert rows == 3
        reports: list[delivery.RoundReport] = []
        started = time.monotonic()
        sender = threading.Thread(target=lambda: reports.append(_run(app)))
        sender.start()
        healthy_at = None
        while sender.is_alive() or healthy_at is None:
            if healthy_at is None and len(receiver.delivered("/healthy")) == rows:
                healthy_at = time.monotonic() - started
            if time.monotonic() - started > 60:
                break
            time.sleep(0.02)
        sender.join(timeout=30)
        took = time.monotonic() - started
    finally:
        dispose(app)

    hanging, dripping = slow
    for target in slow:
        target.settle(rows)
    print(
        f"\nhealthy done after {healthy_at:.2f} s; round {took:.2f} s; calls to the hanging "
        f"receiver {hanging.durations()}, to the dripping one {dripping.durations()}"
    )
    # Before any slow call could have ended: not queued behind one.
    assert healthy_at is not None and healthy_at < DEADLINE, healthy_at
    assert reports and reports[0].sent == rows and reports[0].retrying == 2 * rows
    for target in slow:
        assert sum(target.ids().values()) == rows
        assert max(target.ids().values()) == 1
        assert all(d <= DEADLINE + TICK + 0.6 for d in target.durations()), target.durations()
    # The hanging one idles: its socket timeout ends each call. The dripping one never
    # idles that long: only the deadline ends it.
    assert all(d < DEADLINE for d in hanging.durations()), hanging.durations()
    assert all(d >= DEADLINE - 0.2 for d in dripping.durations()), dripping.durations()
    # Two at once per receiver: three calls took two deadlines, not three.
    assert took < 2 * DEADLINE + 2 * TICK + 1.0, took
    with app.app_context(), db.reading() as session:
        errors = Counter(
            "deadline" if "deadline" in (error or "") else "timed out"
            for error in session.scalars(
                select(Delivery.last_error).where(Delivery.state == "pending")
            )
        )
    assert errors == {"deadline": rows, "timed out": rows}


def test_no_row_is_sent_twice_when_its_call_outlasts_a_short_lease(
    database_url: str,
    tmp_path: Path,
    receiver: WebhookReceiver,
    slow: tuple[SlowReceiver, SlowReceiver],
) -> None:
    """A lease of 3 s and a deadline configured far longer: the call is cut inside the
    lease, so a second sender that starts once the lease would have run out finds every
    row either done or not due, and calls nobody twice."""
    lease = 3.0
    app = _app(database_url, tmp_path, DELIVERY_LEASE_SECONDS=lease)
    app.config["WEBHOOK_DEADLINE_SECONDS"] = 60.0
    second = _app(database_url, tmp_path, DELIVERY_LEASE_SECONDS=lease)
    try:
        rows = _subscribe_and_announce(app, receiver, slow)
        first_now = datetime.now(UTC)
        first = threading.Thread(target=_run, args=(app, first_now))
        first.start()
        time.sleep(lease + 0.5)
        # As a second scheduler would: a round of its own, its "now" past the first's lease.
        _run(second, first_now + timedelta(seconds=lease + 0.5))
        first.join(timeout=60)
        assert not first.is_alive()
    finally:
        dispose(app)
        dispose(second)
    for target in slow:
        target.settle(rows)
        assert sum(target.ids().values()) >= rows
        assert max(target.ids().values()) == 1, target.ids()
        assert all(d < lease for d in target.durations()), target.durations()
    assert receiver.duplicates() == 0
