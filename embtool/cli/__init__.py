"""embtool's command-line interface: one Typer app, one module per command."""

from embtool.cli import (  # noqa: F401 - importing a command module registers it
    align,
    analogy,
    attention,
    bias,
    compare,
    convert,
    cooccur,
    debias,
    download,
    evaluate,
    info,
    neighbors,
    odd_one_out,
    plot,
    sentence,
    serve,
    shell,
    similarity,
    train,
    translate,
)
from embtool.cli.app import app


def main() -> None:
    """Entry point of the ``embtool`` console script."""
    app(prog_name="embtool")


__all__ = ["app", "main"]
