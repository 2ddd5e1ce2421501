"""The command line answers --help on every command and reports its version."""

import pytest
from typer.testing import CliRunner

from vaikutus import __version__
from vaikutus.cli import app

runner = CliRunner()


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def _command_paths(group, prefix=()):
    import typer.main

    click_group = typer.main.get_command(group) if not prefix else group
    for name, command in click_group.commands.items():
        yield (*prefix, name)
        if hasattr(command, "commands"):
            yield from _command_paths(command, (*prefix, name))


@pytest.mark.parametrize("path", list(_command_paths(app)))
def test_every_command_has_help(path):
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output
