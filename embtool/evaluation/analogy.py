"""Analogy accuracy: every question of a benchmark answered by the batched engine at once.

Semantics follow gensim's ``evaluate_word_analogies`` question for question (it mirrors word2vec's
``compute-accuracy``): a question ``a b c d`` is answered by the best word for ``b - a + c`` among the
first ``restrict`` words, the rows of a, b and c excluded; of the 5 best candidates the first whose
(case-folded) form differs from a, b and c is the prediction; it is right when it equals d.
Questions with a word outside the first ``restrict`` words are out of vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from embtool.evaluation.benchmarks import AnalogyBenchmark, AnalogyQuestion
from embtool.evaluation.vocab import (
    DEFAULT_RESTRICT,
    AnalogyOOV,
    CaseMode,
    WordLookup,
    effective_restrict,
)
from embtool.progress import ProgressCallback, ProgressEvent
from embtool.similarity import COSMUL_EPSILON, AnalogyMethod, solve_analogies_chunked
from embtool.vectors.store import VectorStore

CANDIDATES = 5  # gensim looks at the 5 best answers to skip case variants of the question words
DEFAULT_CHUNK = 4096  # max questions per engine call: bounds memory, sets progress granularity


@dataclass(frozen=True)
class AnalogyScore:
    """Accuracy of one section, group (e.g. semantic / syntactic) or the whole benchmark.

    ``accuracy`` is correct / answered with the ``skip`` policy, correct / questions with
    ``count-wrong``, and correct / seen with ``seen-abc`` (answered = seen: a, b, c known; an
    unknown d is wrong); None when nothing could be scored.
    """

    name: str
    level: str  # "section" | "group" | "total"
    questions: int
    answered: int
    correct: int
    accuracy: float | None
    oov_words: tuple[str, ...]

    @property
    def coverage(self) -> float:
        return self.answered / self.questions if self.questions else 0.0


@dataclass(frozen=True)
class QuestionOutcome:
    """One question's fate, for inspection and parity tests (``details=True``)."""

    section: str
    question: AnalogyQuestion
    predicted: str | None  # the predicted word as stored; None when out of vocabulary
    correct: bool
    oov: bool


@dataclass(frozen=True)
class AnalogyResult:
    benchmark: str
    source: str
    store: str
    method: AnalogyMethod
    restrict: int
    case: CaseMode
    oov: AnalogyOOV
    epsilon: float | None  # 3CosMul only
    scores: tuple[AnalogyScore, ...]  # sections, then groups, then the total (last)
    details: tuple[QuestionOutcome, ...] | None = None

    kind = "analogy"

    @property
    def total(self) -> AnalogyScore:
        return self.scores[-1]

    @property
    def score(self) -> float | None:
        """The headline number: total accuracy."""
        return self.total.accuracy

    @property
    def coverage(self) -> float:
        return self.total.coverage

    @property
    def oov_words(self) -> tuple[str, ...]:
        return self.total.oov_words


def _solve_in_chunks(
    store: VectorStore,
    triples: np.ndarray,
    *,
    method: AnalogyMethod,
    restrict: int,
    epsilon: float,
    chunk_size: int,
    threads: int | None,
    progress: ProgressCallback | None,
) -> np.ndarray:
    """The engine's best ``CANDIDATES`` rows for every (x, y, z) triple (-1 where fewer)."""
    out = np.full((len(triples), CANDIDATES), -1, dtype=np.int64)
    rows, _ = solve_analogies_chunked(
        store,
        triples,
        CANDIDATES,
        method=method,
        restrict=restrict,
        epsilon=epsilon,
        chunk_size=chunk_size,
        threads=threads,
        progress=progress,
    )
    out[:, : rows.shape[1]] = rows
    return out


def _accuracy(correct: int, answered: int, questions: int, oov: AnalogyOOV) -> float | None:
    denominator = questions if oov is AnalogyOOV.count_wrong else answered
    return correct / denominator if denominator else None


def _unique(words: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(words))


def evaluate_analogies(
    store: VectorStore,
    benchmark: AnalogyBenchmark,
    *,
    method: AnalogyMethod | str = AnalogyMethod.add,
    restrict: int | None = DEFAULT_RESTRICT,
    case: CaseMode | str = CaseMode.fold,
    oov: AnalogyOOV | str = AnalogyOOV.skip,
    epsilon: float = COSMUL_EPSILON,
    details: bool = False,
    chunk_size: int = DEFAULT_CHUNK,
    threads: int | None = None,
    progress: ProgressCallback | None = None,
    lookup: WordLookup | None = None,
) -> AnalogyResult:
    """Accuracy of ``store`` on an analogy benchmark, per section, group and in total.

    ``restrict`` (None or 0: the whole vocabulary) limits both the candidate answers and the words a
    question may use. ``threads`` chunks run at once (default: one per core), each with one BLAS
    thread, so the top-k bookkeeping runs in parallel too; memory is bounded by ``threads`` x
    ``chunk_size`` questions. ``progress`` receives ``ProgressEvent("evaluate", done, total,
    "questions")`` from this thread after each chunk (counted over all questions,
    out-of-vocabulary ones included). ``oov`` decides which questions count (:class:`AnalogyOOV`).
    """
    method, case, oov = AnalogyMethod(method), CaseMode(case), AnalogyOOV(oov)
    if (
        lookup is None
        or lookup.case is not case
        or lookup.size != effective_restrict(store, restrict)
    ):
        lookup = WordLookup(store, restrict, case, lookup.subwords if lookup else False)
    questions = [(si, q) for si, s in enumerate(benchmark.sections) for q in s.questions]
    n = len(questions)

    # resolve words; rows in the engine's order (x, y, z) for x - y + z, i.e. (b, a, c)
    triples = np.empty((n, 3), dtype=np.int64)
    answerable = np.zeros(n, dtype=bool)
    missing: list[list[str]] = [[] for _ in benchmark.sections]
    for i, (si, q) in enumerate(questions):
        ra, rb, rc = lookup.row(q.a), lookup.first_row(q.b), lookup.row(q.c)
        known_answer = any(lookup.answer_row(w) is not None for w in q.answers)
        if ra is not None and rb is not None and rc is not None and oov is AnalogyOOV.seen_abc:
            if not known_answer:  # seen, and wrong whatever is predicted: d is not a candidate
                missing[si].extend(q.answers)
            triples[i] = (rb, ra, rc)
            answerable[i] = True
            continue
        if ra is None or rb is None or rc is None or not known_answer:
            gone = missing[si]
            if ra is None:
                gone.append(q.a)
            if rb is None:
                gone.extend(q.b)
            if rc is None:
                gone.append(q.c)
            if not known_answer:
                gone.extend(q.answers)
            continue
        triples[i] = (rb, ra, rc)
        answerable[i] = True

    idx = np.flatnonzero(answerable)
    candidates = _solve_in_chunks(
        store,
        triples[idx],
        method=method,
        restrict=lookup.size,
        epsilon=epsilon,
        chunk_size=chunk_size,
        threads=threads,
        progress=None if progress is None else _scaled(progress, n, len(idx)),
    )
    if progress is not None and len(idx) == 0:
        progress(ProgressEvent("evaluate", n, n, "questions", final=True))

    # the prediction: the first candidate that is not a case variant of a question word
    predicted_row = np.full(n, -1, dtype=np.int64)
    correct = np.zeros(n, dtype=bool)
    key_of: dict[int, str] = {}
    for j, i in enumerate(idx.tolist()):
        q = questions[i][1]
        # the key of b's row is that of the spelling used (BATS: the first known alternative)
        ignore = {lookup.key(q.a), lookup.row_key(int(triples[i, 0])), lookup.key(q.c)}
        pred_key, pred_row = None, -1
        for r in candidates[j].tolist():
            if r < 0:
                break
            k = key_of.get(r)
            if k is None:
                k = key_of[r] = lookup.row_key(r)
            pred_key, pred_row = k, r
            if k not in ignore:
                break
        predicted_row[i] = pred_row
        correct[i] = pred_key is not None and pred_key in {lookup.key(w) for w in q.answers}

    # aggregate: sections, groups, total
    section_of = np.array([si for si, _ in questions], dtype=np.int64)
    scores: list[AnalogyScore] = []

    def score(name: str, level: str, members: list[int]) -> AnalogyScore:
        mask = np.isin(section_of, members)
        total = int(mask.sum())
        answered = int((mask & answerable).sum())
        right = int((mask & correct).sum())
        oov_words = _unique([w for m in members for w in missing[m]])
        return AnalogyScore(
            name, level, total, answered, right, _accuracy(right, answered, total, oov), oov_words
        )

    for si, s in enumerate(benchmark.sections):
        scores.append(score(s.name, "section", [si]))
    for group, members in benchmark.groups.items():
        scores.append(score(group, "group", members))
    scores.append(score("total", "total", list(range(len(benchmark.sections)))))

    outcomes = None
    if details:
        outcomes = tuple(
            QuestionOutcome(
                benchmark.sections[si].name,
                q,
                store.words[predicted_row[i]] if predicted_row[i] >= 0 else None,
                bool(correct[i]),
                not bool(answerable[i]),
            )
            for i, (si, q) in enumerate(questions)
        )
    return AnalogyResult(
        benchmark=benchmark.name,
        source=benchmark.source,
        store=store.name,
        method=method,
        restrict=lookup.size,
        case=case,
        oov=oov,
        epsilon=float(epsilon) if method is AnalogyMethod.mul else None,
        scores=tuple(scores),
        details=outcomes,
    )


def _scaled(progress: ProgressCallback, n: int, answerable: int) -> ProgressCallback:
    """The engine's events over the ``answerable`` questions as events over all ``n``."""

    def forward(event: ProgressEvent) -> None:
        progress(
            ProgressEvent(
                "evaluate", n * event.done // answerable, n, "questions", final=event.final
            )
        )

    return forward
