"""Issue 6 speed: stereotype analogies, WEAT permutation p-values and hard debias.

Run by hand from the repository root:  nice python -m benchmarks.bench_bias [--words 5000]
Each figure is printed next to an anchor measured in the same run, on the same data, and the
answers are checked to be identical:
- analogies: `stereotype_analogies` (blocked matrix products, best pairs kept per block) vs
  debiaswe's `best_analogies_dist_thresh` recipe (dense all-pairs dot matrix, sparse threshold,
  a Python loop building every close pair's difference vector), on clustered vectors.
- weat-p:    the exact permutation p over all C(16, 8) = 12,870 partitions and 10,000 sampled
  partitions vs a plain Python loop over `itertools.combinations` / `random.sample`.
- debias:    `hard_debias` on a synthetic store vs debiaswe's word-by-word neutralize loop.
"""

from __future__ import annotations

import argparse
import itertools
import random
from collections import Counter

import numpy as np

from benchmarks.common import best_of, report
from embtool import VectorStore
from embtool.bias import hard_debias, stereotype_analogies
from embtool.bias.weat import permutation_p


def clustered_store(n: int, dim: int, seed: int = 0) -> VectorStore:
    """Words in clusters of ~10, so that many pairs lie within ||x - y|| <= 1 as in real vectors."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((max(1, n // 10), dim))
    vecs = centres[rng.integers(0, len(centres), n)] + 0.8 * rng.standard_normal((n, dim))
    words = ["she", "he"] + [f"w{i}" for i in range(2, n)]
    return VectorStore(words, vecs.astype(np.float32))


def debiaswe_analogies(store: VectorStore, a: str, b: str, thresh: float, topn: int):
    """debiaswe we.py: compute_neighbors_if_necessary + best_analogies_dist_thresh."""
    import scipy.sparse

    vecs = np.asarray(store.vectors, dtype=np.float32)
    vecs = vecs / np.linalg.norm(vecs, axis=1, keepdims=True)
    v = vecs[store.row(a)] - vecs[store.row(b)]
    dots = vecs.dot(vecs.T)
    dots = scipy.sparse.csr_matrix(dots * (dots >= 1 - thresh / 2))
    rows, cols = dots.nonzero()
    Counter(rows)  # debiaswe prints neighbour statistics from this
    rows, cols, diffs = zip(
        *[(i, j, vecs[i] - vecs[j]) for i, j, _ in zip(rows, cols, dots.data) if i < j]
    )
    diffs = np.array([d / np.linalg.norm(d) for d in diffs])
    scores = diffs.dot(v / np.linalg.norm(v))
    pi = np.argsort(-abs(scores))
    ans, used_l, used_r = [], set(), set()
    for i in pi:
        if abs(scores[i]) < 0.001:
            break
        row = rows[i] if scores[i] > 0 else cols[i]
        col = cols[i] if scores[i] > 0 else rows[i]
        if row in used_l or col in used_r:
            continue
        used_l.add(row)
        used_r.add(col)
        ans.append((store.words[row], store.words[col]))
        if len(ans) == topn:
            break
    return ans


def python_exact_p(s: np.ndarray, nx: int, observed: float) -> float:
    total = float(s.sum())
    values = s.tolist()
    hits = count = 0
    for combo in itertools.combinations(range(len(values)), nx):
        stat = 2 * sum(values[i] for i in combo) - total
        hits += stat >= observed - 1e-12
        count += 1
    return hits / count


def python_sampled_count(s: np.ndarray, nx: int, observed: float, r: int, seed: int) -> int:
    rnd = random.Random(seed)
    total = float(s.sum())
    values = s.tolist()
    idx = list(range(len(values)))
    return sum(
        2 * sum(values[i] for i in rnd.sample(idx, nx)) - total >= observed - 1e-12
        for _ in range(r)
    )


def debiaswe_neutralize(vecs: np.ndarray, words: list[str], specific: set[str], g: np.ndarray):
    out = vecs / np.linalg.norm(vecs, axis=1, keepdims=True)
    for i, w in enumerate(words):
        if w not in specific:
            u = out[i]
            out[i] = u - g * u.dot(g) / g.dot(g)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=5000, help="analogy candidates")
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--debias-words", type=int, default=100_000)
    args = parser.parse_args()

    # 1. stereotype analogies
    store = clustered_store(args.words, args.dim)
    ours = stereotype_analogies(store, "she", "he", restrict=None, top=100, words_only=False)
    anchor = debiaswe_analogies(store, "she", "he", 1.0, 100)
    assert [(p.x, p.y) for p in ours.pairs] == anchor, "answers differ"
    t_ours = best_of(
        lambda: stereotype_analogies(store, "she", "he", restrict=None, top=100, words_only=False)
    )
    t_anchor = best_of(lambda: debiaswe_analogies(store, "she", "he", 1.0, 100), repeat=1)
    print(f"analogies: {args.words} words x {args.dim}, {ours.close_pairs:,} pairs within 1")
    report("stereotype analogies (top 100)", t_ours, t_anchor, "debiaswe")

    # 2. WEAT permutation p
    rng = np.random.default_rng(1)
    s = rng.normal(size=16) + np.r_[np.full(8, 0.4), np.zeros(8)]
    observed = float(s[:8].sum() - s[8:].sum())
    p_ours = permutation_p(s, 8, observed)[0]
    assert p_ours == python_exact_p(s, 8, observed), "exact p differs"
    t_ours = best_of(lambda: permutation_p(s, 8, observed))
    t_anchor = best_of(lambda: python_exact_p(s, 8, observed), repeat=1)
    report("WEAT exact p, 12,870 partitions", t_ours, t_anchor, "python loop")
    t_ours = best_of(lambda: permutation_p(s, 8, observed, exact_limit=0, permutations=10_000))
    t_anchor = best_of(lambda: python_sampled_count(s, 8, observed, 10_000, 0), repeat=1)
    report("WEAT sampled p, R = 10,000", t_ours, t_anchor, "python loop")

    # 3. hard debias
    n = args.debias_words
    vecs = np.random.default_rng(2).standard_normal((n, args.dim)).astype(np.float32)
    words = ["she", "he", "woman", "man"] + [f"w{i}" for i in range(4, n)]
    big = VectorStore(words, vecs)
    pairs = [("she", "he"), ("woman", "man")]
    specific = ["she", "he", "woman", "man"]
    new, info = hard_debias(big, definitional=pairs, equalize=[], gender_specific=specific)
    ref = debiaswe_neutralize(vecs.copy(), words, set(specific), info.direction.vector)
    assert np.allclose(new.vectors, ref, atol=1e-5), "debiased vectors differ"
    t_ours = best_of(
        lambda: hard_debias(big, definitional=pairs, equalize=[], gender_specific=specific)
    )
    t_anchor = best_of(
        lambda: debiaswe_neutralize(vecs.copy(), words, set(specific), info.direction.vector),
        repeat=1,
    )
    report(f"hard debias, {n:,} x {args.dim}", t_ours, t_anchor, "debiaswe loop")


if __name__ == "__main__":
    main()
