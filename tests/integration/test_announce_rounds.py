"""SPEC 10 end to end in one process, on both databases: announce rounds day by day,
delivered to a real webhook receiver (every signature verified) and a real SMTP server.
Retries are driven by an injected "now", never by sleeping.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from test_announce_support import (
    MailServer,
    WebhookReceiver,
    hook,
    make_product,
    receiver,
    smtp,
    subscribe,
)

from app.announce import delivery
from app.announce import service as announcer
from app.announce.delivery import BACKOFF_BASE, BACKOFF_CAP, MAX_ATTEMPTS, backoff
from app.announce.models import Announcement, Delivery

__all__ = ["receiver", "smtp"]  # fixtures

ANNOUNCEMENTS = "/api/v1/announcements"
HOURS_7 = timedelta(hours=7)  # past the longest backoff (the cap is 6 hours)


@pytest.fixture
def catalogue(client: FlaskClient, admin: dict[str, str]) -> None:
    """ApertureDB: 1 and 2 change on 2027-03-01 (planned 3.0.0). Other: 1 on 2026-12-15."""
    make_product(
        client,
        admin,
        "aperturedb",
        "ApertureDB",
        [("1.4.2", "2025-01-10"), ("2.0.0", "2026-03-02"), ("3.0.0", "2027-03-01")],
    )
    make_product(client, admin, "other", "Other", [("1.0", "2024-01-01"), ("2.0", "2026-12-15")])


def run(app: Flask, day: date, now: datetime | None = None) -> tuple[list[Any], Any]:
    """One round as the job does it: announce for ``day``, then deliver."""
    with app.app_context():
        made = announcer.announce(day)
        report = delivery.deliver(now=now)
    return made, report


def deliver(app: Flask, now: datetime) -> delivery.RoundReport:
    with app.app_context():
        return delivery.deliver(now=now, rng=random.Random(7))


def data(receiver: WebhookReceiver, path: str) -> list[tuple[str, str, str, str, int]]:
    return sorted(
        (
            a.body["data"]["product"],
            a.body["data"]["cycle"],
            a.body["data"]["milestone"],
            a.body["data"]["date"],
            a.body["data"]["lead_days"],
        )
        for a in receiver.delivered(path)
    )


def outbox(app: Flask) -> list[Delivery]:
    with app.app_context():
        from app import db

        with db.reading() as session:
            return list(session.scalars(select(Delivery).order_by(Delivery.id)))


@pytest.fixture
def soon() -> Iterator[datetime]:
    """A "now" just after the rows were queued, so they are due."""
    yield datetime.now(UTC) + timedelta(minutes=1)


@pytest.mark.usefixtures("catalogue")
def test_each_due_milestone_arrives_once_per_subscriber_and_only_once(
    app: Flask,
    client: FlaskClient,
    admin: dict[str, str],
    support: dict[str, str],
    receiver: WebhookReceiver,
    smtp: MailServer,
) -> None:
    app.config["SMTP_URL"] = smtp.url
    hook(client, admin, receiver, "/all")
    hook(client, admin, receiver, "/aperturedb", products=["aperturedb"])
    hook(client, admin, receiver, "/other", products=["other"])
    subscribe(client, admin, kind="email", address="ops@example.com")

    made, report = run(app, date(2026, 12, 1))
    assert [a.due.describe() for a in made] == [
        "other 1 security_only_from 2026-12-15 (lead 30): "
        "Other 1 receives security fixes only from 2026-12-15, in 14 days.",
        "aperturedb 1 eol_on 2027-03-01 (lead 90): "
        "ApertureDB 1 reaches end of life on 2027-03-01, in 90 days.",
        "aperturedb 2 security_only_from 2027-03-01 (lead 90): "
        "ApertureDB 2 receives security fixes only from 2027-03-01, in 90 days.",
    ]
    assert (report.sent, report.retrying, report.failed) == (9, 0, 0)
    assert data(receiver, "/aperturedb") == [
        ("aperturedb", "1", "eol_on", "2027-03-01", 90),
        ("aperturedb", "2", "security_only_from", "2027-03-01", 90),
    ]
    assert data(receiver, "/other") == [("other", "1", "security_only_from", "2026-12-15", 30)]
    assert len(receiver.delivered("/all")) == 3
    [eol] = [a for a in receiver.delivered("/all") if a.body["data"]["milestone"] == "eol_on"]
    assert eol.body == {
        "type": "lifecycle.milestone",
        "data": {
            "product": "aperturedb",
            "cycle": "1",
            "milestone": "eol_on",
            "date": "2027-03-01",
            "lead_days": 90,
            "status_after": "eol",
            "message": "ApertureDB 1 reaches end of life on 2027-03-01, in 90 days.",
            "url": app.config["PUBLIC_BASE_URL"] + "/products/aperturedb",
        },
    }
    assert len({a.webhook_id for a in receiver.arrivals}) == 6
    assert receiver.rejected == []
    mail = smtp.messages
    assert sorted(m["Subject"] for _, m in mail) == [
        "ApertureDB 1 reaches end of life on 2027-03-01",
        "ApertureDB 2 receives security fixes only from 2027-03-01",
        "Other 1 receives security fixes only from 2026-12-15",
    ]
    assert all(to == ["ops@example.com"] for to, _ in mail)
    body = next(m for _, m in mail if "ApertureDB 1" in m["Subject"]).get_payload()
    assert "ApertureDB 1 reaches end of life on 2027-03-01, in 90 days." in body
    assert "/products/aperturedb" in body

    # The same day again, and the next: nothing new is announced or sent.
    for day in (date(2026, 12, 1), date(2026, 12, 2)):
        again, report = run(app, day)
        assert again == []
        assert report.attempted == 0
    assert len(receiver.arrivals) == 6
    assert len(smtp.messages) == 3

    # Thirty days ahead, the next lead of the same milestones.
    later, report = run(app, date(2027, 1, 30))
    assert [(a.due.milestone.cycle, a.due.lead_days) for a in later] == [("1", 30), ("2", 30)]
    assert report.sent == 6
    assert data(receiver, "/aperturedb") == [
        ("aperturedb", "1", "eol_on", "2027-03-01", 30),
        ("aperturedb", "1", "eol_on", "2027-03-01", 90),
        ("aperturedb", "2", "security_only_from", "2027-03-01", 30),
        ("aperturedb", "2", "security_only_from", "2027-03-01", 90),
    ]
    assert len(receiver.delivered("/aperturedb")) == 4
    assert len(receiver.delivered("/other")) == 1

    listed = client.get(ANNOUNCEMENTS, headers=support).json
    assert len(listed) == 5
    for announcement in listed:
        assert announcement["deliveries"]
        for d in announcement["deliveries"]:
            assert (d["state"], d["attempts"], d["last_error"]) == ("sent", 1, None)
            assert d["sent_at"] is not None
            assert d["next_attempt_at"] is None


@pytest.mark.usefixtures("catalogue")
def test_dry_run_prints_and_records_nothing(
    app: Flask,
    client: FlaskClient,
    admin: dict[str, str],
    runner: Any,
    receiver: WebhookReceiver,
) -> None:
    hook(client, admin, receiver, "/all")
    result = runner.invoke(args=["announce", "--as-of", "2026-12-01", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would announce: aperturedb 1 eol_on 2027-03-01 (lead 90)" in result.output
    assert result.output.count("would announce:") == 3
    with app.app_context():
        from app import db

        with db.reading() as session:
            assert session.scalar(select(func.count()).select_from(Announcement)) == 0
            assert session.scalar(select(func.count()).select_from(Delivery)) == 0
    assert receiver.arrivals == []

    result = runner.invoke(args=["announce", "--as-of", "2026-12-01"])
    assert result.exit_code == 0, result.output
    assert result.output.count("announced:") == 3
    assert "3 sent" in result.output
    assert len(receiver.delivered("/all")) == 3


@pytest.mark.usefixtures("catalogue")
def test_catch_up_after_missed_days_sends_only_the_smallest_due_lead(
    app: Flask, client: FlaskClient, admin: dict[str, str], receiver: WebhookReceiver
) -> None:
    hook(client, admin, receiver, "/aperturedb", products=["aperturedb"])
    # The job first runs four days before the milestones: 90 and 30 were missed.
    for day in ("2027-02-25", "2027-02-26", "2027-02-28", "2027-03-01", "2027-03-02"):
        run(app, date.fromisoformat(day))
    assert data(receiver, "/aperturedb") == [
        ("aperturedb", "1", "eol_on", "2027-03-01", 0),
        ("aperturedb", "1", "eol_on", "2027-03-01", 7),
        ("aperturedb", "2", "security_only_from", "2027-03-01", 0),
        ("aperturedb", "2", "security_only_from", "2027-03-01", 7),
    ]
    leads_in_order = [
        a.body["data"]["lead_days"]
        for a in receiver.delivered("/aperturedb")
        if a.body["data"]["cycle"] == "1"
    ]
    assert leads_in_order == [7, 0]
    first = next(a for a in receiver.delivered("/aperturedb") if a.body["data"]["cycle"] == "1")
    assert first.body["data"]["message"].endswith("on 2027-03-01, in 4 days.")


@pytest.mark.usefixtures("catalogue")
def test_a_moved_milestone_is_announced_again(
    app: Flask, client: FlaskClient, admin: dict[str, str], receiver: WebhookReceiver
) -> None:
    hook(client, admin, receiver, "/aperturedb", products=["aperturedb"])
    run(app, date(2027, 2, 25))
    moved = client.patch(
        "/api/v1/products/aperturedb/releases/3.0.0",
        json={"released_on": "2027-03-05"},
        headers=admin,
    )
    assert moved.status_code == 200, moved.json
    made, _ = run(app, date(2027, 2, 26))
    assert [(a.due.milestone.date, a.due.lead_days) for a in made] == [
        (date(2027, 3, 5), 7),
        (date(2027, 3, 5), 7),
    ]
    assert data(receiver, "/aperturedb") == [
        ("aperturedb", "1", "eol_on", "2027-03-01", 7),
        ("aperturedb", "1", "eol_on", "2027-03-05", 7),
        ("aperturedb", "2", "security_only_from", "2027-03-01", 7),
        ("aperturedb", "2", "security_only_from", "2027-03-05", 7),
    ]
    # Nothing is sent twice when the job runs again.
    assert run(app, date(2027, 2, 26))[0] == []
    assert len(receiver.arrivals) == 4


@pytest.mark.usefixtures("catalogue")
def test_a_failing_receiver_gets_the_message_after_retries(
    app: Flask,
    client: FlaskClient,
    admin: dict[str, str],
    receiver: WebhookReceiver,
    soon: datetime,
) -> None:
    hook(client, admin, receiver, "/flaky", products=["other"])
    receiver.scripts["/flaky"] = [500, 503]
    with app.app_context():
        assert len(announcer.announce(date(2026, 12, 10))) == 3

    first = deliver(app, soon)
    assert (first.sent, first.retrying) == (0, 1)
    [row] = outbox(app)
    assert (row.state, row.attempts, row.last_error) == (
        "pending",
        1,
        "The receiver answered HTTP 500.",
    )
    assert soon < row.next_attempt_at <= soon + BACKOFF_BASE + timedelta(seconds=5)
    # Not due yet: a second round at the same moment sends nothing.
    assert deliver(app, soon).attempted == 0

    assert deliver(app, soon + HOURS_7).retrying == 1
    assert deliver(app, soon + 2 * HOURS_7).sent == 1
    [row] = outbox(app)
    assert (row.state, row.attempts, row.last_error) == ("sent", 3, None)
    assert [a.status for a in receiver.arrivals] == [500, 503, 200]
    # The webhook-id is the receiver's idempotency key: the same on every retry.
    assert len({a.webhook_id for a in receiver.arrivals}) == 1
    assert deliver(app, soon + 3 * HOURS_7).attempted == 0


@pytest.mark.usefixtures("catalogue")
def test_a_receiver_that_always_fails_ends_failed_after_8_attempts(
    app: Flask,
    client: FlaskClient,
    admin: dict[str, str],
    support: dict[str, str],
    receiver: WebhookReceiver,
    soon: datetime,
) -> None:
    hook(client, admin, receiver, "/down", products=["other"])
    receiver.always["/down"] = 500
    with app.app_context():
        announcer.announce(date(2026, 12, 10))
    for step in range(MAX_ATTEMPTS + 3):
        deliver(app, soon + step * HOURS_7)
    assert len(receiver.arrivals) == MAX_ATTEMPTS == 8
    [row] = outbox(app)
    assert (row.state, row.attempts) == ("failed", 8)
    [listed] = [
        a for a in client.get(ANNOUNCEMENTS, headers=support).json if a["product"] == "other"
    ]
    assert listed["deliveries"] == [
        {
            "subscription_id": listed["deliveries"][0]["subscription_id"],
            "state": "failed",
            "attempts": 8,
            "next_attempt_at": None,
            "last_error": "The receiver answered HTTP 500.",
            "sent_at": None,
        }
    ]


@pytest.mark.usefixtures("catalogue")
def test_a_webhook_answering_410_is_disabled(
    app: Flask,
    client: FlaskClient,
    admin: dict[str, str],
    support: dict[str, str],
    receiver: WebhookReceiver,
) -> None:
    gone = hook(client, admin, receiver, "/gone")
    hook(client, admin, receiver, "/ok")
    receiver.always["/gone"] = 410
    made, report = run(app, date(2026, 12, 1))
    assert len(made) == 3
    assert len(receiver.delivered("/ok")) == 3
    # One call answered 410; its two other queued rows end failed without a call.
    assert len([a for a in receiver.arrivals if a.path == "/gone"]) == 1
    assert (report.sent, report.failed) == (3, 1)
    subscription = client.get(f"/api/v1/subscriptions/{gone['id']}", headers=support).json
    assert subscription["active"] is False
    assert "410" in subscription["disabled_reason"]
    rows = [r for r in outbox(app) if r.subscription_id == gone["id"]]
    assert [(r.state, "410" in (r.last_error or "")) for r in rows] == [("failed", True)] * 3
    # Later announcements are not queued for it.
    run(app, date(2027, 1, 30))
    assert len([r for r in outbox(app) if r.subscription_id == gone["id"]]) == 3
    assert len(receiver.delivered("/ok")) == 5


@pytest.mark.usefixtures("catalogue")
def test_redirects_are_not_followed_and_timeouts_are_bounded(
    app: Flask, client: FlaskClient, admin: dict[str, str], receiver: WebhookReceiver
) -> None:
    app.config["WEBHOOK_TIMEOUT_SECONDS"] = 0.3
    moved = hook(client, admin, receiver, "/moved", products=["other"])
    slow = hook(client, admin, receiver, "/slow", products=["other"])
    receiver.always["/moved"] = 302
    receiver.delays["/slow"] = 1.5
    started = datetime.now(UTC)
    _, report = run(app, date(2026, 12, 10))
    assert datetime.now(UTC) - started < timedelta(seconds=1.4)
    assert report.retrying == 2
    errors = {r.subscription_id: r.last_error or "" for r in outbox(app)}
    assert errors[moved["id"]] == "The receiver answered HTTP 302; redirects are not followed."
    assert "timed out" in errors[slow["id"]].lower(), errors
    # Nothing reached the redirect's target.
    assert [a.path for a in receiver.arrivals] == ["/moved"]


class _Extremes(random.Random):
    def __init__(self, pick_high: bool) -> None:
        super().__init__()
        self.pick_high = pick_high

    def uniform(self, a: float, b: float) -> float:
        return b if self.pick_high else a


@pytest.mark.parametrize("attempts", [1, 2, 3, 8, 9, 20])
def test_backoff_is_full_jitter_up_to_the_cap(attempts: int) -> None:
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempts - 1))
    assert backoff(attempts, _Extremes(pick_high=True)) == ceiling
    assert backoff(attempts, _Extremes(pick_high=False)) == timedelta(seconds=1)
    spread = {backoff(attempts, random.Random(seed)) for seed in range(20)}
    assert len(spread) > 10
    assert all(timedelta(seconds=1) <= d <= ceiling for d in spread)


@pytest.mark.usefixtures("catalogue")
def test_the_database_itself_refuses_a_second_announcement_of_one_key(app: Flask) -> None:
    with app.app_context():
        [first, *_] = announcer.announce(date(2027, 2, 25))
        from app import db

        session = db.session()
        with session.begin():
            original = session.get(Announcement, first.id)
            assert original is not None
            copy = {
                c.key: getattr(original, c.key)
                for c in Announcement.__table__.columns
                if c.key not in ("id", "created_at")
            }
        with pytest.raises(IntegrityError), session.begin():
            session.add(Announcement(**copy))
        # Another lead, or another date, of the same milestone is another announcement.
        for change in ({"lead_days": 0}, {"milestone_date": date(2027, 3, 5)}):
            with session.begin():
                session.add(Announcement(**{**copy, **change}))
