"""`agentlog init`: a first agents file, the commented example shipped inside the package."""

from __future__ import annotations

from typing import Annotated

import typer

from agentlog.cli.options import ConfigOpt


def init(
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Write ./agents.yaml (or -c PATH, $AGENTLOG_CONFIG): every key commented, and offline
    demo agents, so that `agentlog run hello` works at once.

    The file is owner-only (0600); an existing one is kept unless --force.

    Examples:

      agentlog init && agentlog run hello

      agentlog init -c ~/agents/work.yaml
    """
    import os
    from importlib import resources

    from agentlog import readsettings
    from agentlog.cli import outputs
    from agentlog.errors import ConfigError

    path = readsettings.config_path(config)
    example = resources.files("agentlog").joinpath("agents.yaml.example").read_bytes()
    if force:
        if path.is_dir():
            raise ConfigError(f"{path} is a directory")
        with outputs.atomic(path) as out:
            out.write(example)
    else:
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            raise ConfigError(f"{path} exists already: keeping it (--force replaces it)") \
                from None
        except OSError as e:
            raise ConfigError(f"cannot write {path}: {e.strerror}") from None
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), 0o600)
            out.write(example)
    typer.echo(f"Wrote {path}. Try: agentlog run hello" + (f" -c {path}" if config else ""))
