"""embtool align: rotate one store into another's space (orthogonal Procrustes) and write it."""

from pathlib import Path
from typing import Annotated

import typer

from embtool import alignment
from embtool.cli.app import app
from embtool.cli.options import ForceOpt, FormatOpt
from embtool.cli.output import Format, Report, emit
from embtool.cli.spaces import (
    AnchorsOpt,
    CenterOpt,
    NormalizeOpt,
    StoreArg,
    TopOpt,
    fit,
    open_store,
)


@app.command("align")
def align_command(
    source: StoreArg,
    target: StoreArg,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Store directory to write.", show_default=False)
    ],
    anchors: AnchorsOpt = "common",
    top: TopOpt = None,
    normalize: NormalizeOpt = True,
    center: CenterOpt = True,
    force: ForceOpt = False,
    fmt: FormatOpt = Format.auto,
) -> None:
    """Rotate SOURCE into TARGET's space (orthogonal Procrustes on anchor words) and write it to OUT.

    Example: [bold]embtool align bible wiki --anchors common --top 5000 --out bible-on-wiki[/bold]

    The rotation W minimises ||XW - Y|| over the anchors (scipy's orthogonal_procrustes), after
    unit-normalising and mean-centring both sides (--no-normalize, --no-center turn those off).
    OUT holds every SOURCE word; its meta.json records the anchors, residual and cosines, with the
    rotation in transform.npy, the shift in offset.npy and the anchor pairs in anchors.tsv.
    Prints the anchors used, the mean anchor cosine before and after, and the residual.
    """
    src, tgt = open_store(source), open_store(target)
    fitted = fit(src, tgt, anchors, top, normalize, center)
    alignment.save_aligned(alignment.apply_alignment(src, fitted), fitted, out, overwrite=force)
    record = {**fitted.record(), "output": str(out), "words": len(src)}
    emit(Report([record], list(record), [list(record.values())], title="Aligned", single=True), fmt)
