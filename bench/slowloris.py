"""A slowloris for the benchmark (and only against 127.0.0.1): holds N connections to a
server, each sending its request headers one byte a second and never ending them;
connections the server closes are opened again. Runs until SIGTERM or SIGINT.

    python bench/slowloris.py PORT [CONNECTIONS]
"""

from __future__ import annotations

import signal
import socket
import sys
import time
from types import FrameType

HOST = "127.0.0.1"


def _open(port: int) -> socket.socket | None:
    try:
        sock = socket.create_connection((HOST, port), timeout=2)
        sock.sendall(b"GET /api/v1/products HTTP/1.1\r\nHost: bench\r\n")
        sock.setblocking(False)
        return sock
    except OSError:
        return None


def main() -> int:
    port = int(sys.argv[1])
    wanted = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    running = True

    def stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    held: list[socket.socket] = []
    reopened = 0
    while running:
        while len(held) < wanted and running:
            sock = _open(port)
            if sock is None:
                break
            held.append(sock)
        alive = []
        for sock in held:
            try:
                sock.send(b"X")
                alive.append(sock)
            except OSError:  # closed by the server (its header timeout): open another
                sock.close()
                reopened += 1
        held = alive
        print(f"SLOWLORIS held={len(held)} reopened={reopened}", flush=True)
        deadline = time.monotonic() + 1.0
        while running and time.monotonic() < deadline:
            time.sleep(0.05)
    for sock in held:
        sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
