"""embtool compare: which words moved between two spaces (cosine after alignment, neighbour overlap)."""

from enum import Enum
from typing import Annotated

import typer

from embtool import alignment, similarity
from embtool.cli.app import app
from embtool.cli.options import FormatOpt, TopK
from embtool.cli.output import Format, Report, emit, note
from embtool.cli.spaces import (
    AnchorsOpt,
    CenterOpt,
    NormalizeOpt,
    StoreArg,
    TopOpt,
    check_words,
    into_space,
    open_store,
)
from embtool.vectors.store import VectorStore


class RankBy(str, Enum):
    cosine = "cosine"
    jaccard = "jaccard"


def moved_report(comparison: alignment.Comparison, k: int, by: RankBy) -> Report:
    ranked = comparison.ranked(by.value)
    picks = [("changed", ranked[:k]), ("stable", list(reversed(ranked))[:k])]
    records, rows = [], []
    for kind, shifts in picks:
        for rank, s in enumerate(shifts, 1):
            rec = {
                "kind": kind,
                "rank": rank,
                "word": s.word,
                "cosine": s.cosine,
                "jaccard": s.jaccard,
                "count_a": s.count_a,
                "count_b": s.count_b,
            }
            records.append(rec)
            rows.append(list(rec.values()))
    columns = ["kind", "rank", "word", "cosine", "jaccard", "count_a", "count_b"]
    return Report(records, columns, rows, title="Most changed and most stable words")


def words_report(
    a: VectorStore, b: VectorStore, words: list[str], k: int, neighbours: int, min_count: int
) -> Report:
    shifts = alignment.word_shifts(a, b, words)
    among = list(dict.fromkeys(alignment.shared_words(a, b, min_count=min_count) + words))
    jac = alignment.neighbour_overlap(a, b, words, k=neighbours, among=among)
    na = similarity.neighbors(a, words, k, fold_case=False).results
    nb = similarity.neighbors(b, words, k, fold_case=False).results
    records, rows = [], []
    for s, j, ra, rb in zip(shifts, jac, na, nb, strict=True):
        records.append(
            {
                "word": s.word,
                "cosine": s.cosine,
                "jaccard": j,
                "neighbors_a": [{"word": n.word, "score": n.score} for n in ra.neighbors],
                "neighbors_b": [{"word": n.word, "score": n.score} for n in rb.neighbors],
            }
        )
        for rank in range(max(len(ra.neighbors), len(rb.neighbors))):
            x = ra.neighbors[rank] if rank < len(ra.neighbors) else None
            y = rb.neighbors[rank] if rank < len(rb.neighbors) else None
            rows.append(
                [
                    s.word,
                    s.cosine,
                    j,
                    rank + 1,
                    x.word if x else None,
                    x.score if x else None,
                    y.word if y else None,
                    y.score if y else None,
                ]
            )
    columns = [
        "word",
        "cosine",
        "jaccard",
        "rank",
        "neighbor_a",
        "score_a",
        "neighbor_b",
        "score_b",
    ]
    return Report(records, columns, rows, title=f"Neighbours in {a.name} and {b.name}")


@app.command("compare")
def compare_command(
    a_path: Annotated[
        str, typer.Argument(metavar="A", help="First store (rotated into B's space).")
    ],
    b_path: StoreArg,
    words: Annotated[
        list[str] | None,
        typer.Argument(help="Words to show side by side: their neighbours in A and in B."),
    ] = None,
    k: TopK = 10,
    min_count: Annotated[
        int, typer.Option("--min-count", min=1, help="Only words seen this often in both corpora.")
    ] = 1,
    neighbours: Annotated[
        int, typer.Option("--neighbours", min=1, help="k of the top-k neighbour overlap (Jaccard).")
    ] = 10,
    by: Annotated[
        RankBy,
        typer.Option("--by", help="Rank by cosine after alignment, or by neighbour overlap."),
    ] = RankBy.cosine,
    align: Annotated[
        bool | None,
        typer.Option(
            "--align/--no-align",
            help="Fit the rotation now, or take A as already in B's space. Default: as is when "
            "A's meta.json records an alignment to B, else align on the fly.",
            show_default=False,
        ),
    ] = None,
    anchors: AnchorsOpt = "common",
    top: TopOpt = None,
    normalize: NormalizeOpt = True,
    center: CenterOpt = True,
    fmt: FormatOpt = Format.auto,
) -> None:
    """Say which words moved between spaces A and B, or show chosen WORDS' neighbours in both.

    Example: [bold]embtool compare bible-on-wiki wiki --min-count 50 -k 20[/bold]
    lists the K words whose vectors differ most (lowest cosine between A and B after alignment)
    and the K most stable, with the Jaccard overlap of their top --neighbours neighbours, a
    measure that needs no alignment.  [bold]embtool compare A B gay broadcast[/bold] puts the
    words' K nearest neighbours in A and in B side by side. A summary (median cosine, mean
    overlap) goes to stderr: compare it with two seeds of one corpus, the noise floor.
    """
    a, b = open_store(a_path), open_store(b_path)
    check_words(list(words or []), a, b)
    a = into_space(a, b, align, anchors, top, normalize, center)
    if words:
        emit(words_report(a, b, words, k, neighbours, min_count), fmt)
        return
    comparison = alignment.compare(a, b, min_count=min_count, neighbours=neighbours)
    note(
        f"{len(comparison.shifts):,} shared words (min count {min_count}): median cosine "
        f"{comparison.median_cosine:.3f}, mean cosine {comparison.mean_cosine:.3f}, "
        f"mean Jaccard@{neighbours} {comparison.mean_jaccard:.3f}"
    )
    emit(moved_report(comparison, k, by), fmt)
