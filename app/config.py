"""Configuration, in one place, from environment variables with documented defaults."""

from __future__ import annotations

import os
from typing import Any

DEFAULT_LEAD_DAYS = "90,30,7,0"


def from_environment(instance_path: str) -> dict[str, Any]:
    """The settings the app reads, each from its environment variable (see README)."""
    env = os.environ
    return {
        # Embedded default: SQLite in the instance folder.
        "DATABASE_URL": env.get("DATABASE_URL")
        or f"sqlite:///{os.path.join(instance_path, 'lifecycle.sqlite')}",
        "SECRET_KEY": env.get("SECRET_KEY") or os.urandom(32).hex(),
        # Large enough for a 10,000-query eligibility batch, small enough to bound memory.
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", str(8 * 1024 * 1024))),
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
        "ANNOUNCE_LEAD_DAYS": env.get("ANNOUNCE_LEAD_DAYS", DEFAULT_LEAD_DAYS),
        "SMTP_URL": env.get("SMTP_URL", "smtp://localhost:1025"),
        "MAIL_FROM": env.get("MAIL_FROM", "lifecycle@localhost"),
        "WEBHOOK_ALLOW_PRIVATE": env.get("WEBHOOK_ALLOW_PRIVATE", "0") == "1",
        "WEBHOOK_TIMEOUT_SECONDS": float(env.get("WEBHOOK_TIMEOUT_SECONDS", "5")),
        # How long a sender may hold an outbox row before another may take it over.
        "DELIVERY_LEASE_SECONDS": float(
            env.get(
                "DELIVERY_LEASE_SECONDS",
                str(30 + 10 * float(env.get("WEBHOOK_TIMEOUT_SECONDS", "5"))),
            )
        ),
        "SUPPORT_PLAN_FILE": env.get("SUPPORT_PLAN_FILE")
        or os.path.join(instance_path, "support_plan.json"),
        "LOG_LEVEL": env.get("LOG_LEVEL", "WARNING"),
        # SPEC 19: a database that hangs costs a request at most these, then a 503.
        "DB_CONNECT_TIMEOUT_SECONDS": float(env.get("DB_CONNECT_TIMEOUT_SECONDS", "5")),
        "DB_STATEMENT_TIMEOUT_SECONDS": float(env.get("DB_STATEMENT_TIMEOUT_SECONDS", "10")),
        # PostgreSQL: trust cached products until the database announces a change
        # (LISTEN/NOTIFY); 0 checks the product's revision with a query on every read.
        "CATALOGUE_NOTIFY": env.get("CATALOGUE_NOTIFY", "1") != "0",
        # The read model's bounds: products whose snapshot a worker keeps, and per product
        # the encoded verdicts and rendered pages kept with it; eligibility's parsed queries.
        "CATALOGUE_CACHE_SIZE": int(env.get("CATALOGUE_CACHE_SIZE", "448")),
        "VERDICT_CACHE_SIZE": int(env.get("VERDICT_CACHE_SIZE", "64")),
        "PAGE_CACHE_SIZE": int(env.get("PAGE_CACHE_SIZE", "4")),
        "QUERY_CACHE_SIZE": int(env.get("QUERY_CACHE_SIZE", "4096")),
    }


API_SETTINGS: dict[str, Any] = {
    "API_TITLE": "Lifecycle",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_REDOC_PATH": "/docs",
    # Served by this app (app/static/redoc, with its licence): no CDN (SPEC 17).
    "OPENAPI_REDOC_URL": "/static/redoc/redoc.standalone.js",
    "JSON_SORT_KEYS": False,
}
