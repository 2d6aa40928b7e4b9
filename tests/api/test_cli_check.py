"""``flask check`` (SPEC 7) on both databases: exit codes, the JSON form equal to the API's
verdict, the readable form with every reason, and bad input on stderr with exit 2."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask

from tests.conftest import dispose, make_app, set_today
from tests.factories import DATABASES, ELIGIBILITY, ELIGIBILITY_URL, seeded_app

AS_OF = ELIGIBILITY.as_of.isoformat()
PRODUCT = ELIGIBILITY.product
URL = ELIGIBILITY_URL


@pytest.fixture(scope="module", params=DATABASES)
def seeded(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    tmp = tmp_path_factory.mktemp("eligibility")
    with seeded_app(request.param, sqlite_template, tmp, ELIGIBILITY) as app:
        yield app


def check(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=["check", *args])


def options(query: dict[str, str]) -> list[str]:
    """The CLI arguments for an API query."""
    argv = [query["product"], query["version"]]
    for name, value in query.items():
        if name not in ("product", "version"):
            argv += [f"--{name.replace('_', '-')}", value]
    return argv


QUERIES = [
    pytest.param({"version": "2.5.1"}, 0, id="current-covered"),
    pytest.param(
        {"version": "1.4.2", "platform": "ubuntu", "platform_version": "22.4", "severity": "S1"},
        0,
        id="security-only-on-listed-platform",
    ),
    pytest.param({"version": "1.4.2", "as_of": "2027-04-01"}, 1, id="eol-not-covered"),
    pytest.param({"version": "1.4.2", "as_of": "2027-10-01"}, 1, id="eosl-not-covered"),
    pytest.param({"version": "9.1"}, 1, id="unknown-cycle"),
    pytest.param({"version": "2.5.1", "subscription": "none"}, 1, id="no-subscription"),
    pytest.param(
        {"version": "1.4.2", "platform": "rhel", "platform_version": "9"},
        1,
        id="platform-not-supported",
    ),
    pytest.param(
        {"version": "2.5.1", "environment": "non_production", "severity": "emergency"},
        0,
        id="non-production-downgraded",
    ),
]


@pytest.mark.parametrize(("query", "exit_code"), QUERIES)
def test_json_equals_the_api_verdict(seeded: Flask, query: dict[str, str], exit_code: int) -> None:
    query = {"product": PRODUCT, "as_of": AS_OF, **query}
    result = check(seeded, *options(query), "--json")
    assert result.exit_code == exit_code, result.output
    assert result.stderr == ""
    from_cli = json.loads(result.stdout)  # only JSON on stdout
    from_api = seeded.test_client().get(URL, query_string=query).json
    assert from_cli == from_api
    assert from_cli["covered"] is (exit_code == 0)


@pytest.mark.parametrize(("query", "exit_code"), QUERIES)
def test_readable_verdict_has_every_reason(
    seeded: Flask, query: dict[str, str], exit_code: int
) -> None:
    query = {"product": PRODUCT, "as_of": AS_OF, **query}
    result = check(seeded, *options(query))
    assert result.exit_code == exit_code, result.output
    verdict: dict[str, Any] = seeded.test_client().get(URL, query_string=query).json  # type: ignore[assignment]
    out = result.stdout
    assert f"Covered:            {'yes' if verdict['covered'] else 'no'}" in out
    assert f"Support level:      {verdict['support_level'].replace('_', ' ')}" in out
    assert f"Allowed severities: {', '.join(verdict['allowed_severities']) or 'none'}" in out
    if verdict["upgrade_to"]:
        assert f"Upgrade to:         {verdict['upgrade_to']}" in out
    for reason in verdict["reasons"]:
        assert f"  - {reason['message']}\n" in out + "\n"


def test_readable_block_in_full(seeded: Flask) -> None:
    result = check(
        seeded, PRODUCT, "1.4.2", "--platform", "ubuntu", "--platform-version", "22.04",
        "--severity", "s1", "--as-of", AS_OF,
    )  # fmt: skip
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:12] == [
        "aperturedb 1.4.2: COVERED",
        "  Covered:            yes",
        "  Status:             security fixes only, cycle 1",
        "  Support level:      security fixes only",
        "  Dates:              released 2025-01-10; security fixes only from 2026-03-02; "
        "end of life 2027-03-01; end of service life 2027-09-01",
        "  Platform:           ubuntu 22.04, supported (vendor end of life 2027-06-01)",
        "  Environment:        production, production subscription",
        "  Allowed severities: urgent, high, normal, low",
        "  Severity:           requested urgent, granted urgent",
        "  Upgrade to:         2.5.1",
        "  As of:              2026-11-22",
        "Reasons:",
    ]


def test_as_of_defaults_to_today(seeded: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import date

    set_today(seeded, date(2027, 4, 1), monkeypatch)
    result = check(seeded, PRODUCT, "1.4.2", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["as_of"] == "2027-04-01"


BAD = [
    pytest.param(["nope", "1.4.2"], "No product is named 'nope'", id="unknown-product"),
    pytest.param([PRODUCT, "1e5"], "Invalid version: '1e5'", id="invalid-version"),
    pytest.param([PRODUCT, "1", "--environment", "staging"], "--environment:", id="environment"),
    pytest.param([PRODUCT, "1", "--subscription", "gold"], "--subscription:", id="subscription"),
    pytest.param([PRODUCT, "1", "--severity", "S9"], "--severity:", id="severity"),
    pytest.param([PRODUCT, "1", "--as-of", "2026-02-30"], "--as-of:", id="bad-date"),
    pytest.param([PRODUCT, "1", "--as-of", "3000-01-01"], "--as-of:", id="date-out-of-range"),
    pytest.param(
        [PRODUCT, "1", "--platform", "ubuntu"], "--platform-version:", id="platform-alone"
    ),
    pytest.param([PRODUCT, ""], "VERSION:", id="empty-version"),
    pytest.param([PRODUCT], "Missing argument", id="missing-version"),
    pytest.param([PRODUCT, "1", "--colour", "red"], "No such option", id="unknown-option"),
]


@pytest.mark.parametrize(("argv", "message"), BAD)
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_bad_input_exits_2_with_a_message_on_stderr(
    seeded: Flask, argv: list[str], message: str, as_json: bool
) -> None:
    result = check(seeded, *argv, *(["--json"] if as_json else []))
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_help_lists_the_accepted_values(seeded: Flask) -> None:
    result = check(seeded, "--help")
    assert result.exit_code == 0
    for text in (
        "PRODUCT VERSION",
        "--platform-version",
        "production or non-production",  # SPEC 17: as check prints it
        "production, basic, none",
        "S1..S4",
        "emergency",
        "YYYY-MM-DD",
        "--json",
        "0 covered, 1 not covered, 2 bad input",
    ):
        assert text in result.output, text
    listed = seeded.test_cli_runner().invoke(args=["--help"])
    assert "check" in listed.output


def test_an_unreadable_database_exits_3(tmp_path: Path) -> None:
    """Not migrated: neither a verdict nor bad input, so neither 0, 1 nor 2."""
    app = make_app(f"sqlite:///{tmp_path / 'empty.sqlite'}", tmp_path)
    try:
        result = check(app, PRODUCT, "1.4.2")
    finally:
        dispose(app)
    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    assert "database" in result.stderr
