"""The Typer application every command module registers itself on."""

import inspect
from collections.abc import Callable
from typing import Annotated, Any

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


def reflow(doc: str | None) -> str:
    """Docstring -> help text: Rich markup mode keeps single newlines, so join wrapped lines."""
    paragraphs = inspect.cleandoc(doc or "").split("\n\n")
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines()) for p in paragraphs)


def register(typer_app: typer.Typer, name: str, **kwargs: Any) -> Callable[[Any], Any]:
    """Register a command on ``typer_app`` whose help is its reflowed docstring."""

    def decorate(func: Any) -> Any:
        return typer_app.command(name, help=reflow(func.__doc__), **kwargs)(func)

    return decorate
