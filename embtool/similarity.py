"""Neighbours, word similarity, analogies (3CosAdd, 3CosMul) and odd-one-out, batched.

Every query kind reduces to "score every candidate word against a few query vectors and keep the
best k", which :func:`top_k` does for a whole batch of queries at once: one matrix product per block
of vocabulary rows, with a running top-k, so memory stays bounded whatever the vocabulary size.
Scores match gensim's ``most_similar``, ``most_similar_cosmul``, ``similarity`` and ``doesnt_match``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum

import numpy as np

from embtool.errors import UnknownWordsError, UsageError, quote_words
from embtool.vectors.store import Resolved, VectorStore

# Levy & Goldberg (2014) add epsilon = 0.001 to the denominator of 3CosMul; gensim uses 1e-6.
COSMUL_EPSILON = 0.001
_BLOCK_ELEMENTS = 1 << 21  # scores per block (8 MB of float32: cache-friendly, measured best)


class AnalogyMethod(str, Enum):
    """Analogy solvers of Levy & Goldberg (2014)."""

    add = "add"
    mul = "mul"


@dataclass(frozen=True)
class Neighbor:
    word: str
    score: float


@dataclass(frozen=True)
class Skipped:
    """A batch query left out because some of its words are not in the vectors."""

    query: tuple[str, ...]
    missing: tuple[str, ...]


@dataclass(frozen=True)
class NeighborResult:
    query: str
    word: str
    neighbors: tuple[Neighbor, ...]


@dataclass(frozen=True)
class AnalogyResult:
    """Answers to ``a - b + c`` (``a : b :: ? : c`` read as king - man + woman)."""

    query: tuple[str, str, str]
    words: tuple[str, str, str]
    method: AnalogyMethod
    answers: tuple[Neighbor, ...]


@dataclass(frozen=True)
class SimilarityResult:
    query: tuple[str, str]
    words: tuple[str, str]
    similarity: float


@dataclass(frozen=True)
class OddOneOutResult:
    """The word least similar to the mean of the group; ``scores`` ascending (odd first)."""

    query: tuple[str, ...]
    words: tuple[str, ...]
    odd: str
    scores: tuple[Neighbor, ...]


@dataclass(frozen=True)
class Batch:
    """Results of a batch of queries plus the ones skipped for unknown words."""

    results: list
    skipped: list[Skipped]
    answered: list[int] = field(default_factory=list)  # input position of each result


# -- the engine ---------------------------------------------------------------------------------
def _unitize(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return (x / np.where(norms == 0, 1, norms)).astype(np.float32, copy=False)


def unit64(x: np.ndarray) -> np.ndarray:
    """Rows of ``x`` scaled to unit length in float64 (zero rows stay zero)."""
    x = np.asarray(x, dtype=np.float64)
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.where(norms == 0, 1, norms)


def cosines64(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Row-wise cosine of two matrices in float64, clamped to [-1, 1]; equal non-zero rows give
    exactly 1.0, so that exact ties (a word with itself, two OOV words sharing one vector) rank as
    ties instead of by rounding noise."""
    left = np.atleast_2d(np.asarray(left, dtype=np.float64))
    right = np.atleast_2d(np.asarray(right, dtype=np.float64))
    cos = np.clip(np.einsum("ij,ij->i", unit64(left), unit64(right)), -1.0, 1.0)
    same = (left == right).all(axis=1) & (left != 0).any(axis=1)
    cos[same] = 1.0
    return cos


def _rescored(
    store: VectorStore, rows: np.ndarray, score: Callable[[np.ndarray, int], np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """The top-k ``rows`` found in float32, scored again exactly (float64, clamped) by
    ``score(candidate_unit64, output_index)`` and re-sorted (ties: lower row first).

    Float32 block products round differently for different batch shapes (BLAS kernels), so a query
    would print a different last digit alone and in a batch; the few answers shown are cheap to
    score exactly, and then agree whatever the batch.
    """
    out_rows = np.full(rows.shape, -1, dtype=np.int64)
    out_scores = np.full(rows.shape, -np.inf, dtype=np.float64)
    for i, cand in enumerate(rows):
        cand = cand[cand >= 0]
        if cand.size == 0:
            continue
        s = score(unit64(store.rows(cand)), i)
        order = np.lexsort((cand, -s))
        out_rows[i, : cand.size] = cand[order]
        out_scores[i, : cand.size] = s[order]
    return out_rows, out_scores


def exact_analogy_scores(
    store: VectorStore,
    abc_rows: np.ndarray,
    rows: np.ndarray,
    *,
    method: AnalogyMethod = AnalogyMethod.add,
    epsilon: float = COSMUL_EPSILON,
) -> tuple[np.ndarray, np.ndarray]:
    """Re-score the answers ``rows`` (n x k, from :func:`solve_analogies`) exactly in float64."""
    abc_rows = np.asarray(abc_rows, dtype=np.int64).reshape(-1, 3)
    ua, ub, uc = (unit64(store.rows(abc_rows[:, j])) for j in range(3))
    if AnalogyMethod(method) is AnalogyMethod.add:
        target = unit64(ua - ub + uc)
        return _rescored(store, rows, lambda x, i: np.clip(x @ target[i], -1.0, 1.0))

    def cosmul(x: np.ndarray, i: int) -> np.ndarray:
        a, b, c = ((1.0 + np.clip(x @ u[i], -1.0, 1.0)) / 2 for u in (ua, ub, uc))
        return a * c / (b + epsilon)

    return _rescored(store, rows, cosmul)


Combine = Callable[[np.ndarray], np.ndarray]


class _RunningTopK:
    """The best k (row, score) pairs per output row, updated block by block.

    After the first block, only scores above an output's current k-th best can matter; those are
    usually few, so they are merged with one small sort instead of a partition of the whole block.
    """

    def __init__(self, n: int, k: int) -> None:
        self.k = k
        self.rows = np.full((n, k), -1, dtype=np.int64)
        self.scores = np.full((n, k), -np.inf, dtype=np.float32)

    def update(self, scores: np.ndarray, start: int) -> None:
        n, width = scores.shape
        kth = self.scores.min(axis=1)
        if not np.isneginf(kth).any():
            # a row max per output is far cheaper than a full mask + nonzero over the block
            touched = np.flatnonzero(scores.max(axis=1) > kth)
            if touched.size == 0:
                return
            sub = scores[touched]
            qi, ri = np.nonzero(sub > kth[touched, None])
            if qi.size <= (n * width) // 16:
                self._merge_sparse(touched[qi], ri + start, sub[qi, ri])
                return
        self._merge_dense(scores, start)

    def _merge_dense(self, scores: np.ndarray, start: int) -> None:
        n, width = scores.shape
        k = self.k
        if width > k:
            part = np.argpartition(scores, width - k, axis=1)[:, width - k :]
        else:
            part = np.broadcast_to(np.arange(width), (n, width))
        cand = np.take_along_axis(scores, part, axis=1)
        all_scores = np.concatenate([self.scores, cand], axis=1)
        all_rows = np.concatenate([self.rows, part + start], axis=1)
        keep = np.argpartition(all_scores, all_scores.shape[1] - k, axis=1)[:, -k:]
        self.scores = np.take_along_axis(all_scores, keep, axis=1)
        self.rows = np.take_along_axis(all_rows, keep, axis=1)

    def _merge_sparse(self, qi: np.ndarray, rows: np.ndarray, values: np.ndarray) -> None:
        """Merge a few (output, row, score) candidates: one small sort over the touched outputs."""
        k = self.k
        touched, pos = np.unique(qi, return_inverse=True)
        nt = len(touched)
        q = np.concatenate([np.repeat(np.arange(nt), k), pos])
        s = np.concatenate([self.scores[touched].ravel(), values])
        r = np.concatenate([self.rows[touched].ravel(), rows])
        order = np.lexsort((r, -s, q))
        q, s, r = q[order], s[order], r[order]
        first = np.searchsorted(q, np.arange(nt))
        keep = (np.arange(len(q)) - first[q]) < k
        self.scores[touched] = s[keep].reshape(nt, k)
        self.rows[touched] = r[keep].reshape(nt, k)

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        order = np.lexsort((self.rows, -self.scores), axis=1)
        scores = np.take_along_axis(self.scores, order, axis=1)
        rows = np.take_along_axis(self.rows, order, axis=1)
        rows[~np.isfinite(scores)] = -1
        return rows, scores


def top_k(
    store: VectorStore,
    queries: np.ndarray,
    k: int,
    *,
    exclude: Sequence[Sequence[int]] | None = None,
    restrict: int | None = None,
    combine: Combine | None = None,
    n_outputs: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Best ``k`` rows for each query by cosine similarity, in one pass over the vectors.

    ``queries`` (m x dim) are unit vectors. Without ``combine`` the score of row x for query i is
    cos(x, queries[i]). With ``combine``, the m x rows cosine block is turned into ``n_outputs``
    score rows (how 3CosMul mixes three cosines). ``exclude[i]`` lists rows never returned for
    output i; ``restrict`` limits candidates to the first N rows. Returns (rows, scores), each
    n_outputs x k, best first (ties: lower row first); rows are -1 where fewer than k candidates.
    """
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    m = queries.shape[0]
    n_out = m if combine is None else int(n_outputs or m)
    stop = len(store) if restrict is None else min(int(restrict), len(store))
    k = max(0, min(int(k), stop))
    best = _RunningTopK(n_out, k)
    if k == 0 or n_out == 0:
        return best.result()
    ex_q: np.ndarray | None = None
    ex_r: np.ndarray | None = None
    if exclude:
        pairs = [(i, r) for i, rows in enumerate(exclude) for r in rows]
        if pairs:
            ex_q, ex_r = (np.array(v, dtype=np.int64) for v in zip(*pairs))
    block_rows = max(1024, min(65536, _BLOCK_ELEMENTS // max(m, n_out, 1)))
    for start, block in store.blocks(size=block_rows, stop=stop):
        n = store.block_norms(start, block)
        n = np.where(n == 0, 1, n)
        if m > block.shape[1]:  # cheaper to normalise the block's rows than the cosine block
            cos = queries @ (block / n[:, None]).T
        else:
            cos = queries @ block.T
            cos /= n
        scores = cos if combine is None else combine(cos)
        if ex_q is not None and ex_r is not None:
            hit = (ex_r >= start) & (ex_r < start + len(block))
            if hit.any():
                scores[ex_q[hit], ex_r[hit] - start] = -np.inf
        best.update(scores, start)
    return best.result()


def _neighbors_of(store: VectorStore, rows: np.ndarray, scores: np.ndarray) -> tuple[Neighbor, ...]:
    return tuple(
        Neighbor(store.words[r], float(s)) for r, s in zip(rows.tolist(), scores.tolist()) if r >= 0
    )


def _resolve_batch(
    store: VectorStore,
    queries: Sequence[Sequence[str]],
    *,
    fold_case: bool,
    skip_unknown: bool,
) -> tuple[list[tuple[int, list[Resolved]]], list[Skipped]]:
    """Resolve every query's words; unknown words raise (all named at once) or skip the query."""
    resolved: list[tuple[int, list[Resolved]]] = []
    skipped: list[Skipped] = []
    missing_all: list[str] = []
    for i, query in enumerate(queries):
        try:
            resolved.append((i, store.resolve(query, fold_case=fold_case, suggest=False)))
        except UnknownWordsError as exc:
            if skip_unknown:
                skipped.append(Skipped(tuple(query), tuple(exc.words)))
            else:
                missing_all.extend(exc.words)
    if missing_all:
        missing = list(dict.fromkeys(missing_all))
        raise store.unknown(missing)
    return resolved, skipped


# -- public queries -------------------------------------------------------------------------------
def neighbors(
    store: VectorStore,
    words: Sequence[str],
    k: int = 10,
    *,
    restrict: int | None = None,
    fold_case: bool = True,
    skip_unknown: bool = False,
) -> Batch:
    """The ``k`` nearest words to each word by cosine (the word itself excluded), like gensim's
    ``most_similar(word)``.  Raises: UnknownWordsError."""
    resolved, skipped = _resolve_batch(
        store, [[w] for w in words], fold_case=fold_case, skip_unknown=skip_unknown
    )
    rows = np.array([r[0].row for _, r in resolved], dtype=np.int64)
    if len(rows) == 0:
        return Batch([], skipped)
    q = store.unit(rows)
    best_rows, _ = top_k(store, q, k, exclude=[[r] for r in rows.tolist()], restrict=restrict)
    q64 = unit64(store.rows(rows))
    best_rows, best_scores = _rescored(
        store, best_rows, lambda x, i: np.clip(x @ q64[i], -1.0, 1.0)
    )
    results = [
        NeighborResult(
            res[0].query, res[0].word, _neighbors_of(store, best_rows[j], best_scores[j])
        )
        for j, (_, res) in enumerate(resolved)
    ]
    return Batch(results, skipped, [i for i, _ in resolved])


def analogy_targets(store: VectorStore, abc_rows: np.ndarray) -> np.ndarray:
    """Unit query vectors for 3CosAdd: unit(unit(a) - unit(b) + unit(c)) per (a, b, c) row triple."""
    abc_rows = np.asarray(abc_rows, dtype=np.int64).reshape(-1, 3)
    ua = store.unit(abc_rows[:, 0])
    ub = store.unit(abc_rows[:, 1])
    uc = store.unit(abc_rows[:, 2])
    return _unitize((ua + uc - ub) / 3)


def solve_analogies(
    store: VectorStore,
    abc_rows: np.ndarray,
    k: int = 1,
    *,
    method: AnalogyMethod = AnalogyMethod.add,
    restrict: int | None = None,
    exclude_query: bool = True,
    epsilon: float = COSMUL_EPSILON,
) -> tuple[np.ndarray, np.ndarray]:
    """Answer many analogies ``a - b + c`` given as an (n x 3) array of rows, in one batched pass.

    3CosAdd ranks by cos(x, unit(a) - unit(b) + unit(c)) (gensim's ``most_similar``); 3CosMul by
    cos'(x,a) cos'(x,c) / (cos'(x,b) + epsilon) with cos' = (1 + cos) / 2 (Levy & Goldberg 2014).
    Returns (rows, scores), each n x k, best first.
    """
    abc_rows = np.asarray(abc_rows, dtype=np.int64).reshape(-1, 3)
    n = len(abc_rows)
    exclude = abc_rows.tolist() if exclude_query else None
    if AnalogyMethod(method) is AnalogyMethod.add:
        return top_k(store, analogy_targets(store, abc_rows), k, exclude=exclude, restrict=restrict)
    q = store.unit(abc_rows.T.reshape(-1))  # a rows, then b rows, then c rows

    def cosmul(cos: np.ndarray) -> np.ndarray:
        shifted = (1.0 + cos) * 0.5
        return shifted[:n] * shifted[2 * n :] / (shifted[n : 2 * n] + np.float32(epsilon))

    return top_k(store, q, k, exclude=exclude, restrict=restrict, combine=cosmul, n_outputs=n)


def available_cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def solve_analogies_chunked(
    store: VectorStore,
    abc_rows: np.ndarray,
    k: int = 1,
    *,
    method: AnalogyMethod = AnalogyMethod.add,
    restrict: int | None = None,
    exclude_query: bool = True,
    epsilon: float = COSMUL_EPSILON,
    chunk_size: int = 4096,
    threads: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`solve_analogies` for many questions: chunks of at most ``chunk_size`` questions,
    ``threads`` at a time (default: one per core), each on one BLAS thread, so that the matrix
    products and the running top-k (plain NumPy, one core per call) both use every core. Memory
    is bounded by ``threads`` x ``chunk_size`` questions. ``progress(done)`` is called from the
    calling thread after each chunk. Returns (rows, scores) as :func:`solve_analogies` does.
    """
    abc_rows = np.asarray(abc_rows, dtype=np.int64).reshape(-1, 3)
    n = len(abc_rows)
    width = max(0, min(int(k), len(store) if restrict is None else min(restrict, len(store))))
    rows_out = np.full((n, width), -1, dtype=np.int64)
    scores_out = np.full((n, width), -np.inf, dtype=np.float32)
    if n == 0:
        return rows_out, scores_out
    workers = max(1, int(threads) if threads else available_cores())
    chunks = -(-n // max(1, int(chunk_size)))
    if workers > 1:
        chunks = max(chunks, min(workers, -(-n // 256)))
        if chunks > 1:  # whole rounds: no worker idles at the end
            chunks = -(-chunks // workers) * workers
    size = -(-n // chunks)
    starts = list(range(0, n, size))

    def solve(start: int) -> int:
        rows, scores = solve_analogies(
            store,
            abc_rows[start : start + size],
            k,
            method=method,
            restrict=restrict,
            exclude_query=exclude_query,
            epsilon=epsilon,
        )
        rows_out[start : start + len(rows)] = rows
        scores_out[start : start + len(rows)] = scores
        return len(rows)

    from contextlib import nullcontext

    done = 0
    if workers == 1 or len(starts) == 1:  # one batch at a time: BLAS gets the threads
        if threads:
            from threadpoolctl import threadpool_limits

            limit = threadpool_limits(limits=int(threads), user_api="blas")
        else:
            limit = nullcontext()
        with limit:
            for start in starts:
                done += solve(start)
                if progress is not None:
                    progress(done)
        return rows_out, scores_out
    from concurrent.futures import ThreadPoolExecutor, as_completed

    from threadpoolctl import threadpool_limits

    store.norms  # noqa: B018 - computed once here rather than racing in every worker
    with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(workers) as pool:
        for future in as_completed([pool.submit(solve, s) for s in starts]):
            done += future.result()
            if progress is not None:
                progress(done)
    return rows_out, scores_out


def analogies(
    store: VectorStore,
    queries: Sequence[Sequence[str]],
    k: int = 5,
    *,
    method: AnalogyMethod = AnalogyMethod.add,
    restrict: int | None = None,
    include_query: bool = False,
    epsilon: float = COSMUL_EPSILON,
    fold_case: bool = True,
    skip_unknown: bool = False,
) -> Batch:
    """Solve ``a - b + c`` for each (a, b, c) query (``king man woman`` -> queen).

    Query words are excluded from the answers unless ``include_query``, as gensim does.
    Raises: UnknownWordsError, UsageError.
    """
    for q in queries:
        if len(q) != 3:
            raise UsageError(
                f"an analogy needs 3 words (A B C for A - B + C), got {len(q)}: " + " ".join(q)
            )
    method = AnalogyMethod(method)
    resolved, skipped = _resolve_batch(
        store, queries, fold_case=fold_case, skip_unknown=skip_unknown
    )
    if not resolved:
        return Batch([], skipped)
    rows = np.array([[r.row for r in res] for _, res in resolved], dtype=np.int64)
    best_rows, _ = solve_analogies_chunked(
        store,
        rows,
        k,
        method=method,
        restrict=restrict,
        exclude_query=not include_query,
        epsilon=epsilon,
    )
    best_rows, best_scores = exact_analogy_scores(
        store, rows, best_rows, method=method, epsilon=epsilon
    )
    results = [
        AnalogyResult(
            tuple(r.query for r in res),  # type: ignore[arg-type]
            tuple(r.word for r in res),  # type: ignore[arg-type]
            method,
            _neighbors_of(store, best_rows[j], best_scores[j]),
        )
        for j, (_, res) in enumerate(resolved)
    ]
    return Batch(results, skipped, [i for i, _ in resolved])


def most_similar(
    store: VectorStore,
    positive: Sequence[str] | str | None = None,
    negative: Sequence[str] | str | None = None,
    topn: int = 10,
    *,
    restrict_vocab: int | None = None,
) -> list[tuple[str, float]]:
    """The ``topn`` words closest to the mean of the unit vectors of ``positive`` minus those of
    ``negative``, query words excluded: gensim's ``KeyedVectors.most_similar`` (exact words only,
    no case folding; every unknown word named at once).  Raises: UnknownWordsError, UsageError."""
    pos = [positive] if isinstance(positive, str) else list(positive or [])
    neg = [negative] if isinstance(negative, str) else list(negative or [])
    if not pos and not neg:
        raise UsageError("most_similar needs at least one positive or negative word")
    res = store.resolve([*pos, *neg], fold_case=False)
    rows = np.array([r.row for r in res], dtype=np.int64)
    weights = np.array([1.0] * len(pos) + [-1.0] * len(neg))
    target = unit64((unit64(store.rows(rows)) * weights[:, None]).mean(axis=0))
    found, _ = top_k(store, target[None, :], topn, exclude=[rows.tolist()], restrict=restrict_vocab)
    best_rows, best_scores = _rescored(store, found, lambda x, i: np.clip(x @ target, -1.0, 1.0))
    return [
        (store.words[r], float(s))
        for r, s in zip(best_rows[0].tolist(), best_scores[0].tolist())
        if r >= 0
    ]


def similarities(
    store: VectorStore,
    pairs: Sequence[Sequence[str]],
    *,
    fold_case: bool = True,
    skip_unknown: bool = False,
) -> Batch:
    """Cosine similarity of each word pair, like gensim's ``similarity``.

    Raises: UnknownWordsError, UsageError.
    """
    for p in pairs:
        if len(p) != 2:
            raise UsageError(f"a similarity query needs 2 words, got {len(p):,}: " + quote_words(p))
    resolved, skipped = _resolve_batch(store, pairs, fold_case=fold_case, skip_unknown=skip_unknown)
    if not resolved:
        return Batch([], skipped)
    rows = np.array([[r.row for r in res] for _, res in resolved], dtype=np.int64)
    sims = cosines64(store.rows(rows[:, 0]), store.rows(rows[:, 1]))
    results = [
        SimilarityResult((res[0].query, res[1].query), (res[0].word, res[1].word), float(s))
        for (_, res), s in zip(resolved, sims.tolist())
    ]
    return Batch(results, skipped, [i for i, _ in resolved])


def similarity(store: VectorStore, word1: str, word2: str) -> float:
    """Cosine similarity of two words.  Raises: UnknownWordsError."""
    return similarities(store, [[word1, word2]]).results[0].similarity


def odd_one_out(
    store: VectorStore, words: Sequence[str], *, fold_case: bool = True
) -> OddOneOutResult:
    """The word that fits least: lowest cosine to the unit mean of the group's unit vectors,
    as gensim's ``doesnt_match``.  Raises: UnknownWordsError, UsageError."""
    if len(words) < 3:
        raise UsageError(f"odd-one-out needs at least 3 words, got {len(words)}")
    res = store.resolve(words, fold_case=fold_case)
    unit = unit64(store.rows([r.row for r in res]))
    mean = unit64(unit.mean(axis=0))
    sims = np.clip(unit @ mean, -1.0, 1.0)
    order = sorted(range(len(res)), key=lambda i: (float(sims[i]), res[i].word))
    scores = tuple(Neighbor(res[i].word, float(sims[i])) for i in order)
    return OddOneOutResult(tuple(words), tuple(r.word for r in res), scores[0].word, scores)


def odd_one_out_batch(
    store: VectorStore,
    groups: Sequence[Sequence[str]],
    *,
    fold_case: bool = True,
    skip_unknown: bool = False,
) -> Batch:
    """:func:`odd_one_out` for many groups, with the batch unknown-word policy."""
    resolved, skipped = _resolve_batch(
        store, groups, fold_case=fold_case, skip_unknown=skip_unknown
    )
    results = [odd_one_out(store, [r.word for r in res], fold_case=False) for _, res in resolved]
    results = [
        OddOneOutResult(tuple(r.query for r in res), out.words, out.odd, out.scores)
        for (_, res), out in zip(resolved, results)
    ]
    return Batch(results, skipped, [i for i, _ in resolved])
