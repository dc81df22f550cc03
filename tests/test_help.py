"""Every command's and sub-command's --help: an example to copy, and one spelling of
arguments (upper case, as `report stats AGENT`)."""

from __future__ import annotations

import re


def _every_command() -> list[list[str]]:
    from agentlog.cli.app import COMMANDS, command

    paths = []
    for name in COMMANDS:
        paths.append([name])
        paths += [[name, sub] for sub in getattr(command(name), "lazy", {})]
    return paths


def test_every_command_and_sub_command_help_has_an_example(cli):
    paths = _every_command()
    assert ["breakers", "reset"] in paths and ["db", "copy"] in paths and len(paths) > 25
    for path in paths:
        out = cli(*path, "--help").stdout
        assert re.search(r"^ {2}Examples?:$", out, re.M), " ".join(path)
        assert f"agentlog {' '.join(path)}" in out.split("Example", 1)[1], " ".join(path)


def test_arguments_are_spelled_one_way_in_every_usage_line(cli):
    for path in _every_command():
        usage = cli(*path, "--help").stdout.splitlines()[0]
        arguments = usage.split("[OPTIONS]", 1)[1].split()
        for argument in arguments:
            if argument in ("COMMAND", "[ARGS]..."):
                continue
            assert re.fullmatch(r"[{\[][A-Z]+[}\]]", argument), (path, usage)
