"""Exit codes, and the one place where library errors become a one-line message on stderr."""

import os
import sys
from enum import IntEnum

import typer
from rich.markup import escape
from typer.core import TyperGroup

from embtool.cli.output import err
from embtool.errors import EmbtoolError


class ExitStatus(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    INTERRUPTED = 130
    BROKEN_PIPE = 141


def report_error(exc: EmbtoolError) -> ExitStatus:
    """Print ``exc`` as ``error: ...`` on stderr and return its exit status."""
    err.print(f"[bold red]error:[/bold red] {escape(str(exc))}", markup=True)
    return ExitStatus(exc.exit_code)


class EmbtoolGroup(TyperGroup):
    """Typer group that maps embtool errors, Ctrl-C and a closed pipe to clean exits."""

    def invoke(self, ctx):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except EmbtoolError as exc:
            raise typer.Exit(report_error(exc)) from None
        except KeyboardInterrupt:
            err.print("interrupted", style="red")
            raise typer.Exit(ExitStatus.INTERRUPTED) from None
        except BrokenPipeError:
            # The reader went away (e.g. `| head`): stop quietly, as Unix tools do.
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            except (OSError, ValueError, AttributeError):
                pass
            raise typer.Exit(ExitStatus.BROKEN_PIPE) from None
