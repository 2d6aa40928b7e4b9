"""SPEC 17 through HTTP and the command line, on both databases: forgiving input everywhere
a caller types, typos as errors, tickets, the reply and the triage history, aliases in the
platform API and the catalogue file, and the triage, products and platforms commands.

The rules themselves are tested in tests/unit/test_support_desk.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from app.auth import Role, create_token
from tests.factories import DATABASES, DESK, ELIGIBILITY_URL, admin_headers, seeded_app

AS_OF = DESK.as_of.isoformat()
URL = ELIGIBILITY_URL
TRIAGE = "/api/v1/triage"
HISTORY = "/api/v1/triage/history"
TICKET_AT = "2026-11-17T10:30:00-08:00"


@pytest.fixture(scope="module", params=DATABASES)
def seeded(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    tmp = tmp_path_factory.mktemp("desk")
    with seeded_app(request.param, sqlite_template, tmp, DESK) as app:
        yield app


@pytest.fixture
def api(seeded: Flask) -> FlaskClient:
    return seeded.test_client()


@pytest.fixture(scope="module")
def support(seeded: Flask) -> dict[str, str]:
    with seeded.app_context():
        secret, _ = create_token(Role.SUPPORT, "desk-alice")
    return {"Authorization": f"Bearer {secret}"}


def get(api: FlaskClient, **params: str) -> Any:
    return api.get(URL, query_string={"as_of": AS_OF, **params})


def ok(answer: Any) -> dict[str, Any]:
    assert answer.status_code == 200, answer.get_json()
    body: dict[str, Any] = answer.get_json()
    return body


def ticket(**fields: Any) -> dict[str, Any]:
    return {"subject": "[High] replication stalls", "submitted_at": TICKET_AT, **fields}


# --- forgiving input: every place a caller types a slug ----------------------------------


def test_slugs_and_platform_names_in_any_case_give_the_same_verdict(api: FlaskClient) -> None:
    plain = ok(
        get(api, product="aperturedb", version="1.4.2", platform="ubuntu", platform_version="22.04")
    )
    for product, platform, version in [
        ("ApertureDB", "Ubuntu", "22.04"),
        ("APERTUREDB", "UBUNTU", "jammy"),
        (" ApertureDB ", "ubuntu", "22.04 LTS"),
    ]:
        other = get(
            api, product=product, version="1.4.2", platform=platform, platform_version=version
        )
        assert ok(other) == plain
    assert plain["covered"] and plain["platform"]["supported"]
    batch = api.post(
        URL,
        json={
            "queries": [
                {
                    "product": "ApertureDB",
                    "version": "1.4.2",
                    "platform": "Ubuntu",
                    "platform_version": "jammy",
                    "as_of": AS_OF,
                },
            ]
        },
    )
    assert ok(batch)["results"] == [plain]


def test_triage_and_the_page_take_any_case(api: FlaskClient, support: dict[str, str]) -> None:
    body = ok(
        api.post(
            TRIAGE,
            json=ticket(
                product="ApertureDB", version="1.4.2", platform="UBUNTU", platform_version="Jammy"
            ),
            headers=support,
        )
    )
    assert body["product"] == "aperturedb" and body["platform"]["supported"] is True
    page = api.get(
        f"/products/aperturedb?as_of={AS_OF}&version=1.4.2&platform=Ubuntu&platform_version=jammy"
    )
    assert page.status_code == 200
    assert "Ubuntu 22.04 (jammy)" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("params", "field", "value"),
    [
        ({"environment": "non-production"}, "environment", "non_production"),
        ({"environment": "Non-Production"}, "environment", "non_production"),
        ({"severity": "P1"}, "severity", {"requested": "urgent", "granted": "urgent"}),
        ({"severity": "Sev2"}, "severity", {"requested": "high", "granted": "high"}),
        ({"severity": "SEV-1"}, "severity", {"requested": "urgent", "granted": "urgent"}),
        ({"severity": "critical"}, "severity", {"requested": "urgent", "granted": "urgent"}),
    ],
)
def test_environment_and_severity_aliases(
    api: FlaskClient, params: dict[str, str], field: str, value: object
) -> None:
    assert ok(get(api, product="aperturedb", version="2.5.1", **params))[field] == value


def test_a_dotted_version_of_a_whole_number_platform(api: FlaskClient) -> None:
    body = ok(
        get(api, product="aperturedb", version="2.5.1", platform="rhel", platform_version="9.2")
    )
    assert body["covered"] and body["platform"]["version"] == "9"


# --- typos are errors --------------------------------------------------------------------


def test_an_unknown_parameter_is_a_422_naming_it(api: FlaskClient) -> None:
    # The case: a misspelled platform hid the platform's vendor end of life.
    answer = get(
        api, product="aperturedb", version="1.4.2", plaform="ubuntu", plaform_version="20.04"
    )
    assert answer.status_code == 422
    problem = answer.get_json()
    assert answer.mimetype == "application/problem+json"
    assert set(problem["errors"]) == {"plaform", "plaform_version"}
    assert problem["errors"]["plaform"][0].startswith("Unknown field; did you mean platform")
    assert problem["errors"]["plaform_version"][0].startswith(
        "Unknown field; did you mean platform_version"
    )
    assert "plaform" in problem["detail"]
    far = get(api, product="aperturedb", version="1.4.2", zzz="1").get_json()
    assert far["errors"] == {"zzz": ["Unknown field."]}


def test_an_unknown_product_suggests_close_slugs(api: FlaskClient, support: dict[str, str]) -> None:
    answer = get(api, product="ApertureBD", version="1.4.2")
    assert answer.status_code == 404
    problem = answer.get_json()
    assert problem["did_you_mean"] == ["aperturedb"]
    assert problem["detail"] == "No product is named 'aperturebd'; did you mean aperturedb?"
    none = get(api, product="zzz", version="1").get_json()
    assert none["did_you_mean"] == [] and none["detail"] == "No product is named 'zzz'."
    batch = ok(api.post(URL, json={"queries": [{"product": "aperturdb", "version": "1"}]}))
    assert batch["results"][0]["error"]["did_you_mean"] == ["aperturedb"]
    triaged = api.post(TRIAGE, json=ticket(product="aperturdb", version="1"), headers=support)
    assert triaged.status_code == 404 and triaged.get_json()["did_you_mean"] == ["aperturedb"]


def test_an_unknown_platform_reason_carries_suggestions(api: FlaskClient) -> None:
    body = ok(
        get(api, product="aperturedb", version="1.4.2", platform="ubunto", platform_version="22.04")
    )
    (reason,) = [r for r in body["reasons"] if r["code"] == "unknown_platform"]
    assert reason["did_you_mean"] == ["ubuntu"]
    assert reason["message"].endswith("; did you mean ubuntu?")
    assert all("did_you_mean" not in r for r in body["reasons"] if r is not reason)


# --- messages in the caller's words; upgrade advice on the platform ----------------------


def test_messages_quote_the_version_as_written(api: FlaskClient) -> None:
    for version, normalised in [("2.3.0-beta.1", "2.3.0b1"), ("1.4.2-1", "1.4.2.post1")]:
        body = ok(get(api, product="aperturedb", version=version))
        text = " ".join(r["message"] for r in body["reasons"])
        assert version in text and normalised not in text
    beta = ok(get(api, product="aperturedb", version="2.3.0-beta.1"))
    assert beta["status"] == "prerelease" and beta["upgrade_to"] == "2.5.1"
    assert "pre-release of major release 2" in beta["reasons"][0]["message"]


def test_upgrade_on_platform_is_there_when_a_platform_is_given(api: FlaskClient) -> None:
    with_platform = ok(
        get(api, product="aperturedb", version="1.4.2", platform="ubuntu", platform_version="20.04")
    )
    assert with_platform["upgrade_to"] == "2.5.1" and with_platform["upgrade_on_platform"] is None
    listed = [r["message"] for r in with_platform["reasons"]]
    assert not any("supported platforms are" in m and "20.04" in m for m in listed)
    assert "upgrade_on_platform" not in ok(get(api, product="aperturedb", version="1.4.2"))


# --- tickets -------------------------------------------------------------------------------


def test_a_ticket_is_echoed_by_the_get_and_each_batch_query(api: FlaskClient) -> None:
    plain = ok(get(api, product="aperturedb", version="2.5.1"))
    echoed = ok(get(api, product="aperturedb", version="2.5.1", ticket=" ZD-1 "))
    assert list(echoed)[-1] == "ticket" and echoed.pop("ticket") == "ZD-1"
    assert echoed == plain
    queries = [
        {"product": "aperturedb", "version": v, "as_of": AS_OF, "ticket": f"T-{i}"}
        for i, v in enumerate(["2.5.1", "2.5.1", "2.0.0", "bad version", "1.4.2"])
    ]
    queries.append({"product": "aperturedb", "version": "2.5.1", "as_of": AS_OF})
    queries.append({"product": "nope", "version": "1", "ticket": "T-6"})
    results = ok(api.post(URL, json={"queries": queries}))["results"]
    assert [r.get("ticket") for r in results] == ["T-0", "T-1", "T-2", "T-3", "T-4", None, "T-6"]
    assert results[0]["version"] == "2.5.1" and "error" in results[3] and "error" in results[6]
    assert {k: v for k, v in results[1].items() if k != "ticket"} == plain


@pytest.mark.parametrize(
    "bad",
    ["x" * 201, "ZD-1\n", "a\x00b", "", "  ", "ZD-\ud800"],
    ids=["long", "newline", "nul", "empty", "blank", "surrogate"],
)
def test_a_bad_ticket_is_a_422_everywhere(
    api: FlaskClient, support: dict[str, str], bad: str
) -> None:
    if bad.isascii():  # a query string cannot carry a lone surrogate; a JSON body can
        answer = get(api, product="aperturedb", version="2.5.1", ticket=bad)
        assert answer.status_code == 422 and set(answer.get_json()["errors"]) == {"ticket"}
        both = get(api, product="aperturedb", version="2.5.1", ticket=bad, severity="P9")
        assert set(both.get_json()["errors"]) == {"ticket", "severity"}
    batch = ok(
        api.post(
            URL, json={"queries": [{"product": "aperturedb", "version": "2.5.1", "ticket": bad}]}
        )
    )
    assert set(batch["results"][0]["error"]["errors"]) == {"ticket"}
    triaged = api.post(
        TRIAGE, json=ticket(product="aperturedb", version="2.5.1", ticket=bad), headers=support
    )
    assert triaged.status_code == 422 and set(triaged.get_json()["errors"]) == {"ticket"}
    assert ok(get(api, product="aperturedb", version="2.5.1", ticket="x" * 200))["ticket"]


# --- the reply and the triage history ----------------------------------------------------


def test_a_triage_answer_carries_a_reply_to_send(api: FlaskClient, support: dict[str, str]) -> None:
    body = ok(api.post(TRIAGE, json=ticket(product="aperturedb", version="1.4.2"), headers=support))
    reply = body["reply"]
    assert reply.startswith("ApertureDB 1.4.2 is covered by support (security fixes only).")
    assert "it reaches end of life on 2027-03-01" in reply
    assert (
        "worked at High priority; a first response is due by Tuesday 2026-11-17 at "
        "14:30 PST (4 business hours)." in reply
    )
    assert "upgrading to 2.5.1" in reply
    assert "\n" not in reply and "_" not in reply and "No platform was given" not in reply


def inserts(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT"):
            statements.append(statement)

    engine = app.extensions["db_engine"]
    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def test_a_triage_with_a_ticket_is_recorded_with_one_insert(
    seeded: Flask, api: FlaskClient, support: dict[str, str]
) -> None:
    counted = inserts(seeded)
    statements = next(counted)
    first = ok(
        api.post(
            TRIAGE,
            json=ticket(product="aperturedb", version="1.4.2", ticket="ZD-77"),
            headers=support,
        )
    )
    assert first["ticket"] == "ZD-77" and len(statements) == 1
    ok(api.post(TRIAGE, json=ticket(product="aperturedb", version="2.5.1"), headers=support))
    assert len(statements) == 1  # without a ticket, nothing is kept
    second = ok(
        api.post(
            TRIAGE,
            json=ticket(product="aperturedb", version="2.5.1", severity="P1", ticket="ZD-77"),
            headers=support,
        )
    )
    assert len(statements) == 2
    next(counted, None)

    items = ok(api.get(HISTORY, query_string={"ticket": "ZD-77"}, headers=support))["items"]
    assert [i["answer"] for i in items] == [second, first]  # newest first
    latest = items[0]
    assert latest["ticket"] == "ZD-77" and latest["token_name"] == "desk-alice"
    assert latest["input"]["severity"] == "P1" and latest["input"]["version"] == "2.5.1"
    assert latest["at"] >= items[1]["at"]
    one = ok(api.get(HISTORY, query_string={"ticket": "ZD-77", "limit": "1"}, headers=support))
    assert [i["id"] for i in one["items"]] == [latest["id"]]
    later = ok(api.get(HISTORY, query_string={"since": "2999-01-01"}, headers=support))
    assert later["items"] == []
    since = ok(
        api.get(
            HISTORY, query_string={"ticket": "ZD-77", "since": first_at(items)}, headers=support
        )
    )
    assert len(since["items"]) == 2


def first_at(items: list[dict[str, Any]]) -> str:
    return str(items[-1]["at"])


def test_the_history_needs_a_support_token(seeded: Flask, api: FlaskClient) -> None:
    assert api.get(HISTORY).status_code == 401
    assert api.get(HISTORY, headers={"Authorization": "Bearer nope"}).status_code == 401
    body = api.get(HISTORY).get_json()
    assert "items" not in body and body["status"] == 401
    assert ok(api.get(HISTORY, headers=admin_headers(seeded)))["items"] is not None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"tiket": "ZD-1"}, "tiket"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-11-17T10:30:00"}, "since"),
        ({"ticket": "x" * 201}, "ticket"),
    ],
)
def test_bad_history_queries_are_422s(
    api: FlaskClient, support: dict[str, str], params: dict[str, str], field: str
) -> None:
    answer = api.get(HISTORY, query_string=params, headers=support)
    assert answer.status_code == 422 and set(answer.get_json()["errors"]) == {field}


def test_a_ticket_s_text_of_any_kind_is_kept(api: FlaskClient, support: dict[str, str]) -> None:
    body = ticket(
        product="aperturedb",
        version="1.4.2",
        ticket="ZD-\u00e9\u2603",
        body='Caf\u00e9 \ud800 lone surrogate, "quotes"\n',
    )
    answer = api.post(TRIAGE, json=body, headers=support)
    assert answer.status_code == 200, answer.get_json()
    items = ok(api.get(HISTORY, query_string={"ticket": "ZD-\u00e9\u2603"}, headers=support))
    assert [i["input"]["body"] for i in items["items"]] == [body["body"]]


def test_customers_fields_are_refused_plainly_until_customers_exist(
    api: FlaskClient, support: dict[str, str]
) -> None:
    for field, value in [
        ("from", "ops@example.com"),
        ("customer", "acme"),
        ("deployment", "acme/prod"),
    ]:
        answer = api.post(
            TRIAGE,
            json=ticket(product="aperturedb", version="1.4.2", **{field: value}),
            headers=support,
        )
        assert answer.status_code == 422
        assert "customer records" in answer.get_json()["errors"][field][0]


# --- commands ----------------------------------------------------------------------------


def test_the_triage_command(seeded: Flask, support: dict[str, str]) -> None:
    runner = seeded.test_cli_runner()
    args = [
        "triage",
        "--subject",
        "[High] stalls",
        "--submitted-at",
        TICKET_AT,
        "--platform",
        "Ubuntu",
        "--platform-version",
        "jammy",
        "ApertureDB",
        "1.4.2",
    ]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first.startswith("ApertureDB 1.4.2 is covered by support") and "High priority" in first
    as_json = runner.invoke(args=[*args, "--json", "--ticket", "CLI-1"])
    assert as_json.exit_code == 0 and json.loads(as_json.output)["ticket"] == "CLI-1"
    items = seeded.test_client().get(HISTORY, query_string={"ticket": "CLI-1"}, headers=support)
    assert [i["token_name"] for i in ok(items)["items"]] == ["cli"]
    eol = runner.invoke(
        args=[
            "triage",
            "--subject",
            "x",
            "--submitted-at",
            "2027-10-01T09:00:00-07:00",
            "aperturedb",
            "1.4.2",
        ]
    )
    assert eol.exit_code == 1 and "is not covered by support" in eol.output
    for bad in (
        ["triage", "--subject", "x", "aperturedb"],
        ["triage", "--subject", "x", "aperturdb", "1"],
        ["triage", "--subject", "x", "--customer", "acme", "aperturedb", "1.4.2"],
        ["triage", "--subject", "x", "--severity", "P9", "aperturedb", "1.4.2"],
    ):
        refused = runner.invoke(args=bad)
        assert refused.exit_code == 2, (bad, refused.output)
    typo = runner.invoke(args=["triage", "--subject", "x", "aperturdb", "1"])
    assert "did you mean aperturedb?" in typo.output


def test_the_products_and_platforms_commands(seeded: Flask) -> None:
    runner = seeded.test_cli_runner()
    products = runner.invoke(args=["products"])
    assert products.exit_code == 0 and products.output.split() == ["aperturedb", "ApertureDB"]
    platforms = runner.invoke(args=["platforms"])
    assert "22.04 (jammy, 22.04 LTS) [vendor end of life 2027-06-01]" in platforms.output
    listed = json.loads(runner.invoke(args=["platforms", "--json"]).output)
    assert [p["slug"] for p in listed] == ["rhel", "ubuntu"]
    assert json.loads(runner.invoke(args=["products", "--json"]).output) == [
        {"slug": "aperturedb", "name": "ApertureDB"}
    ]


def test_check_takes_any_case_and_non_production(seeded: Flask) -> None:
    result = seeded.test_cli_runner().invoke(
        args=[
            "check",
            "ApertureDB",
            "2.5.1",
            "--platform",
            "UBUNTU",
            "--platform-version",
            "noble",
            "--environment",
            "non-production",
            "--as-of",
            AS_OF,
            "--json",
        ]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["environment"] == "non_production" and body["platform"]["version"] == "24.04"
