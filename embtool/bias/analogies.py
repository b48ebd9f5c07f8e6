"""Stereotype analogies x : y :: she : he, generated as Bolukbasi et al. (2016) do.

Among the ``restrict`` most frequent words, every pair (x, y) with ||x - y|| <= delta on unit
vectors (delta = 1 in the paper, i.e. cos(x, y) >= 1/2) is scored by cos(she - he, x - y). Pairs are
taken greedily by |score|, each word at most once on each side (debiaswe
``best_analogies_dist_thresh``). The pair search is blocked matrix products, never a Python loop
over word pairs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from embtool.bias.direction import bias_direction
from embtool.errors import BiasError
from embtool.store import VectorStore

DELTA = 1.0
RESTRICT = 10_000
TOP = 100
MIN_SCORE = 1e-3
_BLOCK = 1024


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
    words_only: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> StereotypeAnalogies:
    """Pairs x : y analogous to ``a : b``, best first.

    ``words_only`` skips candidates that are not letters (numbers, punctuation), as debiaswe's
    word filter does. Raises: UnknownWordsError, BiasError.
    """
    if not 0 < delta <= 2:
        raise BiasError(f"--delta must be in (0, 2] (distance of unit vectors), got {delta}")
    direction = bias_direction(store, [(a, b)], method="pair")
    g = direction.vector.astype(np.float32)
    n = len(store) if restrict is None else min(restrict, len(store))
    rows = np.arange(n)
    if words_only:
        rows = np.array([i for i in range(n) if _is_plain(store.words[i])], dtype=np.int64)
    if len(rows) < 2:
        raise BiasError("fewer than 2 candidate words to pair up (raise --restrict)")
    unit = store.unit(rows)
    proj = unit @ g
    threshold = 1.0 - delta * delta / 2.0 - 1e-6  # float32 cosines: keep ||x - y|| == delta
    found_i: list[np.ndarray] = []
    found_j: list[np.ndarray] = []
    found_c: list[np.ndarray] = []
    for start in range(0, len(rows), _BLOCK):
        stop = min(start + _BLOCK, len(rows))
        # only j > i: each unordered pair once
        sims = unit[start:stop] @ unit[start:].T
        ii, jj = np.nonzero(sims >= threshold)
        keep = jj > ii
        ii, jj = ii[keep], jj[keep]
        found_i.append(ii + start)
        found_j.append(jj + start)
        found_c.append(sims[ii, jj])
        if progress is not None:
            progress(stop, len(rows))
    i = np.concatenate(found_i)
    j = np.concatenate(found_j)
    c = np.concatenate(found_c).astype(np.float64)
    dist = np.sqrt(np.maximum(2.0 - 2.0 * c, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = np.where(dist > 1e-6, (proj[i] - proj[j]) / dist, 0.0)
    order = np.argsort(-np.abs(scores), kind="stable")
    used_left: set[int] = set()
    used_right: set[int] = set()
    out: list[StereotypePair] = []
    for k in order:
        s = float(scores[k])
        if abs(s) < MIN_SCORE or len(out) >= top:
            break
        left, right = (int(i[k]), int(j[k])) if s > 0 else (int(j[k]), int(i[k]))
        if left in used_left or right in used_right:
            continue
        used_left.add(left)
        used_right.add(right)
        out.append(
            StereotypePair(
                store.words[rows[left]], store.words[rows[right]], abs(s), float(dist[k])
            )
        )
    return StereotypeAnalogies(direction.pairs[0], tuple(out), delta, len(rows), len(i))
