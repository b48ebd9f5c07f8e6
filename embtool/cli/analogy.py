"""embtool analogy: A - B + C, e.g. king - man + woman = queen."""

from typing import Annotated

import typer

from embtool import similarity
from embtool.cli.app import app
from embtool.cli.inputs import read_numbered_queries, skip_unknown_hint
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
from embtool.records import analogy_records
from embtool.similarity import COSMUL_EPSILON, AnalogyMethod


def analogy_report(batch: similarity.Batch) -> Report:
    records = analogy_records(batch)
    rows = [
        [r.query[0], r.query[1], r.query[2], rank, n.word, n.score]
        for r in batch.results
        for rank, n in enumerate(r.answers, 1)
    ]
    return Report(records, ["a", "b", "c", "rank", "word", "score"], rows, title="A - B + C")


@app.command("analogy")
@vector_options
def analogy_command(
    words: Annotated[
        list[str] | None,
        typer.Argument(
            help="A B C, meaning A - B + C. '-' or a pipe reads one 'A B C' query per line from stdin.",
            show_default=False,
        ),
    ] = None,
    k: TopK = 5,
    method: Annotated[
        AnalogyMethod,
        typer.Option(
            "--method",
            "-m",
            help="add = 3CosAdd: cos(x, A - B + C); mul = 3CosMul: cos(x,A)cos(x,C)/(cos(x,B)+eps), "
            "cosines shifted to [0, 1] (Levy & Goldberg 2014).",
        ),
    ] = AnalogyMethod.add,
    epsilon: Annotated[
        float,
        typer.Option(
            "--epsilon",
            help="3CosMul's epsilon (Levy & Goldberg use 0.001; gensim's most_similar_cosmul 1e-6).",
        ),
    ] = COSMUL_EPSILON,
    include_query: Annotated[
        bool,
        typer.Option(
            "--include-query",
            help="Also allow A, B and C themselves as answers (excluded by default, as in gensim).",
        ),
    ] = False,
    restrict: RestrictOpt = None,
    skip_unknown: SkipUnknownOpt = False,
    exact_case: ExactCaseOpt = False,
    line_numbers: LineNumbersOpt = False,
    fmt: FormatOpt = Format.auto,
    *,
    source: VectorSource,
) -> None:
    """Solve the analogy A - B + C: the words closest to A minus B plus C.

    Example: [bold]embtool analogy king man woman[/bold] prints queen first (king - man + woman).
    The query words themselves are excluded from the answers unless --include-query is given.
    """
    queries, lines, batch_mode = read_numbered_queries(words, arity=3, what="analogy")
    store = source.open([w for q in queries for w in q])
    with skip_unknown_hint(batch_mode):
        batch = similarity.analogies(
            store,
            queries,
            k,
            method=method,
            restrict=restrict,
            include_query=include_query,
            epsilon=epsilon,
            fold_case=not exact_case,
            skip_unknown=skip_unknown,
        )
    note_folded([(q, w) for r in batch.results for q, w in zip(r.query, r.words)])
    note_skipped(batch.skipped, len(batch.results))
    report = analogy_report(batch)
    if line_numbers:
        at = [lines[i] for i in batch.answered]
        per_row = [n for n, r in zip(at, batch.results) for _ in range(len(r.answers))]
        report = with_line_numbers(report, at, per_row)
    emit(mark_oov(report, store), fmt)
