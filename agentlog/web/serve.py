"""Running the dashboard: uvicorn on one address, the browser opened once it listens."""

from __future__ import annotations

import threading
import webbrowser

import typer

from agentlog.errors import AgentlogError


def url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def run(app, host: str, port: int, open_browser: bool, token: str | None) -> None:
    import uvicorn

    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                            lifespan="off")
    server = uvicorn.Server(config)
    address = url(host, port)
    typer.echo(f"agentlog dashboard on {address} (Ctrl-C to stop)", err=True)
    if open_browser:
        target = address + (f"?token={token}" if token else "")

        def opener() -> None:
            for _ in range(100):  # up to 10 s for the socket to listen
                if server.started:
                    webbrowser.open(target)
                    return
                threading.Event().wait(0.1)

        threading.Thread(target=opener, daemon=True).start()
    server.run()
    if not server.started:
        raise AgentlogError(f"cannot serve on {address}: the address is in use or not "
                            "available")
