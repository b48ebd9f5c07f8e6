"""embtool evaluate: analogy accuracy and word-similarity correlations, several stores side by side."""

import dataclasses
from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from embtool.alignment import Retrieval
from embtool.cli.app import app
from embtool.cli.errors import ExitStatus, report_error
from embtool.cli.options import FormatOpt, sentence_tokenizer
from embtool.cli.output import Format, Report, emit, note, warn, write_report_file
from embtool.cli.progress import ProgressView
from embtool.cli.spaces import translation_report
from embtool.cli.vectors import VectorSource, vector_options
from embtool.errors import BenchmarkError, UsageError
from embtool.evaluation import (
    DEFAULT_RESTRICT,
    MIN_CORRELATION_PAIRS,
    AnalogyBenchmark,
    AnalogyOOV,
    AnalogyResult,
    CaseMode,
    SimilarityBenchmark,
    SimilarityOOV,
    SimilarityResult,
    StoreEvaluation,
    evaluate_store,
    load_benchmarks,
    registry,
)
from embtool.language import ENGLISH, store_language
from embtool.similarity import COSMUL_EPSILON, AnalogyMethod


class OOVChoice(str, Enum):
    skip = "skip"
    count_wrong = "count-wrong"
    seen_abc = "seen-abc"
    mean = "mean"
    zero = "zero"


def oov_policies(choices: Sequence[OOVChoice] | None) -> tuple[AnalogyOOV, SimilarityOOV]:
    """``--oov`` values -> (analogy policy, similarity policy); skip unless a kind-specific one is given.

    Raises: UsageError for two similarity policies at once.
    """
    picked = set(choices or [])
    kinds = [c for c in (OOVChoice.count_wrong, OOVChoice.seen_abc) if c in picked]
    if len(kinds) > 1:
        raise UsageError(
            "--oov count-wrong and --oov seen-abc both set the analogy policy: choose one"
        )
    analogy = AnalogyOOV(kinds[0].value) if kinds else AnalogyOOV.skip
    sim = [c for c in (OOVChoice.mean, OOVChoice.zero) if c in picked]
    if len(sim) > 1:
        raise UsageError("--oov mean and --oov zero both set the similarity policy: choose one")
    return analogy, SimilarityOOV(sim[0].value) if sim else SimilarityOOV.skip


# -- report ------------------------------------------------------------------------------------
def _analogy_record(r: AnalogyResult) -> dict[str, Any]:
    t = r.total
    return {
        "benchmark": r.benchmark,
        "kind": "analogy",
        "source": r.source,
        "method": r.method.value,
        "epsilon": r.epsilon,
        "restrict": r.restrict,
        "case": r.case.value,
        "oov": r.oov.value,
        "questions": t.questions,
        "answered": t.answered,
        "correct": t.correct,
        "accuracy": t.accuracy,
        "coverage": t.coverage,
        "sections": [
            {
                "name": s.name,
                "level": s.level,
                "questions": s.questions,
                "answered": s.answered,
                "correct": s.correct,
                "accuracy": s.accuracy,
                "coverage": s.coverage,
                "oov_words": list(s.oov_words),
            }
            for s in r.scores[:-1]
        ],
        "oov_words": list(t.oov_words),
    }


def _similarity_record(r: SimilarityResult) -> dict[str, Any]:
    return {
        "benchmark": r.benchmark,
        "kind": "similarity",
        "source": r.source,
        "restrict": r.restrict,
        "case": r.case.value,
        "oov": r.oov.value,
        "pairs": r.pairs,
        "used": r.used,
        "scored": r.scored,
        "coverage": r.coverage,
        "spearman": r.spearman,
        "spearman_p": r.spearman_p,
        "pearson": r.pearson,
        "pearson_p": r.pearson_p,
        "reliable": r.reliable,
        "oov_words": list(r.oov_words),
    }


def oov_report(runs: Sequence[tuple[str, str, StoreEvaluation]]) -> Report:
    """The unknown words as their own list (``--show-oov``): one row per word, with the store,
    the benchmark and (for analogies) the section it is missing from."""
    records: list[dict[str, Any]] = []
    for column, _, run in runs:
        for r in run.results:
            if isinstance(r, AnalogyResult):
                for s in r.scores:
                    if s.level == "section":
                        for w in s.oov_words:
                            records.append(
                                {
                                    "store": column,
                                    "benchmark": r.benchmark,
                                    "section": s.name,
                                    "word": w,
                                }
                            )
            else:
                for w in r.oov_words:
                    records.append(
                        {"store": column, "benchmark": r.benchmark, "section": "", "word": w}
                    )
    columns = ["store", "benchmark", "section", "word"]
    rows = [[rec[c] for c in columns] for rec in records]
    return Report(records, columns, rows, title="words not in the vectors")


def _compact_cell(value: float | None, coverage: float) -> str:
    if value is None or value != value:
        return f"– ({coverage:.0%})"
    return f"{value:.4f} ({coverage:.0%})"


def totals_report(runs: Sequence[tuple[str, str, StoreEvaluation]]) -> Report:
    """The narrow-terminal view: one row per benchmark (analogy total accuracy, similarity
    Spearman), one column per store holding "score (coverage)"."""
    columns = ["benchmark", "metric", *(name for name, _, _ in runs)]
    rows: list[list[Any]] = []
    first = runs[0][2].results if runs else ()
    several_methods = len({r.method for r in first if isinstance(r, AnalogyResult)}) > 1
    for b, ref in enumerate(first):
        metric = "accuracy" if isinstance(ref, AnalogyResult) else "spearman"
        if isinstance(ref, AnalogyResult) and several_methods:
            metric = f"accuracy ({ref.method.value})"
        row: list[Any] = [ref.benchmark, metric]
        for _, _, run in runs:
            r = run.results[b]
            if isinstance(r, AnalogyResult):
                row.append(_compact_cell(r.total.accuracy, r.total.coverage))
            else:
                row.append(_compact_cell(r.spearman, r.coverage))
        rows.append(row)
    return Report([], columns, rows, title="totals (coverage)")


def evaluation_report(runs: Sequence[tuple[str, str, StoreEvaluation]]) -> Report:
    """One record per (store, benchmark); a wide table with a row per benchmark line and columns
    per store, and a totals table for a narrow terminal. ``runs`` holds (column name, vectors path,
    results) per store."""
    records = []
    for column, path, run in runs:
        for r in run.results:
            base: dict[str, Any] = {"store": column, "vectors": path}
            if run.subwords:
                base["oov_from_subwords"] = True
            if isinstance(r, AnalogyResult):
                records.append({**base, **_analogy_record(r)})
            else:
                records.append({**base, **_similarity_record(r)})

    columns = ["benchmark", "section", "metric"]
    for column, _, _ in runs:
        columns += [column, f"{column} coverage"]
    rows: list[list[Any]] = []
    first = runs[0][2].results if runs else ()
    several_methods = len({r.method for r in first if isinstance(r, AnalogyResult)}) > 1
    for b, ref in enumerate(first):
        lines: list[tuple[str, str, Callable[[Any], tuple[Any, float, Sequence[str]]]]] = []
        if isinstance(ref, AnalogyResult):
            metric = f"accuracy ({ref.method.value})" if several_methods else "accuracy"
            single = sum(s.level == "section" for s in ref.scores) == 1
            for i, s in enumerate(ref.scores):
                if single and s.level == "section":
                    continue
                leaf = s.level == "section" or single

                def cell(r, i=i, leaf=leaf):
                    sc = r.scores[i]
                    return sc.accuracy, sc.coverage, sc.oov_words if leaf else ()

                lines.append((s.name, metric, cell))
        else:
            lines.append(("", "spearman", lambda r: (r.spearman, r.coverage, r.oov_words)))
            lines.append(("", "pearson", lambda r: (r.pearson, r.coverage, ())))
        for section, metric, read_cell in lines:
            row: list[Any] = [ref.benchmark, section, metric]
            for _, _, run in runs:
                value, coverage, _ = read_cell(run.results[b])
                row += [value, coverage]
            rows.append(row)
    return Report(
        records,
        columns,
        rows,
        title="embtool evaluate",
        narrow=totals_report(runs),
        narrow_note="totals only: -f tsv or a wider terminal shows every section",
    )


def registry_report() -> Report:
    records = [
        {
            "name": b.name,
            "kind": b.kind,
            "items": b.items,
            "suite": b.in_suite,
            "description": b.description,
            "citation": b.citation,
            "aliases": list(b.aliases),
        }
        for b in registry()
    ]
    rows = [
        [b.name, b.kind, b.items, "yes" if b.in_suite else "", b.description, b.citation]
        for b in registry()
    ]
    return Report(
        records,
        ["name", "kind", "items", "suite", "description", "citation"],
        rows,
        title="Bundled benchmarks",
    )


def _column_names(names: Sequence[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        label, n = name, 2
        while label in out:
            label, n = f"{name} ({n})", n + 1
        out.append(label)
    return out


def _run_sts(
    source: VectorSource, stores: Sequence[str] | None, files: Sequence[str], methods: str
) -> Report:
    """Read the STS files, score each store with each method.  Raises: BenchmarkError, SentenceError."""
    from embtool.corpus import make_tokenizer
    from embtool.evaluation.sts import evaluate_sts, parse_methods, read_sts

    wanted = parse_methods(methods)
    benches = [read_sts(f) for f in files]
    sources = [dataclasses.replace(source, vectors=s) for s in stores] if stores else [source]
    for s in sources:
        s.resolve_path()
    if not stores:  # Chinese sentences: the Chinese default vectors
        words = [t for b in benches for p in b.pairs[:50] for t in (p.s1, p.s2)]
        sources = [dataclasses.replace(source, vectors=str(source.resolve_path(words)))]
    records = []
    for src in sources:
        store = src.open()
        kind = sentence_tokenizer(None, store_language(store))
        tokenizer = make_tokenizer(kind)
        for bench in benches:
            for method in wanted:
                r = evaluate_sts(store, bench, tokenizer, method=method, tokenizer_name=kind.value)
                records.append(
                    {
                        "store": r.store,
                        "benchmark": r.benchmark,
                        "kind": "sts",
                        "method": r.method.value,
                        "tokenizer": r.tokenizer,
                        "pairs": r.pairs,
                        "used": r.used,
                        "coverage": r.coverage,
                        "pearson": r.pearson,
                        "spearman": r.spearman,
                        "seconds": r.seconds,
                    }
                )
    columns = ["store", "benchmark", "method", "pearson", "spearman", "coverage", "tokenizer"]
    rows = [[r[c] for c in columns] for r in records]
    return Report(records, columns, rows, title="STS (x100)")


def _benchmark_words(
    analogy_sets: Sequence[AnalogyBenchmark],
    similarity_sets: Sequence[SimilarityBenchmark],
    per_set: int = 50,
) -> list[str]:
    """A sample of each benchmark's words, to judge their language (their first questions)."""
    words: list[str] = []
    for a in analogy_sets:
        qs = [q for sec in a.sections for q in sec.questions][:per_set]
        words += [w for q in qs for w in (q.a, q.c)]
    for b in similarity_sets:
        words += [w for p in b.pairs[:per_set] for w in (p.word1, p.word2)]
    return words


@app.command("evaluate")
@vector_options
def evaluate_command(
    stores: Annotated[
        list[str] | None,
        typer.Argument(
            help="Vectors to evaluate (store directories, vector files, or downloaded set names); "
            "several give one side-by-side table. Default: --vectors, else the shipped vectors.",
            show_default=False,
        ),
    ] = None,
    analogy: Annotated[
        list[str] | None,
        typer.Option(
            "--analogy",
            "-a",
            help="Analogy benchmark: a bundled name (google, msr, bats, all) or a file in the Google "
            "': section' + 'a b c d' format, a BATS 'word<TAB>answer1/answer2' file or directory. "
            "Repeatable.",
            show_default=False,
        ),
    ] = None,
    similarity: Annotated[
        list[str] | None,
        typer.Option(
            "--similarity",
            "-s",
            help="Similarity benchmark: a bundled name (ws353, ws353-sim, ws353-rel, simlex999, men, "
            "rw, mturk287, mturk771, simverb3500, rg65, mc30, yp130, verb143, all) or a "
            "'word1 word2 score' file. Repeatable. With neither option, the standard suite runs.",
            show_default=False,
        ),
    ] = None,
    methods: Annotated[
        list[AnalogyMethod] | None,
        typer.Option(
            "--method",
            "-m",
            help="add = 3CosAdd; mul = 3CosMul with cosines shifted to [0, 1] (Levy & Goldberg 2014). "
            "Repeat (-m add -m mul) for both, each section reported for each.  [default: add]",
            show_default=False,
        ),
    ] = None,
    restrict: Annotated[
        int,
        typer.Option(
            "--restrict",
            min=0,
            help="Analogies: answers come from the N most frequent words (the first N rows), and "
            "questions using other words count as out of vocabulary, as in word2vec and gensim. "
            "0 = the whole vocabulary.",
        ),
    ] = DEFAULT_RESTRICT,
    case: Annotated[
        CaseMode,
        typer.Option(
            "--case",
            help="fold: compare words case-insensitively, each taking the vector of its most "
            "frequent case variant (gensim's case_insensitive=True); exact: as written.",
        ),
    ] = CaseMode.fold,
    oov: Annotated[
        list[OOVChoice] | None,
        typer.Option(
            "--oov",
            help="Out-of-vocabulary policy: skip (default; coverage is reported), count-wrong "
            "(analogies: unknown questions are wrong), seen-abc (analogies: a question is seen when "
            "a, b and c are known, an unknown answer is wrong: Chinese-Word-Vectors' CA8 "
            "convention; with --restrict 0 --epsilon 0.01 as its script), mean (similarity: an unknown word gets the "
            "mean vector), zero (similarity: unknown pairs score 0, gensim's dummy4unknown). "
            "Repeat to set both kinds, e.g. --oov count-wrong --oov mean.",
            show_default=False,
        ),
    ] = None,
    epsilon: Annotated[
        float,
        typer.Option("--epsilon", min=0.0, help="3CosMul's epsilon (Levy & Goldberg: 0.001)."),
    ] = COSMUL_EPSILON,
    show_oov: Annotated[
        Path | None,
        typer.Option(
            "--show-oov",
            metavar="FILE",
            help="Write the unknown words to FILE, one a line with its store, benchmark and "
            "section (TSV, or JSON for .json); '-' prints them instead of the scores. JSON output "
            "always carries them.",
            show_default=False,
        ),
    ] = None,
    threads: Annotated[
        int | None,
        typer.Option(
            "--threads",
            min=1,
            help="Analogy questions run in N chunks at once, one BLAS thread each (default: one "
            "per core).",
            show_default=False,
        ),
    ] = None,
    sts: Annotated[
        list[str] | None,
        typer.Option(
            "--sts",
            help="STS file (STS Benchmark 'genre file years id score s1 s2', or 's1<TAB>s2<TAB>score'): "
            "Pearson and Spearman x100 of sentence-vector cosines. Repeatable; runs instead of the "
            "word suite.",
            show_default=False,
        ),
    ] = None,
    sentence_method: Annotated[
        str,
        typer.Option("--sentence-method", help="With --sts: comma-separated mean,weighted,sif."),
    ] = "mean,weighted,sif",
    list_benchmarks: Annotated[
        bool, typer.Option("--list", help="List the bundled benchmarks and exit.")
    ] = False,
    translation: Annotated[
        str | None,
        typer.Option(
            "--translation",
            help="Instead: precision@1/@5 of a 'source<TAB>target' test dictionary, the store "
            "(aligned with 'embtool align') translating into --to.",
            show_default=False,
        ),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option("--to", help="With --translation: the target store.", show_default=False),
    ] = None,
    retrieval: Annotated[
        Retrieval, typer.Option("--retrieval", help="With --translation: nn or csls.")
    ] = Retrieval.nn,
    fmt: FormatOpt = Format.auto,
    *,
    source: VectorSource,
) -> None:
    """Score vectors on analogy and word-similarity benchmarks (accuracy, Spearman, coverage).

    Example: [bold]embtool evaluate cbow/ skipgram/ glove/[/bold] (one column per store)

    Example: [bold]embtool evaluate --analogy google --method mul --restrict 0 -f json[/bold]

    With no benchmark named, the standard suite runs (--list shows it).

    An analogy question 'a b c d' asks for b - a + c = d, the question words excluded.

    Accuracy counts the answered questions (--oov skip); the coverage column says how many.

    Example: [bold]embtool evaluate en-on-de --translation en-de.test.tsv --to de[/bold]
    """
    if list_benchmarks:
        emit(registry_report(), fmt)
        return
    if translation is not None:
        if to is None or (stores and len(stores) != 1):
            raise UsageError("--translation needs one source store and --to TARGET")
        src = dataclasses.replace(source, vectors=stores[0]) if stores else source
        tgt = dataclasses.replace(source, vectors=to)
        report = translation_report(
            src.open(), tgt.open(), translation, retrieval, restrict or None
        )
        emit(report, fmt)
        return
    if sts:
        if analogy or similarity:
            raise UsageError("--sts runs on its own: drop --analogy/--similarity, or run twice")
        emit(_run_sts(source, stores, sts, sentence_method), fmt)
        return
    analogy_oov, similarity_oov = oov_policies(oov)
    methods = list(dict.fromkeys(methods or [AnalogyMethod.add]))
    by_language = analogy is None and similarity is None  # the suite of each store's language
    failed: list[tuple[str, BenchmarkError]] = []
    analogy_sets, similarity_sets = load_benchmarks(analogy, similarity, errors=failed)
    for _, exc in failed:  # each bad file is named now; the others still run
        report_error(exc)
    if failed and not (analogy_sets or similarity_sets):
        raise typer.Exit(ExitStatus.ERROR)
    sources = [dataclasses.replace(source, vectors=s) for s in stores] if stores else [source]
    if not stores and not by_language:  # Chinese benchmarks named: the Chinese default vectors
        words = _benchmark_words(analogy_sets, similarity_sets)
        sources = [dataclasses.replace(source, vectors=str(source.resolve_path(words)))]
    paths = [s.resolve_path() for s in sources]  # fail early on a bad path, before any work

    runs: list[tuple[str, str, StoreEvaluation]] = []
    with ProgressView(transient=True) as view:
        for src, path in zip(sources, paths):
            store = src.open()
            sets = (analogy_sets, similarity_sets)
            if by_language and store_language(store) != ENGLISH:
                sets = load_benchmarks(language=store_language(store))

            def run_all(
                store: Any, sets: tuple[list, list], label: str, subwords: bool
            ) -> StoreEvaluation:
                """Every method on the analogies, the similarity sets once."""
                results: list = []
                similar: list = []
                asked = sum(len(b) for b in sets[0]) > 0
                for i, method in enumerate(methods):
                    run = evaluate_store(
                        store,
                        sets[0],
                        sets[1] if i == 0 else [],
                        method=method,
                        restrict=restrict,
                        case=case,
                        analogy_oov=analogy_oov,
                        similarity_oov=similarity_oov,
                        epsilon=epsilon,
                        threads=threads,
                        progress=view.labelled(f"{label} ({method.value})") if asked else None,
                        subwords=subwords,
                    )
                    results += [r for r in run.results if r.kind == "analogy"]
                    if i == 0:
                        similar = [r for r in run.results if r.kind != "analogy"]
                return StoreEvaluation(store.name, tuple(results + similar), subwords=subwords)

            runs.append((store.name, str(path), run_all(store, sets, store.name, False)))
            if store.has_subwords:  # the same store again, unseen words built from n-grams
                note(f"{store.name} has fastText subwords: also scoring it with OOV words built")
                run = run_all(store, sets, f"{store.name} +subwords", True)
                runs.append((f"{store.name}+subwords", str(path), run))
            del store
    names = _column_names([name for name, _, _ in runs])
    runs = [(name, path, run) for name, (_, path, run) in zip(names, runs)]
    for name, _, run in runs:
        for r in run.results:
            if r.coverage == 0:
                what = "question" if r.kind == "analogy" else "pair"
                warn(
                    f"{name}: no {r.benchmark} {what} has all its words in the vectors (coverage 0)"
                )
            elif isinstance(r, SimilarityResult) and not r.reliable:
                warn(
                    f"{name}: {r.benchmark} Spearman/Pearson from only {r.scored} pairs "
                    f"(coverage {r.used}/{r.pairs}): fewer than {MIN_CORRELATION_PAIRS}, too few "
                    "to rely on (flagged reliable=false in json)"
                )
    if show_oov is not None:
        oovs = oov_report(runs)
        if str(show_oov) == "-":
            emit(oovs, fmt)
            _not_run(failed)
            return
        write_report_file(oovs, show_oov)
        note(f"{len(oovs.records):,} unknown words written to {show_oov}")
    report = evaluation_report(runs)
    report.title = (
        f"method {'+'.join(m.value for m in methods)}, restrict {restrict or 'all'}, "
        f"case {case.value}, oov {analogy_oov.value}/{similarity_oov.value}"
    )
    if report.narrow is not None:
        report.narrow.title = f"{report.title}; totals (coverage)"
    emit(report, fmt)
    _not_run(failed)


def _not_run(failed: Sequence[tuple[str, BenchmarkError]]) -> None:
    """After the results: one more error line naming the benchmarks left out, and exit 1."""
    if failed:
        names = ", ".join(name for name, _ in failed)
        raise typer.Exit(
            report_error(BenchmarkError(f"{len(failed)} benchmark(s) not run: {names}"))
        )
