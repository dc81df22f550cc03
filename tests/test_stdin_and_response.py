"""`-p key=@-` reads a parameter from stdin; `show ID --response` prints only the answer:
as logged for a pipe, without control characters on a terminal."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

from conftest import REPO

AGENTS = """
    agents:
      echo:
        model: gpt-4o-mini
        params: {text: {}, style: {default: plain}}
        prompt: "Summarize ({{ style }}): {{ text }}"
        mock_response: "answer line\\n\\u001b]0;owned\\u0007\\u001b[31mred"
"""


def test_a_parameter_read_from_stdin_is_the_prompt(cli, write_agents, read_rows, db_path):
    write_agents(AGENTS)
    done = cli("run", "echo", "-p", "text=@-", input="from a pipe\nsecond line\n")
    assert done.exit_code == 0, done.output
    [row] = read_rows(db_path)
    assert row["user_prompt"] == "Summarize (plain): from a pipe\nsecond line\n"


def test_stdin_can_feed_only_one_parameter(cli, write_agents, read_rows, db_path):
    write_agents(AGENTS)
    done = cli("run", "echo", "-p", "text=@-", "-p", "style=@-", input="x")
    assert done.exit_code != 0
    assert "only one parameter can be read from stdin (@-)" in done.stderr
    assert not db_path.exists() or read_rows(db_path) == []


def test_show_response_prints_the_answer_alone_for_a_pipe(cli, write_agents):
    write_agents(AGENTS)
    assert cli("run", "echo", "-p", "text=t").exit_code == 0
    shown = cli("show", "last", "--response")
    assert shown.exit_code == 0
    assert shown.stdout == "answer line\n\x1b]0;owned\x07\x1b[31mred\n"  # as logged
    both = cli("show", "1", "--response", "--json")
    assert both.exit_code != 0 and "choose one of --json and --response" in both.stderr


def test_show_response_on_a_terminal_drops_control_characters(cli, write_agents, db_path,
                                                               tmp_path):
    write_agents(AGENTS)
    assert cli("run", "echo", "-p", "text=t").exit_code == 0
    leader, follower = pty.openpty()
    done = subprocess.run([sys.executable, "-m", "agentlog", "show", "last", "--response"],
                          stdout=follower, stderr=subprocess.PIPE, timeout=60, cwd=REPO,
                          env={**os.environ, "AGENTLOG_DB": str(db_path),
                               "AGENTLOG_CONFIG": str(tmp_path / "agents.yaml")})
    os.close(follower)
    shown = os.read(leader, 4096).decode()
    os.close(leader)
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in shown and "\x07" not in shown
    assert "answer line" in shown and "red" in shown


def test_show_response_of_a_failed_execution_is_one_line_and_exit_1(cli, write_agents):
    write_agents("""
        agents:
          broken: {model: gpt-4o-mini, prompt: hi, retries: {max: 0},
                   mock_response: litellm.RateLimitError}
    """)
    cli("run", "broken")
    shown = cli("show", "last", "--response")
    assert shown.exit_code == 1
    assert shown.stderr.strip() == "agentlog: error: execution 1 has no logged response " \
                                   "(status error)"
