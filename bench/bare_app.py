"""The yardstick for the eligibility benchmark: bare Flask answering one JSON dict.

Served by gunicorn exactly as the service is (``bare_app:create_app()``); the
dict has the shape and size of an eligibility verdict (SPEC 6), so the two
differ only by the work the service does to find the answer.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify

VERDICT: dict[str, Any] = {
    "product": "aperturedb",
    "version": "1.4.2",
    "release_known": True,
    "cycle": "1",
    "status": "security_only",
    "support_level": "security_fixes_only",
    "covered": True,
    "as_of": "2026-11-22",
    "dates": {
        "released_on": "2025-01-10",
        "security_only_from": "2026-03-02",
        "eol_on": "2027-03-01",
        "eosl_on": "2027-09-01",
    },
    "platform": {
        "platform": "ubuntu",
        "version": "22.04",
        "supported": True,
        "vendor_eol": "2027-06-01",
    },
    "environment": "production",
    "subscription": "production",
    "allowed_severities": ["urgent", "high", "normal", "low"],
    "severity": {"requested": None, "granted": None},
    "upgrade_to": "2.5.1",
    "reasons": [
        {
            "code": "security_only",
            "message": "Major release 1 receives security fixes only; "
            "it reaches end of life on 2027-03-01.",
        },
        {
            "code": "platform_supported",
            "message": "Ubuntu 22.04 is supported for major release 1 "
            "until its vendor's end of life on 2027-06-01.",
        },
    ],
}


def create_app() -> Flask:
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]

    @app.get("/verdict")
    def verdict() -> Any:
        return jsonify(VERDICT)

    return app
