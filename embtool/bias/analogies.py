"""Stereotype analogies x : y :: she : he, generated as Bolukbasi et al. (2016) do.

Among the ``restrict`` most frequent words, every pair (x, y) with ||x - y|| <= delta on unit
vectors (delta = 1 in the paper, i.e. cos(x, y) >= 1/2) is scored by cos(she - he, x - y). Pairs are
taken greedily by |score|, each word at most once on each side (debiaswe
``best_analogies_dist_thresh``), except the seed pair itself (a : b scores 1 and says nothing).
Like debiaswe, every token is a candidate unless ``words_only``. The pair search is blocked matrix products, never a Python loop
over word pairs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from embtool.bias.direction import bias_direction
from embtool.errors import BiasError, InvalidOptionError
from embtool.vectors.store import VectorStore

DELTA = 1.0
RESTRICT = 10_000
TOP = 100
MIN_SCORE = 1e-3
_BLOCK = 512


@dataclass(frozen=True)
class StereotypePair:
    x: str  # on the side of the first seed word (she)
    y: str  # on the side of the second (he)
    score: float  # cos(she - he, x - y)
    distance: float  # ||x - y|| on unit vectors


@dataclass(frozen=True)
class StereotypeAnalogies:
    seed: tuple[str, str]
    pairs: tuple[StereotypePair, ...]
    delta: float
    candidates: int  # words searched
    close_pairs: int  # pairs within delta


def _is_plain(word: str) -> bool:
    return word.replace("_", "").replace("-", "").isalpha()


def stereotype_analogies(
    store: VectorStore,
    a: str,
    b: str,
    *,
    delta: float = DELTA,
    restrict: int | None = RESTRICT,
    top: int = TOP,
    words_only: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> StereotypeAnalogies:
    """Pairs x : y analogous to ``a : b``, best first.

    ``words_only`` skips candidates that are not letters (numbers, punctuation); debiaswe has no
    such filter, so it is off by default. The pair ``a : b`` itself is never listed.
    Raises: UnknownWordsError, BiasError.
    """
    if not 0 < delta <= 2:
        raise InvalidOptionError("delta", "must be in (0, 2] (distance of unit vectors)", delta)
    direction = bias_direction(store, [(a, b)], method="pair")
    g = direction.vector.astype(np.float32)
    n = len(store) if restrict is None else min(restrict, len(store))
    rows = np.arange(n)
    if words_only:
        rows = np.array([i for i in range(n) if _is_plain(store.words[i])], dtype=np.int64)
    if len(rows) < 2:
        raise BiasError("fewer than 2 candidate words to pair up (raise `restrict`)")
    unit = store.unit(rows)
    proj = unit @ g
    threshold = 1.0 - delta * delta / 2.0 - 1e-6  # float32 cosines: keep ||x - y|| == delta
    keep = max(20 * top, 1000)
    while True:
        i, j, scores, dist, close = _best_pairs(unit, proj, threshold, keep, progress)
        seed = {store.row(a), store.row(b)}
        out = _greedy(store, rows, i, j, scores, dist, top, seed)
        # the greedy pass only ever needs the best-scored pairs; if it ran through all we kept
        # without filling ``top`` and more close pairs exist, keep more and redo
        if len(out) >= top or len(i) >= close or (len(i) and abs(scores[-1]) < MIN_SCORE):
            break
        keep *= 8
    return StereotypeAnalogies(direction.pairs[0], tuple(out), delta, len(rows), close)


def _best_pairs(
    unit: np.ndarray,
    proj: np.ndarray,
    threshold: float,
    keep: int,
    progress: Callable[[int, int], None] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """The ``keep`` close pairs (i < j) with the largest |score|, best first, and the close count."""
    n = len(unit)
    best_i: list[np.ndarray] = []
    best_j: list[np.ndarray] = []
    best_s: list[np.ndarray] = []
    best_d: list[np.ndarray] = []
    close = 0
    for start in range(0, n, _BLOCK):
        stop = min(start + _BLOCK, n)
        sims = unit[start:stop] @ unit[start:].T  # columns from ``start``: pairs j > i only
        mask = sims >= threshold
        mask &= np.arange(n - start)[None, :] > np.arange(stop - start)[:, None]
        ii, jj = np.nonzero(mask)
        close += len(ii)
        if len(ii):
            c = sims[ii, jj].astype(np.float64)
            d = np.sqrt(np.maximum(2.0 - 2.0 * c, 0.0))
            gi = ii + start
            jj = jj + start
            with np.errstate(divide="ignore", invalid="ignore"):
                s = np.where(d > 1e-6, (proj[gi] - proj[jj]) / d, 0.0)
            if len(s) > keep:
                top = np.argpartition(-np.abs(s), keep - 1)[:keep]
                gi, jj, s, d = gi[top], jj[top], s[top], d[top]
            best_i.append(gi)
            best_j.append(jj)
            best_s.append(s)
            best_d.append(d)
        if progress is not None:
            progress(stop, n)
    if not best_i:
        empty = np.zeros(0)
        return empty.astype(np.int64), empty.astype(np.int64), empty, empty, 0
    i, j = np.concatenate(best_i), np.concatenate(best_j)
    s, d = np.concatenate(best_s), np.concatenate(best_d)
    order = np.lexsort((j, i, -np.abs(s)))[:keep]  # by |score|, ties by (i, j): deterministic
    return i[order], j[order], s[order], d[order], close


def _greedy(
    store: VectorStore,
    rows: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    scores: np.ndarray,
    dist: np.ndarray,
    top: int,
    seed: set[int],
) -> list[StereotypePair]:
    """debiaswe's selection: best |score| first, each word at most once on each side; the seed
    pair (store rows ``seed``) is left out."""
    used_left: set[int] = set()
    used_right: set[int] = set()
    out: list[StereotypePair] = []
    for k in range(len(i)):
        s = float(scores[k])
        if abs(s) < MIN_SCORE or len(out) >= top:
            break
        left, right = (int(i[k]), int(j[k])) if s > 0 else (int(j[k]), int(i[k]))
        if {int(rows[left]), int(rows[right])} == seed:
            continue
        if left in used_left or right in used_right:
            continue
        used_left.add(left)
        used_right.add(right)
        out.append(
            StereotypePair(
                store.words[rows[left]], store.words[rows[right]], abs(s), float(dist[k])
            )
        )
    return out
