"""The security headers of every answer (pages, feeds, API and errors alike)."""

from __future__ import annotations

from flask import Response, request

# No script at all, styles only from our own stylesheet (no inline style), and never framed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


_SECURITY_HEADER_ITEMS = tuple(SECURITY_HEADERS.items())


def security_headers(response: Response) -> Response:
    """Every answer, error pages included, carries the pages' security headers.

    The API reference page loads its renderer from a CDN, so it keeps only
    the headers that do not block that.
    """
    headers = response.headers
    present = {name.lower() for name, _ in headers.items()}
    docs = request.path == "/api/docs"
    for name, value in _SECURITY_HEADER_ITEMS:
        if name.lower() not in present and not (docs and name == "Content-Security-Policy"):
            headers.add(name, value)
    return response
