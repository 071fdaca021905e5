from __future__ import annotations

import typer
from typer.main import get_command
from typer.testing import CliRunner

from bankcrm.cli.main import app


def _command_paths(command: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    subcommands = getattr(command, "commands", {})
    for name, subcommand in subcommands.items():
        paths.extend(_command_paths(subcommand, (*prefix, name)))
    return paths


def test_every_command_answers_help() -> None:
    runner = CliRunner()
    paths = _command_paths(get_command(app))
    assert len(paths) > 1
    for path in paths:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage" in result.output


def test_the_foundation_commands_exist() -> None:
    names = set(getattr(get_command(app), "commands", {}))
    assert {"db"} <= names
    assert isinstance(app, typer.Typer)
