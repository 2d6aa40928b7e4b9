"""The scheduler process (SPEC 10, 19): APScheduler in UTC, announcing hourly, delivering each
minute.

Only ``flask --app app scheduler`` starts it; web workers never do. Several
schedulers may run at once: announcements are made once by the database's
unique key, and each outbox row is claimed by one sender at a time.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from app import clock
from app.announce import delivery
from app.announce import service as announcer

log = logging.getLogger(__name__)

# Hourly (SPEC 19): a database blip at one run loses nothing; the unique key keeps it once.
ANNOUNCE_AT = {"minute": 5}
DELIVER_EVERY_SECONDS = 60
JOB_DEFAULTS: dict[str, Any] = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}


class Jobs:
    """The scheduler's work, each run in its own app context."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.stopping = threading.Event()
        # One delivery round at a time in this process (the startup round and the minutely job).
        self._delivering = threading.Lock()

    def announce(self) -> None:
        if self.stopping.is_set():
            return
        with self.app.app_context():
            made = announcer.announce(clock.today())
        log.info("announce: %d new announcements", len(made))

    def deliver(self) -> None:
        if not self._delivering.acquire(blocking=False):
            return
        try:
            with self.app.app_context():
                report = delivery.deliver(should_stop=self.stopping.is_set)
            if report.attempted:
                log.info("deliver: %s", report)
        finally:
            self._delivering.release()

    def startup(self) -> None:
        """A round at once on start, so a restart does not wait for the next minute or day."""
        try:
            self.announce()
        finally:
            self.deliver()


def build(app: Flask) -> tuple[BlockingScheduler, Jobs]:
    """The scheduler with its three jobs (hourly announce, minutely deliver, one round now)."""
    jobs = Jobs(app)
    scheduler = BlockingScheduler(timezone="UTC", job_defaults=dict(JOB_DEFAULTS))
    # The defaults are given to each job too, so that they show before the scheduler starts.
    scheduler.add_job(
        jobs.announce,
        CronTrigger(**ANNOUNCE_AT, timezone="UTC"),
        id="announce",
        name="announce",
        **JOB_DEFAULTS,
    )
    scheduler.add_job(
        jobs.deliver,
        IntervalTrigger(seconds=DELIVER_EVERY_SECONDS, timezone="UTC"),
        id="deliver",
        name="deliver",
        **JOB_DEFAULTS,
    )
    scheduler.add_job(jobs.startup, id="startup", name="startup round", **JOB_DEFAULTS)
    return scheduler, jobs


def run(app: Flask) -> None:
    """Run in the foreground until SIGTERM or SIGINT; the job running then finishes its row."""
    scheduler, jobs = build(app)

    def stop(signum: int, _frame: Any) -> None:
        if jobs.stopping.is_set():
            return
        log.warning("scheduler: signal %d, stopping", signum)
        jobs.stopping.set()
        # Shut down from another thread: the handler may have interrupted the
        # scheduler's main loop while it holds its own locks.
        threading.Thread(target=scheduler.shutdown, kwargs={"wait": False}, daemon=True).start()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        scheduler.start()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    log.warning("scheduler: stopped")
