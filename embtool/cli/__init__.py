"""embtool's command-line interface: one Typer app, one module per command."""

from embtool.cli import analogy, neighbors, odd_one_out, plot, similarity  # noqa: F401 - registers commands
from embtool.cli.app import app


def main() -> None:
    """Entry point of the ``embtool`` console script."""
    app(prog_name="embtool")


__all__ = ["app", "main"]
