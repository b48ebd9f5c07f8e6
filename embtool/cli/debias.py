"""embtool debias: hard-debias a vector store (Bolukbasi et al. 2016) and show what it changed."""

from pathlib import Path
from typing import Annotated, Any

import typer

from embtool import bias
from embtool.cli.app import app, reflow
from embtool.cli.errors import phrase_flags
from embtool.cli.options import ForceOpt, FormatOpt
from embtool.cli.output import Format, Report, emit, note, warn
from embtool.cli.vectors import VectorSource, vector_options
from embtool.errors import OutputError, OutputExistsError, UsageError
from embtool.vectors import save_vectors
from embtool.wordlists import read_pairs, read_word_list


@app.command(
    "debias",
    help=reflow(
        """Hard-debias vectors (neutralize + equalize, Bolukbasi et al. 2016) into a new store.

    Example: [bold]embtool debias vectors/wiki --out vectors/wiki-debiased[/bold]

    The gender direction is the PCA direction of the definitional pairs. Every word not on the
    gender-specific list (1,441 words, bundled) loses its component along it; each equalize pair
    (52 bundled, in lower/Title/UPPER case) is made symmetric about the neutral space. All vectors
    come out unit-length. The new store records what was done in its meta.json. Before/after
    DirectBias and ECT over the professions, WEAT d and p on the gender tests, and the analogy
    accuracy and similarity correlations of the standard benchmarks are printed, so you see what
    debiasing changed and what it cost. Chinese vectors use the Chinese lists (10 pairs, 30
    equalize pairs, gender-specific words, professions) and the Chinese benchmarks; no Chinese
    WEAT sets are bundled, so WEAT is left out there (a note says so).
    """
    ),
)
@vector_options
def debias_command(
    store_path: Annotated[
        str | None,
        typer.Argument(
            metavar="STORE",
            help="The vectors to debias (any format --vectors takes). Default: --vectors.",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="The new store directory.")
    ] = None,
    force: ForceOpt = False,
    definitional: Annotated[
        Path | None,
        typer.Option("--definitional", help="Definitional pairs file (one 'A B' per line)."),
    ] = None,
    equalize: Annotated[
        Path | None,
        typer.Option("--equalize", help="Equalize pairs file (one 'A B' per line)."),
    ] = None,
    gender_specific: Annotated[
        Path | None,
        typer.Option("--gender-specific", help="Words to leave alone (one per line)."),
    ] = None,
    no_compare: Annotated[
        bool, typer.Option("--no-compare", help="Skip all before/after measurements.")
    ] = False,
    analogy: Annotated[
        list[str] | None,
        typer.Option(
            "--analogy",
            help="Analogy benchmark to compare on (repeatable; see 'embtool evaluate'). "
            "Default: the standard suite.",
            show_default=False,
        ),
    ] = None,
    similarity: Annotated[
        list[str] | None,
        typer.Option(
            "--similarity",
            help="Similarity benchmark to compare on (repeatable). Default: the standard suite.",
            show_default=False,
        ),
    ] = None,
    no_benchmarks: Annotated[
        bool,
        typer.Option("--no-benchmarks", help="Compare bias measures only, not benchmark scores."),
    ] = False,
    seed: Annotated[int, typer.Option("--seed", help="Seed for the WEAT permutation tests.")] = 0,
    fmt: FormatOpt = Format.auto,
    *,
    source: VectorSource,
) -> None:
    if out is None:
        raise UsageError("--out NEW is required: where to write the debiased store")
    if store_path is not None:
        if source.vectors is not None:
            raise UsageError("give the vectors either as STORE or as --vectors, not both")
        source = VectorSource(**{**source.__dict__, "vectors": store_path})
    if out.exists() and not force:
        raise OutputExistsError(out)
    defs = read_pairs(definitional) if definitional else None
    eq = read_pairs(equalize) if equalize else None
    specific = list(read_word_list(gender_specific)) if gender_specific else None
    store = source.open()
    if store.path is not None and out.resolve() == store.path.resolve():
        raise OutputError(f"{out} is the input store; write the debiased vectors elsewhere")
    new, info = bias.hard_debias(store, definitional=defs, equalize=eq, gender_specific=specific)
    save_vectors(new, out, overwrite=force)
    r = info.direction.explained_variance_ratio
    note(
        f"direction: PCA of {len(info.direction.pairs)} definitional pairs; PC1 explains "
        f"{r[0]:.1%} of their variance"
    )
    if not info.direction.dominant:
        warn(
            "the first principal component does not dominate (PC1 < 2 x PC2): the removed "
            "direction may not be the one you mean"
        )
    note(
        f"wrote {out}: {info.neutralized} words neutralized, {info.kept_specific} gender-specific "
        f"kept, {len(info.equalized)} pairs equalized"
    )
    comparison: list[dict[str, Any]] = []
    if not no_compare:
        compared = bias.compare_debiased(store, new, info, seed=seed)
        note(
            f"DirectBias over {compared.direct_bias_words} of {compared.direct_bias_requested} "
            "neutral professions"
        )
        for name, reason in compared.left_out:
            warn(f"{name if name == 'ECT' else 'WEAT ' + name} left out: {phrase_flags(reason)}")
        for text in compared.notes:
            note(text)
        comparison = compared.rows
    if not (no_compare or no_benchmarks):
        comparison += bias.benchmark_rows(store, new, analogy, similarity)
    record = {
        "out": str(out),
        "source": str(store.path) if store.path is not None else store.name,
        "words": len(new),
        "dim": new.dim,
        "debias": info.to_json(),
        "comparison": comparison,
    }
    rows = [[c["measure"], c["before"], c["after"]] for c in comparison]
    emit(
        Report([record], ["measure", "before", "after"], rows, title="Hard debias", single=True),
        fmt,
    )
