"""Bias direction, projections, DirectBias and indirect bias on vectors with closed-form answers."""

import math

import numpy as np
import pytest

from embtool import VectorStore
from embtool.bias import (
    bias_direction,
    bolukbasi_professions,
    direct_bias,
    indirect_bias,
    load_direction,
    neutral_professions,
    project,
    save_direction,
)
from embtool.errors import BiasError, OutputError, UnknownWordsError
from tests.bias.conftest import PAIRS


def test_pca_direction_is_the_gender_axis(bias_store):
    d = bias_direction(bias_store, PAIRS)
    assert d.method == "pca"
    assert d.vector.dtype == np.float64 and d.vector.shape == (4,)
    np.testing.assert_allclose(d.vector, [1, 0, 0, 0], atol=1e-12)
    assert d.pairs == tuple(PAIRS)
    assert d.explained_variance_ratio[0] == pytest.approx(1.0, abs=1e-12)
    assert len(d.explained_variance_ratio) == 3
    assert d.dominant


def test_pca_direction_closed_form_two_axes():
    # unit differences d1 = (2, 0), d2 = (6/5, 0), d3 = (3/5, -3/5) in the first two axes;
    # the centred rows are +-d/2, so PC1 is the top eigenvector of sum d d^T.
    store = VectorStore(
        ["she", "he", "woman", "man", "mother", "father"],
        np.array(
            [[1, 0, 0], [-1, 0, 0], [3, 0, 4], [-3, 0, 4], [3, 0, 4], [0, 3, 4]], dtype=np.float32
        ),
    )
    d = bias_direction(store, [("she", "he"), ("woman", "man"), ("mother", "father")])
    m = np.array([[4 + 1.44 + 0.36, -0.36], [-0.36, 0.36]])
    tr, det = np.trace(m), np.linalg.det(m)
    lam1 = (tr + math.sqrt(tr * tr - 4 * det)) / 2
    lam2 = tr - lam1
    assert d.explained_variance_ratio[0] == pytest.approx(lam1 / tr, abs=1e-12)
    assert d.explained_variance_ratio[1] == pytest.approx(lam2 / tr, abs=1e-12)
    expected = np.array([m[0, 1], lam1 - m[0, 0], 0.0])
    expected /= np.linalg.norm(expected)
    expected *= np.sign(expected[0])  # oriented towards the first word of each pair
    np.testing.assert_allclose(d.vector, expected, atol=1e-12)


def test_pca_matches_debiaswe_doPCA_with_sklearn(bias_store):
    from sklearn.decomposition import PCA

    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(12)]
    store = VectorStore(words, rng.normal(size=(12, 7)).astype(np.float32))
    pairs = [(words[i], words[i + 6]) for i in range(6)]
    d = bias_direction(store, pairs)
    unit = store.unit_vectors.astype(np.float64)
    rows = []
    for a, b in pairs:
        va, vb = unit[store.row(a)], unit[store.row(b)]
        centre = (va + vb) / 2
        rows += [va - centre, vb - centre]
    pca = PCA(n_components=6).fit(np.array(rows))
    assert abs(abs(pca.components_[0] @ d.vector) - 1) < 1e-6
    np.testing.assert_allclose(d.explained_variance_ratio, pca.explained_variance_ratio_, atol=1e-6)


def test_pair_direction(bias_store):
    d = bias_direction(bias_store, [("she", "he")], method="pair")
    np.testing.assert_allclose(d.vector, [1, 0, 0, 0], atol=1e-12)
    assert d.explained_variance_ratio == () and d.method == "pair"
    d2 = bias_direction(bias_store, method="pair")  # default she - he
    np.testing.assert_allclose(d2.vector, d.vector)


def test_orientation_follows_pair_order(bias_store):
    d = bias_direction(bias_store, [(b, a) for a, b in PAIRS])
    np.testing.assert_allclose(d.vector, [-1, 0, 0, 0], atol=1e-12)


def test_missing_pairs_dropped_and_identical_words_rejected(bias_store):
    d = bias_direction(bias_store, [*PAIRS, ("queen", "king")])
    assert d.pairs == tuple(PAIRS)
    with pytest.raises(BiasError, match="identical words"):
        bias_direction(bias_store, [("she", "she")])
    with pytest.raises(BiasError, match="identical words"):
        bias_direction(bias_store, [("she", "she")], method="pair")
    with pytest.raises(BiasError, match="none of the 1 definitional pairs"):
        bias_direction(bias_store, [("queen", "king")])
    with pytest.raises(UnknownWordsError):
        bias_direction(bias_store, [("queen", "king")], method="pair")
    with pytest.raises(BiasError, match="exactly one pair"):
        bias_direction(bias_store, PAIRS, method="pair")


def test_direction_from_parallel_vectors_is_an_error():
    store = VectorStore(["a", "b"], np.array([[1, 2], [2, 4]], dtype=np.float32))
    with pytest.raises(BiasError, match="identical vectors"):
        bias_direction(store, [("a", "b")])
    with pytest.raises(BiasError, match="same way"):
        bias_direction(store, [("a", "b")], method="pair")


def test_weak_pc1_is_flagged():
    store = VectorStore(
        ["a", "b", "c", "d"],
        np.array([[1, 0, 1], [-1, 0, 1], [0, 1, 1], [0, -1, 1]], dtype=np.float32),
    )
    d = bias_direction(store, [("a", "b"), ("c", "d")])
    assert d.explained_variance_ratio == pytest.approx((0.5, 0.5), abs=1e-12)
    assert not d.dominant


def test_project_closed_form(bias_store):
    d = bias_direction(bias_store, PAIRS)
    got = dict(project(bias_store, ["nurse", "engineer", "doctor", "homemaker", "programmer"], d))
    assert got["nurse"] == pytest.approx(0.6, abs=1e-12)
    assert got["engineer"] == pytest.approx(-1 / math.sqrt(2), abs=1e-12)
    assert got["doctor"] == pytest.approx(0.0, abs=1e-12)
    assert got["homemaker"] == pytest.approx(0.8, abs=1e-12)
    assert got["programmer"] == pytest.approx(-0.8, abs=1e-12)
    with pytest.raises(UnknownWordsError, match="'pilot'"):
        project(bias_store, ["nurse", "pilot"], d)
    kept = project(bias_store, ["nurse", "pilot"], d, skip_unknown=True)
    assert kept == [("nurse", got["nurse"])]
    assert project(bias_store, ["Nurse"], d)[0][0] == "nurse"


def test_direct_bias_closed_form(bias_store):
    d = bias_direction(bias_store, PAIRS)
    r = direct_bias(bias_store, d, ["nurse", "engineer", "doctor", "pilot"])
    assert r.value == pytest.approx((0.6 + 1 / math.sqrt(2)) / 3, abs=1e-12)
    assert r.words == ("nurse", "engineer", "doctor") and r.missing == ("pilot",)
    assert r.coverage == pytest.approx(0.75)
    r2 = direct_bias(bias_store, d, ["nurse", "engineer", "doctor"], c=2)
    assert r2.value == pytest.approx((0.36 + 0.5) / 3, abs=1e-12)
    with pytest.raises(BiasError, match="none of the 1 neutral words"):
        direct_bias(bias_store, d, ["pilot"])


def test_indirect_bias_closed_form(bias_store):
    d = bias_direction(bias_store, PAIRS)
    r = indirect_bias(bias_store, "nurse", "receptionist", d)
    # w = (.6, 0, 0, .8), v = (.8, 0, 0, .6): w.v = .96, orthogonal parts are parallel (cos 1)
    assert r.similarity == pytest.approx(0.96, abs=1e-12)
    assert r.similarity_without_direction == pytest.approx(1.0, abs=1e-12)
    assert r.beta == pytest.approx((0.96 - 1) / 0.96, abs=1e-12)
    r2 = indirect_bias(bias_store, "nurse", "homemaker", d)
    assert r2.beta == pytest.approx(1.0, abs=1e-12)  # all their similarity is gender
    with pytest.raises(BiasError, match="orthogonal"):
        indirect_bias(bias_store, "nurse", "table", d)


def test_direction_save_load_roundtrip(tmp_path, bias_store):
    d = bias_direction(bias_store, PAIRS)
    path = save_direction(d, tmp_path / "g.json")
    back = load_direction(path)
    np.testing.assert_array_equal(back.vector, d.vector)
    assert back.pairs == d.pairs and back.explained_variance_ratio == d.explained_variance_ratio
    with pytest.raises(OutputError, match="already exists"):
        save_direction(d, path)
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(BiasError, match="not a direction file"):
        load_direction(tmp_path / "bad.json")


def test_dimension_mismatch(bias_store):
    from embtool.bias import direction_from_vector

    with pytest.raises(BiasError, match="3 dimensions"):
        project(bias_store, ["nurse"], direction_from_vector([1, 0, 0]))


def test_bundled_lists():
    profs = bolukbasi_professions()
    assert len(profs) == 320 and profs[0] == "accountant"
    neutral = neutral_professions()
    assert len(neutral) == 285
    assert "nurse" in neutral and "actress" not in neutral and "waiter" not in neutral
