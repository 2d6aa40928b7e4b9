"""SPEC 7's token commands and SPEC 8's embedded-database settings."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from tests.conftest import dispose, make_app


def _cli(app: Flask, *args: str) -> tuple[int, str, str]:
    result = app.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.stdout, result.stderr


def test_a_created_token_works_for_its_role_until_revoked(app: Flask, client: FlaskClient) -> None:
    code, out, _ = _cli(app, "tokens", "create", "--role", "admin", "--name", "ops")
    assert code == 0
    admin = {"Authorization": f"Bearer {out.strip().splitlines()[-1]}"}
    code, out, _ = _cli(app, "tokens", "create", "--role", "support", "--name", "desk")
    assert code == 0
    support = {"Authorization": f"Bearer {out.strip().splitlines()[-1]}"}

    product = {"slug": "tok", "name": "Tokens"}
    assert client.post("/api/v1/products", json=product, headers=support).status_code == 403
    assert client.post("/api/v1/products", json=product, headers=admin).status_code == 201

    assert _cli(app, "tokens", "revoke", "ops")[0] == 0
    again = {"slug": "tok2", "name": "Tokens 2"}
    refused = client.post("/api/v1/products", json=again, headers=admin)
    assert refused.status_code == 401
    assert refused.mimetype == "application/problem+json"


def test_only_the_hash_of_a_token_is_stored(app: Flask) -> None:
    code, out, _ = _cli(app, "tokens", "create", "--role", "support", "--name", "hashed")
    assert code == 0
    secret = out.strip().splitlines()[-1]
    with app.extensions["db_engine"].connect() as conn:
        stored = conn.execute(text("SELECT token_hash FROM api_tokens WHERE name = 'hashed'"))
        row = stored.one()
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in row.token_hash


def test_token_names_are_unique_and_unknown_names_are_refused(app: Flask) -> None:
    assert _cli(app, "tokens", "create", "--role", "admin", "--name", "twice")[0] == 0
    code, _, err = _cli(app, "tokens", "create", "--role", "admin", "--name", "twice")
    assert code == 2
    assert "twice" in err
    code, _, err = _cli(app, "tokens", "revoke", "nobody")
    assert code == 2
    assert "nobody" in err


def test_sqlite_runs_with_foreign_keys_wal_and_a_busy_timeout(
    tmp_path: Path, sqlite_template: Path
) -> None:
    path = tmp_path / "settings.sqlite"
    path.write_bytes(sqlite_template.read_bytes())
    app = make_app(f"sqlite:///{path}", tmp_path)
    try:
        with app.extensions["db_engine"].connect() as conn:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
    finally:
        dispose(app)


def test_the_default_database_is_sqlite_in_the_instance_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    from app.config import from_environment

    settings = from_environment(str(tmp_path / "instance"))
    assert settings["DATABASE_URL"] == f"sqlite:///{tmp_path / 'instance' / 'lifecycle.sqlite'}"
