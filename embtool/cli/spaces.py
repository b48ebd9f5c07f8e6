"""What align, compare and translate share: two store arguments, the anchor options, the fit."""

from typing import Annotated

import typer

from embtool import alignment
from embtool.cli.output import Report, note
from embtool.cli.vectors import VectorSource
from embtool.store import VectorStore

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
