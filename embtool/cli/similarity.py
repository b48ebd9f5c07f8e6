"""embtool similarity: cosine similarity of word pairs."""

from typing import Annotated

import typer

from embtool import similarity
from embtool.cli.app import app
from embtool.cli.inputs import read_numbered_queries, skip_unknown_hint
from embtool.cli.options import ExactCaseOpt, FormatOpt, LineNumbersOpt, SkipUnknownOpt
from embtool.cli.output import (
    Format,
    Report,
    emit,
    note_folded,
    note_skipped,
    with_line_numbers,
)
from embtool.cli.vectors import VectorSource, mark_oov, vector_options
from embtool.records import similarity_records


def similarity_report(batch: similarity.Batch) -> Report:
    records = similarity_records(batch)
    rows = [[r.query[0], r.query[1], r.similarity] for r in batch.results]
    return Report(records, ["word1", "word2", "similarity"], rows, title="Cosine similarity")


@app.command("similarity")
@vector_options
def similarity_command(
    words: Annotated[
        list[str] | None,
        typer.Argument(help="W1 W2; '-' or a pipe reads one 'W1 W2' pair per line from stdin."),
    ] = None,
    skip_unknown: SkipUnknownOpt = False,
    exact_case: ExactCaseOpt = False,
    line_numbers: LineNumbersOpt = False,
    fmt: FormatOpt = Format.auto,
    *,
    source: VectorSource,
) -> None:
    """Print the cosine similarity of W1 and W2 (from -1 to 1).

    Example: [bold]embtool similarity cat dog[/bold]
    """
    pairs, lines, batch_mode = read_numbered_queries(words, arity=2, what="similarity")
    store = source.open([w for p in pairs for w in p])
    with skip_unknown_hint(batch_mode):
        batch = similarity.similarities(
            store, pairs, fold_case=not exact_case, skip_unknown=skip_unknown
        )
    note_folded([(q, w) for r in batch.results for q, w in zip(r.query, r.words)])
    note_skipped(batch.skipped, len(batch.results))
    report = similarity_report(batch)
    if line_numbers:
        report = with_line_numbers(report, [lines[i] for i in batch.answered])
    emit(mark_oov(report, store), fmt)
