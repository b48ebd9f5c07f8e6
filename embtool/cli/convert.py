"""embtool convert: rewrite vectors in another format (no extension: a native store)."""

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from embtool.cli.app import app
from embtool.cli.options import Dtype, ForceOpt, FormatOpt
from embtool.cli.output import Format, Report, emit, note
from embtool.cli.progress import byte_progress
from embtool.cli.vectors import VectorSource, input_options, show_notes
from embtool.vectors import VectorFormat, convert_vectors, guess_output_format

OutputFormat = Enum(  # type: ignore[misc]
    "OutputFormat",
    {f.name: f.value for f in VectorFormat if f is not VectorFormat.gensim},
    type=str,
)


@app.command("convert")
@input_options("source_path")
def convert_command(
    source_path: Annotated[
        str,
        typer.Argument(
            metavar="IN",
            help="Vectors to read: a store, word2vec text/binary, GloVe, fastText .vec "
            "(.gz/.bz2/.xz fine), a projector directory, or the name of a downloaded set.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path,
        typer.Argument(metavar="OUT", help="Where to write.", show_default=False),
    ],
    to: Annotated[
        OutputFormat | None,
        typer.Option(
            "--to",
            "-t",
            help="Output format. Default from OUT's extension: .bin = word2vec-binary, "
            ".txt/.vec (.gz/.bz2/.xz) = word2vec text, no extension = store. fasttext-bin "
            "writes a Facebook fastText .bin model (from a store with subwords).",
            show_default=False,
        ),
    ] = None,
    dtype: Annotated[
        Dtype | None,
        typer.Option(
            "--dtype",
            help="Store matrix type: float32 (default: as read) or float16 (half the size).",
            show_default=False,
        ),
    ] = None,
    force: ForceOpt = False,
    fmt: FormatOpt = Format.auto,
    *,
    source: VectorSource,
) -> None:
    """Convert vectors between formats; the input format is sniffed from the content.

    Example: [bold]embtool convert GoogleNews-vectors-negative300.bin.gz news --limit 200000[/bold]
    writes the first 200,000 words as a native store, which opens in milliseconds.
    The written store's meta.json records the source file, its format and the limit.
    """
    path = source.resolve_path()
    if to is None:
        target, why = guess_output_format(out)
        note(f"writing {target.label} ({why}; --to chooses another format)")
    else:
        target = VectorFormat(to.value)
    with byte_progress(f"reading {path.name}") as progress:
        store = convert_vectors(
            path,
            out,
            target,
            options=source.options,
            dtype=dtype.value if dtype else None,
            overwrite=force,
            progress=progress,
        )
    show_notes(store.meta)
    if store.has_subwords and target not in (VectorFormat.store, VectorFormat.fasttext_bin):
        note(
            f"{target.label} carries no subwords: the n-gram matrix is not written, so vectors "
            "for unseen words are lost (--to store or fasttext-bin keeps them)"
        )
    record = {
        "source": str(path),
        "source_format": store.meta.get("source_format"),
        "output": str(out),
        "format": target.value,
        "words": len(store),
        "dim": store.dim,
        "dtype": dtype.value if dtype else str(store.dtype),
    }
    emit(
        Report([record], list(record), [list(record.values())], title="Converted", single=True), fmt
    )
