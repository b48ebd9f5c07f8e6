"""embtool's command-line interface: one Typer app, one module per command."""

from embtool.cli import (  # noqa: F401 - registers commands
    analogy,
    bias,
    debias,
    neighbors,
    odd_one_out,
    similarity,
)
from embtool.cli.app import app


def main() -> None:
    """Entry point of the ``embtool`` console script."""
    app(prog_name="embtool")


__all__ = ["app", "main"]
