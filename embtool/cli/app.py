"""The Typer application every command module registers itself on."""

from typing import Annotated

import typer

from embtool import __version__
from embtool.cli.errors import EmbtoolGroup

app = typer.Typer(
    name="embtool",
    cls=EmbtoolGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Word-embedding experiments: train Word2Vec and GloVe, query neighbours and analogies, "
    "evaluate, measure bias, plot.\n\n"
    "Example: [bold]embtool analogy king man woman[/bold]  (king - man + woman = queen)",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"embtool {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool | None,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = None,
) -> None:
    """Word-embedding experiments from the command line."""
