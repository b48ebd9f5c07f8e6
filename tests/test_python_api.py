"""The Python API: real exports, gensim-style methods checked against gensim, KeyedVectors round trip."""

import pydoc

import numpy as np
import pytest

import embtool
from embtool import VectorStore
from embtool.bias.direction import direction_from_vector, project


@pytest.fixture(scope="module")
def pair():
    gensim = pytest.importorskip("gensim")
    rng = np.random.default_rng(21)
    words = [f"w{i}" for i in range(2000)]
    matrix = rng.standard_normal((2000, 20)).astype(np.float32)
    kv = gensim.models.KeyedVectors(20)
    kv.add_vectors(words, matrix)
    return VectorStore(words, matrix, counts=list(range(5000, 3000, -1))), kv


def test_every_name_in_the_package_help_exists():
    text = pydoc.render_doc(embtool, renderer=pydoc.plaintext)
    assert "analogy(store" not in text
    for name in embtool.__all__:
        assert hasattr(embtool, name), name
    assert callable(embtool.analogies) and callable(embtool.most_similar)


@pytest.mark.parametrize(
    ("positive", "negative"),
    [(["w1"], []), (["w1", "w2"], ["w3"]), (["w4", "w5", "w6"], ["w7", "w8"]), ([], ["w9"])],
)
def test_most_similar_matches_gensim(pair, positive, negative):
    store, kv = pair
    ours = store.most_similar(positive=positive, negative=negative, topn=10)
    theirs = kv.most_similar(positive=positive, negative=negative, topn=10)
    assert [w for w, _ in ours] == [w for w, _ in theirs]
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-5)


def test_most_similar_restrict_vocab_matches_gensim(pair):
    store, kv = pair
    ours = store.most_similar("w1500", topn=5, restrict_vocab=300)
    theirs = kv.most_similar("w1500", topn=5, restrict_vocab=300)
    assert [w for w, _ in ours] == [w for w, _ in theirs]


def test_similarity_matches_gensim(pair):
    store, kv = pair
    for a, b in [("w1", "w2"), ("w10", "w1999"), ("w5", "w5")]:
        assert store.similarity(a, b) == pytest.approx(float(kv.similarity(a, b)), abs=1e-5)


def test_keyed_vectors_round_trip(pair):
    store, _ = pair
    kv = store.to_keyed_vectors()
    assert kv.index_to_key == store.words
    assert np.array_equal(kv.vectors, store.vectors)
    assert kv.get_vecattr("w0", "count") == 5000
    back = VectorStore.from_keyed_vectors(kv)
    assert back.words == store.words
    assert np.array_equal(back.vectors, store.vectors)
    assert back.counts.tolist() == store.counts.tolist()


def test_project_sorts_as_the_command_does():
    store = VectorStore(
        ["low", "high", "mid"], np.array([[-1.0, 1], [1, 0.1], [0.2, 1]], dtype=np.float32)
    )
    found = project(store, ["low", "high", "mid"], direction_from_vector([1.0, 0.0]))
    assert [w for w, _ in found] == ["high", "mid", "low"]


def test_similarity_module_is_not_shadowed():
    import embtool.similarity as module

    assert embtool.similarity is module
