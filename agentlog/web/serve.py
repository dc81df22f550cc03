"""Running the dashboard: uvicorn on a socket bound here (so that a taken port is one line
of ours), the browser opened once it listens."""

from __future__ import annotations

import socket
import threading
import webbrowser

import typer

from agentlog.errors import AgentlogError


def url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise AgentlogError(f"cannot serve on {url(host, port)}: {e.strerror or e}") from None
    return sock


def run(app, host: str, port: int, open_browser: bool, token: str | None) -> None:
    import uvicorn

    sock = bind(host, port)
    address = url(host, sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                           lifespan="on"))
    typer.echo(f"agentlog dashboard on {address} (Ctrl-C to stop)", err=True)
    if open_browser:
        target = address + (f"?token={token}" if token else "")

        def opener() -> None:
            for _ in range(100):  # up to 10 s for the server to start
                if server.started:
                    webbrowser.open(target)
                    return
                threading.Event().wait(0.1)

        threading.Thread(target=opener, daemon=True).start()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
