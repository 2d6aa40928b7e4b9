"""Errors outside /api are pages in the site's layout, with the security headers."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        pytest.param("GET", "/no-such-page", 404, id="unknown-page"),
        pytest.param("POST", "/", 405, id="method-not-allowed"),
    ],
)
def test_page_errors_are_html_pages(
    client: FlaskClient, method: str, path: str, status: int
) -> None:
    answer = client.open(path, method=method)
    assert answer.status_code == status
    assert answer.mimetype == "text/html"
    assert b'<html lang="en">' in answer.data
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_api_errors_stay_problem_json(client: FlaskClient) -> None:
    answer = client.get("/api/v1/no-such-thing")
    assert answer.status_code == 404
    assert answer.mimetype == "application/problem+json"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_the_api_reference_has_a_policy_of_its_own(client: FlaskClient) -> None:
    # SPEC 17: its renderer is served from here, so its policy allows only this origin
    # (it had none while the renderer came from a CDN).
    answer = client.get("/api/docs")
    assert answer.status_code == 200
    policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'self';" in policy
    assert "http" not in policy and "*" not in policy
