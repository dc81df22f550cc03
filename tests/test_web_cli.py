"""`agentlog ui` as a user starts it: it serves until interrupted, or says why it cannot."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from webapp import free_port


def test_ui_serves_the_log_until_interrupted(seeded_log):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "agentlog", "ui", "--no-open", "--port",
                               str(port), "--db", str(seeded_log)],
                              stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        answer = None
        for _ in range(100):  # 20 s at most
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/breakers",
                                            timeout=2) as response:
                    answer = json.load(response)
                break
            except OSError:
                time.sleep(0.2)
        assert answer == {"breakers": []}
    finally:
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=20)
    assert f"agentlog dashboard on http://127.0.0.1:{port}/" in err
    assert "Traceback" not in err


def test_a_taken_port_is_one_line_and_a_non_zero_exit(cli, seeded_log):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = cli("ui", "--no-open", "--port", str(port))
    assert out.exit_code == 1
    assert out.stderr.strip().splitlines()[-1].startswith(
        f"agentlog: error: cannot serve on http://127.0.0.1:{port}/")
