"""What align, compare and translate share: two store arguments, the anchor options, the fit."""

from pathlib import Path
from typing import Annotated, Any

import typer

from embtool import alignment
from embtool.cli.output import Report, note
from embtool.cli.vectors import VectorSource
from embtool.vectors.store import VectorStore

StoreArg = Annotated[
    str,
    typer.Argument(help="A store or vector file (or a downloaded set's name).", show_default=False),
]
AnchorsOpt = Annotated[
    str,
    typer.Option(
        "--anchors",
        help="'common' = the words both stores share; or a file of 'source<TAB>target' pairs "
        "(for two languages).",
    ),
]
TopOpt = Annotated[
    int | None,
    typer.Option(
        "--top", min=1, help="With --anchors common: only the N most frequent shared words."
    ),
]
NormalizeOpt = Annotated[
    bool,
    typer.Option(
        "--normalize/--no-normalize", help="Unit-normalise every vector first (HistWords' recipe)."
    ),
]
CenterOpt = Annotated[
    bool,
    typer.Option("--center/--no-center", help="Remove each side's anchor mean before rotating."),
]


def open_store(path: str) -> VectorStore:
    """Open a positional store argument with the default reading options.  Raises: VectorFileError."""
    return VectorSource(vectors=path).open()


def fit(
    source: VectorStore,
    target: VectorStore,
    anchors: str,
    top: int | None,
    normalize: bool,
    center: bool,
) -> alignment.Alignment:
    """Parse the anchor choice and fit.  Raises: AlignmentError."""
    if anchors == "common":
        return alignment.align(source, target, top=top, normalize=normalize, center=center)
    pairs = alignment.read_pairs(anchors)
    if top is not None:
        note("--top applies to --anchors common; using every pair in the file")
    return alignment.align(
        source, target, pairs=pairs, pairs_file=anchors, normalize=normalize, center=center
    )


RetrievalOpt = Annotated[
    alignment.Retrieval,
    typer.Option(
        "--method", help="nn: nearest neighbour; csls: cross-domain similarity local scaling."
    ),
]
CslsKOpt = Annotated[
    int, typer.Option("--csls-k", min=1, help="CSLS: neighbourhood size of the hubness penalty.")
]


def translation_report(
    source: VectorStore,
    target: VectorStore,
    dictionary: str,
    method: alignment.Retrieval,
    restrict: int | None,
) -> Report:
    """Precision@1/@5 of ``source`` (aligned to ``target``) on a ``source<TAB>target`` dictionary.

    Raises: AlignmentError for an unreadable dictionary or different dimensions.
    """
    score = alignment.translation_precision(
        source, target, alignment.read_pairs(dictionary), method=method, restrict=restrict
    )
    if score.oov_words:
        note(f"{len(score.oov_words)} of {score.queries} source words not covered (see JSON)")
    record = {
        "source": source.name,
        "target": target.name,
        "dictionary": dictionary,
        "method": method.value,
        "restrict": restrict,
        "pairs": score.pairs,
        "queries": score.queries,
        "covered": score.covered,
        "coverage": score.coverage,
        "p@1": score.precision[1],
        "p@5": score.precision[5],
        "oov_words": list(score.oov_words),
    }
    row = [v for key, v in record.items() if key != "oov_words"]
    columns = [key for key in record if key != "oov_words"]
    return Report([record], columns, [row], title="Translation precision", single=True)


def into_space(
    a: VectorStore,
    b: VectorStore,
    align: bool | None,
    anchors: str = "common",
    top: int | None = None,
    normalize: bool = True,
    center: bool = True,
) -> VectorStore:
    """A in B's space: as given when it records an alignment to B (or --no-align), else fitted now."""
    recorded = alignment.recorded_alignment(a)
    if align is None:
        align = not (recorded and recorded.get("target") == b.name)
        if not align:
            note(f"{a.name} was aligned to {b.name} (meta.json); using it as is")
    if not align:
        alignment.check_dimensions(a, b)
        return a
    fitted = fit(a, b, anchors, top, normalize, center)
    note(
        f"aligned {a.name} to {b.name} on {len(fitted.anchors):,} anchors: mean anchor cosine "
        f"{fitted.cosine_before:.3f} -> {fitted.cosine_after:.3f}"
    )
    return alignment.apply_alignment(a, fitted)


def check_words(words: list[str], *stores: VectorStore) -> None:
    """Before any fitting, name the words missing from each store the user gave.

    Raises: UnknownWordsError.
    """
    for store in stores:
        missing = [w for w in words if w not in store.index]
        if missing:
            raise store.unknown(missing)


def shift_plot(
    a: VectorStore,
    b_path: str,
    words: list[str],
    *,
    plot: bool,
    title: str | None,
    size: tuple[float, float],
    dpi: float,
    font: str | Path | None,
) -> tuple[Any, Report]:
    """``plot --aligned-with B``: the words' positions in A (rotated into B) and in B, with arrows.

    Returns (figure or None, coordinates report).  Raises: AlignmentError, UnknownWordsError.
    """
    b = open_store(b_path)
    check_words(words, a, b)
    sm = alignment.shift_map(into_space(a, b, None), b, words)
    fig = None
    if plot:
        from embtool.plotting import plot_shifts, select_font

        fig = plot_shifts(
            sm, title=title, size=size, dpi=dpi, font=select_font([*words, *sm.names], font)
        )
    points = [
        {"word": w, "x_a": float(pa[0]), "y_a": float(pa[1]), "x_b": float(pb[0]),
         "y_b": float(pb[1]), "cosine": c}
        for w, pa, pb, c in zip(sm.words, sm.xy_a, sm.xy_b, sm.cosines, strict=True)
    ]  # fmt: skip
    record = {
        "a": sm.names[0],
        "b": sm.names[1],
        "explained_variance_ratio": list(sm.explained_variance_ratio),
        "points": points,
    }
    rows = [list(p.values()) for p in points]
    return fig, Report([record], list(points[0]), rows, title="Positions in A and B", single=True)
