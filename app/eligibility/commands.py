"""``flask check``: the eligibility verdict of SPEC 5 from the command line (SPEC 7)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click
from flask.cli import with_appcontext

from app import clock
from app.eligibility import query as queries
from app.eligibility import service as service
from app.errors import ApiError
from lifecycle.errors import LifecycleError
from lifecycle.status import Status
from lifecycle.verdict import Verdict

EXIT_COVERED, EXIT_NOT_COVERED, EXIT_BAD_INPUT, EXIT_UNAVAILABLE = 0, 1, 2, 3
T = TypeVar("T")

_EPILOG = f"""\b
Exit status: {EXIT_COVERED} covered, {EXIT_NOT_COVERED} not covered, {EXIT_BAD_INPUT} bad input
(unknown product, invalid version, bad option), {EXIT_UNAVAILABLE} database unavailable.

\b
Examples:
  flask --app app check aperturedb 1.4.2
  flask --app app check aperturedb 1.4.2 --platform ubuntu --platform-version 22.04 \\
      --severity S1 --environment non_production --json
"""


@click.command("check", epilog=_EPILOG)
@click.argument("product")
@click.argument("version")
@click.option(
    "--platform", metavar="SLUG", help="Platform slug (e.g. ubuntu); needs --platform-version."
)
@click.option(
    "--platform-version", metavar="VERSION", help="Platform version (22.04 matches 22.4)."
)
@click.option(
    "--environment",
    metavar="ENV",
    help="production or non-production (default: production).",
)
@click.option(
    "--subscription",
    metavar="SUB",
    help=f"{', '.join(queries.SUBSCRIPTIONS)} (default: production; basic is non-production).",
)
@click.option("--severity", metavar="SEV", help=f"Requested severity: {queries.SEVERITY_HELP}.")
@click.option("--as-of", metavar="YYYY-MM-DD", help="Judge on this date (default: today, UTC).")
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as JSON, and only that.")
@with_appcontext
def check_command(product: str, version: str, as_json: bool, **options: str | None) -> None:
    """Is VERSION of PRODUCT covered, and at which priority may a ticket be worked?

    Prints the eligibility verdict (SPEC 5) with its reasons, the same as
    GET /api/v1/eligibility answers for the same query.
    """
    values: dict[str, Any] = {"product": product, "version": version}
    values.update({k: v for k, v in options.items() if v is not None})
    verdict = answered(lambda: service.decide(values, clock.today()))
    if as_json:
        click.echo(json.dumps(verdict.to_dict(), indent=2))
    else:
        click.echo(safe(readable(verdict)))
    sys.exit(EXIT_COVERED if verdict.covered else EXIT_NOT_COVERED)


def answered(call: Callable[[], T]) -> T:
    """What ``call`` answers; on bad input or an unreadable database, the error on stderr
    and the exit status of SPEC 7 (2 bad input, 3 database unavailable)."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return call()
    except (ApiError, LifecycleError) as error:
        problem = service.problem_for(error)
        if problem["status"] >= 500:
            fail(problem["detail"], EXIT_UNAVAILABLE)
        fail(problem_text(problem), EXIT_BAD_INPUT)
    except SQLAlchemyError as error:
        fail(
            f"The database cannot be read ({error.__class__.__name__}); "
            "is it up, and migrated with `flask --app app db upgrade`?",
            EXIT_UNAVAILABLE,
        )


def readable(verdict: Verdict) -> str:
    """The verdict as a short block a support engineer can read or paste."""
    data = verdict.to_dict()
    cycle = f"cycle {verdict.cycle}" if verdict.cycle is not None else "no known cycle"
    known = "" if verdict.release_known else " (not a recorded release)"
    lines = [
        f"{verdict.product} {verdict.version}: {'COVERED' if verdict.covered else 'NOT COVERED'}",
        f"  Covered:            {'yes' if verdict.covered else 'no'}",
        f"  Status:             {Status(verdict.status).words}, {cycle}{known}",
        f"  Support level:      {verdict.support_level.replace('_', ' ')}",
        f"  Dates:              {_dates(data['dates'])}",
        f"  Platform:           {_platform(data['platform'])}",
        f"  Environment:        {verdict.environment.replace('_', '-')}, "
        f"{verdict.subscription} subscription",
        f"  Allowed severities: {', '.join(verdict.allowed_severities) or 'none'}",
        f"  Severity:           {_severity(verdict)}",
        f"  Upgrade to:         {verdict.upgrade_to or '-'}",
        f"  As of:              {verdict.as_of}",
        "Reasons:",
    ]
    lines.extend(f"  - {reason.message}" for reason in verdict.reasons)
    return "\n".join(lines)


def _dates(dates: Any) -> str:
    if dates is None:
        return "-"
    names = (
        ("released_on", "released"),
        ("security_only_from", "security fixes only from"),
        ("eol_on", "end of life"),
        ("eosl_on", "end of service life"),
    )
    shown = [f"{words} {dates[key]}" for key, words in names if dates.get(key)]
    return "; ".join(shown) or "-"


def _platform(platform: Any) -> str:
    if platform is None:
        return "not checked"
    supported = "supported" if platform["supported"] else "NOT supported"
    eol = f" (vendor end of life {platform['vendor_eol']})" if platform["vendor_eol"] else ""
    return f"{platform['platform']} {platform['version']}, {supported}{eol}"


def _severity(verdict: Verdict) -> str:
    if verdict.severity_requested is None:
        return "none requested"
    return f"requested {verdict.severity_requested}, granted {verdict.severity_granted or 'none'}"


def problem_text(problem: dict[str, Any]) -> str:
    lines = [f"Error: {problem['detail']}"]
    for field, messages in (problem.get("errors") or {}).items():
        name = field.upper() if field in ("product", "version") else "--" + field.replace("_", "-")
        lines.extend(f"  {name}: {m}" for m in messages if m != problem["detail"])
    return "\n".join(lines)


def fail(message: str, code: int) -> NoReturn:
    click.echo(safe(message), err=True)
    sys.exit(code)


def safe(text: str) -> str:
    """Arguments the shell could not decode arrive as lone surrogates: print them escaped."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
