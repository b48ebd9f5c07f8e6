"""embtool cooccur: count word-word co-occurrences (as GloVe does) and save or show them."""

import time
from pathlib import Path
from typing import Annotated

import typer

from embtool.cli.app import app
from embtool.cli.options import (
    CorpusConvertOpt,
    CorpusEncodingOpt,
    CorpusErrorsOpt,
    Errors,
    ForceOpt,
    FormatOpt,
    LowerOpt,
    TokenizerOpt,
    default_corpus,
)
from embtool.cli.output import Format, Report, emit, note
from embtool.cli.progress import ProgressView
from embtool.corpus import Corpus, Tokenizer
from embtool.errors import OutputExistsError, UsageError
from embtool.training.config import GloveConfig


def top_report(pairs: list[tuple[str, str, float]], symmetric: bool) -> Report:
    records = [{"word": w, "context": c, "count": x} for w, c, x in pairs]
    rows = [[rank, w, c, x] for rank, (w, c, x) in enumerate(pairs, 1)]
    title = "strongest pairs" + (" (each pair once)" if symmetric else " (word, left context)")
    return Report(records, ["rank", "word", "context", "count"], rows, title=title)


def summary_report(record: dict) -> Report:
    return Report([record], list(record), [list(record.values())], title="counted", single=True)


@app.command("cooccur")
def cooccur_command(
    corpus: Annotated[
        list[str] | None,
        typer.Argument(
            help="Text files, directories or '-' for stdin (.gz/.bz2/.xz fine); one sentence, "
            "paragraph or document per line. Default: the sample corpus shipped with embtool.",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Co-occurrence file to write (.npz; reuse it with embtool train --method glove "
            "--cooccurrence FILE).",
            show_default=False,
        ),
    ] = None,
    top: Annotated[
        int | None,
        typer.Option(
            "--top",
            "-k",
            min=1,
            help="Print the N largest counts (each symmetric pair once).",
            show_default=False,
        ),
    ] = None,
    window: Annotated[
        int, typer.Option("--window", "-w", min=1, help="Context words on each side.")
    ] = 10,
    min_count: Annotated[
        int, typer.Option("--min-count", min=1, help="Ignore words rarer than this.")
    ] = 5,
    max_vocab: Annotated[
        int | None,
        typer.Option(
            "--max-vocab",
            min=1,
            help="Keep at most this many of the most frequent words.",
            show_default=False,
        ),
    ] = None,
    asymmetric: Annotated[
        bool, typer.Option("--asymmetric", help="Count left context only (default: both sides).")
    ] = False,
    memory: Annotated[
        float,
        typer.Option(
            "--memory", help="Memory budget in GB; partial counts beyond it spill to --tmp-dir."
        ),
    ] = 4.0,
    tokenizer: TokenizerOpt = Tokenizer.regex,
    lower: LowerOpt = None,
    encoding: CorpusEncodingOpt = "utf-8",
    errors: CorpusErrorsOpt = Errors.strict,
    convert: CorpusConvertOpt = None,
    tmp_dir: Annotated[
        Path | None,
        typer.Option(
            "--tmp-dir",
            help="Where temporary files go (tokenized text, spilled counts). Default: the "
            "system temporary directory.",
            show_default=False,
        ),
    ] = None,
    force: ForceOpt = False,
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", help="Report progress on stderr even off a terminal."),
    ] = False,
    fmt: FormatOpt = Format.auto,
) -> None:
    """Count how often words occur near each other, the statistics GloVe learns from.

    Example: [bold]embtool cooccur corpus.txt --window 10 --out cooc.npz[/bold], then
    [bold]embtool train --method glove --cooccurrence cooc.npz[/bold];
    [bold]embtool cooccur corpus.txt --top 20[/bold] prints the 20 strongest pairs.

    Words d positions apart on one line add 1/d, as in the Stanford GloVe cooccur tool.
    Out-of-vocabulary words are removed before the window is applied.
    The file is written only when counting has finished.
    """
    if out is None and top is None:
        raise UsageError(
            "nothing to do: pass --out FILE to save the counts and/or --top N to print the "
            "strongest pairs"
        )
    if out is not None and out.exists() and not force:
        raise OutputExistsError(out)
    if memory <= 0:
        raise UsageError("--memory must be greater than 0")
    paths = corpus or []
    if not paths:
        paths = [str(default_corpus())]
        note(f"no corpus given: counting the shipped sample corpus {paths[0]}")
    config = GloveConfig(
        window=window,
        min_count=min_count,
        max_vocab=max_vocab,
        symmetric=not asymmetric,
        memory_gb=memory,
        workers=1,
    )
    text = Corpus(
        paths,
        tokenizer=tokenizer,
        lower=lower,
        encoding=encoding,
        errors=errors.value,
        convert=convert.value if convert else None,
    )
    if text.skipped:
        note(f"skipped {len(text.skipped)} non-text file(s), e.g. {text.skipped[0]}")
    from embtool.training.cooccurrence import save_cooccurrence
    from embtool.training.glove import count_for_glove

    start = time.perf_counter()
    with ProgressView(verbose=verbose) as view:
        with text.prepare(tmp_dir=tmp_dir, progress=view) as prepared:
            cooc = count_for_glove(config, prepared, view, tmp_dir=tmp_dir)
        with cooc:
            if out is not None:
                save_cooccurrence(cooc, out, overwrite=force)
            pairs = cooc.top(top) if top is not None else []
            record = {
                "out": str(out) if out is not None else None,
                "vocabulary_size": cooc.vocab_size,
                "nonzeros": cooc.nnz,
                "window": cooc.settings.window,
                "symmetric": cooc.settings.symmetric,
                "corpus_tokens": int(cooc.meta.get("tokens", 0)),
                "seconds": round(time.perf_counter() - start, 3),
            }
    where = f" -> {out}" if out is not None else ""
    note(
        f"counted {record['nonzeros']:,} nonzero co-occurrences of {record['vocabulary_size']:,} "
        f"words in {record['corpus_tokens']:,} tokens ({record['seconds']:.1f} s){where}"
    )
    if top is not None:
        emit(top_report(pairs, cooc.settings.symmetric), fmt)
    else:
        emit(summary_report(record), fmt)
