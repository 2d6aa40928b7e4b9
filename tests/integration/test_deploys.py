"""Deploys (SPEC 19): ``flask --app app db upgrade`` run twice at once (two hosts deploying)
migrates once, the second waiting and finding nothing to do; and a SQLite database backed
up online while the service writes to it restores to the same answers."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from conftest import PG_BASE, ROOT, dispose, make_app, pg_schema_url, require_postgres
from sqlalchemy import create_engine, text

from app.auth import Role, create_token

pytestmark = pytest.mark.slow


def _upgrade_twice_at_once(url: str) -> list[subprocess.CompletedProcess[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env["DATABASE_URL"] = url
    flask = str(Path(sys.executable).parent / "flask")
    processes = [
        subprocess.Popen(
            [flask, "--app", "app", "db", "upgrade"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    done = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        done.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return done


def _revisions(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    finally:
        engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_two_upgrades_at_once_migrate_once(kind: str, tmp_path: Path) -> None:
    schema = None
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    else:
        require_postgres()
        schema = f"lc_test_{uuid.uuid4().hex[:10]}"
        admin = create_engine(PG_BASE)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = pg_schema_url(schema)
    try:
        done = _upgrade_twice_at_once(url)
        for result in done:
            assert result.returncode == 0, result.stderr[-3000:]
            assert "Traceback" not in result.stderr
        assert len(_revisions(url)) == 1
        # And the schema is whole: the app runs on it.
        app = make_app(url, tmp_path)
        try:
            assert app.test_client().get("/api/v1/products").status_code == 200
        finally:
            dispose(app)
    finally:
        if schema is not None:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()


def test_a_sqlite_backup_taken_while_writing_restores_to_the_same_answers(
    tmp_path: Path, sqlite_template: Path
) -> None:
    live = tmp_path / "live.sqlite"
    live.write_bytes(sqlite_template.read_bytes())
    app = make_app(f"sqlite:///{live}", tmp_path)
    try:
        with app.app_context():
            secret, _ = create_token(Role.ADMIN, "backup-admin")
        admin = {"Authorization": f"Bearer {secret}"}
        client = app.test_client()
        assert (
            client.post(
                "/api/v1/products", json={"slug": "aperturedb", "name": "A"}, headers=admin
            ).status_code
            == 201
        )
        stop = threading.Event()

        def write() -> None:
            writer = app.test_client()
            n = 0
            while not stop.is_set():
                n += 1
                writer.post(
                    "/api/v1/products/aperturedb/releases",
                    json={"version": f"1.{n}.0", "released_on": "2025-01-01"},
                    headers=admin,
                )

        thread = threading.Thread(target=write)
        thread.start()
        try:
            while client.get("/api/v1/products/aperturedb").json["releases"] < 5:
                pass
            backup = tmp_path / "backup.sqlite"
            done = app.test_cli_runner().invoke(args=["db", "backup", str(backup)])
            assert done.exit_code == 0, done.output
        finally:
            stop.set()
            thread.join(timeout=30)
    finally:
        dispose(app)

    # A fresh database, restored from the backup: consistent, and as it was then.
    restored_path = tmp_path / "restored.sqlite"
    restored_path.write_bytes(sqlite_template.read_bytes())
    restored = make_app(f"sqlite:///{restored_path}", tmp_path)
    original = make_app(f"sqlite:///{backup}", tmp_path)
    try:
        done = restored.test_cli_runner().invoke(args=["db", "restore", "--yes", str(backup)])
        assert done.exit_code == 0, done.output
        paths = [
            "/api/v1/products/aperturedb",
            "/api/v1/products/aperturedb/releases",
            "/api/v1/eligibility?product=aperturedb&version=1.1.0",
        ]
        for path in paths:
            assert restored.test_client().get(path).json == original.test_client().get(path).json
        releases = restored.test_client().get("/api/v1/products/aperturedb").json["releases"]
        assert releases >= 5
        # The token made before the backup is in it.
        answer = restored.test_client().get("/api/v1/subscriptions", headers=admin)
        assert answer.status_code == 200
        with restored.extensions["db_engine"].connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    finally:
        dispose(restored)
        dispose(original)
