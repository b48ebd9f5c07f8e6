"""Every command's --help keeps its literal ``[...]`` (defaults, ``embtool[chinese]``) from Rich markup."""

import re
from enum import Enum

import pytest
import typer.main
from typer.testing import CliRunner

from embtool.cli import app
from embtool.cli.helptext import STYLE_TAGS

runner = CliRunner()
_BRACKETS = re.compile(r"\\?\[([^\[\]]+)\]")
_STYLE = {t for tag in STYLE_TAGS for t in (tag, "/" + tag)}


def _commands(command, path=()):
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


ROOT = typer.main.get_command(app)
COMMANDS = list(_commands(ROOT))


def _flat(text: str) -> str:
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def _expected(command) -> list[str]:
    """Every literal bracket the help texts hold, and Typer's own ``[default: X]`` for each option."""
    texts = [command.help or ""] + [getattr(p, "help", None) or "" for p in command.params]
    found = [f"[{m}]" for t in texts for m in _BRACKETS.findall(t) if m not in _STYLE]
    for p in command.params:
        if getattr(p, "hidden", False) or p.param_type_name != "option" or p.is_flag:
            continue
        if p.default is None or p.show_default is False or p.multiple:
            continue
        value = p.default.value if isinstance(p.default, Enum) else p.default
        found.append(f"[default: {value}]")
    return [" ".join(e.split()) for e in found]


def test_every_command_is_walked():
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"train", "cooccur", "bias weat", "bias analogies", "plot", "evaluate"} <= names


@pytest.mark.parametrize(
    "path,command", COMMANDS, ids=[" ".join(p) or "embtool" for p, _ in COMMANDS]
)
def test_help_keeps_every_bracket(path, command):
    result = runner.invoke(
        app, [*path, "--help"], env={"COLUMNS": "2000", "TERMINAL_WIDTH": "2000"}
    )
    assert result.exit_code == 0, result.output
    shown = _flat(result.stdout)
    missing = [e for e in _expected(command) if e not in shown]
    assert missing == []


def test_train_help_shows_window_default_and_jieba_extra():
    result = runner.invoke(
        app, ["train", "--help"], env={"COLUMNS": "2000", "TERMINAL_WIDTH": "2000"}
    )
    shown = _flat(result.stdout)
    assert "Context words on each side [default: 5; glove: 10]." in shown
    assert "pip install 'embtool[chinese]'" in shown
