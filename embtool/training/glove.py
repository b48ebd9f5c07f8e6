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
sparse-matrix product per side), then one AdaGrad step is taken per touched row. Optional
``grad_clip`` clips each element of that summed gradient. Results are bit-reproducible for a seed,
with one or two workers (the two workers update the disjoint word and context sides of a batch).

Biases are kept as extra columns: a word row is ``[w, b, 1]`` and a context row ``[c, 1, b~]``,
so one dot product gives ``w.c + b + b~`` and one gradient step updates vector and bias together
(the constant columns get a zero gradient).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

import numpy as np

from embtool.errors import TrainingError

if TYPE_CHECKING:
    from embtool.training.cooccurrence import Cooccurrence

_POS_BITS = 24  # batch positions packed below the row id in one int64 sort key


class OutputVectors(str, Enum):
    """Which trained parameters become the word vectors."""

    w_plus_c = "w+c"
    w = "w"
    concat = "concat"


@dataclass(frozen=True)
class GloveConfig:
    """Every GloVe hyper-parameter (defaults: the reference ``glove`` tool's, batch aside)."""

    dim: int = 50
    epochs: int = 25
    x_max: float = 100.0
    alpha: float = 0.75
    learning_rate: float = 0.05
    batch_size: int = 16384
    grad_clip: float | None = None
    seed: int = 1
    output_vectors: OutputVectors = OutputVectors.w_plus_c
    workers: int = 1

    def validate(self) -> None:
        """Raises: TrainingError naming the first bad value and its allowed range."""
        checks = [
            (self.dim >= 1, f"--dim must be at least 1, not {self.dim}"),
            (self.epochs >= 1, f"--epochs must be at least 1, not {self.epochs}"),
            (self.x_max > 0, f"--x-max must be positive, not {self.x_max}"),
            (self.alpha > 0, f"--alpha must be positive, not {self.alpha}"),
            (self.learning_rate > 0, f"--learning-rate must be positive, not {self.learning_rate}"),
            (
                1 <= self.batch_size < 1 << _POS_BITS,
                f"--batch-size must be between 1 and {(1 << _POS_BITS) - 1}, not {self.batch_size}",
            ),
            (
                self.grad_clip is None or self.grad_clip > 0,
                f"--grad-clip must be positive, not {self.grad_clip}",
            ),
            (self.workers in (1, 2), f"--workers must be 1 or 2 for GloVe, not {self.workers}"),
        ]
        for ok, message in checks:
            if not ok:
                raise TrainingError(message)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["output_vectors"] = self.output_vectors.value
        return d


@dataclass(frozen=True)
class Progress:
    """One progress report: ``done`` of ``total`` nonzeros of epoch ``epoch`` (1-based).

    ``cost`` is the running mean cost of the epoch so far; ``epoch_done`` marks the epoch's last
    report, whose cost is the epoch's cost.
    """

    epoch: int
    epochs: int
    done: int
    total: int
    cost: float
    epoch_done: bool = False


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
            **self.config.to_dict(),
            "nonzeros": self.nnz,
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
        fdiff *= np.float32(scale)
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
    progress: Callable[[Progress], None] | None = None,
    report_every: int = 64,
) -> GloveResult:
    """Train GloVe on the nonzeros of ``cooc`` and return the vectors with per-epoch costs.

    ``progress`` is called every ``report_every`` batches and at the end of each epoch.

    Raises: TrainingError for bad settings, an empty matrix, or a diverging run (NaN cost).
    """
    config = config or GloveConfig()
    config.validate()
    t_start = time.perf_counter()
    cpu_start = time.process_time()
    rows, cols, x = cooc.triples()
    nnz = int(x.size)
    if nnz == 0:
        raise TrainingError(
            "no co-occurring word pairs to train on: the corpus needs lines of at least two "
            "vocabulary words (lower --min-count or use a bigger corpus)"
        )
    logx = np.log(x, dtype=np.float32)
    fx = weighting(x, config.x_max, config.alpha)
    del x
    rng = np.random.default_rng(config.seed)
    W, C, HW, HC = init_params(cooc.vocab_size, config.dim, rng)
    lr = float(config.learning_rate)
    clip = None if config.grad_clip is None else lr * config.grad_clip
    batch = min(config.batch_size, nnz)
    pos = np.arange(batch, dtype=np.int64)
    order = np.arange(nnz, dtype=np.int32 if nnz < 2**31 else np.int64)
    pool = ThreadPoolExecutor(max_workers=1) if config.workers == 2 else None
    stats: list[EpochStats] = []
    try:
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
                    side = pool.submit(adagrad_step, C, HC, uj, GC, Cu, clip)
                    adagrad_step(W, HW, ui, GW, Wu, clip)
                    side.result()
                else:
                    adagrad_step(W, HW, ui, GW, Wu, clip)
                    adagrad_step(C, HC, uj, GC, Cu, clip)
                if progress is not None and b % report_every == report_every - 1:
                    done = min(start + batch, nnz)
                    progress(Progress(epoch, config.epochs, done, nnz, cost / done))
            mean = cost / nnz
            if not math.isfinite(mean):
                raise TrainingError(
                    f"GloVe diverged: the cost is {mean} at epoch {epoch}; lower --learning-rate "
                    f"(now {lr:g}) or set --grad-clip"
                )
            stats.append(
                EpochStats(epoch, mean, time.perf_counter() - t0, time.process_time() - c0)
            )
            if progress is not None:
                progress(Progress(epoch, config.epochs, nnz, nnz, mean, epoch_done=True))
    finally:
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
        epochs=stats,
        seconds=time.perf_counter() - t_start,
        cpu_seconds=time.process_time() - cpu_start,
    )
