"""Help texts are Rich markup: escape every ``[...]`` in them except the few style tags we mean."""

import re
from typing import Any

from rich.markup import escape

#: Style tags the help texts use on purpose; every other bracket is literal text.
STYLE_TAGS = ("bold", "italic", "dim")
_RESTORE = re.compile(r"\\(\[/?(?:" + "|".join(STYLE_TAGS) + r")\])")


def escape_help(text: str | None) -> str | None:
    """``text`` with literal brackets (``[default: 5]``, ``embtool[chinese]``) kept from Rich markup."""
    if not text:
        return text
    return _RESTORE.sub(r"\1", escape(text))


def escape_command_help(command: Any) -> None:
    """Escape the help of ``command``, its parameters and (for a group) every subcommand, once."""
    if getattr(command, "_embtool_help_escaped", False):
        return
    command._embtool_help_escaped = True  # type: ignore[attr-defined]
    command.help = escape_help(command.help)
    command.short_help = escape_help(command.short_help)
    command.epilog = escape_help(command.epilog)
    for param in command.params:
        if getattr(param, "help", None):  # options, and typer's arguments, carry help
            param.help = escape_help(param.help)
    for sub in getattr(command, "commands", {}).values():
        escape_command_help(sub)
