"""Flags show no value placeholder in help (Typer would print <bool>, inviting `--flag true`)."""

import typer
from typer.core import TyperGroup
from typer.testing import CliRunner

from embtool.cli import app

runner = CliRunner()


def _command_paths() -> list[list[str]]:
    root = typer.main.get_command(app)
    ctx = typer.Context(root)
    paths: list[list[str]] = [[]]

    def walk(group: TyperGroup, prefix: list[str]) -> None:
        for name in group.list_commands(ctx):
            paths.append([*prefix, name])
            sub = group.get_command(ctx, name)
            if isinstance(sub, TyperGroup):
                walk(sub, [*prefix, name])

    walk(root, [])
    return paths


def test_no_command_help_shows_a_bool_metavar():
    paths = _command_paths()
    assert ["analogy"] in paths and ["bias", "project"] in paths
    for path in paths:
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, (path, result.output)
        assert "--help" in result.stdout
        assert "<bool>" not in result.stdout, path


def test_include_query_is_still_a_flag():
    help_text = runner.invoke(app, ["analogy", "--help"], env={"COLUMNS": "200"}).stdout
    line = next(ln for ln in help_text.splitlines() if "--include-query" in ln)
    assert "<" not in line.split("--include-query")[1].split("Also")[0]
