"""SPEC 6 and 10 over HTTP: upcoming milestones, subscribers, announcements, both databases."""

from __future__ import annotations

import base64
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import dispose, make_app
from flask import Flask
from flask.testing import FlaskClient
from standardwebhooks.webhooks import Webhook

from app.announce import service as announcer
from app.announce.senders import RefusedAddress, check_webhook_url
from app.auth import Role, create_token

UPCOMING = "/api/v1/upcoming"
SUBSCRIPTIONS = "/api/v1/subscriptions"
ANNOUNCEMENTS = "/api/v1/announcements"


def catalogue(client: FlaskClient, admin: dict[str, str]) -> None:
    """ApertureDB (1, 2, planned 3) and Other (1, planned 2)."""
    for slug, name, releases in [
        (
            "aperturedb",
            "ApertureDB",
            [("1.4.2", "2025-01-10"), ("2.0.0", "2026-03-02"), ("3.0.0", "2027-03-01")],
        ),
        ("other", "Other", [("1.0", "2024-01-01"), ("2.0", "2026-12-15")]),
    ]:
        answer = client.post("/api/v1/products", json={"slug": slug, "name": name}, headers=admin)
        assert answer.status_code == 201, answer.json
        for version, day in releases:
            answer = client.post(
                f"/api/v1/products/{slug}/releases",
                json={"version": version, "released_on": day},
                headers=admin,
            )
            assert answer.status_code == 201, answer.json


def subscribe(client: FlaskClient, admin: dict[str, str], **body: Any) -> dict[str, Any]:
    answer = client.post(SUBSCRIPTIONS, json=body, headers=admin)
    assert answer.status_code == 201, answer.json
    result: dict[str, Any] = answer.json
    return result


@dataclass
class Shared:
    """One SQLite app for the tests that only read or are refused: they need no fresh database."""

    app: Flask
    client: FlaskClient
    admin: dict[str, str]
    support: dict[str, str]
    strict: FlaskClient


@pytest.fixture(scope="module")
def shared(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    folder = tmp_path_factory.mktemp("announcements-api")
    path = folder / "lifecycle.sqlite"
    shutil.copyfile(sqlite_template, path)
    app = make_app(f"sqlite:///{path}", folder)
    strict = make_app(f"sqlite:///{path}", folder, WEBHOOK_ALLOW_PRIVATE=False)
    with app.app_context():
        admin_secret, _ = create_token(Role.ADMIN, "shared-admin")
        support_secret, _ = create_token(Role.SUPPORT, "shared-support")
    admin = {"Authorization": f"Bearer {admin_secret}"}
    client = app.test_client()
    catalogue(client, admin)
    yield Shared(
        app, client, admin, {"Authorization": f"Bearer {support_secret}"}, strict.test_client()
    )
    for each in (app, strict):
        dispose(each)


def rows(item: dict[str, Any]) -> tuple[str, str, str, str]:
    return (item["product"], item["cycle"], item["milestone"], item["date"])


# --- upcoming ---------------------------------------------------------------------------


def test_upcoming_is_public_soonest_first_with_every_field(
    client: FlaskClient, admin: dict[str, str]
) -> None:
    catalogue(client, admin)
    answer = client.get(f"{UPCOMING}?as_of=2026-11-22&within_days=100")
    assert answer.status_code == 200
    assert [rows(i) for i in answer.json] == [
        ("other", "1", "security_only_from", "2026-12-15"),
        ("aperturedb", "1", "eol_on", "2027-03-01"),
        ("aperturedb", "2", "security_only_from", "2027-03-01"),
    ]
    assert answer.json[1] == {
        "product": "aperturedb",
        "cycle": "1",
        "milestone": "eol_on",
        "date": "2027-03-01",
        "status_after": "eol",
        "message": "ApertureDB 1 reaches end of life on 2027-03-01, in 99 days.",
    }
    assert answer.json[0]["status_after"] == "security_only"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("as_of=2027-03-01&within_days=0", 2, id="zero-days-is-the-as-of-day"),
        pytest.param("as_of=2026-12-16&within_days=74", 0, id="one-day-short"),
        pytest.param("as_of=2026-12-16&within_days=75", 2, id="end-day-included"),
        pytest.param("as_of=2026-12-01", 3, id="default-is-90-days"),
        pytest.param("as_of=2026-11-30", 1, id="default-90-days-one-short"),
        pytest.param("as_of=2027-03-02&within_days=3660", 1, id="past-milestones-left-out"),
        pytest.param("as_of=2026-11-22&product=other", 1, id="product-filter"),
        pytest.param(
            "as_of=2026-11-22&within_days=3660&product=aperturedb", 3, id="all-ahead-of-one"
        ),
    ],
)
def test_upcoming_window_and_filter(shared: Shared, query: str, expected: int) -> None:
    answer = shared.client.get(f"{UPCOMING}?{query}")
    assert answer.status_code == 200, answer.json
    assert len(answer.json) == expected
    assert [i["date"] for i in answer.json] == sorted(i["date"] for i in answer.json)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("within_days=-1", "within_days"),
        ("within_days=3661", "within_days"),
        ("within_days=ten", "within_days"),
        ("as_of=2026-13-01", "as_of"),
        ("product=Not%20A%20Slug", "product"),
    ],
    ids=lambda v: str(v),
)
def test_upcoming_refuses_bad_queries(shared: Shared, query: str, field: str) -> None:
    answer = shared.client.get(f"{UPCOMING}?{query}")
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert field in answer.json["errors"]


def test_upcoming_unknown_product_is_404(shared: Shared) -> None:
    answer = shared.client.get(f"{UPCOMING}?product=nope")
    assert answer.status_code == 404
    assert answer.mimetype == "application/problem+json"


# --- subscriptions ----------------------------------------------------------------------


def test_webhook_secret_is_shown_once(
    client: FlaskClient, admin: dict[str, str], support: dict[str, str]
) -> None:
    catalogue(client, admin)
    answer = client.post(
        SUBSCRIPTIONS,
        json={"kind": "webhook", "url": "http://127.0.0.1:9/hook", "products": ["aperturedb"]},
        headers=admin,
    )
    assert answer.status_code == 201, answer.json
    created = answer.json
    secret = created["secret"]
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) >= 24
    assert Webhook(secret).sign("msg_1", datetime.now(UTC), "{}").startswith("v1,")
    assert created["kind"] == "webhook"
    assert created["products"] == ["aperturedb"]
    assert created["active"] is True
    location = answer.headers["Location"]
    assert location.endswith(f"{SUBSCRIPTIONS}/{created['id']}")

    one = client.get(location, headers=support)
    listed = client.get(SUBSCRIPTIONS, headers=support)
    for later in (one, listed):
        assert later.status_code == 200
        assert secret not in later.get_data(as_text=True)
        assert "secret" not in later.get_data(as_text=True)
    assert one.json == {k: v for k, v in created.items() if k != "secret"}


def test_email_subscription_and_listing(
    client: FlaskClient, admin: dict[str, str], support: dict[str, str]
) -> None:
    catalogue(client, admin)
    email = subscribe(
        client,
        admin,
        kind="email",
        address="ops@example.com",
        products=["other", "aperturedb", "other"],
    )
    everything = subscribe(client, admin, kind="email", address="all@example.com")
    assert "secret" not in email
    assert email["products"] == ["aperturedb", "other"]
    assert everything["products"] is None
    listed = client.get(SUBSCRIPTIONS, headers=support).json
    assert [s["address"] for s in listed] == ["ops@example.com", "all@example.com"]
    assert all("url" not in s for s in listed)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "webhook", "url": "ftp://example.com/hook"}, "url"),
        ({"kind": "webhook", "url": "javascript:alert(1)"}, "url"),
        ({"kind": "webhook", "url": "http://exa mple.com/"}, "url"),
        ({"kind": "webhook", "url": "http://example.com/\nx"}, "url"),
        ({"kind": "webhook", "url": "http://:80/hook"}, "url"),
        ({"kind": "webhook", "url": "http://example.com:99999/"}, "url"),
        ({"kind": "webhook"}, "url"),
        ({"kind": "webhook", "url": "http://127.0.0.1/h", "address": "a@b.co"}, "address"),
        ({"kind": "email", "address": "not-an-email"}, "address"),
        ({"kind": "email", "address": "a@b.co\r\nBcc: x@example.com"}, "address"),
        ({"kind": "email"}, "address"),
        ({"kind": "email", "address": "a@b.co", "url": "http://127.0.0.1/"}, "url"),
        ({"kind": "email", "address": "a@b.co", "products": ["nope"]}, "products"),
        ({"kind": "email", "address": "a@b.co", "products": ["other", "gone"]}, "products"),
        ({"kind": "email", "address": "a@b.co", "products": []}, "products"),
        ({"kind": "email", "address": "a@b.co", "products": ["Bad Slug"]}, "products"),
        ({"kind": "email", "address": "a@b.co", "products": "other"}, "products"),
        ({"kind": "sms", "address": "a@b.co"}, "kind"),
        ({"address": "a@b.co"}, "kind"),
        ({"kind": "email", "address": "a@b.co", "secret": "whsec_AAAA"}, "secret"),
        ({"kind": "email", "address": "a@b.co", "id": 7}, "id"),
        ({"kind": "email", "address": "a@b.co", "active": False}, "active"),
    ],
    ids=lambda v: str(v) if isinstance(v, str) else None,
)
def test_subscription_validation(shared: Shared, body: dict[str, Any], field: str) -> None:
    before = shared.client.get(SUBSCRIPTIONS, headers=shared.admin).json
    answer = shared.client.post(SUBSCRIPTIONS, json=body, headers=shared.admin)
    assert answer.status_code == 422, answer.json
    assert answer.mimetype == "application/problem+json"
    assert field in answer.json["errors"]
    assert shared.client.get(SUBSCRIPTIONS, headers=shared.admin).json == before


PRIVATE_URLS = [
    "http://127.0.0.1:8080/hook",
    "http://localhost/hook",
    "http://[::1]/hook",
    "http://10.1.2.3/hook",
    "http://172.16.0.5/hook",
    "https://192.168.0.10/hook",
    "http://169.254.169.254/latest/meta-data",
    "http://0.0.0.0/",
    "http://[::ffff:127.0.0.1]/",
    "http://[fe80::1]/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://100.64.0.1/",
]


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_private_addresses_are_refused_unless_allowed(shared: Shared, url: str) -> None:
    body = {"kind": "webhook", "url": url}
    answer = shared.strict.post(SUBSCRIPTIONS, json=body, headers=shared.admin)
    assert answer.status_code == 422, answer.json
    assert "address" in answer.json["errors"]["url"][0]
    # The tests' usual app allows them (WEBHOOK_ALLOW_PRIVATE=1).
    assert shared.client.post(SUBSCRIPTIONS, json=body, headers=shared.admin).status_code == 201


def test_a_public_address_is_accepted_when_private_ones_are_refused(shared: Shared) -> None:
    answer = shared.strict.post(
        SUBSCRIPTIONS,
        json={"kind": "webhook", "url": "https://93.184.215.14/hook"},
        headers=shared.admin,
    )
    assert answer.status_code == 201, answer.json


def _resolver(*addresses: str) -> Any:
    def resolve(host: str, port: int) -> list[Any]:
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    return resolve


@pytest.mark.parametrize(
    ("addresses", "refused"),
    [
        pytest.param(("93.184.215.14",), False, id="public"),
        pytest.param(("93.184.215.14", "10.0.0.7"), True, id="one-of-several-private"),
        pytest.param(("fd00::1",), True, id="unique-local-v6"),
        pytest.param(("fe80::1%eth0",), True, id="link-local-with-zone"),
        pytest.param((), True, id="does-not-resolve"),
    ],
)
def test_every_resolved_address_is_checked(addresses: tuple[str, ...], refused: bool) -> None:
    def check() -> None:
        check_webhook_url(
            "https://hooks.example.com/x", allow_private=False, resolve=_resolver(*addresses)
        )

    if refused:
        with pytest.raises(RefusedAddress):
            check()
    else:
        check()


ROLE_CASES = [
    ("get", SUBSCRIPTIONS, None, "support"),
    ("post", SUBSCRIPTIONS, {"kind": "email", "address": "a@b.co"}, "admin"),
    ("get", f"{SUBSCRIPTIONS}/1", None, "support"),
    ("delete", f"{SUBSCRIPTIONS}/1", None, "admin"),
    ("get", ANNOUNCEMENTS, None, "support"),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "needs"), ROLE_CASES, ids=lambda v: v if isinstance(v, str) else None
)
def test_roles(shared: Shared, method: str, path: str, body: Any, needs: str) -> None:
    call = getattr(shared.client, method)
    support = shared.support
    anonymous = call(path, json=body)
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    assert call(path, json=body, headers={"Authorization": "Bearer lct_wrong"}).status_code == 401
    with_support = call(path, json=body, headers=support)
    if needs == "admin":
        assert with_support.status_code == 403
    else:
        assert with_support.status_code in (200, 404)


def test_delete_subscription(
    app: Flask, client: FlaskClient, admin: dict[str, str], support: dict[str, str]
) -> None:
    catalogue(client, admin)
    hook = subscribe(client, admin, kind="webhook", url="http://127.0.0.1:9/hook")
    keep = subscribe(client, admin, kind="email", address="keep@example.com")
    with app.app_context():
        made = announcer.announce(date(2027, 2, 25))
    assert len(made) == 2
    assert client.delete(f"{SUBSCRIPTIONS}/{hook['id']}", headers=admin).status_code == 204
    assert client.delete(f"{SUBSCRIPTIONS}/{hook['id']}", headers=admin).status_code == 404
    assert client.get(f"{SUBSCRIPTIONS}/{hook['id']}", headers=support).status_code == 404
    assert [s["id"] for s in client.get(SUBSCRIPTIONS, headers=support).json] == [keep["id"]]
    # Its queued deliveries ended, and stay on record without it.
    for announcement in client.get(ANNOUNCEMENTS, headers=support).json:
        states = {
            (d["subscription_id"], d["state"], d["last_error"]) for d in announcement["deliveries"]
        }
        assert states == {
            (None, "failed", "The subscription was deleted."),
            (keep["id"], "pending", None),
        }


@pytest.mark.parametrize("path", ["/99999", "/99999999999999", "/abc", "/-1"])
def test_unknown_subscription_ids_are_404(shared: Shared, path: str) -> None:
    assert shared.client.get(SUBSCRIPTIONS + path, headers=shared.admin).status_code == 404
    assert shared.client.delete(SUBSCRIPTIONS + path, headers=shared.admin).status_code == 404


# --- announcements ----------------------------------------------------------------------


def test_announcements_newest_first_with_their_deliveries(
    app: Flask, client: FlaskClient, admin: dict[str, str], support: dict[str, str]
) -> None:
    catalogue(client, admin)
    hook = subscribe(client, admin, kind="webhook", url="http://127.0.0.1:9/h", products=["other"])
    mail = subscribe(client, admin, kind="email", address="ops@example.com")
    with app.app_context():
        first = announcer.announce(date(2026, 12, 1))
        second = announcer.announce(date(2027, 2, 25))
    assert [a.due.milestone.product for a in first] == ["other", "aperturedb", "aperturedb"]
    assert len(second) == 2

    answer = client.get(ANNOUNCEMENTS, headers=support)
    assert answer.status_code == 200
    listed = answer.json
    assert [a["id"] for a in listed] == sorted((a["id"] for a in listed), reverse=True)
    assert [(a["product"], a["cycle"], a["milestone"], a["lead_days"]) for a in listed[:2]] == [
        ("aperturedb", "2", "security_only_from", 7),
        ("aperturedb", "1", "eol_on", 7),
    ]
    newest = listed[0]
    assert newest["date"] == "2027-03-01"
    assert newest["announced_on"] == "2027-02-25"
    assert newest["status_after"] == "security_only"
    assert (
        newest["message"] == "ApertureDB 2 receives security fixes only from 2027-03-01, in 4 days."
    )
    assert newest["url"].endswith("/products/aperturedb")
    assert [(d["subscription_id"], d["state"], d["attempts"]) for d in newest["deliveries"]] == [
        (mail["id"], "pending", 0)
    ]
    assert newest["deliveries"][0]["next_attempt_at"] is not None
    assert newest["deliveries"][0]["sent_at"] is None
    other = next(a for a in listed if a["product"] == "other")
    assert {d["subscription_id"] for d in other["deliveries"]} == {hook["id"], mail["id"]}

    only_other = client.get(f"{ANNOUNCEMENTS}?product=other", headers=support).json
    assert [a["product"] for a in only_other] == ["other"]
    assert len(client.get(f"{ANNOUNCEMENTS}?limit=2", headers=support).json) == 2
    assert client.get(f"{ANNOUNCEMENTS}?limit=0", headers=support).status_code == 422


def test_announcements_stay_when_their_product_is_deleted(
    app: Flask, client: FlaskClient, admin: dict[str, str]
) -> None:
    catalogue(client, admin)
    with app.app_context():
        announcer.announce(date(2027, 2, 25))
    assert client.delete("/api/v1/products/aperturedb", headers=admin).status_code == 204
    listed = client.get(ANNOUNCEMENTS, headers=admin).json
    assert {(a["product"], a["product_name"]) for a in listed} == {("aperturedb", "ApertureDB")}


def test_openapi_documents_the_area(shared: Shared) -> None:
    paths = shared.client.get("/api/openapi.json").json["paths"]
    assert set(paths["/api/v1/subscriptions"]) >= {"get", "post"}
    assert set(paths["/api/v1/subscriptions/{subscription_id}"]) >= {"get", "delete"}
    assert "401" in paths["/api/v1/announcements"]["get"]["responses"]
    assert "404" in paths["/api/v1/upcoming"]["get"]["responses"]
    assert "422" in paths["/api/v1/upcoming"]["get"]["responses"]
