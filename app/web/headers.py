"""The security headers of every answer (pages, feeds, API and errors alike)."""

from __future__ import annotations

from flask import Response, request

# No script at all, styles only from our own stylesheet (no inline style), and never framed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# The API reference (ReDoc): its script from here, the styles it writes into the page
# (styled-components, hence 'unsafe-inline' for styles alone), the spec fetched from
# here, and its search index built in a worker it makes from a blob.
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


_SECURITY_HEADER_ITEMS = tuple(SECURITY_HEADERS.items())


def security_headers(response: Response) -> Response:
    """Every answer, error pages included, carries the pages' security headers; the API
    reference page has a policy of its own, for what its renderer needs."""
    headers = response.headers
    present = {name.lower() for name, _ in headers.items()}
    docs = request.path == "/api/docs"
    for name, value in _SECURITY_HEADER_ITEMS:
        if name.lower() not in present:
            if docs and name == "Content-Security-Policy":
                value = DOCS_CONTENT_SECURITY_POLICY
            headers.add(name, value)
    return response
