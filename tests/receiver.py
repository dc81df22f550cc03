"""A webhook receiver on 127.0.0.1 that records the JSON bodies POSTed to it (alert tests).

`delay` seconds before answering makes a slow receiver. The server thread serves until the
fixture stops it (shutdown ends serve_forever); each request is handled once.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Receiver:
    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.bodies: list[dict] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    receiver.bodies.append(json.loads(body))
                receiver._stop.wait(receiver.delay)  # a slow receiver, cut short at stop
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/hook"

    def kinds(self) -> list[str]:
        with self._lock:
            return [b["kind"] for b in self.bodies]

    def wait_for(self, n: int, seconds: float = 10.0) -> list[dict]:
        """The bodies once at least `n` arrived (or the time is up)."""
        deadline = time.monotonic() + seconds
        while len(self.bodies) < n and time.monotonic() < deadline:
            time.sleep(0.02)
        with self._lock:
            return list(self.bodies)

    def stop(self) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture
def slow_receiver():
    r = Receiver(delay=300.0)
    yield r
    r.stop()
