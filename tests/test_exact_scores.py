"""Scores users see are exact: the same alone and in a batch, within [-1, 1], 1.0 for equal vectors."""

import numpy as np
import pytest

from embtool import VectorStore
from embtool.evaluation.benchmarks import SimilarityBenchmark, WordPair
from embtool.evaluation.pairs import evaluate_similarity
from embtool.similarity import AnalogyMethod, analogies, cosines64, neighbors, similarities


@pytest.fixture(scope="module")
def random_store() -> VectorStore:
    rng = np.random.default_rng(7)
    matrix = rng.standard_normal((5000, 50)).astype(np.float32)
    return VectorStore([f"w{i}" for i in range(5000)], matrix)


def _unit(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float64)
    return v / np.linalg.norm(v)


@pytest.mark.parametrize("method", list(AnalogyMethod))
def test_analogy_scores_same_alone_and_in_a_batch(random_store, method):
    rng = np.random.default_rng(1)
    queries = [[f"w{i}" for i in row] for row in rng.choice(5000, size=(700, 3))]
    one = analogies(random_store, queries[:1], k=3, method=method).results[0]
    many = analogies(random_store, queries, k=3, method=method).results[0]
    assert [(n.word, n.score) for n in one.answers] == [(n.word, n.score) for n in many.answers]


def test_analogy_scores_are_float64_hand_computed(random_store):
    a, b, c = (random_store.vector(w) for w in ("w1", "w2", "w3"))
    target = _unit(_unit(a) - _unit(b) + _unit(c))
    res = analogies(random_store, [["w1", "w2", "w3"]], k=3).results[0]
    for n in res.answers:
        assert n.score == pytest.approx(
            float(_unit(random_store.vector(n.word)) @ target), abs=1e-12
        )


def test_neighbor_scores_same_alone_and_in_a_batch(random_store):
    words = [f"w{i}" for i in range(0, 5000, 7)]
    one = neighbors(random_store, words[:1], k=5).results[0]
    many = neighbors(random_store, words, k=5).results[0]
    assert one.neighbors == many.neighbors
    q = _unit(random_store.vector(words[0]))
    best = one.neighbors[0]
    assert best.score == pytest.approx(float(_unit(random_store.vector(best.word)) @ q), abs=1e-12)


def _overshooting_vector() -> np.ndarray:
    """A vector v whose float32 cosine with 3v exceeds 1 (what printed 1.0000001)."""
    rng = np.random.default_rng(0)
    for _ in range(10_000):
        v = rng.standard_normal(20).astype(np.float32)
        u = v / np.linalg.norm(v)
        w = (3 * v) / np.linalg.norm(3 * v)
        if float(np.dot(u, w)) > 1.0:
            return v
    raise AssertionError("no overshooting vector found")


def test_similarity_of_parallel_vectors_is_at_most_one():
    v = _overshooting_vector()
    store = VectorStore(["Paris", "paris"], np.stack([v, 3 * v]))
    sim = similarities(store, [["Paris", "paris"]], fold_case=False).results[0].similarity
    assert sim <= 1.0
    assert sim == pytest.approx(1.0, abs=1e-12)


def test_equal_vectors_give_exactly_one_and_opposite_minus_one():
    rng = np.random.default_rng(5)
    v = rng.standard_normal((200, 30))
    assert (cosines64(v, v) == 1.0).all()
    assert (cosines64(v, -v) >= -1.0).all()


def test_spearman_with_exact_ties_matches_scipy():
    """Two OOV words share the mean vector and 'tiger tiger' is the same word: both cosines are
    exactly 1, so they tie in the ranking exactly as scipy ranks the exact values."""
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(11)
    words = ["tiger", "cat", "dog", "car", "bus", "sun", "moon", "tree"]
    matrix = rng.standard_normal((len(words), 16)).astype(np.float32)
    store = VectorStore(words, matrix)
    pairs = [
        ("tiger", "tiger", 10.0),
        ("unseen1", "unseen2", 9.0),
        ("cat", "dog", 8.0),
        ("car", "bus", 6.0),
        ("sun", "moon", 5.0),
        ("tree", "cat", 2.0),
        ("dog", "car", 1.0),
    ]
    bench = SimilarityBenchmark(
        "ties", "test", tuple(WordPair(a, b, s, i) for i, (a, b, s) in enumerate(pairs, 1))
    )
    result = evaluate_similarity(store, bench, oov="mean")
    unit = {w: _unit(store.vector(w)) for w in words}
    model = [1.0, 1.0] + [float(unit[a] @ unit[b]) for a, b, _ in pairs[2:]]
    expected = stats.spearmanr([p[2] for p in pairs], model)[0]
    assert result.spearman == pytest.approx(expected, abs=1e-12)
