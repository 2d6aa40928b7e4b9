"""``flask triage`` (SPEC 17): a ticket's triage from the command line, its reply text
first, then the verdict, the priority and when the answer is due."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from flask.cli import with_appcontext

from app import clock
from app.eligibility import query as queries
from app.eligibility.commands import (
    EXIT_BAD_INPUT,
    EXIT_COVERED,
    EXIT_NOT_COVERED,
    EXIT_UNAVAILABLE,
    answered,
    fail,
    safe,
)
from app.triage.service import CHANNELS
from lifecycle.status import Status

# The command line's own name for the history: what asked was no token.
CLI_ACTOR = "cli"

_EPILOG = f"""\b
Exit status: {EXIT_COVERED} covered, {EXIT_NOT_COVERED} not covered, {EXIT_BAD_INPUT} bad input
(unknown product, invalid version, bad option), {EXIT_UNAVAILABLE} database unavailable.
With --ticket, the answer is kept in the triage history (GET /api/v1/triage/history).

\b
Examples:
  flask --app app triage --subject "[High] replication stalls" aperturedb 1.4.2
  flask --app app triage --subject "Crash on start" --channel email \\
      --submitted-at 2026-11-17T10:30:00-08:00 --severity P2 \\
      --platform Ubuntu --platform-version jammy --ticket ZD-48213 aperturedb 1.4.2
"""


@click.command("triage", epilog=_EPILOG)
@click.argument("target", nargs=-1, metavar="[PRODUCT VERSION]")
@click.option("--subject", required=True, help="The ticket's subject ([Urgent], [High] count).")
@click.option("--body", help="The ticket's text.")
@click.option("--channel", metavar="CHANNEL", help=f"{', '.join(CHANNELS)} (default: portal).")
@click.option("--from", "sender", metavar="EMAIL", help="The sender's email (needs customers).")
@click.option(
    "--submitted-at",
    metavar="TIMESTAMP",
    help="When the ticket arrived, ISO 8601 with an offset (default: now).",
)
@click.option("--severity", metavar="SEV", help=f"Requested severity: {queries.SEVERITY_HELP}.")
@click.option("--deployment", metavar="CUSTOMER/NAME", help="A customer's deployment.")
@click.option("--customer", metavar="SLUG", help="The customer the ticket is from.")
@click.option("--platform", metavar="SLUG", help="Platform slug; needs --platform-version.")
@click.option("--platform-version", metavar="VERSION", help="Platform version or alias.")
@click.option("--environment", metavar="ENV", help="production or non-production.")
@click.option("--subscription", metavar="SUB", help="production, basic or none.")
@click.option("--as-of", metavar="YYYY-MM-DD", help="Judge on this date.")
@click.option("--ticket", metavar="REF", help="Your ticket's reference; keeps the answer.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON, and only that.")
@with_appcontext
def triage_command(
    target: tuple[str, ...], sender: str | None, as_json: bool, **options: str | None
) -> None:
    """Triage a ticket: is it covered, at which priority, when is the answer due, and what
    to reply. Give PRODUCT VERSION (or, once customers are kept, --deployment)."""
    from app.triage.service import triage

    if len(target) not in (0, 2):
        fail("Error: give PRODUCT and VERSION, both or neither.", EXIT_BAD_INPUT)
    payload: dict[str, Any] = {k: v for k, v in options.items() if v is not None}
    if target:
        payload["product"], payload["version"] = target
    if sender is not None:
        payload["from"] = sender
    payload.setdefault("submitted_at", clock.now().replace(microsecond=0).isoformat())
    answer = answered(lambda: triage(payload, actor=CLI_ACTOR))
    if as_json:
        click.echo(json.dumps(answer, indent=2))
    else:
        click.echo(safe(readable(answer)))
    sys.exit(EXIT_COVERED if answer["covered"] else EXIT_NOT_COVERED)


def readable(answer: dict[str, Any]) -> str:
    """The reply to send first, then what the desk needs to know."""
    covered = answer["covered"]
    severity = answer["severity"]
    cycle = f"cycle {answer['cycle']}" if answer["cycle"] is not None else "no known cycle"
    granted = severity["granted"] or "none"
    due = answer["response_due_at"] or "-"
    lines = [
        answer["reply"],
        "",
        f"{answer['product']} {answer['version']}: {'COVERED' if covered else 'NOT COVERED'}",
        f"  Status:             {Status(answer['status']).words}, {cycle}",
        f"  Priority:           requested {severity['requested']} ({severity['source']}), "
        f"granted {granted}",
        f"  Response due:       {due}"
        + (f" ({answer['response_target']})" if answer["response_target"] else ""),
        f"  Upgrade to:         {answer['upgrade_to'] or '-'}",
    ]
    if "upgrade_on_platform" in answer:
        lines.append(f"  Upgrade on platform: {answer['upgrade_on_platform'] or '-'}")
    if "ticket" in answer:
        lines.append(f"  Ticket:             {answer['ticket']} (kept in the triage history)")
    lines.append("Reasons:")
    lines.extend(f"  - {reason['message']}" for reason in answer["reasons"])
    return "\n".join(lines)
