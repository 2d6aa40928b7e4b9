"""A webhook call connects to the address that was checked, never to one looked up again.

A host may answer a public address when it is checked and a private one a moment later
(DNS rebinding); the call must not follow it there. Pinning the address must keep the
name for everything else: the Host header, TLS's server name (SNI) and the certificate
check.
"""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from app.announce.senders import send_webhook

PUBLIC = "93.184.215.14"
SECRET = "whsec_" + "A" * 43 + "="


class Receiver:
    """An HTTP(S) server on loopback that records what reached it."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.requests: list[dict[str, Any]] = []
        self.server_names: list[str | None] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                receiver.requests.append(
                    {"host": self.headers.get("Host"), "body": self.rfile.read(length)}
                )
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:

            def note_name(_sock: Any, name: str | None, _context: Any) -> None:
                receiver.server_names.append(name)

            tls.sni_callback = note_name
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


def test_a_host_that_rebinds_to_loopback_after_the_check_is_not_called_there(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first answer is public (checked and allowed), every later one is loopback."""
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.create_connection
    answers: list[str] = []
    dialled: list[tuple[str, int]] = []

    def rebinding(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host != "hooks.rebind.example":
            return real_getaddrinfo(host, port, *args, **kwargs)
        address = PUBLIC if not answers else "127.0.0.1"
        answers.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port)))]

    def connect(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        dialled.append(address)
        if address[0] == PUBLIC:  # no such server here: refused, as a dead host would be
            raise ConnectionRefusedError(111, "Connection refused")
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    monkeypatch.setattr(socket, "create_connection", connect)
    outcome = send_webhook(
        f"http://hooks.rebind.example:{receiver.port}/hook",
        SECRET,
        "msg_1",
        "{}",
        timeout=2,
        allow_private=False,
    )
    assert not outcome.ok
    assert receiver.requests == []
    assert answers == [PUBLIC]  # looked up once, when checked
    assert [a[0] for a in dialled] == [PUBLIC]


def test_the_pinned_call_keeps_the_host_header(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_getaddrinfo = socket.getaddrinfo

    def resolve(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host == "hooks.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", int(port)))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    outcome = send_webhook(
        f"http://hooks.example:{receiver.port}/hook?x=1",
        SECRET,
        "msg_2",
        '{"a":1}',
        timeout=2,
        allow_private=True,
    )
    assert outcome.ok, outcome.error
    assert receiver.requests == [{"host": f"hooks.example:{receiver.port}", "body": b'{"a":1}'}]


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for hooks.example (the server's key and certificate)."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=hooks.example",
            "-addext",
            "subjectAltName=DNS:hooks.example",
        ],
        check=True,
        capture_output=True,
    )
    return key, cert


def test_the_pinned_https_call_keeps_sni_and_checks_the_certificate_for_the_name(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    key, cert = certificate
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    receiver = Receiver(server_tls)
    real_getaddrinfo = socket.getaddrinfo

    def resolve(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host in ("hooks.example", "other.example"):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", int(port)))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    client_tls = ssl.create_default_context(cafile=str(cert))
    try:
        outcome = send_webhook(
            f"https://hooks.example:{receiver.port}/hook",
            SECRET,
            "msg_3",
            "{}",
            timeout=2,
            allow_private=True,
            tls=client_tls,
        )
        assert outcome.ok, outcome.error
        assert receiver.server_names == ["hooks.example"]
        assert receiver.requests[0]["host"] == f"hooks.example:{receiver.port}"

        # The same address under a name the certificate does not carry: refused.
        outcome = send_webhook(
            f"https://other.example:{receiver.port}/hook",
            SECRET,
            "msg_4",
            "{}",
            timeout=2,
            allow_private=True,
            tls=client_tls,
        )
        assert not outcome.ok
        assert "certificate" in (outcome.error or "").lower()
        assert len(receiver.requests) == 1
    finally:
        receiver.close()
