"""Shell completion: `--show-completion SHELL` prints a script for bash, zsh and fish, and the
completion protocol those scripts speak completes command names, subcommands and options
without loading litellm."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def agentlog(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agentlog", *args], capture_output=True,
                          text=True, timeout=60, env={**os.environ, **(env or {})})


@pytest.mark.parametrize(("shell", "marker"), [("bash", "complete -o default -F"),
                                               ("zsh", "#compdef agentlog"),
                                               ("fish", "--command agentlog")])
def test_show_completion_prints_the_script_of_each_shell(shell, marker):
    """The shell is detected from the parent process; typer's test switch names it instead."""
    shown = agentlog("--show-completion", shell,
                     env={"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"})
    assert shown.returncode == 0, shown.stderr
    assert marker in shown.stdout and "_AGENTLOG_COMPLETE" in shown.stdout


def complete(line: str) -> list[str]:
    words = line.split(" ")
    done = agentlog(env={"_AGENTLOG_COMPLETE": "complete_bash", "COMP_WORDS": line,
                         "COMP_CWORD": str(len(words) - 1)})
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_completion_offers_commands_subcommands_and_options():
    assert complete("agentlog li") == ["list"]
    assert {"cost-by-agent", "cost-by-model", "cost-by-tenant"} <= set(
        complete("agentlog report cost"))
    assert "--failed" in complete("agentlog list --fa")


def test_completing_never_loads_litellm():
    probe = ("import sys, runpy; sys.argv = ['agentlog']\n"
             "try:\n    runpy.run_module('agentlog', run_name='__main__')\n"
             "except SystemExit:\n    pass\n"
             "print('litellm' in sys.modules, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "_AGENTLOG_COMPLETE": "complete_bash",
                                           "COMP_WORDS": "agentlog run ", "COMP_CWORD": "2"})
    assert done.stderr.strip().splitlines()[-1] == "False", done.stderr
