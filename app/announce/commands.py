"""The ``announce`` and ``scheduler`` commands (SPEC 7, 10)."""

from __future__ import annotations

import sys
from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from app import clock
from lifecycle.errors import LifecycleError


@click.command("announce")
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day to announce for (default: today, UTC).",
)
@click.option(
    "--dry-run", is_flag=True, help="Print what would be announced; write and send nothing."
)
@with_appcontext
def announce_command(as_of: datetime | None, dry_run: bool) -> None:
    """Make due announcements (SPEC 10), then deliver the outbox once."""
    # Imported here: every other command would pay for the delivery code.
    from app.announce import delivery
    from app.announce import service as announcer

    day = as_of.date() if as_of else clock.today()
    try:
        made = announcer.announce(day, dry_run=dry_run)
    except LifecycleError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    verb = "would announce" if dry_run else "announced"
    for item in made:
        line = f"{verb}: {item.due.describe()}"
        if not dry_run:
            line += f" [{item.deliveries} subscribers]"
        click.echo(line)
    if dry_run:
        click.echo(f"Dry run for {day}: {len(made)} announcements due; nothing written or sent.")
        return
    click.echo(f"{len(made)} announcements made for {day}.")
    report = delivery.deliver()
    counts = delivery.outbox_counts()
    click.echo(
        f"Delivered: {report}. Outbox: {counts['pending']} pending, "
        f"{counts['sent']} sent, {counts['failed']} failed."
    )


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduler in the foreground: announce daily at 00:05 UTC, deliver every minute."""
    from app.announce import scheduler as scheduler

    click.echo(
        "Scheduler running (UTC): announce daily at 00:05, deliver every minute; "
        "stop with SIGTERM or Ctrl-C.",
        err=True,
    )
    scheduler.run(current_app._get_current_object())  # type: ignore[attr-defined]
