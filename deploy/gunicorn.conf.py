"""gunicorn's settings for the production recipe (``make serve``, ``deploy/serve.py``).

Sync workers behind nginx, which hands them whole requests (so a slow client holds no
worker). The app is loaded once, in the master, and its catalogue read model warmed
there before the workers are forked: a new worker, a restarted one, and each worker a
``kill -HUP`` brings up start with the catalogue already derived, shared with the
master page by page. On HUP the master first brings its own copy up to date.
"""

from __future__ import annotations

import gc
import os
from typing import Any

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("WORKERS", "2"))
worker_class = "sync"
preload_app = True
# Longer than any request may take: the database's timeouts bound the slow ones.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 30  # nginx keeps its connections to the workers open
# Many servers may run on one host (and tests start several): no shared control socket.
control_socket_disable = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")


def _warm(server: Any, *, first: bool) -> None:
    if os.environ.get("WARM_CATALOGUE", "1") == "0":
        return
    from app.catalogue import warm

    held = warm.warm(server.app.wsgi(), first_requests=first)
    server.log.info("catalogue warmed: %d products held before forking", held)


def when_ready(server: Any) -> None:
    """In the master, the app loaded, before the first workers are forked."""
    _warm(server, first=True)


def on_reload(server: Any) -> None:
    """In the master on HUP, before the new workers are forked: only what changed since is
    derived again (the old workers still answer meanwhile)."""
    _warm(server, first=False)


def pre_fork(server: Any, worker: Any) -> None:
    # What the master holds now is shared with the child until written: keep the
    # child's garbage collector from touching (and so copying) every page of it.
    gc.freeze()


def post_fork(server: Any, worker: Any) -> None:
    from app.catalogue import warm

    warm.after_fork(server.app.wsgi())
