"""Stereotype analogies: closed-form toy and a brute-force debiaswe-style reference."""

import math

import numpy as np
import pytest

from embtool import VectorStore
from embtool.bias import stereotype_analogies
from embtool.errors import BiasError, UnknownWordsError


def brute_force(store, a, b, delta, top):
    """debiaswe's best_analogies_dist_thresh, written as plain loops over all pairs."""
    unit = np.asarray(store.vectors, dtype=np.float64)
    unit = unit / np.linalg.norm(unit, axis=1, keepdims=True)
    g = unit[store.row(a)] - unit[store.row(b)]
    g /= np.linalg.norm(g)
    cands = []
    n = len(store)
    for i in range(n):
        for j in range(i + 1, n):
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
    assert "42" not in {
        w for p in stereotype_analogies(store, "she", "he").pairs for w in (p.x, p.y)
    }
    with pytest.raises(UnknownWordsError):
        stereotype_analogies(store, "she", "they")
    with pytest.raises(BiasError, match="delta"):
        stereotype_analogies(store, "she", "he", delta=0)


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
