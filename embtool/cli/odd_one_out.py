"""embtool odd-one-out: the word that does not belong."""

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


def odd_report(batch: similarity.Batch) -> Report:
    records = [
        {
            "words": list(r.query),
            "odd": r.odd,
            "scores": [{"word": n.word, "similarity_to_mean": n.score} for n in r.scores],
        }
        for r in batch.results
    ]
    rows = [[" ".join(r.query), r.odd, r.scores[0].score] for r in batch.results]
    return Report(records, ["words", "odd", "similarity_to_mean"], rows, title="Odd one out")


@app.command("odd-one-out")
@vector_options
def odd_one_out_command(
    words: Annotated[
        list[str] | None,
        typer.Argument(help="3 or more words; '-' or a pipe reads one group per line from stdin."),
    ] = None,
    skip_unknown: SkipUnknownOpt = False,
    exact_case: ExactCaseOpt = False,
    line_numbers: LineNumbersOpt = False,
    fmt: FormatOpt = Format.auto,
    *,
    source: VectorSource,
) -> None:
    """Print the word least like the others: lowest cosine to the group's mean direction.

    Example: [bold]embtool odd-one-out breakfast lunch dinner car[/bold]
    """
    groups, lines, batch_mode = read_numbered_queries(words, arity=None, what="odd-one-out")
    store = source.open([w for g in groups for w in g])
    with skip_unknown_hint(batch_mode):
        batch = similarity.odd_one_out_batch(
            store, groups, fold_case=not exact_case, skip_unknown=skip_unknown
        )
    note_folded([(q, w) for r in batch.results for q, w in zip(r.query, r.words)])
    note_skipped(batch.skipped, len(batch.results))
    report = odd_report(batch)
    if line_numbers:
        report = with_line_numbers(report, [lines[i] for i in batch.answered])
    emit(mark_oov(report, store), fmt)
