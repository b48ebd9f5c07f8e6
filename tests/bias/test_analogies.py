"""Stereotype analogies: closed-form toy and a brute-force debiaswe-style reference."""

import math

import numpy as np
import pytest

from embtool import VectorStore
from embtool.bias import stereotype_analogies
from embtool.errors import InvalidOptionError, UnknownWordsError


def brute_force(store, a, b, delta, top):
    """debiaswe's best_analogies_dist_thresh, written as plain loops over all pairs (seed pair left out)."""
    unit = np.asarray(store.vectors, dtype=np.float64)
    unit = unit / np.linalg.norm(unit, axis=1, keepdims=True)
    g = unit[store.row(a)] - unit[store.row(b)]
    g /= np.linalg.norm(g)
    cands = []
    n = len(store)
    seed = {store.row(a), store.row(b)}
    for i in range(n):
        for j in range(i + 1, n):
            if {i, j} == seed:
                continue
            d = unit[i] - unit[j]
            dist = np.linalg.norm(d)
            if dist <= delta + 1e-9 and dist > 1e-6:
                cands.append((d @ g / dist, i, j, dist))
    cands.sort(key=lambda t: -abs(t[0]))
    left, right, out = set(), set(), []
    for s, i, j, dist in cands:
        if abs(s) < 1e-3 or len(out) == top:
            break
        x, y = (i, j) if s > 0 else (j, i)
        if x in left or y in right:
            continue
        left.add(x)
        right.add(y)
        out.append((store.words[x], store.words[y], abs(s), dist))
    return out


def test_closed_form_pairs():
    words = {
        "she": (1, 1, 0),
        "he": (-1, 1, 0),
        "homemaker": (1, 0, 2),
        "programmer": (-1, 0, 2),  # x - y along e0: score 1
        "housewife": (1, 0, 3),  # also pairs with programmer, but programmer is taken
        "table": (0, 0, 1),
        "chair": (0, 1, 1),  # x - y orthogonal to e0: score 0
    }
    store = VectorStore(list(words), np.array(list(words.values()), dtype=np.float32))
    r = stereotype_analogies(store, "she", "he", restrict=None)
    first = r.pairs[0]
    assert (first.x, first.y) == ("homemaker", "programmer")
    assert first.score == pytest.approx(1.0, abs=1e-6)
    assert first.distance == pytest.approx(math.sqrt(2 - 2 * 0.6), abs=1e-6)
    assert all(p.y != "programmer" for p in r.pairs[1:])
    assert all({p.x, p.y} != {"table", "chair"} for p in r.pairs)
    got = [(p.x, p.y) for p in r.pairs]
    want = [(x, y) for x, y, _, _ in brute_force(store, "she", "he", 1.0, 100)]
    assert got == want


@pytest.mark.parametrize("delta", [1.0, 1.2])
def test_matches_brute_force_on_random_vectors(delta):
    rng = np.random.default_rng(0)
    base = rng.normal(size=(6, 8))
    vecs = base[rng.integers(0, 6, 80)] + 0.6 * rng.normal(size=(80, 8))  # clusters: close pairs
    words = [f"w{i}" for i in range(80)]
    store = VectorStore(words, vecs.astype(np.float32))
    r = stereotype_analogies(
        store, "w0", "w1", delta=delta, restrict=None, top=30, words_only=False
    )
    ref = brute_force(store, "w0", "w1", delta, 30)
    assert [(p.x, p.y) for p in r.pairs] == [(x, y) for x, y, _, _ in ref]
    assert [p.score for p in r.pairs] == pytest.approx([s for _, _, s, _ in ref], abs=1e-5)
    assert r.candidates == 80


def test_restrict_and_filters():
    words = {"she": (1, 1), "he": (-1, 1), "xa": (1, 2), "yb": (-1, 2), "42": (1, 3)}
    store = VectorStore(list(words), np.array(list(words.values()), dtype=np.float32))
    r = stereotype_analogies(store, "she", "he", restrict=4)
    assert r.candidates == 4

    def words(**kw):
        r = stereotype_analogies(store, "she", "he", **kw)
        return {w for p in r.pairs for w in (p.x, p.y)}

    assert "42" not in words(words_only=True)
    assert "42" in words()  # no filter by default, as debiaswe
    with pytest.raises(UnknownWordsError):
        stereotype_analogies(store, "she", "they")
    with pytest.raises(InvalidOptionError, match=r"^delta must be in \(0, 2\]") as exc:
        stereotype_analogies(store, "she", "he", delta=0)
    assert (exc.value.option, exc.value.value) == ("delta", 0)


def test_many_picks_match_brute_force(monkeypatch):
    # every pair is close (delta 2) and nearly all words get picked: the kept best-pairs list runs
    # out and is refilled, and the answer must still equal the brute force
    import embtool.bias.analogies as mod

    calls = []
    real = mod._best_pairs

    def spy(*args, **kwargs):
        calls.append(args[3])
        return real(*args, **kwargs)

    monkeypatch.setattr(mod, "_best_pairs", spy)
    rng = np.random.default_rng(1)
    store = VectorStore([f"w{i}" for i in range(60)], rng.normal(size=(60, 5)).astype(np.float32))
    r = stereotype_analogies(store, "w0", "w1", delta=2.0, restrict=None, top=58, words_only=False)
    ref = brute_force(store, "w0", "w1", 2.0, 58)
    assert [(p.x, p.y) for p in r.pairs] == [(x, y) for x, y, _, _ in ref]
    assert r.close_pairs == 60 * 59 // 2
    assert len(calls) >= 2  # the refill happened


def debiaswe_numpy(unit, words, a, b, topn, max_words):
    """debiaswe's WordEmbedding.best_analogies_dist_thresh(v=she-he, thresh=1) re-done in NumPy:
    close pairs rows < cols with dots >= 1 - thresh/2, normalised differences scored against v,
    argsort by -|score|, greedy once per side; the seed pair dropped (embtool leaves it out)."""
    vecs = unit[:max_words]
    dots = vecs @ vecs.T
    rows, cols = np.nonzero(dots * (dots >= 1 - 1 / 2))
    keep = rows < cols
    rows, cols = rows[keep], cols[keep]
    seed = {words.index(a), words.index(b)}
    keep = np.array([{r, c} != seed for r, c in zip(rows, cols)])
    rows, cols = rows[keep], cols[keep]
    diffs = vecs[rows] - vecs[cols]
    diffs /= np.linalg.norm(diffs, axis=1, keepdims=True)
    v = unit[words.index(a)] - unit[words.index(b)]
    scores = diffs @ (v / np.linalg.norm(v))
    ans, used_l, used_r = [], set(), set()
    for i in np.argsort(-abs(scores), kind="stable"):
        if abs(scores[i]) < 0.001:
            break
        row, col = (rows[i], cols[i]) if scores[i] > 0 else (cols[i], rows[i])
        if row in used_l or col in used_r:
            continue
        used_l.add(row)
        used_r.add(col)
        ans.append((words[row], words[col]))
        if len(ans) == topn:
            break
    return ans


def test_default_order_equals_debiaswe_and_leaves_out_the_seed_pair():
    rng = np.random.default_rng(3)
    base = rng.normal(size=(5, 6))
    vecs = base[rng.integers(0, 5, 120)] + 0.5 * rng.normal(size=(120, 6))
    words = ["she", "he", "42", "n-1"] + [f"w{i}" for i in range(116)]
    vecs[1] = vecs[0] + 0.2 * rng.normal(size=6)  # she and he close: the seed pair is a candidate
    store = VectorStore(words, vecs.astype(np.float32))
    unit = np.asarray(store.vectors, dtype=np.float64)
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    r = stereotype_analogies(store, "she", "he", restrict=100, top=40)
    got = [(p.x, p.y) for p in r.pairs]
    assert got == debiaswe_numpy(unit, words, "she", "he", 40, 100)
    assert ("she", "he") not in got
    assert r.candidates == 100  # '42' and 'n-1' are candidates: no filter by default
