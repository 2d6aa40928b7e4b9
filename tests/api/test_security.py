"""Security review against the OWASP API Security Top 10, over whatever is registered.

Routes are read from ``app.url_map`` and the OpenAPI document at run time, so an area
added later is covered without touching this file: every write (and every triage,
subscription and announcement call) needs a token (API2, API5), answers 401/403 before
it reads the body, and documents that; no secret or token hash is ever answered or
logged (API3); server-owned fields are refused on every create and patch body (API3,
mass assignment); bodies are bounded (API4); webhooks cannot be pointed at private
addresses (API7); pages carry security headers and production runs without debug
(API8); every /api/v1 route is in the document (API9).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import dispose, make_app
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from app import create_app
from app.auth import Role, create_token, revoke_token

PROBLEM = "application/problem+json"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# SPEC 6: the eligibility batch is public; no other call that writes is.
PUBLIC_WRITES = {("POST", "/api/v1/eligibility")}
# SPEC 6: these need a token whatever the method.
SENSITIVE = ("/api/v1/triage", "/api/v1/subscriptions", "/api/v1/announcements")
# SPEC 6: what a support token may do; everything else protected needs admin.
SUPPORT_ALLOWED = {
    ("POST", "/api/v1/triage"),
    ("GET", "/api/v1/triage/history"),  # SPEC 17: the support desk's own records
    ("GET", "/api/v1/subscriptions"),
    ("GET", "/api/v1/subscriptions/{subscription_id}"),
    ("GET", "/api/v1/announcements"),
}
# Fields the server owns (ids, derived dates, statuses, counters, secrets): a request
# body that carries one is refused (SPEC 6).
SERVER_OWNED = (
    "id",
    "revision",
    "status",
    "support_level",
    "security_only_from",
    "eol_on",
    "eosl_on",
    "cycles",
    "releases",
    "latest",
    "latest_released_on",
    "prerelease",
    "token_hash",
    "secret",
    "created_at",
    "active",
    "covered",
    "release_known",
)
_CONVERTER = re.compile(r"<(?:[a-z_]+(?:\([^)]*\))?:)?(\w+)>")


# --- the catalogue and the route table ------------------------------------------------


@pytest.fixture
def seeded(client: FlaskClient, admin: dict[str, str]) -> dict[str, Any]:
    return seed(client, admin)


def seed(client: FlaskClient, admin: dict[str, str]) -> dict[str, Any]:
    """A product with releases and a matrix row, a platform, and (when the area exists)
    a webhook and an email subscription. Returns the ids and the webhook's secret."""
    calls = [
        (
            "POST",
            "/api/v1/platforms",
            {"slug": "ubuntu", "name": "Ubuntu", "versions": [{"version": "22.04"}]},
        ),
        ("POST", "/api/v1/products", {"slug": "aperturedb", "name": "ApertureDB"}),
        (
            "POST",
            "/api/v1/products/aperturedb/releases",
            {"version": "1.0.0", "released_on": "2024-01-10"},
        ),
        (
            "POST",
            "/api/v1/products/aperturedb/releases",
            {"version": "2.0.0", "released_on": "2025-03-02"},
        ),
        (
            "PUT",
            "/api/v1/products/aperturedb/cycles/2/platforms",
            [{"platform": "ubuntu", "version": "22.04"}],
        ),
    ]
    for method, path, body in calls:
        response = client.open(path, method=method, json=body, headers=admin)
        assert response.status_code in (200, 201), (path, response.get_json())
    found: dict[str, Any] = {"subscription_id": 1, "whsec": None}
    if _has_rule(client.application, "/api/v1/subscriptions", "POST"):
        hook = client.post(
            "/api/v1/subscriptions",
            json={"kind": "webhook", "url": "http://127.0.0.1:9/hook"},
            headers=admin,
        )
        assert hook.status_code == 201, hook.get_json()
        found["subscription_id"] = hook.get_json()["id"]
        found["whsec"] = hook.get_json()["secret"]
        found["whsec_answer"] = hook.get_data(as_text=True)
        mail = client.post(
            "/api/v1/subscriptions",
            json={"kind": "email", "address": "ops@example.com"},
            headers=admin,
        )
        assert mail.status_code == 201, mail.get_json()
    return found


def _has_rule(app: Flask, path: str, method: str) -> bool:
    return any(
        _openapi_path(r) == path and method in (r.methods or ()) for r in app.url_map.iter_rules()
    )


def _openapi_path(rule: Rule) -> str:
    return _CONVERTER.sub(r"{\1}", rule.rule)


def _routes(app: Flask) -> list[tuple[str, str, Rule]]:
    """(method, OpenAPI-style path, rule) for every route, HEAD and OPTIONS aside."""
    return sorted(
        (method, _openapi_path(rule), rule)
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or ()) - {"HEAD", "OPTIONS"}
    )


def _document(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    doc: dict[str, Any] = response.get_json()
    return doc


def _operation(doc: dict[str, Any], method: str, path: str) -> dict[str, Any] | None:
    item = doc["paths"].get(path)
    return None if item is None else item.get(method.lower())


def _concrete(path: str, ids: dict[str, Any]) -> str:
    platform = path.startswith("/api/v1/platforms")
    values = {
        "slug": "ubuntu" if platform else "aperturedb",
        "version": "22.04" if platform else "1.0.0",
        "cycle": "2",
        "subscription_id": str(ids.get("subscription_id", 1)),
        "filename": "lifecycle.css",
    }
    return re.sub(r"{(\w+)}", lambda m: values.get(m.group(1), "x"), path)


def _needs_token(method: str, path: str) -> bool:
    if (method, path) in PUBLIC_WRITES:
        return False
    return method in WRITE_METHODS or path.startswith(SENSITIVE)


def _required_roles(app: Flask, rule: Rule, method: str) -> frozenset[str] | None:
    view = app.view_functions[rule.endpoint]
    handler = getattr(getattr(view, "view_class", None), method.lower(), view)
    roles: frozenset[str] | None = getattr(handler, "_required_roles", None)
    return roles


# --- API2, API5: authentication and function-level authorization --------------------


def test_every_call_that_writes_needs_a_documented_token(app: Flask, client: FlaskClient) -> None:
    doc = _document(client)
    problems: list[str] = []
    protected = 0
    for method, path, rule in _routes(app):
        if not _needs_token(method, path):
            continue
        protected += 1
        operation = _operation(doc, method, path)
        if operation is None:
            problems.append(f"{method} {path}: writes but is not in the OpenAPI document")
            continue
        if {"bearerAuth": []} not in (operation.get("security") or []):
            problems.append(f"{method} {path}: no security requirement in the document")
        for status in ("401", "403"):
            if status not in operation.get("responses", {}):
                problems.append(f"{method} {path}: {status} is not documented")
        expected = {"admin", "support"} if (method, path) in SUPPORT_ALLOWED else {"admin"}
        roles = _required_roles(app, rule, method)
        if roles != expected:
            problems.append(f"{method} {path}: roles {roles}, SPEC 6 says {sorted(expected)}")
    assert not problems, "\n".join(problems)
    assert protected >= 10  # the catalogue's writes alone


def test_only_the_spec_public_calls_are_open(app: Flask, client: FlaskClient) -> None:
    doc = _document(client)
    secured = {
        (method.upper(), path)
        for path, item in doc["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and operation.get("security")
    }
    needs = {(m, p) for m, p, _ in _routes(app) if _needs_token(m, p)}
    # A GET the document secures that SPEC 6 calls public would lock customers out.
    assert secured == needs, {"secured only": secured - needs, "open only": needs - secured}
    open_writes = {(m, p) for m, p, _ in _routes(app) if m in WRITE_METHODS} - needs
    assert open_writes <= PUBLIC_WRITES


def test_every_api_route_is_in_the_document(app: Flask, client: FlaskClient) -> None:
    doc = _document(client)
    missing = [
        f"{method} {path}"
        for method, path, _ in _routes(app)
        if path.startswith("/api/v1/") and _operation(doc, method, path) is None
    ]
    assert not missing, missing


def test_protected_calls_refuse_missing_bad_and_weak_tokens(
    app: Flask, client: FlaskClient, admin: dict[str, str], support: dict[str, str], seeded: Any
) -> None:
    with app.app_context():
        revoked, _ = create_token(Role.ADMIN, f"revoked-{uuid.uuid4().hex[:6]}")
        revoke_token(_token_name(app, revoked))
    token = admin["Authorization"].removeprefix("Bearer ")
    refusals = {
        "no token": {},
        "unknown token": {"Authorization": "Bearer lct_" + "A" * 43},
        "revoked token": {"Authorization": f"Bearer {revoked}"},
        "basic scheme": {"Authorization": f"Basic {token}"},
        "scheme only": {"Authorization": "Bearer"},
        "token without scheme": {"Authorization": token},
        "token hash": {"Authorization": f"Bearer {_sha256(token)}"},
    }
    problems: list[str] = []
    checked = 0
    for method, path, _ in _routes(app):
        if not _needs_token(method, path):
            continue
        url = _concrete(path, seeded)
        body = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
        for label, headers in refusals.items():
            response = client.open(url, method=method, headers=headers, **body)
            checked += 1
            if (
                response.status_code != 401
                or response.mimetype != PROBLEM
                or not response.headers.get("WWW-Authenticate", "").startswith("Bearer")
            ):
                problems.append(f"{method} {url} with {label}: {response.status_code}")
        # A token in the query string is not a credential (it would end up in logs).
        response = client.open(f"{url}?access_token={token}", method=method, **body)
        if response.status_code != 401:
            problems.append(f"{method} {url} with ?access_token: {response.status_code}")
        response = client.open(url, method=method, headers=support, **body)
        if (method, path) in SUPPORT_ALLOWED:
            if response.status_code in (401, 403):
                problems.append(f"{method} {url} with support: {response.status_code}")
        elif response.status_code != 403 or response.mimetype != PROBLEM:
            problems.append(f"{method} {url} with support: {response.status_code}, not 403")
    assert not problems, "\n".join(problems)
    assert checked > 0


def _token_name(app: Flask, secret: str) -> str:
    from sqlalchemy import select

    from app import db
    from app.auth import ApiToken

    with app.app_context(), db.reading() as session:
        name = session.scalar(select(ApiToken.name).where(ApiToken.token_hash == _sha256(secret)))
    assert name is not None
    return str(name)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- API3: no secret answered or logged --------------------------------------------------


def test_no_secret_or_token_hash_is_ever_answered_or_logged(
    app: Flask,
    client: FlaskClient,
    admin: dict[str, str],
    support: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with app.app_context():  # `flask` itself pushes one; the test runner does not
        result = app.test_cli_runner().invoke(
            args=["tokens", "create", "--role", "support", "--name", "cli-made"]
        )
    assert result.exit_code == 0, result.output
    cli_token = result.stdout.strip().splitlines()[-1]
    with app.app_context():
        api_token, _ = create_token(Role.ADMIN, "made-in-test")
    ids = seed(client, admin)  # inside the test, so that its calls are in the captured log
    tokens = [
        admin["Authorization"].removeprefix("Bearer "),
        support["Authorization"].removeprefix("Bearer "),
        cli_token,
        api_token,
    ]
    secrets = {f"token {i}": t for i, t in enumerate(tokens)}
    secrets |= {f"sha256 of token {i}": _sha256(t) for i, t in enumerate(tokens)}
    if ids.get("whsec"):
        secrets["webhook secret"] = ids["whsec"]
        secrets["webhook key"] = ids["whsec"].removeprefix("whsec_")
        # The one place it is shown: the answer to the create call. (The scan finds it.)
        assert ids["whsec"] in ids["whsec_answer"]

    leaks: list[str] = []
    scanned = 0
    for method, path, rule in _routes(app):
        if method != "GET" or "filename" in rule.arguments:
            continue
        url = _concrete(path, ids)
        for headers in ({}, admin, support):
            response = client.get(url, headers=headers)
            scanned += 1
            text = response.get_data(as_text=True) + json.dumps(dict(response.headers))
            leaks += [f"GET {url}: {what}" for what, value in secrets.items() if value in text]
    logged = caplog.text + "".join(
        f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records
    )
    leaks += [f"log: {what}" for what, value in secrets.items() if value in logged]
    assert not leaks, "\n".join(leaks)
    assert scanned >= 3 * 10


# --- API3: mass assignment ------------------------------------------------------------


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _body_schema(doc: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any] | None:
    content = (operation.get("requestBody") or {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    return None if schema is None else _resolve(doc, schema)


def _mentions(errors: Any, name: str) -> bool:
    if isinstance(errors, dict):
        return name in errors or any(_mentions(v, name) for v in errors.values())
    if isinstance(errors, list):
        return any(_mentions(v, name) for v in errors)
    return False


def _injections(doc: dict[str, Any], schema: dict[str, Any]) -> Iterator[tuple[str, Any, str]]:
    """(where, body, field): a body carrying one server-owned field, at the top level
    of an object body, in the item of a list body, and inside nested objects."""
    if schema.get("type") == "array":
        item = _resolve(doc, schema.get("items", {}))
        for where, body, name in _injections(doc, item):
            yield f"[0]{where}", [body], name
        return
    properties = schema.get("properties") or {}
    for name in SERVER_OWNED:
        if name not in properties:
            yield "", {name: 1}, name
    for prop, sub in properties.items():
        nested = _resolve(doc, sub)
        listed = nested.get("type") == "array"
        if listed:
            nested = _resolve(doc, nested.get("items", {}))
        if nested.get("type") == "object" and nested.get("properties"):
            for name in SERVER_OWNED:
                if name not in nested["properties"]:
                    inner = {name: 1}
                    yield f".{prop}", {prop: [inner] if listed else inner}, name


def test_request_bodies_declare_no_server_owned_field(client: FlaskClient) -> None:
    doc = _document(client)
    declared = []
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            schema = _body_schema(doc, operation) if isinstance(operation, dict) else None
            if schema is None:
                continue
            if schema.get("type") == "array":
                schema = _resolve(doc, schema.get("items", {}))
            owned = set(schema.get("properties") or {}) & set(SERVER_OWNED)
            if owned:
                declared.append(f"{method.upper()} {path}: {sorted(owned)}")
    assert not declared, declared


def test_server_owned_fields_are_refused_on_every_body(
    app: Flask, client: FlaskClient, admin: dict[str, str], seeded: Any
) -> None:
    doc = _document(client)
    accepted: list[str] = []
    tried = 0
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or method.upper() not in ("POST", "PUT", "PATCH"):
                continue
            schema = _body_schema(doc, operation)
            if schema is None:
                continue
            url = _concrete(path, seeded)
            for where, body, name in _injections(doc, schema):
                response = client.open(url, method=method.upper(), json=body, headers=admin)
                tried += 1
                errors = (response.get_json(silent=True) or {}).get("errors")
                if response.status_code != 422 or not _mentions(errors, name):
                    accepted.append(
                        f"{method.upper()} {path} {name!r} at body{where}: "
                        f"{response.status_code} {response.get_data(as_text=True)[:160]}"
                    )
    assert not accepted, f"{len(accepted)} of {tried}:\n" + "\n".join(accepted[:30])
    assert tried > 100


# --- API4: resource consumption -------------------------------------------------------


def test_oversized_bodies_are_refused_with_413(
    app: Flask, client: FlaskClient, admin: dict[str, str], seeded: Any
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 4096
    big = {"name": "x" * 8000}
    wrong = []
    routes = [(m, p) for m, p, _ in _routes(app) if m in ("POST", "PUT", "PATCH")]
    for method, path in routes:
        url = _concrete(path, seeded)
        response = client.open(url, method=method, json=big, headers=admin)
        if response.status_code != 413 or response.mimetype != PROBLEM:
            wrong.append(f"{method} {url}: {response.status_code}")
    assert not wrong, wrong
    assert routes


def test_the_default_configuration_bounds_bodies_and_batches(
    app: Flask, client: FlaskClient
) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert isinstance(limit, int) and 0 < limit <= 64 * 1024 * 1024
    if not _has_rule(app, "/api/v1/eligibility", "POST"):
        pytest.skip("POST /api/v1/eligibility is not registered yet")
    queries = [{"product": "p", "version": "1"}] * 10_001
    response = client.post("/api/v1/eligibility", json={"queries": queries})
    assert response.status_code == 413 and response.mimetype == PROBLEM


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/upcoming", "within_days=3661"),
        ("/api/v1/upcoming", "within_days=-1"),
        ("/api/v1/announcements", "limit=1001"),
        ("/api/v1/announcements", "limit=0"),
    ],
)
def test_list_sizes_are_bounded(
    app: Flask, client: FlaskClient, admin: dict[str, str], path: str, query: str
) -> None:
    if not _has_rule(app, path, "GET"):
        pytest.skip(f"{path} is not registered yet")
    response = client.get(f"{path}?{query}", headers=admin)
    assert response.status_code == 422, response.get_json()
    assert query.split("=")[0] in response.get_json()["errors"]


# --- API7: server-side request forgery through webhooks --------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8080/hook",
        "http://[::1]/hook",
        "http://10.0.0.5/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "file:///etc/passwd",
        "gopher://127.0.0.1:25/",
        "ftp://example.com/hook",
    ],
)
def test_webhooks_cannot_call_private_addresses(
    database_url: str, tmp_path: Path, url: str
) -> None:
    app = make_app(database_url, tmp_path, WEBHOOK_ALLOW_PRIVATE=False)
    try:
        if not _has_rule(app, "/api/v1/subscriptions", "POST"):
            pytest.skip("POST /api/v1/subscriptions is not registered yet")
        with app.app_context():
            secret, _ = create_token(Role.ADMIN, "ssrf-admin")
        response = app.test_client().post(
            "/api/v1/subscriptions",
            json={"kind": "webhook", "url": url},
            headers={"Authorization": f"Bearer {secret}"},
        )
        assert response.status_code == 422, response.get_json()
        assert "url" in response.get_json()["errors"]
    finally:
        dispose(app)


# --- API8: misconfiguration -----------------------------------------------------------


def test_pages_and_answers_carry_security_headers(
    app: Flask, client: FlaskClient, seeded: Any
) -> None:
    if "pages.index" not in app.view_functions:
        pytest.skip("the pages (app/web) are not registered")
    paths = ["/", "/products/aperturedb", "/products/nope", "/api/v1/products", "/healthz"]
    paths += [p for _, p, r in _routes(app) if p.endswith((".atom", ".ics")) and not r.arguments]
    missing = []
    for path in paths:
        response = client.get(path)
        headers = response.headers
        csp = headers.get("Content-Security-Policy", "")
        if headers.get("X-Content-Type-Options") != "nosniff":
            missing.append(f"{path}: X-Content-Type-Options")
        if "frame-ancestors 'none'" not in csp and headers.get("X-Frame-Options") != "DENY":
            missing.append(f"{path}: framing allowed")
        if response.mimetype == "text/html" and "script-src" not in csp:
            missing.append(f"{path}: no script policy on a page")
        if headers.get("Access-Control-Allow-Origin") == "*" and headers.get(
            "Access-Control-Allow-Credentials"
        ):
            missing.append(f"{path}: credentials for any origin")
    assert not missing, missing


def test_production_settings_run_without_debug(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("FLASK_DEBUG", "FLASK_ENV", "SECRET_KEY", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite'}")
    app = create_app()
    try:
        assert app.debug is False
        assert app.testing is False
        assert app.config.get("PROPAGATE_EXCEPTIONS") is None
        assert len(app.config["SECRET_KEY"]) >= 32

        def boom() -> str:
            raise RuntimeError("secret internals /etc/passwd")

        app.add_url_rule("/api/v1/_boom", view_func=boom)
        response = app.test_client().get("/api/v1/_boom")
        assert response.status_code == 500
        assert response.mimetype == PROBLEM
        text = response.get_data(as_text=True)
        assert "RuntimeError" not in text and "Traceback" not in text
        assert "secret internals" not in text
    finally:
        dispose(app)
