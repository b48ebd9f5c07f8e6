"""embtool neighbors: the nearest words to each query word."""

from typing import Annotated

import typer

from embtool import similarity
from embtool.cli.app import app
from embtool.cli.inputs import read_numbered_words, skip_unknown_hint
from embtool.cli.options import (
    ExactCaseOpt,
    FormatOpt,
    LineNumbersOpt,
    RestrictOpt,
    SkipUnknownOpt,
    TopK,
)
from embtool.cli.output import (
    Format,
    Report,
    emit,
    note_folded,
    note_skipped,
    with_line_numbers,
)
from embtool.cli.vectors import VectorSource, mark_oov, vector_options
from embtool.records import neighbor_records


def neighbors_report(batch: similarity.Batch) -> Report:
    records = neighbor_records(batch)
    rows = [
        [r.query, rank, n.word, n.score]
        for r in batch.results
        for rank, n in enumerate(r.neighbors, 1)
    ]
    return Report(records, ["query", "rank", "word", "score"], rows, title="Nearest neighbours")


@app.command("neighbors")
@vector_options
def neighbors_command(
    words: Annotated[
        list[str] | None,
        typer.Argument(
            help="Words to look up; '-' or a pipe reads them from stdin (one a line, or "
            "several separated by spaces)."
        ),
    ] = None,
    k: TopK = 10,
    restrict: RestrictOpt = None,
    skip_unknown: SkipUnknownOpt = False,
    exact_case: ExactCaseOpt = False,
    line_numbers: LineNumbersOpt = False,
    fmt: FormatOpt = Format.auto,
    *,
    source: VectorSource,
) -> None:
    """Print the K words nearest to each WORD by cosine similarity (the word itself excluded).

    Example: [bold]embtool neighbors frog -k 5[/bold]
    """
    queries, lines, batch_mode = read_numbered_words(words, what="neighbors")
    store = source.open(queries)
    with skip_unknown_hint(batch_mode):
        batch = similarity.neighbors(
            store,
            queries,
            k,
            restrict=restrict,
            fold_case=not exact_case,
            skip_unknown=skip_unknown,
        )
    note_folded([(r.query, r.word) for r in batch.results])
    note_skipped(batch.skipped, len(batch.results))
    report = mark_oov(neighbors_report(batch), store)
    if line_numbers:
        at = [lines[i] for i in batch.answered]
        per_row = [n for n, r in zip(at, batch.results, strict=True) for _ in r.neighbors]
        report = with_line_numbers(report, at, per_row)
    emit(report, fmt)
