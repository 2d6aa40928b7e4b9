"""The public web: lifecycle pages (``pages``) and the calendar and Atom feeds (``feeds``)."""

from __future__ import annotations

from flask import Flask

from app import errors
from app.web import feeds, pages
from app.web.headers import security_headers


def init_app(app: Flask) -> None:
    app.register_blueprint(pages.bp)
    app.register_blueprint(feeds.bp)
    errors.set_page_renderer(app, pages.error_page)
    app.after_request(security_headers)
