"""GloVe in NumPy: the reference objective and AdaGrad, mini-batched and vectorised.

Objective (Pennington, Socher & Manning 2014), summed over the nonzeros X_ij of the co-occurrence
matrix::

    J = sum_ij 1/2 f(X_ij) (w_i . c_j + b_i + b~_j - log X_ij)^2,   f(x) = min(1, (x / x_max)^alpha)

As in the reference ``glove.c``: word and context vectors and biases start uniform in
[-0.5, 0.5] / (dim + 1); AdaGrad accumulators start at 1 and hold squared *learning-rate-scaled*
gradients, and each step divides by the square root of the accumulator *before* adding the new
squared step (``w -= eta g / sqrt(h); h += (eta g)^2``); the reported cost is J divided by the
number of nonzeros; ``w+c`` output is W + C without biases.

Differences, by design: the nonzeros are reshuffled every epoch with ``seed`` (the reference
shuffles the file once), and updates are applied per mini-batch of ``batch_size`` nonzeros:
gradients of a word that occurs several times in a batch are summed (duplicates accumulated, one
sparse-matrix product per side), then one AdaGrad step is taken per touched row. On small
matrices the batch shrinks (:func:`stable_batch_size`) so that these summed steps stay stable. Optional
``grad_clip`` clips each element of that summed gradient. Results are bit-reproducible for a seed,
with one or two threads (the two threads update the disjoint word and context sides of a batch).

Biases are kept as extra columns: a word row is ``[w, b, 1]`` and a context row ``[c, 1, b~]``,
so one dot product gives ``w.c + b + b~`` and one gradient step updates vector and bias together
(the constant columns get a zero gradient).
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from embtool.corpus import PreparedCorpus, ProgressCallback, ProgressEvent
from embtool.errors import TrainingError
from embtool.training.config import GLOVE_MAX_BATCH, GloveConfig, OutputVectors
from embtool.vectors.store import VectorStore

if TYPE_CHECKING:
    from embtool.training.cooccurrence import Cooccurrence

_POS_BITS = 24  # batch positions packed below the row id in one int64 sort key
assert GLOVE_MAX_BATCH < 1 << _POS_BITS


@dataclass(frozen=True)
class EpochStats:
    epoch: int
    cost: float
    seconds: float
    cpu_seconds: float


@dataclass
class GloveResult:
    """Trained vectors (float32, one row per vocabulary word) and how training went."""

    words: list[str]
    counts: np.ndarray
    vectors: np.ndarray
    config: GloveConfig
    nnz: int
    batch_size: int = 0
    epochs: list[EpochStats] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0

    @property
    def costs(self) -> list[float]:
        return [e.cost for e in self.epochs]

    def training_meta(self) -> dict[str, Any]:
        """What ``meta.json`` records under ``training`` for a GloVe store."""
        train_s = sum(e.seconds for e in self.epochs)
        train_cpu = sum(e.cpu_seconds for e in self.epochs)
        work = self.nnz * len(self.epochs)
        return {
            "method": "glove",
            "trainer": "embtool GloVe (NumPy, mini-batched AdaGrad)",
            "hyperparameters": self.config.as_dict(),
            "seed": self.config.seed,
            "threads": self.config.threads,
            "nonzeros": self.nnz,
            "batch_size_used": self.batch_size,
            "epoch_costs": self.costs,
            "epoch_seconds": [round(e.seconds, 3) for e in self.epochs],
            "train_seconds": round(train_s, 3),
            "nonzeros_per_second": round(work / train_s) if train_s > 0 else None,
            "cpu_us_per_nonzero": round(1e6 * train_cpu / work, 4) if work else None,
        }


# -- the maths, exposed for tests ----------------------------------------------------------------
def init_params(vocab_size: int, dim: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Word rows ``[w, b, 1]``, context rows ``[c, 1, b~]``, and their AdaGrad accumulators (1)."""
    scale = 1.0 / (dim + 1)
    W = np.empty((vocab_size, dim + 2), dtype=np.float32)
    C = np.empty((vocab_size, dim + 2), dtype=np.float32)
    W[:, : dim + 1] = (rng.random((vocab_size, dim + 1)) - 0.5) * scale
    W[:, dim + 1] = 1.0
    cv = (rng.random((vocab_size, dim + 1)) - 0.5) * scale
    C[:, :dim] = cv[:, :dim]
    C[:, dim] = 1.0
    C[:, dim + 1] = cv[:, dim]
    return W, C, np.ones_like(W), np.ones_like(C)


def weighting(x: np.ndarray, x_max: float, alpha: float) -> np.ndarray:
    """f(x) = min(1, (x / x_max)^alpha), as float32."""
    return np.minimum(1.0, (np.asarray(x, dtype=np.float64) / x_max) ** alpha).astype(np.float32)


def _unique(idx: np.ndarray, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique values of ``idx`` and each element's slot among them, by one int64 sort."""
    n = idx.size
    key = (idx.astype(np.int64) << _POS_BITS) | pos[:n]
    key.sort()
    vals = key >> _POS_BITS
    first = np.empty(n, dtype=bool)
    first[0] = True
    np.not_equal(vals[1:], vals[:-1], out=first[1:])
    slot = np.empty(n, dtype=np.int32)
    slot[key & ((1 << _POS_BITS) - 1)] = np.cumsum(first, dtype=np.int32) - 1
    return vals[first], slot


def batch_gradients(
    W: np.ndarray,
    C: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    logx: np.ndarray,
    fx: np.ndarray,
    scale: float = 1.0,
    pos: np.ndarray | None = None,
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cost and summed gradients of one batch of nonzeros (i, j, log x, f(x)).

    Returns ``(cost, ui, GW, Wu, uj, GC, Cu)``: ``cost`` = sum 1/2 f diff^2; ``ui`` the distinct
    word rows, ``GW`` = ``scale`` * dJ/dW[ui] (duplicates summed, constant column zero), ``Wu`` =
    W[ui] (the values used); likewise for the context side.
    """
    import scipy.sparse as sp

    n = i.size
    if pos is None:
        pos = np.arange(n, dtype=np.int64)
    ui, si = _unique(i, pos)
    uj, sj = _unique(j, pos)
    Wu = W[ui]
    Cu = C[uj]
    diff = np.einsum("ij,ij->i", Wu[si], Cu[sj])
    diff -= logx
    fdiff = fx * diff
    cost = 0.5 * float(np.dot(fdiff, diff))
    if scale != 1.0:
        fdiff *= fdiff.dtype.type(scale)
    S = sp.csr_matrix((fdiff, (si, sj)), shape=(ui.size, uj.size))
    dim = W.shape[1] - 2
    GW = S @ Cu
    GW[:, dim + 1] = 0.0
    GC = S.T @ Wu
    GC[:, dim] = 0.0
    return cost, ui, GW, Wu, uj, GC, Cu


def adagrad_step(
    P: np.ndarray,
    H: np.ndarray,
    rows: np.ndarray,
    G: np.ndarray,
    Pu: np.ndarray,
    clip: float | None = None,
) -> None:
    """Reference AdaGrad on ``rows``: ``P -= G / sqrt(H); H += G^2`` (G already scaled by eta).

    ``Pu`` holds P[rows] (from the gradient computation); ``G`` is overwritten.
    """
    if clip is not None:
        np.clip(G, -clip, clip, out=G)
    h = H[rows]
    step = np.sqrt(h)
    np.divide(G, step, out=step)
    Pu -= step
    P[rows] = Pu
    G *= G
    h += G
    H[rows] = h


def stable_batch_size(
    rows: np.ndarray, cols: np.ndarray, fx: np.ndarray, vocab_size: int, lr: float, limit: int
) -> int:
    """The largest batch (up to ``limit``) in which summed steps stay stable.

    A word's summed step in a batch grows with the weights f of its pairs there; in expectation
    that is batch / nnz times the word's total weight. Keeping learning rate x that expectation
    <= 1 for the heaviest word keeps the first AdaGrad steps (accumulators still 1) from
    overshooting; on big corpora this is far above the default batch, on small ones it shrinks
    the batch toward the reference's one-pair-at-a-time updates.
    """
    heaviest = max(
        float(np.bincount(rows, weights=fx, minlength=vocab_size).max()),
        float(np.bincount(cols, weights=fx, minlength=vocab_size).max()),
    )
    if heaviest <= 0:
        return limit
    return int(max(1, min(limit, rows.size / (lr * heaviest))))


def _quiet_step(*args: Any) -> None:
    """adagrad_step in a worker thread (NumPy's error state is per thread)."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        adagrad_step(*args)


def glove_cost(W: np.ndarray, C: np.ndarray, i, j, logx, fx) -> float:
    """J = sum 1/2 f(x) (w_i.c_j + b_i + b~_j - log x)^2 in float64 (for tests and checks)."""
    W64 = W.astype(np.float64)
    C64 = C.astype(np.float64)
    diff = np.einsum("ij,ij->i", W64[i], C64[j]) - logx
    return float(0.5 * np.sum(fx * diff * diff))


# -- training ------------------------------------------------------------------------------------
def train_glove(
    cooc: Cooccurrence,
    config: GloveConfig | None = None,
    *,
    progress: ProgressCallback | None = None,
    report_every: int = 64,
) -> GloveResult:
    """Train GloVe on the nonzeros of ``cooc`` and return the vectors with per-epoch costs.

    ``progress`` receives ``ProgressEvent("train", done, total, "pairs", epoch, epochs)`` every
    ``report_every`` batches, with ``info["cost"]`` the running mean cost of the epoch; the last
    event of an epoch has ``info["epoch_end"]`` and the epoch's cost.

    Raises: TrainingError for an empty matrix or a diverging run (NaN cost).
    """
    config = config or GloveConfig()
    t_start = time.perf_counter()
    cpu_start = time.process_time()
    rows, cols, x = cooc.triples()
    nnz = int(x.size)
    if nnz == 0:
        raise TrainingError(
            "no co-occurring word pairs to train on: the corpus needs lines of at least two "
            "vocabulary words (lower `min_count` or use a bigger corpus)"
        )
    logx = np.log(x, dtype=np.float32)
    fx = weighting(x, config.x_max, config.alpha)
    del x
    rng = np.random.default_rng(config.seed)
    W, C, HW, HC = init_params(cooc.vocab_size, config.dim, rng)
    lr = float(config.learning_rate)
    clip = None if config.grad_clip is None else lr * config.grad_clip
    batch = stable_batch_size(rows, cols, fx, cooc.vocab_size, lr, min(config.batch_size, nnz))
    pos = np.arange(batch, dtype=np.int64)
    order = np.arange(nnz, dtype=np.int32 if nnz < 2**31 else np.int64)
    pool = ThreadPoolExecutor(max_workers=1) if config.threads == 2 else None
    stats: list[EpochStats] = []
    # a diverging run is caught by its cost at the end of the epoch, not by floating-point warnings
    errstate = np.errstate(over="ignore", invalid="ignore", divide="ignore")
    try:
        errstate.__enter__()
        for epoch in range(1, config.epochs + 1):
            t0 = time.perf_counter()
            c0 = time.process_time()
            rng.shuffle(order)
            cost = 0.0
            for b, start in enumerate(range(0, nnz, batch)):
                o = order[start : start + batch]
                c, ui, GW, Wu, uj, GC, Cu = batch_gradients(
                    W, C, rows[o], cols[o], logx[o], fx[o], scale=lr, pos=pos
                )
                cost += c
                if pool is not None:
                    side = pool.submit(_quiet_step, C, HC, uj, GC, Cu, clip)
                    adagrad_step(W, HW, ui, GW, Wu, clip)
                    side.result()
                else:
                    adagrad_step(W, HW, ui, GW, Wu, clip)
                    adagrad_step(C, HC, uj, GC, Cu, clip)
                if progress is not None and b % report_every == report_every - 1:
                    done = min(start + batch, nnz)
                    progress(_event(epoch, config.epochs, done, nnz, cost / done, False))
            mean = cost / nnz
            if not math.isfinite(mean):
                raise TrainingError(
                    f"GloVe diverged: the cost is {mean} at epoch {epoch}; lower `learning_rate` "
                    f"(now {lr:g}) or set `grad_clip`"
                )
            stats.append(
                EpochStats(epoch, mean, time.perf_counter() - t0, time.process_time() - c0)
            )
            if progress is not None:
                progress(_event(epoch, config.epochs, nnz, nnz, mean, True))
    finally:
        errstate.__exit__(None, None, None)
        if pool is not None:
            pool.shutdown(wait=True)
    d = config.dim
    if config.output_vectors is OutputVectors.w_plus_c:
        vectors = W[:, :d] + C[:, :d]
    elif config.output_vectors is OutputVectors.w:
        vectors = W[:, :d].copy()
    else:
        vectors = np.hstack([W[:, :d], C[:, :d]])
    return GloveResult(
        words=list(cooc.vocab.words),
        counts=np.asarray(cooc.vocab.counts),
        vectors=np.ascontiguousarray(vectors, dtype=np.float32),
        config=config,
        nnz=nnz,
        batch_size=batch,
        epochs=stats,
        seconds=time.perf_counter() - t_start,
        cpu_seconds=time.process_time() - cpu_start,
    )


def _event(epoch: int, epochs: int, done: int, total: int, cost: float, end: bool) -> ProgressEvent:
    info: dict[str, Any] = {"cost": cost}
    if end:
        info["epoch_end"] = True
    return ProgressEvent(
        "train",
        done,
        total,
        "pairs",
        epoch=epoch,
        epochs=epochs,
        final=end and epoch == epochs,
        info=info,
    )


# -- from a corpus or a saved count to a store ---------------------------------------------------
def cooccurrence_request(config: GloveConfig, source: dict[str, Any] | None) -> dict[str, Any]:
    """The settings a saved count must have been made with to be reused for ``config``.

    ``source`` (from :func:`corpus_source`) adds the corpus paths, tokenizer and case.
    """
    request: dict[str, Any] = {
        "window": config.window,
        "symmetric": config.symmetric,
        "distance_weighting": config.distance_weighting,
        "min_count": config.min_count,
        "max_vocab": config.max_vocab,
    }
    if source is not None:
        request.update(source)
    return request


def corpus_source(description: dict[str, Any]) -> dict[str, Any]:
    """Which text, read how (from ``Corpus.describe()``): compared when a count is reused."""
    d = description
    paths = [p if p == "-" else str(Path(p).resolve()) for p in d["paths"]]
    return {"corpus_paths": paths, "tokenizer": d["tokenizer"], "lowercase": d["lowercase"]}


def check_saved_counts(
    config: GloveConfig, path: str | Path, source: dict[str, Any] | None
) -> None:
    """Raises CooccurrenceError unless the count in ``path`` can be reused for ``config``."""
    from embtool.training.cooccurrence import check_compatible, read_cooccurrence_meta

    check_compatible(read_cooccurrence_meta(path), cooccurrence_request(config, source), path)


class _CountProgress:
    """Counting progress as ProgressEvents, a few per second."""

    def __init__(self, progress: ProgressCallback) -> None:
        self.progress = progress
        self.last = 0.0

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        now = time.perf_counter()
        final = total is not None and done >= total
        if final or now - self.last >= 0.2:
            self.last = now
            unit = "rows" if phase == "merge" else "tokens"
            self.progress(ProgressEvent(phase, done, total, unit, final=final))


def count_for_glove(
    config: GloveConfig,
    corpus: PreparedCorpus,
    progress: ProgressCallback | None = None,
    *,
    tmp_dir: str | Path | None = None,
) -> Cooccurrence:
    """The vocabulary (from the corpus's counts) and co-occurrence counts GloVe trains on.

    Raises: TrainingError (nothing reaches ``min_count``), CooccurrenceError (memory budget).
    """
    from embtool.training.cooccurrence import (
        CooccurrenceSettings,
        build_vocabulary,
        count_cooccurrences,
    )
    from embtool.training.word2vec import check_vocabulary

    check_vocabulary(corpus, config.min_count)  # the same message as Word2Vec's
    vocab = build_vocabulary(corpus.counts, min_count=config.min_count, max_vocab=config.max_vocab)
    settings = CooccurrenceSettings(config.window, config.symmetric, config.distance_weighting)
    meta = {"corpus": corpus.describe(), **corpus_source(corpus.corpus.describe())}
    return count_cooccurrences(
        corpus,
        vocab,
        settings,
        memory_gb=config.memory_gb,
        tmp_dir=tmp_dir,
        progress=_CountProgress(progress) if progress is not None else None,
        total_tokens=corpus.n_tokens,
        meta=meta,
    )


def train_glove_store(
    config: GloveConfig,
    corpus: PreparedCorpus | None,
    progress: ProgressCallback | None = None,
    *,
    cooccurrence: str | Path | None = None,
    tmp_dir: str | Path | None = None,
    source: dict[str, Any] | None = None,
) -> VectorStore:
    """Count (or reuse) co-occurrences, train GloVe and return the vectors as a store.

    ``cooccurrence``: a file to reuse when it exists (its settings must match ``config``, and the
    corpus ``source`` or ``corpus`` when given), else where to save the count made from ``corpus``
    (written as soon as counting ends, so a later sweep over dims or epochs can reuse it).
    Raises: CorpusError, CooccurrenceError, TrainingError, UsageError.
    """
    from embtool.errors import UsageError
    from embtool.training.cooccurrence import load_cooccurrence, save_cooccurrence

    path = Path(cooccurrence) if cooccurrence is not None else None
    start = time.perf_counter()
    reused = path is not None and path.exists()
    if reused:
        assert path is not None
        if source is None and corpus is not None:
            source = corpus_source(corpus.corpus.describe())
        check_saved_counts(config, path, source)
        cooc = load_cooccurrence(path)
    elif corpus is None:
        raise UsageError("GloVe needs a corpus, or a saved count (`cooccurrence`) to reuse")
    else:
        cooc = count_for_glove(config, corpus, progress, tmp_dir=tmp_dir)
    count_seconds = time.perf_counter() - start
    with cooc:
        if path is not None and not reused:
            save_cooccurrence(cooc, path)
        result = train_glove(cooc, config, progress=progress)
        training = result.training_meta()
        training.update(
            {
                "vocabulary_size": len(result.words),
                "dim": int(result.vectors.shape[1]),
                "cooccurrence": {
                    **cooc.settings.to_dict(),
                    "vocab_size": cooc.vocab_size,
                    "nonzeros": cooc.nnz,
                    "file": str(path) if path is not None else None,
                    "reused": reused,
                    "seconds": round(count_seconds, 3),
                },
                "versions": _versions(),
            }
        )
        corpus_meta = cooc.meta.get("corpus")
        tokens = cooc.meta.get("tokens")
    store = VectorStore(
        result.words,
        result.vectors,
        counts=result.counts,
        meta={"training": training},
        name="glove",
    )
    if reused and corpus is None:
        store.meta["training"]["corpus"] = corpus_meta
        store.meta["training"]["corpus_tokens"] = tokens
    return store


def _versions() -> dict[str, str]:
    import platform

    import scipy

    from embtool import __version__

    return {
        "embtool": __version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "python": platform.python_version(),
    }
