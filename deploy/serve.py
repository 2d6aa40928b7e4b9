"""The production recipe (SPEC 19): nginx on PORT in front of gunicorn's workers.

    python deploy/serve.py [--port 8000] [--host 127.0.0.1] [--workers 2]
                           [--upstream 127.0.0.1:PORT|unix:/path] [--run-dir DIR] [--check]

Renders ``deploy/nginx.conf.template`` into a run folder, starts gunicorn with
``deploy/gunicorn.conf.py`` (the app preloaded, its catalogue warmed before the
workers fork) on the upstream address, waits for it, then starts nginx in front of
it and waits for that. Both run in the foreground as children of this process:
SIGTERM or SIGINT stops both (gunicorn finishing the requests in flight), SIGHUP
reloads both (new gunicorn workers, nginx re-reading its configuration); if either
dies the other is stopped and the exit status says so. ``--check`` renders the
configuration and has nginx test it, then exits.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
TEMPLATE = DEPLOY / "nginx.conf.template"
GUNICORN_CONF = DEPLOY / "gunicorn.conf.py"
DEFAULT_MAX_BODY = 8 * 1024 * 1024  # the app's MAX_CONTENT_LENGTH default
READY_SECONDS = 180.0  # warming a large catalogue takes a while


def render(template: str, values: dict[str, str]) -> str:
    """``{{NAME}}`` replaced by ``values[NAME]``; an unknown or missing name is an error.

    >>> render("listen {{PORT}};", {"PORT": "8000"})
    'listen 8000;'
    """
    out = template
    for name, value in values.items():
        out = out.replace("{{" + name + "}}", value)
    if "{{" in out:
        start = out.index("{{")
        raise ValueError(f"no value for {out[start : out.index('}}', start) + 2]}")
    return out


def nginx_config(
    *, port: int, host: str, upstream: str, run_dir: Path, max_body: int, connections: int
) -> str:
    return render(
        TEMPLATE.read_text(),
        {
            "PORT": str(port),
            "HOST": host,
            "UPSTREAM": upstream,
            "RUN_DIR": str(run_dir),
            "MAX_BODY": str(max_body),
            "CONNECTIONS": str(connections),
        },
    )


def find_nginx() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if found is None:
        sys.exit("nginx is not installed: apt-get install nginx (make serve installs it)")
    return found


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _wait(url: str, process: subprocess.Popen[bytes], what: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited with status {process.returncode} while starting")
        if _answers(url):
            return
        time.sleep(0.2)
    raise SystemExit(f"{what} did not answer {url} within {seconds:.0f} s")


class Recipe:
    """gunicorn and nginx, started in that order and stopped together."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.run_dir = Path(args.run_dir or tempfile.mkdtemp(prefix="lifecycle-serve-"))
        self.run_dir.mkdir(parents=True, exist_ok=True)
        # nginx's workers may run as another user (nobody, when started as root).
        self.run_dir.chmod(0o755)
        self.upstream = args.upstream or f"127.0.0.1:{free_port()}"
        self.config = self.run_dir / "nginx.conf"
        self.gunicorn: subprocess.Popen[bytes] | None = None
        self.nginx: subprocess.Popen[bytes] | None = None
        self.nginx_bin = find_nginx()

    def write_config(self) -> None:
        max_body = int(os.environ.get("MAX_CONTENT_LENGTH", str(DEFAULT_MAX_BODY)))
        self.config.write_text(
            nginx_config(
                port=self.args.port,
                host=self.args.host,
                upstream=self.upstream,
                run_dir=self.run_dir,
                max_body=max_body,
                connections=self.args.connections,
            )
        )

    def check(self) -> int:
        self.write_config()
        try:
            return subprocess.call(self._nginx_command("-t"))
        finally:
            if not self.args.run_dir:
                shutil.rmtree(self.run_dir, ignore_errors=True)

    def _nginx_command(self, *extra: str) -> list[str]:
        command = [self.nginx_bin, "-e", "stderr", "-p", str(self.run_dir), "-c", str(self.config)]
        return [*command, *extra]

    def start(self) -> None:
        self.write_config()
        env = dict(os.environ, GUNICORN_BIND=self.upstream, WORKERS=str(self.args.workers))
        self.gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "app:create_app()"],
            cwd=ROOT,
            env=env,
        )
        if not self.upstream.startswith("unix:"):
            _wait(f"http://{self.upstream}/healthz", self.gunicorn, "gunicorn", READY_SECONDS)
        self.nginx = subprocess.Popen(self._nginx_command(), cwd=self.run_dir)
        shown = "127.0.0.1" if self.args.host in ("0.0.0.0", "") else self.args.host
        _wait(f"http://{shown}:{self.args.port}/healthz", self.nginx, "nginx", 30)
        print(
            f"Serving on http://{self.args.host}:{self.args.port} (nginx in front of "
            f"{self.args.workers} gunicorn workers at {self.upstream}); run folder {self.run_dir}",
            flush=True,
        )

    def reload(self) -> None:
        for process in (self.gunicorn, self.nginx):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGHUP)

    def stop(self) -> None:
        # nginx first, so that nothing new reaches gunicorn while it finishes its requests.
        for process, sig in ((self.nginx, signal.SIGQUIT), (self.gunicorn, signal.SIGTERM)):
            if process is not None and process.poll() is None:
                process.send_signal(sig)
                try:
                    process.wait(timeout=40)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        if not self.args.run_dir:
            shutil.rmtree(self.run_dir, ignore_errors=True)

    def wait(self) -> int:
        """Until either child exits; its status (0 when stopped by a signal to us)."""
        while True:
            for name, process in (("gunicorn", self.gunicorn), ("nginx", self.nginx)):
                if process is not None and process.poll() is not None:
                    print(f"{name} exited with status {process.returncode}", file=sys.stderr)
                    return process.returncode or 1
            time.sleep(0.5)


class _Stop(Exception):
    pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "2")))
    parser.add_argument("--upstream", default=os.environ.get("UPSTREAM"))
    parser.add_argument("--run-dir", default=os.environ.get("RUN_DIR"))
    parser.add_argument(
        "--connections", type=int, default=4096, help="connections nginx holds at most"
    )
    parser.add_argument("--check", action="store_true", help="test the configuration and exit")
    args = parser.parse_args(argv)
    recipe = Recipe(args)
    if args.check:
        return recipe.check()

    def stop(signum: int, _frame: FrameType | None) -> None:
        raise _Stop(signum)

    def reload(_signum: int, _frame: FrameType | None) -> None:
        recipe.reload()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, reload)
    try:
        recipe.start()
        return recipe.wait()
    except _Stop:
        return 0
    finally:
        recipe.stop()


if __name__ == "__main__":
    sys.exit(main())
