"""Shared parts of the announcement tests: real receivers (an HTTP server that verifies
every Standard Webhooks signature, an aiosmtpd SMTP server) and catalogue helpers.
The receivers' own tests make sure a bad signature is refused, so the other tests'
"arrived" means "arrived signed".
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from app.announce.senders import send_email
from app.announce.subscriptions import new_secret
from app.auth import Role, create_token


@dataclass(frozen=True)
class Arrival:
    """One request the receiver verified and answered."""

    path: str
    webhook_id: str
    body: dict[str, Any]
    status: int


@dataclass
class WebhookReceiver:
    """ThreadingHTTPServer on 127.0.0.1: verifies signatures, answers as scripted, records."""

    delay: float = 0.0
    delays: dict[str, float] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    scripts: dict[str, list[int]] = field(default_factory=dict)
    always: dict[str, int] = field(default_factory=dict)
    arrivals: list[Arrival] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver.handle(self)

            def log_message(self, *_: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, *_: Any) -> None:
                # A sender killed mid-request leaves a broken pipe; that is the test's point.
                pass

        self.server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def url(self, path: str) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        path = request.path
        secret = self.secrets.get(path)
        try:
            if secret is None:
                raise WebhookVerificationError(f"no secret for {path}")
            payload = Webhook(secret).verify(body, dict(request.headers.items()))
        except WebhookVerificationError as exc:
            with self.lock:
                self.rejected.append(f"{path}: {exc}")
            self.answer(request, 401)
            return
        delay = self.delays.get(path, self.delay)
        if delay:
            time.sleep(delay)
        with self.lock:
            script = self.scripts.get(path)
            status = script.pop(0) if script else self.always.get(path, 200)
            self.arrivals.append(Arrival(path, request.headers["webhook-id"], payload, status))
        self.answer(request, status)

    @staticmethod
    def answer(request: BaseHTTPRequestHandler, status: int) -> None:
        request.send_response(status)
        if 300 <= status < 400:
            request.send_header("Location", "/redirected")
        request.send_header("Content-Length", "0")
        request.end_headers()

    def delivered(self, path: str | None = None) -> list[Arrival]:
        """The requests answered 2xx (to ``path``, or to any)."""
        with self.lock:
            return [
                a
                for a in self.arrivals
                if 200 <= a.status < 300 and (path is None or a.path == path)
            ]

    def duplicates(self) -> int:
        """How many 2xx-answered requests repeated a webhook-id already answered 2xx."""
        counts = Counter(a.webhook_id for a in self.delivered())
        return sum(n - 1 for n in counts.values())


def make_product(
    client: FlaskClient,
    admin: dict[str, str],
    slug: str,
    name: str,
    releases: list[tuple[str, Any]],
) -> None:
    answer = client.post("/api/v1/products", json={"slug": slug, "name": name}, headers=admin)
    assert answer.status_code == 201, answer.json
    for version, day in releases:
        answer = client.post(
            f"/api/v1/products/{slug}/releases",
            json={"version": version, "released_on": str(day)},
            headers=admin,
        )
        assert answer.status_code == 201, answer.json


def subscribe(client: FlaskClient, admin: dict[str, str], **body: Any) -> dict[str, Any]:
    answer = client.post("/api/v1/subscriptions", json=body, headers=admin)
    assert answer.status_code == 201, answer.json
    created: dict[str, Any] = answer.json
    return created


def hook(
    client: FlaskClient,
    admin: dict[str, str],
    receiver: WebhookReceiver,
    path: str,
    products: list[str] | None = None,
) -> dict[str, Any]:
    """A webhook subscriber at ``path`` of ``receiver``, which learns its secret."""
    body: dict[str, Any] = {"kind": "webhook", "url": receiver.url(path)}
    if products is not None:
        body["products"] = products
    created = subscribe(client, admin, **body)
    receiver.secrets[path] = created["secret"]
    return created


def admin_headers(app: Flask) -> dict[str, str]:
    with app.app_context():
        secret, _ = create_token(Role.ADMIN, f"admin-{uuid.uuid4().hex[:8]}")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver()
    server.start()
    try:
        yield server
    finally:
        server.stop()


class _MailHandler:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"


@dataclass
class MailServer:
    controller: Controller
    handler: _MailHandler

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.controller.port}"

    @property
    def messages(self) -> list[tuple[list[str], Message]]:
        with self.handler.lock:
            return list(self.handler.messages)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[MailServer]:
    handler = _MailHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), ready_timeout=5)
    controller.start()
    try:
        yield MailServer(controller, handler)
    finally:
        controller.stop()


def wait_until(condition: Any, timeout: float, what: str, step: float = 0.05) -> None:
    """Poll ``condition`` until it holds; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(step)


# --- the receivers' own tests -----------------------------------------------------------


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code


def test_the_receiver_refuses_a_bad_signature_and_accepts_a_good_one(
    receiver: WebhookReceiver,
) -> None:
    secret = new_secret()
    receiver.secrets["/hook"] = secret
    body = json.dumps({"type": "lifecycle.milestone", "data": {}})
    now = datetime.now(UTC)
    good = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign("msg_1", now, body),
    }
    forged = dict(good, **{"webhook-signature": Webhook(new_secret()).sign("msg_1", now, body)})
    assert _post(receiver.url("/hook"), body.encode(), forged) == 401
    assert _post(receiver.url("/hook"), body.encode() + b" ", good) == 401
    assert _post(receiver.url("/hook"), body.encode(), good) == 200
    assert [a.webhook_id for a in receiver.delivered()] == ["msg_1"]
    assert len(receiver.rejected) == 2


def test_the_mail_server_receives_what_send_email_sends(smtp: MailServer) -> None:
    outcome = send_email(
        "ops@example.com",
        "Demo 1 reaches end of life on 2027-03-01",
        "Demo 1 reaches end of life on 2027-03-01, in 30 days.",
        "msg_abc",
        smtp_url=smtp.url,
        mail_from="lifecycle@example.com",
        timeout=5,
    )
    assert outcome.ok, outcome.error
    [(recipients, message)] = smtp.messages
    assert recipients == ["ops@example.com"]
    assert message["Subject"] == "Demo 1 reaches end of life on 2027-03-01"
    assert message["Message-ID"] == "<msg_abc@lifecycle>"
    assert "in 30 days" in message.get_payload()
