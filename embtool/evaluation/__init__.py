"""Score vectors on analogy and word-similarity benchmarks: accuracy, Spearman, coverage, OOV words.

>>> from embtool import load_vectors
>>> from embtool.evaluation import evaluate_store
>>> run = evaluate_store(load_vectors("vectors"), analogy=["google"], similarity=["simlex999"])  # doctest: +SKIP
>>> run.scores()                                                                                # doctest: +SKIP
{'google': 0.7312, 'simlex999': 0.3701}

Layout: :mod:`.benchmarks` (bundled registry + file parsers), :mod:`.vocab` (case, restrict, OOV
policies), :mod:`.analogy` (batched analogy accuracy), :mod:`.pairs` (similarity correlations).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from embtool.errors import BenchmarkError
from embtool.evaluation.analogy import (
    DEFAULT_CHUNK,
    AnalogyResult,
    AnalogyScore,
    QuestionOutcome,
    evaluate_analogies,
)
from embtool.evaluation.benchmarks import (
    AnalogyBenchmark,
    AnalogyQuestion,
    AnalogySection,
    Benchmark,
    BenchmarkInfo,
    SimilarityBenchmark,
    WordPair,
    expand_specs,
    load_benchmark,
    read_analogy,
    read_similarity,
    registry,
    suite,
)
from embtool.evaluation.pairs import MIN_CORRELATION_PAIRS, SimilarityResult, evaluate_similarity
from embtool.evaluation.vocab import (
    DEFAULT_RESTRICT,
    AnalogyOOV,
    CaseMode,
    SimilarityOOV,
    WordLookup,
)
from embtool.progress import ProgressCallback, ProgressEvent
from embtool.similarity import COSMUL_EPSILON, AnalogyMethod
from embtool.vectors.store import VectorStore

Result = AnalogyResult | SimilarityResult
BenchmarkSpec = str | Path | AnalogyBenchmark | SimilarityBenchmark


@dataclass(frozen=True)
class StoreEvaluation:
    """All benchmark results of one store, in the order the benchmarks were given."""

    store: str
    results: tuple[Result, ...]
    subwords: bool = False  # question words outside the vocabulary were built from n-grams

    def scores(self) -> dict[str, float | None]:
        """Benchmark name -> headline score (total accuracy, or Spearman's rho)."""
        return {r.benchmark: r.score for r in self.results}

    def __iter__(self) -> Iterator[Result]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)


def load_benchmarks(
    analogy: Sequence[BenchmarkSpec] | None = None,
    similarity: Sequence[BenchmarkSpec] | None = None,
    *,
    language: str = "en",
    errors: list[tuple[str, BenchmarkError]] | None = None,
) -> tuple[list[AnalogyBenchmark], list[SimilarityBenchmark]]:
    """Resolve names (``all`` included), paths or loaded benchmarks; both None: the standard suite
    of ``language`` (Chinese for ``"zh"``, else English).

    With an ``errors`` list, a benchmark that cannot be loaded (unknown name, malformed file) is
    appended to it as (name or path, error) and left out, so the others still run; without one,
    it is raised.

    Raises: BenchmarkError for an unknown name or a malformed file (without ``errors``).
    """
    if analogy is None and similarity is None:
        analogy, similarity = suite("analogy", language), suite("similarity", language)

    def load(specs: Sequence[BenchmarkSpec] | None, kind: str) -> list:
        wanted = AnalogyBenchmark if kind == "analogy" else SimilarityBenchmark
        out: list = []
        seen: set[str] = set()
        for spec in specs or []:
            if isinstance(spec, (AnalogyBenchmark, SimilarityBenchmark)):
                if not isinstance(spec, wanted):
                    raise BenchmarkError(f"{spec.name!r} is not a {kind} benchmark")
                out.append(spec)
                continue
            try:
                names = expand_specs([str(spec)], kind)
            except BenchmarkError as exc:
                if errors is None:
                    raise
                errors.append((str(spec), exc))
                continue
            for name in names:
                if name not in seen:
                    seen.add(name)
                    try:
                        out.append(load_benchmark(name, kind))
                    except BenchmarkError as exc:
                        if errors is None:
                            raise
                        errors.append((name, exc))
        return out

    return load(analogy, "analogy"), load(similarity, "similarity")


def evaluate_store(
    store: VectorStore,
    analogy: Sequence[BenchmarkSpec] | None = None,
    similarity: Sequence[BenchmarkSpec] | None = None,
    *,
    method: AnalogyMethod | str = AnalogyMethod.add,
    restrict: int | None = DEFAULT_RESTRICT,
    case: CaseMode | str = CaseMode.fold,
    analogy_oov: AnalogyOOV | str = AnalogyOOV.skip,
    similarity_oov: SimilarityOOV | str = SimilarityOOV.skip,
    similarity_restrict: int | None = None,
    epsilon: float = COSMUL_EPSILON,
    chunk_size: int = DEFAULT_CHUNK,
    threads: int | None = None,
    progress: ProgressCallback | None = None,
    subwords: bool = False,
) -> StoreEvaluation:
    """Run analogy and similarity benchmarks on one store; with neither named, the standard suite
    of the store's language (``meta.json``'s ``language``, else judged by its words' script).

    Benchmarks are bundled names (see :func:`registry`), file paths, or loaded benchmarks.
    ``restrict`` applies to analogies (candidates and question words, default 30,000);
    similarity sets use ``similarity_restrict`` (default: the whole vocabulary). ``threads``: how
    many chunks of analogy questions run at once, one BLAS thread each (default: every core).
    ``progress`` receives ``ProgressEvent("evaluate", done, total, "questions")``, counted
    over all analogy benchmarks.
    ``subwords``: benchmark words not in a store with fastText n-grams get vectors built from them
    (answers must still be vocabulary words); otherwise they are out of vocabulary.

    Raises: BenchmarkError.
    """
    from embtool.language import store_language

    analogy_sets, similarity_sets = load_benchmarks(
        analogy, similarity, language=store_language(store)
    )
    case = CaseMode(case)
    results: list[Result] = []
    total = sum(len(b) for b in analogy_sets)
    offset = 0

    def make_progress(base: int) -> ProgressCallback | None:
        if progress is None:
            return None
        return lambda e: progress(ProgressEvent("evaluate", base + e.done, total, "questions"))

    lookup = WordLookup(store, restrict, case, subwords)
    for bench in analogy_sets:
        results.append(
            evaluate_analogies(
                store,
                bench,
                method=method,
                restrict=restrict,
                case=case,
                oov=analogy_oov,
                epsilon=epsilon,
                chunk_size=chunk_size,
                threads=threads,
                progress=make_progress(offset),
                lookup=lookup,
            )
        )
        offset += len(bench)
        if progress is not None:
            progress(ProgressEvent("evaluate", offset, total, "questions", final=offset == total))
    sim_lookup = WordLookup(store, similarity_restrict, case, subwords) if similarity_sets else None
    for sim_bench in similarity_sets:
        results.append(
            evaluate_similarity(
                store,
                sim_bench,
                case=case,
                oov=similarity_oov,
                restrict=similarity_restrict,
                lookup=sim_lookup,
            )
        )
    return StoreEvaluation(store.name, tuple(results), subwords and store.has_subwords)


__all__ = [
    "COSMUL_EPSILON",
    "DEFAULT_CHUNK",
    "DEFAULT_RESTRICT",
    "MIN_CORRELATION_PAIRS",
    "AnalogyBenchmark",
    "AnalogyMethod",
    "AnalogyOOV",
    "AnalogyQuestion",
    "AnalogyResult",
    "AnalogyScore",
    "AnalogySection",
    "Benchmark",
    "BenchmarkInfo",
    "CaseMode",
    "QuestionOutcome",
    "SimilarityBenchmark",
    "SimilarityOOV",
    "SimilarityResult",
    "StoreEvaluation",
    "WordLookup",
    "WordPair",
    "evaluate_analogies",
    "evaluate_similarity",
    "evaluate_store",
    "load_benchmark",
    "load_benchmarks",
    "read_analogy",
    "read_similarity",
    "registry",
    "suite",
]
