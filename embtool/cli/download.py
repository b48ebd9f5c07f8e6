"""embtool download: fetch a pretrained vector set by name, once, as a native store."""

from typing import Annotated, Any

import typer

from embtool import pretrained
from embtool.cli.app import app
from embtool.cli.errors import flags_named, phrase_error
from embtool.cli.options import ForceOpt, FormatOpt
from embtool.cli.output import Format, Report, emit, note
from embtool.cli.progress import byte_progress
from embtool.errors import DownloadError, UsageError


def catalogue_report(sets: dict[str, pretrained.PretrainedSet]) -> Report:
    have = set(pretrained.downloaded_names())
    visible = [s for s in sets.values() if not s.name.startswith("__")]  # gensim's test entries
    records: list[dict[str, Any]] = [
        {
            "name": s.name,
            "dim": s.dim,
            "words": s.words,
            "file_size": s.file_size,
            "downloaded": s.name in have,
            "license": s.license,
            "description": s.description,
        }
        for s in visible
    ]
    rows = [
        [
            r["name"],
            r["dim"],
            r["words"],
            round(r["file_size"] / 1e6, 1) if r["file_size"] else None,
            "yes" if r["downloaded"] else "no",
        ]
        for r in records
    ]
    return Report(
        records,
        ["name", "dim", "words", "MB", "downloaded"],
        rows,
        title="Pretrained vector sets (gensim-data)",
    )


# library parameters of pretrained.* that this command spells differently
_FLAGS = {"base": "--base-url"}


@app.command("download")
def download_command(
    name: Annotated[
        str | None,
        typer.Argument(
            help="Vector set to fetch, e.g. glove-wiki-gigaword-50.", show_default=False
        ),
    ] = None,
    list_: Annotated[
        bool, typer.Option("--list", "-l", help="List the catalogue's vector sets and exit.")
    ] = False,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            envvar="EMBTOOL_DOWNLOAD_URL",
            show_envvar=True,
            help="Mirror to fetch from (serving list.json and NAME/NAME.gz). Default: "
            "gensim-data's "
            "GitHub releases.",
            show_default=False,
        ),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option("--timeout", min=0.1, help="Seconds to wait for the server before giving up."),
    ] = pretrained.DEFAULT_TIMEOUT,
    force: ForceOpt = False,
    fmt: FormatOpt = Format.auto,
) -> None:
    """Fetch a pretrained vector set from the gensim-data catalogue and keep it as a native store.

    Example: [bold]embtool download glove-wiki-gigaword-50[/bold], then
    [bold]embtool analogy king man woman --vectors glove-wiki-gigaword-50[/bold].
    The file is checked against the catalogue's md5 and converted once into
    EMBTOOL_HOME/vectors/NAME (EMBTOOL_HOME defaults to ~/.cache/embtool).
    """
    if list_:
        try:
            sets = pretrained.fetch_catalogue(base_url, timeout=timeout)
        except DownloadError as exc:
            sets = pretrained.known_catalogue()
            note(
                f"{phrase_error(exc, _FLAGS)}; listing the {len(sets)} names embtool knows without the catalogue "
                "(sizes and descriptions need the network)"
            )
        emit(catalogue_report(sets), fmt)
        return
    if not name:
        raise UsageError("name a vector set to download (see: embtool download --list)")
    lacking = pretrained.subwords_note(name)
    if lacking:
        note(lacking)
    with flags_named(_FLAGS), byte_progress(f"downloading {name}") as progress:
        result = pretrained.download_vectors(
            name,
            base=base_url,
            timeout=timeout,
            force=force,
            progress=progress,
            on_stage=lambda stage: note(f"{stage} {name} into a native store"),
        )
    if not result.downloaded:
        note(f"{name} is already downloaded (--force fetches it again)")
    record = {
        "name": result.name,
        "path": str(result.path),
        "words": result.words,
        "dim": result.dim,
        "downloaded": result.downloaded,
    }
    emit(
        Report([record], list(record), [list(record.values())], title="Downloaded", single=True),
        fmt,
    )
