"""SPEC 10 across processes: ``announce`` started three times at once announces each
milestone once (SQLite and PostgreSQL); a scheduler killed with SIGKILL mid-delivery
loses nothing; SIGTERM stops it cleanly. Every child process is killed in ``finally``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import pytest
from conftest import ROOT, dispose, make_app
from flask import Flask
from sqlalchemy import func, select
from test_announce_support import (
    WebhookReceiver,
    admin_headers,
    hook,
    make_product,
    receiver,
    wait_until,
)

from app import db
from app.announce.models import Announcement, Delivery
from app.announce.scheduler import JOB_DEFAULTS, build

__all__ = ["receiver"]  # fixture

FLASK = [sys.executable, "-m", "flask", "--app"]


def child_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        WEBHOOK_ALLOW_PRIVATE="1",
        WEBHOOK_TIMEOUT_SECONDS="5",
        SMTP_URL="smtp://127.0.0.1:9",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.pop("ANNOUNCE_LEAD_DAYS", None)
    env.pop("PYTHONTRACEMALLOC", None)
    return env


class Children:
    """Child processes that are always killed when the test ends, however it ends."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.procs: list[tuple[subprocess.Popen[bytes], IO[bytes], IO[bytes]]] = []

    def start(self, app_spec: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        n = len(self.procs)
        out = open(self.tmp_path / f"child{n}.out", "w+b")  # noqa: SIM115 - closed in kill_all
        err = open(self.tmp_path / f"child{n}.err", "w+b")  # noqa: SIM115 - closed in kill_all
        proc = subprocess.Popen(
            [*FLASK, app_spec, *args], cwd=ROOT, env=env, stdout=out, stderr=err
        )
        self.procs.append((proc, out, err))
        return proc

    def output(self, proc: subprocess.Popen[bytes]) -> tuple[str, str]:
        for p, out, err in self.procs:
            if p is proc:
                out.seek(0)
                err.seek(0)
                return out.read().decode(), err.read().decode()
        raise LookupError(proc)

    def finish(self, proc: subprocess.Popen[bytes], timeout: float) -> str:
        """Wait for a child that should exit by itself; its stdout, or fail with its stderr."""
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            pytest.fail(f"a child did not finish within {timeout} s: {self.output(proc)[1]}")
        stdout, stderr = self.output(proc)
        assert proc.returncode == 0, stderr
        return stdout

    def kill_all(self) -> None:
        for proc, out, err in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=10)
            out.close()
            err.close()


@pytest.fixture
def children(tmp_path: Path) -> Iterator[Children]:
    kids = Children(tmp_path)
    try:
        yield kids
    finally:
        kids.kill_all()


@pytest.fixture
def setup_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The test's own app on the same database as the children."""
    app = make_app(database_url, tmp_path)
    yield app
    dispose(app)


def due_catalogue(app: Flask, products: int, today: date) -> dict[str, str]:
    """``products`` products, each with three milestones due ``today``; the admin headers."""
    admin = admin_headers(app)
    client = app.test_client()
    for n in range(products):
        make_product(
            client,
            admin,
            f"product-{n}",
            f"Product {n}",
            [
                ("1.0", today - timedelta(days=400)),
                ("2.0", today + timedelta(days=5)),  # cycle 1 security-only in 5 days: lead 7
                ("3.0", today + timedelta(days=20)),  # cycle 1 EOL, cycle 2 security-only: lead 30
            ],
        )
    return admin


def count(app: Flask, query: Any) -> int:
    with app.app_context(), db.reading() as session:
        return int(session.scalar(query) or 0)


def outbox_states(app: Flask) -> dict[str, int]:
    with app.app_context(), db.reading() as session:
        rows = session.execute(select(Delivery.state, func.count()).group_by(Delivery.state))
        return {state: int(n) for state, n in rows}


def message_ids(app: Flask) -> set[str]:
    with app.app_context(), db.reading() as session:
        return set(session.scalars(select(Delivery.message_id)))


def test_three_announce_processes_at_once_announce_each_milestone_once(
    setup_app: Flask,
    database_url: str,
    children: Children,
    receiver: WebhookReceiver,
) -> None:
    day = date(2027, 6, 1)
    admin = due_catalogue(setup_app, products=4, today=day)
    client = setup_app.test_client()
    for n in range(5):
        hook(client, admin, receiver, f"/hook/{n}")
    env = child_env(database_url)
    procs = [children.start("app", ["announce", "--as-of", day.isoformat()], env) for _ in range(3)]
    outputs = [children.finish(proc, timeout=90) for proc in procs]

    announced = [
        line for out in outputs for line in out.splitlines() if line.startswith("announced:")
    ]
    assert len(announced) == 12, outputs
    assert len(set(announced)) == 12
    keys = (
        select(
            Announcement.product,
            Announcement.cycle,
            Announcement.milestone,
            Announcement.milestone_date,
        )
        .group_by(
            Announcement.product,
            Announcement.cycle,
            Announcement.milestone,
            Announcement.milestone_date,
        )
        .having(func.count() > 1)
    )
    assert count(setup_app, select(func.count()).select_from(Announcement)) == 12
    assert count(setup_app, select(func.count()).select_from(keys.subquery())) == 0
    assert outbox_states(setup_app) == {"sent": 60}
    assert {a.webhook_id for a in receiver.delivered()} == message_ids(setup_app)
    print(f"concurrent announce: {receiver.duplicates()} of 60 deliveries arrived twice")
    assert receiver.duplicates() == 0
    assert receiver.rejected == []


def test_a_scheduler_killed_mid_delivery_loses_nothing(
    setup_app: Flask,
    database_url: str,
    children: Children,
    receiver: WebhookReceiver,
) -> None:
    receiver.delay = 0.02
    admin = due_catalogue(setup_app, products=2, today=datetime.now(UTC).date())
    client = setup_app.test_client()
    for n in range(50):
        hook(client, admin, receiver, f"/hook/{n}")
    total = 2 * 3 * 50
    env = child_env(database_url)
    # A short lease, so that the row the killed sender held is free again soon.
    scheduler = children.start("app:create_app({'DELIVERY_LEASE_SECONDS': 2})", ["scheduler"], env)
    wait_until(lambda: len(receiver.delivered()) >= total // 4, 60, "a quarter of the deliveries")
    scheduler.send_signal(signal.SIGKILL)
    scheduler.wait(timeout=10)
    arrived_before_restart = len(receiver.delivered())
    assert arrived_before_restart < total, "the scheduler finished before it was killed"
    assert outbox_states(setup_app).get("pending", 0) > 0

    # Run again until the outbox is empty (the killed sender's lease runs out first).
    deadline = time.monotonic() + 60
    rounds = 0
    while outbox_states(setup_app).get("pending", 0):
        assert time.monotonic() < deadline, f"outbox still has rows: {outbox_states(setup_app)}"
        if rounds:
            time.sleep(0.5)
        children.finish(children.start("app", ["announce"], env), timeout=60)
        rounds += 1

    assert outbox_states(setup_app) == {"sent": total}
    assert count(setup_app, select(func.count()).select_from(Announcement)) == 6
    ids = {a.webhook_id for a in receiver.delivered()}
    assert ids == message_ids(setup_app)
    twice = receiver.duplicates()
    print(
        f"killed at {arrived_before_restart}/{total} deliveries, {rounds} rounds after restart: "
        f"{len(ids)} distinct arrived, {twice} arrived twice"
    )
    # A row is claimed only as its call starts, and one receiver takes at most
    # DELIVERY_PER_RECEIVER calls at once (every hook here is on one receiver): at most
    # the rows in flight when the sender was killed are sent again.
    assert twice <= 2
    assert receiver.rejected == []


def test_sigterm_stops_the_scheduler_cleanly(
    setup_app: Flask,
    database_url: str,
    children: Children,
    receiver: WebhookReceiver,
) -> None:
    receiver.delay = 0.05
    admin = due_catalogue(setup_app, products=1, today=datetime.now(UTC).date())
    client = setup_app.test_client()
    for n in range(20):
        hook(client, admin, receiver, f"/hook/{n}")
    scheduler = children.start("app", ["scheduler"], child_env(database_url))
    wait_until(lambda: len(receiver.delivered()) >= 5, 60, "the first deliveries")
    scheduler.send_signal(signal.SIGTERM)
    try:
        scheduler.wait(timeout=15)
    except subprocess.TimeoutExpired:
        pytest.fail("the scheduler did not stop within 15 s of SIGTERM")
    _, stderr = children.output(scheduler)
    assert scheduler.returncode == 0, stderr
    assert "stopped" in stderr
    states = outbox_states(setup_app)
    # It stopped after the row in hand, not after the whole outbox, and left no claim behind.
    assert states.get("pending", 0) > 0
    assert states["sent"] == len(receiver.delivered())
    assert count(setup_app, select(func.count()).where(Delivery.claimed_by.is_not(None))) == 0


def test_the_scheduler_runs_in_utc_announcing_hourly_and_delivering_every_minute(
    setup_app: Flask,
) -> None:
    scheduler, _ = build(setup_app)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"announce", "deliver", "startup"}
    assert str(scheduler.timezone) == "UTC"
    # SPEC 19: every hour at :05, so that a database blip at one run loses no milestone.
    trigger = jobs["announce"].trigger
    at = datetime(2026, 11, 23, 10, 7, tzinfo=UTC)
    assert trigger.get_next_fire_time(None, at) == datetime(2026, 11, 23, 11, 5, tzinfo=UTC)
    late = datetime(2026, 11, 23, 23, 6, tzinfo=UTC)
    assert trigger.get_next_fire_time(None, late) == datetime(2026, 11, 24, 0, 5, tzinfo=UTC)
    assert jobs["deliver"].trigger.interval == timedelta(minutes=1)
    assert JOB_DEFAULTS == {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
    for job in jobs.values():
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.misfire_grace_time == 3600
