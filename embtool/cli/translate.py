"""embtool translate: a word's nearest words in another, aligned space (nearest neighbour or CSLS)."""

from typing import Annotated

import typer

from embtool import alignment
from embtool.cli.app import app
from embtool.cli.inputs import read_words
from embtool.cli.options import FormatOpt, RestrictOpt, TopK
from embtool.cli.output import Format, Report, emit
from embtool.cli.spaces import CslsKOpt, RetrievalOpt, open_store


@app.command("translate")
def translate_command(
    words: Annotated[
        list[str] | None,
        typer.Argument(help="Source words; '-' or a pipe reads them from stdin."),
    ] = None,
    source: Annotated[
        str, typer.Option("--from", help="Source store, aligned to --to.", show_default=False)
    ] = ...,  # type: ignore[assignment]
    target: Annotated[str, typer.Option("--to", help="Target store.", show_default=False)] = ...,  # type: ignore[assignment]
    k: TopK = 5,
    method: RetrievalOpt = alignment.Retrieval.nn,
    csls_k: CslsKOpt = 10,
    restrict: RestrictOpt = None,
    fmt: FormatOpt = Format.auto,
) -> None:
    """Print the K target words nearest to each source WORD (the stores must be aligned).

    Example: [bold]embtool translate house --from en-on-de --to de --method csls[/bold]
    Align first with 'embtool align SRC TGT --anchors pairs.tsv --out SRC-on-TGT'. CSLS (Conneau
    et al. 2018) subtracts each side's mean similarity to its --csls-k nearest neighbours, so
    "hub" words near everything stop winning every query.
    """
    queries, _ = read_words(words, what="translate")
    src, tgt = open_store(source), open_store(target)
    found = alignment.translate(
        src, tgt, queries, k=k, method=method, csls_k=csls_k, restrict=restrict
    )
    records = [
        {
            "query": t.query,
            "translations": [{"word": c.word, "score": c.score} for c in t.candidates],
        }
        for t in found
    ]
    rows = [
        [t.query, rank, c.word, c.score] for t in found for rank, c in enumerate(t.candidates, 1)
    ]
    emit(Report(records, ["query", "rank", "word", "score"], rows, title="Translations"), fmt)
