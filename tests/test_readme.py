"""The README is the user guide: every flag it names exists, on the command it names it for."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from agentlog.cli.app import app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()

# Flags of other programs that the README quotes beside agentlog's (`.ci/run` uses uv).
NOT_OURS = {"--resolution"}

FLAG = re.compile(r"(?<![\w-])(--?[a-zA-Z][\w-]*)")


def _commands() -> dict[tuple[str, ...], set[str]]:
    """Every command path (`()`, `("report", "daily")`, …) with the flags it takes."""
    found: dict[tuple[str, ...], set[str]] = {}

    def walk(command, path: tuple[str, ...]) -> None:
        flags = {"--help", "-h"}
        for param in command.params:
            if param.param_type_name == "option":
                flags.update(param.opts, param.secondary_opts)
        found[path] = flags
        for name in getattr(command, "list_commands", lambda ctx: [])(None):
            walk(command.get_command(None, name), path + (name,))

    walk(typer.main.get_command(app), ())
    return found


COMMANDS = _commands()


def _code() -> list[str]:
    """The README's code: each line of a fenced block and each inline `span`."""
    pieces, prose, fenced = [], [], False
    for line in README.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif fenced:
            pieces.append(line)
        else:
            prose.append(line)
    return pieces + re.findall(r"`([^`]+)`", " ".join(prose))  # a span may wrap a line


def _invocations() -> list[tuple[tuple[str, ...], str, str]]:
    """(command path, the flags' text, the invocation as written) of every `agentlog …` in
    the README's code, up to a pipe, `;`, `&&` or a comment."""
    found = []
    for piece in _code():
        piece = re.sub(r"\$\([^)]*\)", "", piece)  # a shell's $(…) runs another program
        for match in re.finditer(r"(?<![\w/.-])agentlog((?: [^|;&#`]*)?)", piece):
            words = match.group(1).split()
            path: tuple[str, ...] = ()
            rest = []
            for word in words:
                if not word.startswith("-") and not rest and path + (word,) in COMMANDS:
                    path += (word,)
                else:
                    rest.append(word)
            found.append((path, " ".join(rest), match.group(0)))
    return found


def test_every_flag_the_readme_names_exists_in_the_cli():
    known = set().union(*COMMANDS.values())
    named = {flag for flag in re.findall(r"(?<![\w-])(--[a-z][\w-]*)", README)}
    assert named - known - NOT_OURS == set()


def test_every_agentlog_command_in_the_readme_takes_the_flags_shown_with_it():
    invocations = _invocations()
    assert len(invocations) > 100  # the guide is full of examples; the scan found them
    wrong = [(written, flag) for path, rest, written in invocations
             for flag in FLAG.findall(rest) if flag not in COMMANDS[path]]
    assert wrong == []


def test_every_command_the_readme_runs_exists():
    """`agentlog WORD` in the README's code is a command, a documented option, or prose."""
    top = {path[0] for path in COMMANDS if path}
    named = {written.split()[1] for _, _, written in _invocations()
             if len(written.split()) > 1 and not written.split()[1].startswith("-")}
    assert named - top <= {"COMMAND", "import"}  # `agentlog --debug COMMAND`, Python


def _quick_start() -> list[tuple[str, list[str]]]:
    """The quick start's transcript: each `$ agentlog …` with the lines the README shows."""
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    steps: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```[a-z]*\n(.*?)```", section, re.S):
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            elif steps and line != "…":
                steps[-1][1].append(line)
    return steps


def _steady(line: str) -> str:
    """A line without what differs between two runs: durations, clock times, the zone, the
    data dir, and so the widths of table columns."""
    line = re.sub(r"\d+(\.\d+)? m?s\b", "T", line.rstrip())
    line = re.sub(r"\d\d-\d\d \d\d:\d\d", "MM-DD hh:mm", line)
    line = re.sub(r"times in \S+", "times in ZONE", line)
    line = re.sub(r"\S*/agentlog/agentlog\.db", "DATA/agentlog/agentlog.db", line)
    return re.sub(r"\s+", " ", line)  # columns widen with what they hold


def test_the_quick_start_prints_what_the_readme_shows(cli):
    steps = _quick_start()
    assert [command for command, _ in steps][:2] == ["agentlog init", "agentlog run hello"]
    for command, shown in steps:
        result = cli(*command.split()[1:])
        assert result.exit_code == 0, (command, result.output)
        both = result.stdout + "\n" + result.stderr  # the summary line goes to stderr
        printed = [_steady(line) for line in both.splitlines()]
        missing = [line for line in map(_steady, shown) if line not in printed]
        assert missing == [], command
