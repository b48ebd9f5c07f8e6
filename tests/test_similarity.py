"""Neighbours, analogies, similarity and odd-one-out: exact answers on the toy store, and gensim parity."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from embtool import VectorStore
from embtool.errors import UnknownWordsError, UsageError
from embtool.similarity import (
    AnalogyMethod,
    analogies,
    neighbors,
    odd_one_out,
    similarities,
    similarity,
    solve_analogies,
    top_k,
)


def _unit(v):
    v = np.asarray(v, dtype=np.float64)
    return v / np.linalg.norm(v)


# -- exact answers on the toy store ------------------------------------------------------------------
def test_king_minus_man_plus_woman_is_queen(toy_store):
    result = analogies(toy_store, [["king", "man", "woman"]], k=3).results[0]
    assert result.answers[0].word == "queen"
    expected = _unit(_unit([1, 1, 0, 0.2]) - _unit([0, 1, 0, 0.2]) + _unit([0, 0, 1, 0.2]))
    assert result.answers[0].score == pytest.approx(
        float(expected @ _unit([1, 0, 1, 0.2])), abs=1e-6
    )
    assert [a.word for a in result.answers] == ["queen", "princess", "the"]


def test_analogy_excludes_query_words_unless_asked(toy_store):
    default = analogies(toy_store, [["king", "man", "woman"]], k=12).results[0]
    assert not {"king", "man", "woman"} & {a.word for a in default.answers}
    assert len(default.answers) == 9
    with_query = analogies(toy_store, [["king", "man", "woman"]], k=12, include_query=True).results[
        0
    ]
    assert {"king", "woman"} <= {a.word for a in with_query.answers}
    assert len(with_query.answers) == 12


def test_neighbors_of_king_exact(toy_store):
    result = neighbors(toy_store, ["king"], k=2).results[0]
    king = _unit([1, 1, 0, 0.2])
    assert [n.word for n in result.neighbors] == ["prince", "the"]
    assert result.neighbors[0].score == pytest.approx(
        float(king @ _unit([0.9, 1, 0, 0.5])), abs=1e-6
    )


def test_similarity_hand_computed(toy_store):
    expected = float(_unit([1, 1, 0, 0.2]) @ _unit([1, 0, 1, 0.2]))
    assert similarity(toy_store, "king", "queen") == pytest.approx(expected, abs=1e-6)


def test_odd_one_out(toy_store):
    result = odd_one_out(toy_store, ["king", "queen", "prince", "apple"])
    assert result.odd == "apple"
    assert [s.score for s in result.scores] == sorted(s.score for s in result.scores)


def test_unknown_words_named_all_at_once_with_suggestions(toy_store):
    with pytest.raises(UnknownWordsError) as info:
        analogies(toy_store, [["kingg", "man", "womann"]])
    assert info.value.words == ["kingg", "womann"]
    assert info.value.suggestions["kingg"][0] == "king"
    assert "did you mean 'woman'" in str(info.value)


def test_case_folding_fallback_is_reported_in_result(toy_store):
    result = analogies(toy_store, [["King", "MAN", "woman"]]).results[0]
    assert result.query == ("King", "MAN", "woman")
    assert result.words == ("king", "man", "woman")
    with pytest.raises(UnknownWordsError):
        analogies(toy_store, [["King", "man", "woman"]], fold_case=False)


def test_skip_unknown_keeps_going(toy_store):
    batch = analogies(
        toy_store, [["king", "man", "woman"], ["xx", "man", "yy"]], k=1, skip_unknown=True
    )
    assert [r.answers[0].word for r in batch.results] == ["queen"]
    assert batch.skipped[0].missing == ("xx", "yy")


def test_wrong_arity_is_a_usage_error(toy_store):
    with pytest.raises(UsageError):
        analogies(toy_store, [["king", "man"]])
    with pytest.raises(UsageError):
        similarities(toy_store, [["king"]])
    with pytest.raises(UsageError):
        odd_one_out(toy_store, ["king", "queen"])


def test_restrict_limits_candidates(toy_store):
    result = neighbors(toy_store, ["king"], k=10, restrict=5).results[0]
    assert {n.word for n in result.neighbors} <= set(toy_store.words[:5])
    assert len(result.neighbors) == 4


def test_top_k_handles_k_larger_than_vocabulary(toy_store):
    rows, scores = top_k(toy_store, toy_store.unit([0]), 50)
    assert rows.shape == (1, len(toy_store))
    assert np.all(np.diff(scores[0]) <= 0)


def test_float16_store_gives_float32_arithmetic(toy_store):
    half = VectorStore(toy_store.words, np.asarray(toy_store.vectors, dtype=np.float16))
    result = analogies(half, [["king", "man", "woman"]], k=1).results[0]
    assert result.answers[0].word == "queen"


# -- parity with gensim on random vectors ---------------------------------------------------------------
@pytest.fixture(scope="module")
def random_pair():
    gensim = pytest.importorskip("gensim")
    rng = np.random.default_rng(42)
    vocab, dim = 3000, 24
    matrix = rng.standard_normal((vocab, dim)).astype(np.float32)
    words = [f"w{i}" for i in range(vocab)]
    kv = gensim.models.KeyedVectors(dim)
    kv.add_vectors(words, matrix)
    # small block size forces many blocks, exercising the running top-k merge
    return VectorStore(words, matrix), kv


def test_most_similar_parity(random_pair, monkeypatch):
    import embtool.similarity as sim

    monkeypatch.setattr(sim, "_BLOCK_ELEMENTS", 1)
    store, kv = random_pair
    queries = [f"w{i}" for i in range(0, 3000, 97)]
    batch = neighbors(store, queries, k=10)
    for res in batch.results:
        expected = kv.most_similar(res.query, topn=10)
        assert [n.word for n in res.neighbors] == [w for w, _ in expected]
        assert np.allclose([n.score for n in res.neighbors], [s for _, s in expected], atol=1e-5)


def test_most_similar_restrict_parity(random_pair):
    store, kv = random_pair
    res = neighbors(store, ["w7"], k=8, restrict=500).results[0]
    expected = kv.most_similar("w7", topn=8, restrict_vocab=500)
    assert [n.word for n in res.neighbors] == [w for w, _ in expected]


def test_analogy_add_parity(random_pair):
    store, kv = random_pair
    rng = np.random.default_rng(1)
    triples = rng.choice(3000, size=(40, 3), replace=False)
    queries = [[f"w{a}", f"w{b}", f"w{c}"] for a, b, c in triples]
    batch = analogies(store, queries, k=5)
    for (a, b, c), res in zip(queries, batch.results):
        expected = kv.most_similar(positive=[a, c], negative=[b], topn=5)
        assert [n.word for n in res.answers] == [w for w, _ in expected]
        assert np.allclose([n.score for n in res.answers], [s for _, s in expected], atol=1e-5)


def test_analogy_mul_parity_with_gensim_epsilon(random_pair):
    store, kv = random_pair
    queries = [["w1", "w2", "w3"], ["w100", "w200", "w300"], ["w5", "w2999", "w17"]]
    batch = analogies(store, queries, k=5, method=AnalogyMethod.mul, epsilon=1e-6)
    for (a, b, c), res in zip(queries, batch.results):
        expected = kv.most_similar_cosmul(positive=[a, c], negative=[b], topn=5)
        assert [n.word for n in res.answers] == [w for w, _ in expected]
        assert np.allclose([n.score for n in res.answers], [s for _, s in expected], atol=1e-5)


def test_mul_default_epsilon_is_levy_goldberg(toy_store):
    res = analogies(toy_store, [["king", "man", "woman"]], k=1, method="mul").results[0]
    u = {w: _unit(toy_store.vector(w)) for w in ("king", "man", "woman", "queen")}
    shifted = {w: (1 + u["queen"] @ u[w]) / 2 for w in ("king", "man", "woman")}
    expected = shifted["king"] * shifted["woman"] / (shifted["man"] + 0.001)
    assert res.answers[0].word == "queen"
    assert res.answers[0].score == pytest.approx(expected, rel=1e-6)


def test_similarity_and_doesnt_match_parity(random_pair):
    store, kv = random_pair
    pairs = [["w1", "w2"], ["w10", "w11"], ["w2999", "w0"]]
    batch = similarities(store, pairs)
    for (a, b), res in zip(pairs, batch.results):
        assert res.similarity == pytest.approx(float(kv.similarity(a, b)), abs=1e-6)
    group = ["w1", "w2", "w3", "w4", "w5"]
    assert odd_one_out(store, group).odd == kv.doesnt_match(group)


def test_batched_analogies_equal_single_queries(random_pair):
    store, _ = random_pair
    rows = np.arange(60).reshape(20, 3)
    batch_rows, batch_scores = solve_analogies(store, rows, k=4)
    for i, triple in enumerate(rows):
        one_rows, one_scores = solve_analogies(store, triple[None, :], k=4)
        assert batch_rows[i].tolist() == one_rows[0].tolist()
        assert np.allclose(batch_scores[i], one_scores[0], atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(st.floats(-10, 10, allow_nan=False, width=32), min_size=3, max_size=3),
        min_size=2,
        max_size=8,
    )
)
def test_cosine_is_bounded(rows):
    matrix = np.array(rows, dtype=np.float32)
    store = VectorStore([f"w{i}" for i in range(len(rows))], matrix)
    pairs = [[f"w{i}", f"w{j}"] for i in range(len(rows)) for j in range(len(rows))]
    for res in similarities(store, pairs).results:
        assert -1.0 - 1e-5 <= res.similarity <= 1.0 + 1e-5


def test_chunked_parallel_analogies_equal_one_batch(random_pair):
    from embtool.similarity import solve_analogies_chunked

    store, _ = random_pair
    rows = np.random.default_rng(3).choice(3000, size=(300, 3))
    one_rows, one_scores = solve_analogies(store, rows, k=3)
    seen = []
    par_rows, par_scores = solve_analogies_chunked(
        store, rows, k=3, chunk_size=37, threads=2, progress=seen.append
    )
    assert par_rows.tolist() == one_rows.tolist()
    # BLAS rounds float32 products differently for different batch shapes: compare to float32 noise
    np.testing.assert_allclose(par_scores, one_scores, rtol=0, atol=2e-5)
    assert (seen[-1].done, seen[-1].total, seen[-1].final) == (300, 300, True)
    assert seen[-1].stage == "analogy" and seen[-1].unit == "questions"
