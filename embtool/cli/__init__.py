"""embtool's command-line interface: one Typer app, one module per command."""

    analogy,
    bias,
    convert,
    download,
    evaluate,
    info,
    neighbors,
    odd_one_out,
    similarity,
)
from embtool.cli import (  # noqa: F401 - registers commands
from embtool.cli import analogy, neighbors, odd_one_out, similarity, train  # noqa: F401 - registers commands
from embtool.cli.app import app


def main() -> None:
    """Entry point of the ``embtool`` console script."""
    app(prog_name="embtool")


__all__ = ["app", "main"]
