"""Helpers shared by the hardening tests: a small seeded catalogue and a served app."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from flask.testing import FlaskClient
from werkzeug.serving import WSGIRequestHandler, make_server

PRODUCT = "aperturedb"  # the slug the OpenAPI examples use, so the examples phase finds it
MINOR_PRODUCT = "kubelet"
PLATFORM = "ubuntu"

PLATFORMS: list[dict[str, Any]] = [
    {
        "slug": PLATFORM,
        "name": "Ubuntu",
        "versions": [
            {"version": "20.04", "vendor_eol": "2025-05-31"},
            {"version": "22.04", "vendor_eol": "2027-06-01"},
            {"version": "24.04", "vendor_eol": None},
        ],
    },
    {"slug": "rhel", "name": "Red Hat Enterprise Linux", "versions": [{"version": "9"}]},
]
PRODUCTS: list[dict[str, Any]] = [
    {"slug": PRODUCT, "name": "ApertureDB", "description": "A database."},
    {
        "slug": MINOR_PRODUCT,
        "name": "Kubelet",
        "policy": {"cycle": "minor", "full_support_cycles": 2, "security_cycles": 1},
    },
]
RELEASES: dict[str, list[dict[str, Any]]] = {
    PRODUCT: [
        {"version": "1.0.0", "released_on": "2024-01-10"},
        {"version": "1.4.2", "released_on": "2025-01-10", "notes": "Fixes."},
        {"version": "2.0.0", "released_on": "2026-03-02"},
        {"version": "2.5.1", "released_on": "2026-09-15"},
        {"version": "3.0.0rc1", "released_on": "2026-10-01"},
        {"version": "3.0.0", "released_on": "2027-03-01"},
    ],
    MINOR_PRODUCT: [
        {"version": "1.27.0", "released_on": "2023-04-11"},
        {"version": "1.28.3", "released_on": "2023-08-15"},
        {"version": "1.29.1", "released_on": "2023-12-13"},
    ],
}
MATRIX: dict[tuple[str, str], list[dict[str, str]]] = {
    (PRODUCT, "1"): [{"platform": PLATFORM, "version": "20.04"}],
    (PRODUCT, "2"): [
        {"platform": PLATFORM, "version": "22.04"},
        {"platform": PLATFORM, "version": "24.04"},
        {"platform": "rhel", "version": "9"},
    ],
    (MINOR_PRODUCT, "1.29"): [{"platform": PLATFORM, "version": "24.04"}],
}


def seed_catalogue(
    client: FlaskClient | HttpClient, admin: Mapping[str, str], *, strict: bool = True
) -> None:
    """Create the small catalogue through the API; what exists already is left alone.

    ``strict=False`` tolerates refusals (a fuzzer may have changed a policy or deleted
    a platform meanwhile): re-seeding is then best effort.
    """
    expected = (200, 201, 409) if strict else (200, 201, 404, 409, 422)

    def ok(response: Any) -> None:
        assert response.status_code in expected, (response.status_code, response.get_json())

    for platform in PLATFORMS:
        ok(client.post("/api/v1/platforms", json=platform, headers=admin))
    for product in PRODUCTS:
        ok(client.post("/api/v1/products", json=product, headers=admin))
    for slug, releases in RELEASES.items():
        for release in releases:
            ok(client.post(f"/api/v1/products/{slug}/releases", json=release, headers=admin))
    for (slug, cycle), row in MATRIX.items():
        url = f"/api/v1/products/{slug}/cycles/{cycle}/platforms"
        ok(client.put(url, json=row, headers=admin))


class HttpClient:
    """The few calls of Flask's test client that the helpers use, over real HTTP."""

    def __init__(self, base_url: str, timeout: float = 30) -> None:
        import requests

        self.base_url = base_url
        self.timeout = timeout
        self.session = requests.Session()

    def open(self, method: str, path: str, **kwargs: Any) -> HttpResponse:
        response = self.session.request(
            method, self.base_url + path, timeout=self.timeout, **kwargs
        )
        return HttpResponse(response)

    def get(self, path: str, **kwargs: Any) -> HttpResponse:
        return self.open("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> HttpResponse:
        return self.open("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> HttpResponse:
        return self.open("PUT", path, **kwargs)

    def close(self) -> None:
        self.session.close()


class HttpResponse:
    def __init__(self, response: Any) -> None:
        self.status_code: int = response.status_code
        self.mimetype: str = response.headers.get("Content-Type", "").split(";")[0]
        self.headers = response.headers
        self.text: str = response.text
        self._response = response

    def get_json(self, silent: bool = True) -> Any:
        try:
            return self._response.json()
        except ValueError:
            if silent:
                return None
            raise


class QuietHandler(WSGIRequestHandler):
    """No access log line per request (thousands of them); errors are still logged."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve a WSGI app on a threaded werkzeug server in this process; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="hardening-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
