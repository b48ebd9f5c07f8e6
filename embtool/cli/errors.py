"""Exit codes, and the one place where library errors become a one-line message on stderr."""

import contextlib
import os
import re
import shlex
import signal
import sys
import threading
from collections.abc import Iterator, Mapping
from enum import IntEnum
from typing import Any

import typer
from rich.markup import escape
from typer.core import TyperGroup

from embtool.atomic import disk_full_error, is_disk_full
from embtool.cli.output import err
from embtool.errors import (
    OPTION_MENTION,
    Category,
    EmbtoolError,
    InvalidOptionError,
    OutputExistsError,
    TextNotVectorsError,
    UnknownVectorSetError,
    UnknownWeatTestError,
)


class ExitStatus(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    INTERRUPTED = 130
    BROKEN_PIPE = 141


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived; raised like Ctrl-C so temporary files are removed on the way out."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _terminate(signum: int, frame: object) -> None:
    raise Terminated(signum)


@contextlib.contextmanager
def stop_signals_unwind() -> Iterator[None]:
    """While a command runs, SIGTERM and SIGHUP unwind the stack (as Ctrl-C does) instead of
    killing the process on the spot. A signal already ignored (``nohup``) stays ignored."""
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for name in ("SIGTERM", "SIGHUP"):
            signum = getattr(signal, name, None)
            if signum is not None and signal.getsignal(signum) is signal.SIG_DFL:
                previous[signum] = signal.signal(signum, _terminate)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


# Library parameter names whose command-line flag is not simply ``--`` + the name with dashes.
FLAG_NAMES: dict[str, str] = {
    "memory_gb": "--memory",  # GloveConfig.memory_gb, CooccurrenceOptions.memory_gb
    "direction_file": "--direction FILE",  # bias.choose_direction
    "pairs": "--pair/--pairs-file",  # bias.choose_direction
    "frequencies": "--frequencies FILE",  # sentences.word_probabilities: a file on the command line
}

#: How each error category leaves the process: the one place exit statuses are chosen.
CATEGORY_STATUS: dict[Category, ExitStatus] = {
    Category.FAILURE: ExitStatus.ERROR,
    Category.USAGE: ExitStatus.USAGE,
}


def flag_for(option: str, flags: Mapping[str, str] | None = None) -> str:
    """The command-line flag of a library parameter name (``min_count`` -> ``--min-count``).

    ``flags`` is a command's own mapping, consulted before :data:`FLAG_NAMES`."""
    if flags and option in flags:
        return flags[option]
    return FLAG_NAMES.get(option, "--" + option.replace("_", "-"))


def _flag_mention(match: re.Match[str], flags: Mapping[str, str] | None) -> str:
    """`` `name` `` -> ``--flag``; `` `name=True` `` -> ``--flag``; `` `name=v` `` -> ``--flag v``."""
    flag = flag_for(match.group(1), flags)
    value = match.group(2)
    if value is None or value == "True":
        return flag
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    return f"{flag} {value}"


def phrase_flags(text: str, flags: Mapping[str, str] | None = None) -> str:
    """``text`` with every backticked parameter mention written as its command-line flag."""
    return OPTION_MENTION.sub(lambda m: _flag_mention(m, flags), text)


def phrase_error(exc: EmbtoolError, flags: Mapping[str, str] | None = None) -> str:
    """The one-line wording of ``exc`` for the command line: flags and hints added here."""
    if isinstance(exc, InvalidOptionError):
        return phrase_flags(exc.phrase(f"`{exc.option}`"), flags)
    if isinstance(exc, OutputExistsError):
        what = f" {exc.what}" if exc.what else ""
        return f"{exc.path} already exists (pass --force to replace it{what})"
    if isinstance(exc, UnknownVectorSetError):
        return exc.phrase("embtool download --list")
    if isinstance(exc, TextNotVectorsError):
        return f"{exc.path}: " + exc.phrase(
            f"run: embtool train {shlex.quote(exc.path)} --out VECTORS"
        )
    if isinstance(exc, UnknownWeatTestError):
        return exc.phrase("give your own with --json / four word-list files")
    return phrase_flags(str(exc), flags)


def exit_status(exc: EmbtoolError) -> ExitStatus:
    """The exit status of a library error, chosen from its category."""
    return CATEGORY_STATUS[exc.category]


def report_error(exc: EmbtoolError, flags: Mapping[str, str] | None = None) -> ExitStatus:
    """Print ``exc`` as ``error: ...`` on stderr and return its exit status."""
    err.print(f"[bold red]error:[/bold red] {escape(phrase_error(exc, flags))}", markup=True)
    return exit_status(exc)


@contextlib.contextmanager
def flags_named(flags: Mapping[str, str]) -> Iterator[None]:
    """Run a command's body so that library errors name this command's own flags (``flags`` maps
    a library parameter to the flag, e.g. ``{"base": "--base-url"}``) before :data:`FLAG_NAMES`."""
    try:
        yield
    except EmbtoolError as exc:
        raise typer.Exit(report_error(exc, flags)) from None


def _quiet_flags(command: Any, ctx: typer.Context) -> None:
    """Give on/off flags (and --help) an empty metavar: Typer would print ``<bool>``, which reads
    as if a value were expected (``--include-query true``)."""
    for param in command.get_params(ctx):
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    for sub in getattr(command, "commands", {}).values():  # groups of any class (plot's too)
        _quiet_flags(sub, ctx)


class EmbtoolGroup(TyperGroup):
    """Typer group that maps embtool errors, Ctrl-C and a closed pipe to clean exits, shows
    flags without a value placeholder in every command's help, and keeps literal ``[...]`` in
    every help text from being eaten as Rich markup."""

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        from embtool.cli.helptext import escape_command_help

        escape_command_help(self)

    def get_params(self, ctx):  # type: ignore[no-untyped-def]
        params = super().get_params(ctx)
        for param in params:
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""
        return params

    def get_command(self, ctx, cmd_name):  # type: ignore[no-untyped-def]
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _quiet_flags(command, ctx)
        return command

    def invoke(self, ctx):  # type: ignore[no-untyped-def]
        try:
            with stop_signals_unwind():
                return super().invoke(ctx)
        except EmbtoolError as exc:
            raise typer.Exit(report_error(exc)) from None
        except KeyboardInterrupt:
            err.print("interrupted", style="red")
            raise typer.Exit(ExitStatus.INTERRUPTED) from None
        except Terminated as exc:
            err.print("terminated", style="red")
            raise typer.Exit(128 + exc.signum) from None
        except BrokenPipeError:
            # The reader went away (e.g. `| head`): stop quietly, as Unix tools do.
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            except (OSError, ValueError, AttributeError):
                pass
            raise typer.Exit(ExitStatus.BROKEN_PIPE) from None
        except OSError as exc:
            if not is_disk_full(exc):
                raise
            # a full disk outside an atomic write (a temporary corpus copy, spilled counts)
            raise typer.Exit(report_error(disk_full_error(exc.filename or "a file"))) from None
