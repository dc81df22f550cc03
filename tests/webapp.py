"""The dashboard over a test's log: a TestClient, or a real server on a free 127.0.0.1 port."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentlog import store


def create(path: Path, token: str | None = None, budgets: dict | None = None):
    from agentlog.config import Settings
    from agentlog.readsettings import ReadSettings
    from agentlog.web import app

    settings = Settings(budgets=budgets) if budgets else Settings()
    return app.create(store.open(path, readonly=True), ReadSettings(), lambda: settings, token)


@pytest.fixture
def client(seeded_log):
    from starlette.testclient import TestClient

    dashboard = create(seeded_log)
    with TestClient(dashboard, raise_server_exceptions=False) as test_client:
        yield test_client
    dashboard.state.log.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def served(app) -> Iterator[str]:
    """uvicorn serving `app` on 127.0.0.1 in a thread; yields its URL, stops it after."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="error", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):  # 10 s at most
            if server.started:
                break
            time.sleep(0.05)
        else:
            raise RuntimeError("the dashboard did not start listening within 10 s")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
