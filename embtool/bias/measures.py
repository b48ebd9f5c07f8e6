"""Other association measures: RIPA, ECT and RND, each over two groups and a set of words.

- **RIPA** (Ethayarajh, Duvenaud & Hirst 2019): for a pair (x, y), b = (x - y) / ||x - y|| and
  RIPA(w) = <w, b>, an inner product with the word's own vector (not unit-normalised by default,
  as in the paper). With several pairs, the value is averaged over pairs (as WEFE does).
- **ECT**, the Embedding Coherence Test (Dev & Phillips 2019): with m1, m2 the mean vectors of two
  groups, rank the attribute words by cos(m1, a) and by cos(m2, a); ECT is the Spearman correlation
  of the two rankings, in [-1, 1]; 1 means both groups relate to the words alike (no bias).
- **RND**, the Relative Norm Distance (Garg, Schiebinger, Jurafsky & Zou 2018): with v1, v2 the
  group mean vectors, RND = sum_w ||w - v1|| - ||w - v2||; positive means the words sit closer to
  group 2. Garg et al. sum over words; WEFE reports the mean (both are returned).

``normalize`` says whether word vectors are unit-normalised before anything else (ECT and RND
default to yes, RIPA to no).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from embtool.bias.wordsets import Lookup, lookup
from embtool.errors import BiasError
from embtool.vectors.store import VectorStore


@dataclass(frozen=True)
class GroupCoverage:
    name: str
    requested: int
    words: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def coverage(self) -> float:
        return len(self.words) / self.requested if self.requested else 0.0


@dataclass(frozen=True)
class WordScore:
    word: str
    value: float
    std: float | None = None  # RIPA: spread over the pairs


@dataclass(frozen=True)
class MeasureResult:
    """One measure over two groups and a word set: overall value and the per-word values."""

    measure: str
    value: float
    words: tuple[WordScore, ...]
    groups: tuple[GroupCoverage, ...]
    attributes: GroupCoverage
    normalize: bool
    extra: dict[str, float]


def _vectors(store: VectorStore, rows: Sequence[int], normalize: bool) -> np.ndarray:
    vecs = store.rows(np.asarray(rows, dtype=np.int64)).astype(np.float64)
    if normalize:
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        vecs = vecs / np.where(norms == 0, 1.0, norms)
    return vecs


def _group(store: VectorStore, name: str, words: Sequence[str], fold_case: bool) -> Lookup:
    found = lookup(store, words, fold_case=fold_case)
    if not found.requested:
        raise BiasError(f"the {name} word set is empty")
    if not found.words:
        shown = ", ".join(repr(w) for w in found.missing[:8])
        raise BiasError(
            f"none of the {len(found.requested)} {name} words is in the vectors "
            f"({store.name}): {shown}{' ...' if len(found.missing) > 8 else ''}"
        )
    return found


def _cov(name: str, found: Lookup) -> GroupCoverage:
    return GroupCoverage(name, len(found.requested), found.words, found.missing)


def ripa(
    store: VectorStore,
    pairs: Sequence[tuple[str, str]],
    words: Sequence[str],
    *,
    normalize: bool = False,
    fold_case: bool = True,
) -> MeasureResult:
    """RIPA of each word w.r.t. the relation vector of each pair, averaged over the pairs.

    Pairs with a word missing from the vectors are dropped (and reported as missing).
    Raises: BiasError (no usable pair, identical pair vectors, no word found).
    """
    if not pairs:
        raise BiasError("RIPA needs at least one pair of words (e.g. she he)")
    firsts = _group(store, "first-of-pair", [a for a, _ in pairs], fold_case)
    seconds = _group(store, "second-of-pair", [b for _, b in pairs], fold_case)
    usable: list[tuple[int, int]] = []
    used_pairs: list[tuple[str, str]] = []
    for a, b in pairs:
        fa, fb = lookup(store, [a], fold_case=fold_case), lookup(store, [b], fold_case=fold_case)
        if fa.rows and fb.rows:
            usable.append((fa.rows[0], fb.rows[0]))
            used_pairs.append((fa.words[0], fb.words[0]))
    if not usable:
        raise BiasError("no RIPA pair has both words in the vectors")
    x = _vectors(store, [r[0] for r in usable], normalize)
    y = _vectors(store, [r[1] for r in usable], normalize)
    diff = x - y
    norms = np.linalg.norm(diff, axis=1)
    if np.any(norms < 1e-12):
        bad = used_pairs[int(np.argmin(norms))]
        raise BiasError(f"RIPA pair {bad[0]!r} - {bad[1]!r} has identical vectors")
    b = diff / norms[:, None]
    target = _group(store, "RIPA", words, fold_case)
    w = _vectors(store, target.rows, normalize)
    scores = w @ b.T  # (words, pairs)
    mean = scores.mean(axis=1)
    std = scores.std(axis=1) if len(usable) > 1 else None
    per_word = tuple(
        WordScore(word, float(mean[i]), None if std is None else float(std[i]))
        for i, word in enumerate(target.words)
    )
    return MeasureResult(
        "ripa",
        float(mean.mean()),
        per_word,
        (_cov("first of each pair", firsts), _cov("second of each pair", seconds)),
        _cov("words", target),
        normalize,
        {"pairs": float(len(usable))},
    )


def _means(store: VectorStore, g1: Lookup, g2: Lookup, normalize: bool):
    return (
        _vectors(store, g1.rows, normalize).mean(axis=0),
        _vectors(store, g2.rows, normalize).mean(axis=0),
    )


def ect(
    store: VectorStore,
    group1: Sequence[str],
    group2: Sequence[str],
    attributes: Sequence[str],
    *,
    normalize: bool = True,
    fold_case: bool = True,
    names: tuple[str, str] = ("group 1", "group 2"),
) -> MeasureResult:
    """Embedding Coherence Test: Spearman rho of cos(m1, a) and cos(m2, a) over attributes a.

    Raises: BiasError (a set with no word in the vectors, fewer than 2 attributes).
    """
    from scipy.stats import spearmanr

    g1 = _group(store, names[0], group1, fold_case)
    g2 = _group(store, names[1], group2, fold_case)
    attr = _group(store, "attribute", attributes, fold_case)
    if len(attr.words) < 2:
        raise BiasError("ECT needs at least 2 attribute words in the vectors")
    m1, m2 = _means(store, g1, g2, normalize)
    a = _vectors(store, attr.rows, normalize)
    a_unit = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-300)
    c1 = a_unit @ (m1 / np.linalg.norm(m1))
    c2 = a_unit @ (m2 / np.linalg.norm(m2))
    with warnings.catch_warnings():  # a constant input is reported below as a BiasError
        warnings.simplefilter("ignore")
        rho = float(spearmanr(c1, c2).statistic)
    if not np.isfinite(rho):
        raise BiasError("ECT undefined: the similarities to one group are all equal")
    per_word = tuple(WordScore(w, float(x - y)) for w, x, y in zip(attr.words, c1, c2, strict=True))
    return MeasureResult(
        "ect",
        rho,
        per_word,
        (_cov(names[0], g1), _cov(names[1], g2)),
        _cov("attributes", attr),
        normalize,
        {},
    )


def rnd(
    store: VectorStore,
    group1: Sequence[str],
    group2: Sequence[str],
    attributes: Sequence[str],
    *,
    normalize: bool = True,
    fold_case: bool = True,
    names: tuple[str, str] = ("group 1", "group 2"),
) -> MeasureResult:
    """Relative Norm Distance: sum over attributes of ||a - v1|| - ||a - v2|| (Garg et al.).

    ``value`` is the sum (Garg et al.); ``extra["mean"]`` the mean (WEFE). Raises: BiasError.
    """
    g1 = _group(store, names[0], group1, fold_case)
    g2 = _group(store, names[1], group2, fold_case)
    attr = _group(store, "attribute", attributes, fold_case)
    v1, v2 = _means(store, g1, g2, normalize)
    a = _vectors(store, attr.rows, normalize)
    per = np.linalg.norm(a - v1, axis=1) - np.linalg.norm(a - v2, axis=1)
    per_word = tuple(WordScore(w, float(v)) for w, v in zip(attr.words, per, strict=True))
    return MeasureResult(
        "rnd",
        float(per.sum()),
        per_word,
        (_cov(names[0], g1), _cov(names[1], g2)),
        _cov("attributes", attr),
        normalize,
        {"mean": float(per.mean())},
    )
