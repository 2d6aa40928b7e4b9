"""The benchmark's plumbing: throw-away databases, gunicorn servers, wrk runs, machine facts.

Every process started here is in its own process group and is killed by
``Servers.stop_all`` (and every database dropped by ``Databases.drop_all``),
which ``run.py`` calls in a ``finally``.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
BIN = Path(sys.executable).parent
PATHS_LUA = BENCH / "paths.lua"
HOST = "127.0.0.1"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PG_BASE = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


# --- databases ---------------------------------------------------------------------------


class Databases:
    """Fresh, migrated databases of one kind, all dropped at the end."""

    def __init__(self, kind: str, workdir: Path) -> None:
        self.kind = kind
        self.workdir = workdir
        self.tag = uuid.uuid4().hex[:8]
        self.schemas: list[str] = []

    def create(self, name: str, *, migrate: bool = True) -> str:
        if self.kind == "sqlite":
            path = self.workdir / f"{name}.sqlite"
            for leftover in self.workdir.glob(f"{name}.sqlite*"):
                leftover.unlink()
            url = f"sqlite:///{path}"
        else:
            schema = f"lc_bench_{self.tag}_{name}"
            self._admin(f'CREATE SCHEMA "{schema}"')
            self.schemas.append(schema)
            url = f"{PG_BASE}?options=-csearch_path%3D{schema}"
        if migrate:
            flask("db", "upgrade", database_url=url)
        return url

    def drop(self, url: str) -> None:
        if self.kind == "sqlite":
            path = Path(url.removeprefix("sqlite:///"))
            for f in path.parent.glob(path.name + "*"):
                f.unlink()
            return
        schema = url.rsplit("%3D", 1)[1]
        self._admin(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        self.schemas.remove(schema)

    def drop_all(self) -> None:
        for schema in list(self.schemas):
            try:
                self._admin(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
                self.schemas.remove(schema)
            except Exception as exc:  # keep dropping the others
                print(f"warning: could not drop schema {schema}: {exc}", file=sys.stderr)

    def server_version(self) -> str:
        if self.kind == "sqlite":
            return f"SQLite {sqlite3.sqlite_version}"
        import psycopg

        with psycopg.connect(dbapi_url(PG_BASE), autocommit=True) as conn:
            row = conn.execute("SHOW server_version").fetchone()
        return f"PostgreSQL {row[0] if row else '?'}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(dbapi_url(PG_BASE), autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql)  # type: ignore[arg-type]


def postgres_problem() -> str | None:
    """None when the PostgreSQL server answers, else why not."""
    import psycopg

    try:
        with psycopg.connect(dbapi_url(PG_BASE), connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]
    return None


def dbapi_url(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as libpq takes it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def flask(*args: str, database_url: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``flask --app app ARGS`` against DATABASE_URL, as an operator would."""
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "app", *args],
        cwd=ROOT,
        env=server_env(database_url),
        capture_output=True,
        text=True,
    )
    if check and result.returncode != 0:
        raise RuntimeError(
            f"flask {' '.join(args[:2])} failed ({result.returncode}):\n{result.stderr[-2000:]}"
        )
    return result


def server_env(database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env.update(LOG_LEVEL="WARNING", SECRET_KEY="bench-only-not-secret", PYTHONUNBUFFERED="1")
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


# --- servers -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    """One gunicorn master with its workers, in a process group of its own."""

    name: str
    app_spec: str
    database_url: str | None
    workers: int
    ready_path: str
    logdir: Path
    pythonpath: str | None = None
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def log(self) -> Path:
        return self.logdir / f"{self.name}.log"

    def start(self) -> None:
        command = [str(BIN / "gunicorn"), "--workers", str(self.workers)]
        command += ["--bind", f"{HOST}:{self.port}", "--log-level", "warning"]
        if self.pythonpath:
            command += ["--pythonpath", self.pythonpath]
        command.append(self.app_spec)
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=server_env(self.database_url),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"server {self.name} exited:\n{self.log_tail()}")
            if len(self.worker_pids()) == self.workers:
                try:
                    status, _ = get(self.base, self.ready_path, timeout=5)
                    if status == 200:
                        # Every worker boots the app on its own: give the slower one a moment.
                        time.sleep(0.5)
                        return
                except OSError:
                    pass
            time.sleep(0.2)
        raise RuntimeError(f"server {self.name} not ready in {timeout}s:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(c) for c in children]

    def cpu_seconds(self) -> float:
        """User and system CPU time the workers have used so far."""
        total = 0
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        return total / CLOCK_TICKS

    def rss_mb(self) -> list[float]:
        """VmRSS of each worker, in MiB."""
        sizes = []
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes

    def log_tail(self, lines: int = 30) -> str:
        return log_tail(self.log, lines)

    def stop(self) -> None:
        process, self.process = self.process, None
        stop_group(process, timeout=15)


def log_tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop_group(process: subprocess.Popen[bytes] | None, timeout: float) -> None:
    """SIGTERM to the process group, SIGKILL after ``timeout``; and SIGKILL to whatever of
    the group outlived its leader (a worker that outlived its master)."""
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _cpu(pids: Sequence[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


@dataclass
class Recipe:
    """The production recipe (``deploy/serve.py``): nginx on a port in front of gunicorn's
    preloaded workers; in a process group of its own."""

    name: str
    database_url: str
    logdir: Path
    workers: int = 2
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def log(self) -> Path:
        return self.logdir / f"{self.name}.log"

    def start(self, timeout: float = 300) -> None:
        command = [str(BIN / "python"), "deploy/serve.py", "--port", str(self.port)]
        command += ["--workers", str(self.workers), "--run-dir", str(self.logdir / self.name)]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=server_env(self.database_url),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while b"Serving on" not in self.log.read_bytes():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"recipe {self.name} did not start:\n{self.log_tail()}")
            time.sleep(0.2)

    def gunicorn_master(self) -> int:
        assert self.process is not None
        for child in _children(self.process.pid):
            if b"gunicorn" in Path(f"/proc/{child}/cmdline").read_bytes():
                return child
        raise RuntimeError("no gunicorn master")

    def worker_pids(self) -> list[int]:
        """gunicorn's workers and nginx's."""
        assert self.process is not None
        found = []
        for child in _children(self.process.pid):
            found.extend(_children(child))
        return found

    def cpu_seconds(self) -> float:
        return _cpu(self.worker_pids())

    def hup(self) -> None:
        """``kill -HUP`` of the gunicorn master: new workers, the old ones finish."""
        os.kill(self.gunicorn_master(), signal.SIGHUP)

    def log_tail(self, lines: int = 30) -> str:
        return log_tail(self.log, lines)

    def stop(self) -> None:
        process, self.process = self.process, None
        stop_group(process, timeout=60)


class Slowloris:
    """``bench/slowloris.py`` against a port, started and stopped around a measurement."""

    def __init__(self, port: int, connections: int) -> None:
        self.port = port
        self.connections = connections
        self.process: subprocess.Popen[str] | None = None

    def __enter__(self) -> Slowloris:
        self.process = subprocess.Popen(
            [str(BIN / "python"), str(BENCH / "slowloris.py"), str(self.port),
             str(self.connections)],
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        for line in self.process.stdout:  # until every connection is open
            if f"held={self.connections}" in line:
                break
        else:
            raise RuntimeError("the slowloris could not open its connections")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.communicate()


class Servers:
    def __init__(self, logdir: Path) -> None:
        self.logdir = logdir
        self.running: list[Server] = []

    def start(
        self,
        name: str,
        app_spec: str,
        database_url: str | None,
        *,
        workers: int = 2,
        ready_path: str = "/healthz",
        pythonpath: str | None = None,
    ) -> Server:
        server = Server(name, app_spec, database_url, workers, ready_path, self.logdir, pythonpath)
        self.running.append(server)
        server.start()
        server.wait_ready()
        return server

    def stop(self, server: Server) -> None:
        server.stop()
        if server in self.running:
            self.running.remove(server)

    def stop_all(self) -> None:
        for server in reversed(self.running):
            try:
                server.stop()
            except Exception as exc:
                print(f"warning: stopping {server.name}: {exc}", file=sys.stderr)
        self.running.clear()


# --- clients -----------------------------------------------------------------------------


def get(base: str, path: str, timeout: float = 30) -> tuple[int, bytes]:
    return request(base, "GET", path, timeout=timeout)


def request(
    base: str,
    method: str,
    path: str,
    body: bytes | None = None,
    timeout: float = 30,
) -> tuple[int, bytes]:
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@dataclass(frozen=True)
class Measure:
    """``count`` operations in ``seconds`` (wrk's requests, or timed batches)."""

    count: float
    seconds: float
    detail: dict[str, Any] = field(default_factory=dict)
    server_cpu_s: float = 0.0

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    @property
    def cpu_per_op(self) -> float:
        """Server CPU seconds per operation: what the service costs, whatever else runs."""
        return self.server_cpu_s / self.count if self.count else 0.0


@dataclass(frozen=True)
class WrkOptions:
    connections: int = 4
    pin_cpu: str | None = None


def wrk(
    base: str,
    paths_file: Path,
    seconds: float,
    options: WrkOptions,
    *,
    body_file: Path | None = None,
    timeout_s: int = 10,
) -> Measure:
    """One wrk run (one thread) round-robin over the paths in ``paths_file``."""
    command = [
        "wrk",
        "-t1",
        f"-c{options.connections}",
        f"-d{max(1, round(seconds))}s",
        f"--timeout={timeout_s}s",
        "-s",
        str(PATHS_LUA),
        base,
        "--",
        str(paths_file),
    ]
    if body_file is not None:
        command.append(str(body_file))
    if options.pin_cpu is not None:
        command = ["taskset", "-c", options.pin_cpu, *command]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    line = next((x for x in result.stdout.splitlines() if x.startswith("BENCH ")), None)
    if result.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stdout}{result.stderr}")
    summary = json.loads(line.removeprefix("BENCH "))
    errors = {k: summary[k] for k in ("connect", "read", "write", "status", "timeout")}
    if summary["requests"] == 0 or summary["status"] > 0.01 * summary["requests"]:
        raise RuntimeError(f"wrk against {base}: too many errors {errors} in {summary}")
    return Measure(
        summary["requests"],
        summary["duration_us"] / 1e6,
        {
            "p50_ms": summary["p50_us"] / 1000,
            "p99_ms": summary["p99_us"] / 1000,
            "max_ms": summary["max_us"] / 1000,
            "errors": {k: v for k, v in errors.items() if v},
        },
    )


@dataclass(frozen=True)
class Comparison:
    """Two rates measured in alternating rounds, so a change in background load hits both."""

    a: Measure
    b: Measure
    round_ratios: list[float]

    @property
    def ratio(self) -> float:
        """The median of the rounds' a/b ratios."""
        return statistics.median(self.round_ratios)

    @property
    def cpu_ratio(self) -> float:
        """a/b as the servers' CPU cost per operation predicts it (b's cost ÷ a's)."""
        return self.b.cpu_per_op / self.a.cpu_per_op if self.a.cpu_per_op else 0.0


def compare(
    measure_a: Callable[[float], Measure],
    measure_b: Callable[[float], Measure],
    seconds_each: float,
    rounds: int,
) -> Comparison:
    """Alternate A B, B A, A B, ... for ``rounds`` rounds of ``seconds_each / rounds`` each."""
    per_round = seconds_each / rounds
    a_parts: list[Measure] = []
    b_parts: list[Measure] = []
    ratios = []
    for i in range(rounds):
        if i % 2 == 0:
            a, b = measure_a(per_round), measure_b(per_round)
        else:
            b, a = measure_b(per_round), measure_a(per_round)
        a_parts.append(a)
        b_parts.append(b)
        ratios.append(a.rate / b.rate)
    return Comparison(_sum(a_parts), _sum(b_parts), ratios)


def _sum(parts: Sequence[Measure]) -> Measure:
    detail: dict[str, Any] = {
        "rounds_per_s": [round(p.rate, 1) for p in parts],
    }
    for key in ("p50_ms", "p99_ms", "max_ms"):
        values = [p.detail[key] for p in parts if key in p.detail]
        if values:
            detail[key] = round(max(values) if key == "max_ms" else statistics.median(values), 2)
    return Measure(
        sum(p.count for p in parts),
        sum(p.seconds for p in parts),
        detail,
        sum(p.server_cpu_s for p in parts),
    )


# --- machine -----------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "loadavg_at_start": os.getloadavg(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "flask": metadata.version("flask"),
        "sqlalchemy": metadata.version("sqlalchemy"),
        "gunicorn": metadata.version("gunicorn"),
        "wrk": wrk_version.split(" [")[0].strip() or "?",
    }


def require_tools() -> None:
    missing = [t for t in ("wrk",) if shutil.which(t) is None]
    if missing:
        sys.exit(
            f"missing {', '.join(missing)}: apt-get install -y wrk (or run `make bench`, "
            "which installs it)"
        )


def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="lifecycle-bench-"))
